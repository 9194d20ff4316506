"""The sign-in forms of the company page: they only validate; signin.py decides."""

from django import forms
from django.utils.translation import gettext_lazy as _

from sochi.companies import inn_parse, pin_parse
from sochi.errors import InvalidInput
from sochi.models import Role


class InnForm(forms.Form):
    inn = forms.CharField(
        label=_("ИНН организации"),
        help_text=_("14 цифр, как в свидетельстве о регистрации."),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True}),
    )

    def clean_inn(self) -> str:
        try:
            return inn_parse(self.cleaned_data["inn"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Войти как"), choices=Role.choices, widget=forms.RadioSelect)

    def __init__(self, *args, roles: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        if roles:
            self.fields["role"].initial = self.fields["role"].choices[0][0]


class PinForm(forms.Form):
    pin = forms.CharField(
        label=_("ПИН-код"),
        help_text=_("6 цифр."),
        max_length=6,
        strip=False,
        widget=forms.PasswordInput(
            attrs={"inputmode": "numeric", "autocomplete": "current-password", "autofocus": True}
        ),
    )

    def clean_pin(self) -> str:
        try:
            return pin_parse(self.cleaned_data["pin"])
        except InvalidInput as exc:
            raise forms.ValidationError(str(exc)) from exc
