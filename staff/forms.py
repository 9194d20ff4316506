"""Forms of the agent console. They only validate; the views call one domain function with the cleaned data."""

from datetime import timedelta

from crispy_forms.bootstrap import FieldWithButtons, StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from audit.operations import MSG_REASON_REQUIRED, audit_reason
from casework.models import IdentityFact
from core.errors import DomainError
from core.net import client_ip
from core.throttle import throttle_give_back, throttle_take
from staff.selectors import MAX_QUERY_LENGTH

MSG_TEXT_REQUIRED = _("Напишите текст (не короче 3 символов).")
MSG_STAFF_TOO_MANY = _("Слишком много неверных попыток входа с вашего адреса. Попробуйте через 15 минут.")
STAFF_SIGN_IN_WINDOW = timedelta(minutes=15)


class LimitedSignInForm(AuthenticationForm):
    """Django's sign-in form, with what must happen before django-axes sees a sign-in (the console's and the
    admin's forms):

    - a username longer than the column allows (150) gets the usual «wrong login» answer: axes would write it into
      its 255-character column, and on PostgreSQL a longer one was a 500;
    - each attempt counts against the client address, whatever the username (django-axes counts per username and
      address): a script that tries many names from one address stops. A right password gives its attempt back,
      so the limit is on failures and colleagues behind one office address are not locked by each other's success.
    """

    def clean(self):
        username, password = self.cleaned_data.get("username"), self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()
        if len(username) > (self.username_field.max_length or 150):
            raise self.get_invalid_login_error()
        key = f"staff-signin-address:{client_ip(self.request)}"
        if not throttle_take(key=key, limit=settings.STAFF_SIGN_IN_FAILURES_PER_ADDRESS, window=STAFF_SIGN_IN_WINDOW):
            raise ValidationError(MSG_STAFF_TOO_MANY, code="throttled")
        cleaned = super().clean()  # authenticates: raises on a failure, which then stays counted
        throttle_give_back(key=key)
        return cleaned


class StaffSignInForm(LimitedSignInForm):
    """Django's sign-in form (django-axes counts its failures), for staff only: a holder's web account is told the
    same as a wrong password, so the console's page reveals nothing about who has one."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise self.get_invalid_login_error()


class AdminSignInForm(LimitedSignInForm, AdminAuthenticationForm):
    """The admin's sign-in form with the same limits (staff/apps.py sets it on admin.site)."""


class SearchForm(forms.Form):
    """The console's one search box: a number in any form, a payment code, an INN, an email or a name."""

    q = forms.CharField(
        label=_("Номер, код платежа, ИНН, email или имя"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        help_text=_(
            "Номер в любом виде (0555 12 34 56, +996…), код платежа из SMS (12 цифр), личный ИНН или ИНН компании "
            "(14 цифр), email входа на сайт, имя и фамилия."
        ),
        widget=forms.TextInput(
            attrs={"autofocus": True, "placeholder": "0555 12 34 56", "autocomplete": "off", "type": "search"}
        ),
    )
    button_class = "btn-primary"
    input_size = "input-group-lg"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_method = "get"
        self.helper.form_action = reverse_lazy("staff:home")
        self.helper.attrs = {"role": "search", "novalidate": True}
        self.helper.layout = Layout(
            FieldWithButtons(
                "q",
                StrictButton(_("Найти"), type="submit", css_class=self.button_class),
                input_size=self.input_size,
            )
        )


class InlineSearchForm(SearchForm):
    """The same search at the top of a customer's or a payment's page: a new search without going back."""

    button_class = "btn-outline-secondary"
    input_size = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["q"]
        field.help_text = ""
        field.widget.attrs.pop("autofocus")  # the page's content is what the agent reads first
        field.widget.attrs.update(
            placeholder=_("Новый поиск: номер, код платежа, ИНН, email, имя"), **{"aria-label": field.label}
        )
        self.helper.form_show_labels = False
        self.helper.form_class = "staff-search-inline mb-3"


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина"),
        max_length=1000,
        error_messages={"required": MSG_REASON_REQUIRED},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Запишется в журнал действий: например, «личность проверена: ИНН и дата рождения, звонок 10:15»."),
    )

    def clean_reason(self):
        try:
            return audit_reason(self.cleaned_data["reason"])
        except DomainError as error:
            raise forms.ValidationError(str(error)) from error


class _CaseForm(forms.Form):
    """A small form of the customer's card, posted to its own URL (`action`) with one submit button."""

    submit_label: Promise = _("Сохранить")
    submit_class = "btn-outline-primary"

    def __init__(self, *args, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_action = action
        self.helper.attrs = {"novalidate": True}
        self.helper.add_input(Submit("submit", self.submit_label, css_class=f"{self.submit_class} w-100"))


def _text_field(label: Promise, help_text: Promise = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=1000,
        error_messages={"required": MSG_TEXT_REQUIRED},
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=help_text,
    )


def _clean_text(value: str) -> str:
    try:
        return audit_reason(value)
    except DomainError as error:
        raise forms.ValidationError(MSG_TEXT_REQUIRED) from error


class IdentityCheckForm(_CaseForm):
    """What the caller answered correctly; two of three pass the check (casework/identity.py)."""

    facts = forms.MultipleChoiceField(
        label=_("Клиент верно назвал"),
        choices=IdentityFact.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Нужно два из трех. Проверка действует 15 минут и только для вас."),
    )
    submit_label = _("Записать проверку")


class EscalationForm(_CaseForm):
    note = _text_field(_("Что передать старшему смены"), _("Что случилось и что уже сделано."))
    submit_label = _("Передать старшему смены")
    submit_class = "btn-outline-warning"

    def clean_note(self):
        return _clean_text(self.cleaned_data["note"])


class CaseNoteForm(_CaseForm):
    text = _text_field(_("Заметка"))
    submit_label = _("Добавить заметку")

    def clean_text(self):
        return _clean_text(self.cleaned_data["text"])


class EscalationCloseForm(_CaseForm):
    resolution = _text_field(_("Решение"), _("Что решено и что сказано клиенту; агент увидит это в журнале."))
    submit_label = _("Закрыть обращение")
    submit_class = "btn-primary"

    def clean_resolution(self):
        return _clean_text(self.cleaned_data["resolution"])
