"""Forms of the web cabinet. They only validate; the views call one domain function with the cleaned data."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.errors import MSG_EMAIL_TAKEN
from accounts.models import User
from core.errors import DomainError
from core.money import InvalidAmount, format_som, parse_amount
from ledger.errors import MSG_INSUFFICIENT_FUNDS
from services.account_rules import InvalidAccount
from services.errors import AmountOutOfRange
from services.payments import PaymentQuote, payment_prepare
from wallet.phone import InvalidPhone, phone_parse

MSG_PASSWORDS_DIFFER = _("Пароли не совпадают.")
MSG_OFFER_REQUIRED = _("Чтобы зарегистрироваться, согласитесь с условиями публичной оферты.")
MSG_CODE_FORMAT = _("Код — это 6 цифр из SMS.")
MSG_PASSWORD_HINT = _("Не меньше 12 символов; не только цифры; не похож на номер телефона или email.")
MSG_DATES_ORDER = _("Дата «с» позже даты «по».")

CODE_RE = re.compile(r"[0-9]{6}", re.ASCII)


class CabinetForm(forms.Form):
    """Bootstrap classes, and the error of a field tied to its input for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if isinstance(field.widget, forms.CheckboxInput) else "form-control"
            field.widget.attrs.setdefault("class", css)
            described_by = f"{self.auto_id % name}-error"
            if field.help_text:
                described_by += f" {self.auto_id % name}-help"
            field.widget.attrs["aria-describedby"] = described_by

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " is-invalid"
                widget.attrs["aria-invalid"] = "true"


class EntryForm(CabinetForm):
    phone = forms.CharField(
        label=_("Номер кошелька ЭЛСОМ (номер телефона)"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel", "placeholder": "0555 12 34 56"}),
    )

    def clean_phone(self):
        try:
            return phone_parse(self.cleaned_data["phone"]).e164
        except InvalidPhone as exc:
            raise ValidationError(str(exc)) from exc


def _password_field(label, autocomplete="new-password", help_text=""):
    return forms.CharField(
        label=label,
        strip=False,
        max_length=128,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class NewPasswordMixin:
    """password1 / password2 checked against AUTH_PASSWORD_VALIDATORS (12+ characters, not common, not all
    digits, not like the phone, the name or the email) and against each other."""

    def check_new_password(self, user: User) -> None:
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1:
            try:
                password_validation.validate_password(password1, user=user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        if password1 and password2 and password1 != password2:
            self.add_error("password2", MSG_PASSWORDS_DIFFER)


class RegistrationForm(NewPasswordMixin, CabinetForm):
    email = forms.EmailField(
        label=pgettext_lazy("registration form", "Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = _password_field(_("Пароль"), help_text=MSG_PASSWORD_HINT)
    password2 = _password_field(_("Повторите пароль"))
    offer = forms.BooleanField(
        label=_("Я соглашаюсь с условиями публичной оферты"),
        required=True,
        error_messages={"required": MSG_OFFER_REQUIRED},
    )

    def __init__(self, *args, wallet, **kwargs):
        self.wallet = wallet
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(MSG_EMAIL_TAKEN)
        return email

    def clean(self):
        cleaned = super().clean()
        probe = User(
            username=self.wallet.phone,
            email=cleaned.get("email", ""),
            first_name=self.wallet.first_name,
            last_name=self.wallet.last_name,
        )
        self.check_new_password(probe)
        # The national form too (0555123456), the way the holder writes the number.
        password1 = cleaned.get("password1")
        if password1 and "password1" not in self.errors:
            national = "0" + self.wallet.phone[4:]
            probe.username = national
            try:
                password_validation.validate_password(password1, user=probe)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class CodeForm(CabinetForm):
    code = forms.CharField(
        label=_("Код из SMS"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self):
        code = re.sub(r"\s", "", self.cleaned_data["code"])
        if not CODE_RE.fullmatch(code):
            raise ValidationError(MSG_CODE_FORMAT)
        return code


class PasswordForm(CabinetForm):
    password = _password_field(_("Пароль"), autocomplete="current-password")


class ResetForm(NewPasswordMixin, CodeForm):
    password1 = _password_field(_("Новый пароль"), help_text=MSG_PASSWORD_HINT)
    password2 = _password_field(_("Повторите пароль"))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        self.check_new_password(self.user)
        return cleaned


class PasswordChangeForm(NewPasswordMixin, CabinetForm):
    old_password = _password_field(_("Текущий пароль"), autocomplete="current-password")
    password1 = _password_field(_("Новый пароль"), help_text=MSG_PASSWORD_HINT)
    password2 = _password_field(_("Повторите пароль"))

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.user.check_password(old):
            raise ValidationError(_("Текущий пароль введен неверно."))
        return old

    def clean(self):
        cleaned = super().clean()
        self.check_new_password(self.user)
        return cleaned


class PaymentForm(CabinetForm):
    """The service's account field (for DosTek group «ИНН компании») and «Сумма». Valid means payment_prepare
    accepted it and the wallet holds the total; the quote is kept for the confirm step."""

    account = forms.CharField(max_length=64, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    amount = forms.CharField(
        label=_("Сумма"),
        max_length=32,
        help_text=_("в сомах, например 100 или 100,50"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )

    def __init__(self, *args, wallet, service, **kwargs):
        self.wallet = wallet
        self.service = service
        self.quote: PaymentQuote | None = None
        super().__init__(*args, **kwargs)
        self.fields["account"].label = service.display_account_label

    def clean_amount(self):
        try:
            return parse_amount(self.cleaned_data["amount"])
        except InvalidAmount as exc:
            raise ValidationError(str(exc)) from exc

    def clean(self):
        cleaned = super().clean()
        account, amount = cleaned.get("account"), cleaned.get("amount")
        if account is None or amount is None:
            if account is not None:  # the account can still be checked on its own
                self._prepare(account, self.service.min_amount, only_account=True)
            return cleaned
        self._prepare(account, amount)
        return cleaned

    def _prepare(self, account, amount, only_account=False):
        try:
            quote = payment_prepare(wallet=self.wallet, service=self.service, account=account, amount=amount)
        except InvalidAccount as exc:
            self.add_error("account", str(exc))
            return
        except (InvalidAmount, AmountOutOfRange) as exc:
            if not only_account:
                self.add_error("amount", str(exc))
            return
        except DomainError as exc:
            self.add_error(None, str(exc))
            return
        if only_account:
            return
        self.wallet.ledger_account.refresh_from_db(fields=["balance"])
        balance = self.wallet.ledger_account.balance
        if quote.total > balance:
            self.add_error("amount", str(MSG_INSUFFICIENT_FUNDS) % {"balance": format_som(balance)})
            return
        self.cleaned_data["account"] = quote.account
        self.quote = quote


class HistoryFilterForm(CabinetForm):
    date_from = forms.DateField(
        label=_("С"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("По"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", MSG_DATES_ORDER)
        return cleaned
