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
from core.money import InvalidAmount, parse_amount
from services.account_rules import InvalidAccount
from services.errors import AmountOutOfRange, InsufficientFunds, ProviderRefusedAccount
from services.payments import PaymentQuote, payment_prepare, payment_quote
from wallet.errors import MSG_PIN_MISMATCH
from wallet.inn import InvalidInn, inn_parse_personal
from wallet.phone import InvalidPhone, phone_parse

MSG_PASSWORDS_DIFFER = _("Пароли не совпадают.")
MSG_OFFER_REQUIRED = _("Чтобы зарегистрироваться, согласитесь с условиями публичной оферты.")
MSG_OPEN_OFFER_REQUIRED = _("Чтобы открыть кошелек, согласитесь с условиями публичной оферты.")
MSG_CODE_FORMAT = _("Код — это 6 цифр из SMS.")
MSG_PASSWORD_HINT = _("Не меньше 12 символов; не только цифры; не похож на номер телефона или email.")
MSG_DATES_ORDER = _("Дата «с» позже даты «по».")
MSG_PIN_HINT = _("4 цифры; не 0000, 1234 и другие простые.")
MSG_TOO_MANY_PASSWORDS = _("Слишком много неверных паролей. Попробуйте через 15 минут.")

CODE_RE = re.compile(r"[0-9]{6}", re.ASCII)


class CabinetForm(forms.Form):
    """Rendered with crispy-forms (bootstrap5 pack: `{{ form.field|as_crispy_field }}`). A field with errors gets
    aria-invalid and aria-describedby pointing at crispy's error block (and help text), for screen readers."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                field, bound = self.fields[name], self[name]
                described_by = [f"{bound.auto_id}_error"]
                if field.help_text:
                    described_by.append(f"{bound.auto_id}_helptext")
                field.widget.attrs["aria-describedby"] = " ".join(described_by)
                field.widget.attrs["aria-invalid"] = "true"
                if isinstance(field.widget, forms.CheckboxInput):
                    field.widget.attrs["class"] = "form-check-input is-invalid"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):  # rendered by hand (the offer's label has a link)
                field.widget.attrs.setdefault("class", "form-check-input")


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


class WalletOpenForm(CabinetForm):
    """Opening a wallet on the website: the same answers as on *900# (seed 1.4-1.7). The name and the INN are
    checked by wallet_register, which the view calls; here only that something was typed and the offer ticked."""

    full_name = forms.CharField(
        label=_("Ваше имя и фамилия"),
        max_length=130,
        widget=forms.TextInput(attrs={"autocomplete": "name", "placeholder": "Айгуль Асанова"}),
    )
    inn = forms.CharField(
        label=_("Ваш личный ИНН"),
        max_length=20,
        help_text=_("14 цифр, как в вашей ID-карте."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    offer = forms.BooleanField(
        label=_("Я соглашаюсь с условиями публичной оферты"),
        required=True,
        error_messages={"required": MSG_OPEN_OFFER_REQUIRED},
    )


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

    def __init__(self, *args, user, attempt, **kwargs):
        self.user = user
        self.attempt = attempt  # counts a guess of the current password against the sign-in limit, or refuses
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.attempt():
            raise ValidationError(MSG_TOO_MANY_PASSWORDS)
        if not self.user.check_password(old):
            raise ValidationError(_("Текущий пароль введен неверно."))
        return old

    def clean(self):
        cleaned = super().clean()
        self.check_new_password(self.user)
        return cleaned


def _pin_field(label, *, autocomplete: str = "off", help_text=""):
    # A PIN is typed like a password (never shown) but on the digit keypad.
    attrs = {"autocomplete": autocomplete, "inputmode": "numeric", "maxlength": "4", "pattern": "[0-9]*"}
    return forms.CharField(
        label=label, max_length=4, strip=True, help_text=help_text, widget=forms.PasswordInput(attrs=attrs)
    )


class PinChangeForm(CabinetForm):
    """Current PIN, new PIN twice; the rules (format, trivial, same, wrong current PIN counted) are the domain's:
    wallet_pin_change, as on *900# -> 8 -> 3."""

    current_pin = _pin_field(_("Текущий PIN"), autocomplete="current-password")
    new_pin1 = _pin_field(_("Новый PIN"), autocomplete="new-password", help_text=MSG_PIN_HINT)
    new_pin2 = _pin_field(_("Повторите новый PIN"), autocomplete="new-password")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_pin1") and cleaned.get("new_pin2") and cleaned["new_pin1"] != cleaned["new_pin2"]:
            self.add_error("new_pin2", MSG_PIN_MISMATCH)
        return cleaned


class PinForgotForm(EntryForm):
    """The wallet's number (the code goes to it)."""


class PinResetForm(CodeForm):
    """The code sent to the wallet's number and the holder's personal INN (14 digits, as on the ID card)."""

    inn = forms.CharField(
        label=_("Личный ИНН"),
        max_length=40,
        help_text=_("14 цифр, как в вашей ID-карте."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_inn(self):
        try:
            return inn_parse_personal(self.cleaned_data["inn"])
        except InvalidInn as exc:
            raise ValidationError(str(exc)) from exc


class PaymentForm(CabinetForm):
    """The service's account field (for DosTek group «ИНН компании») and «Сумма». Valid means payment_quote
    accepted it (the wallet holds the total and the provider takes the account); the quote is kept for the confirm
    step. With the amount unreadable, the account is still checked on its own, without the provider."""

    # No max_length: whatever length is typed, the person gets the account's or the amount's own message.
    account = forms.CharField(widget=forms.TextInput(attrs={"autocomplete": "off"}))
    amount = forms.CharField(
        label=_("Сумма"),
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
            if only_account:
                payment_prepare(wallet=self.wallet, service=self.service, account=account, amount=amount)
                return
            # Once per «Далее», before any money moves: the provider says whether it takes this account.
            quote = payment_quote(wallet=self.wallet, service=self.service, account=account, amount=amount)
        except (InvalidAccount, ProviderRefusedAccount) as exc:
            self.add_error("account", str(exc))
            return
        except (InvalidAmount, AmountOutOfRange, InsufficientFunds) as exc:
            if not only_account:
                self.add_error("amount", str(exc))
            return
        except DomainError as exc:  # the wallet blocked, the service off, the provider not answering
            self.add_error(None, str(exc))
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
