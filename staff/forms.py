"""Forms of the agent console. They only validate; the views call one domain function with the cleaned data."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from staff.audit import MSG_REASON_REQUIRED, audit_reason
from staff.selectors import MAX_QUERY_LENGTH


class StaffSignInForm(AuthenticationForm):
    """Django's sign-in form (django-axes counts its failures), for staff only: a holder's web account is told the
    same as a wrong password, so the console's page reveals nothing about who has one."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise self.get_invalid_login_error()


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Номер, код платежа, ИНН, email или имя"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(
            attrs={"autofocus": True, "placeholder": "0555 12 34 56", "autocomplete": "off", "type": "search"}
        ),
    )


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
