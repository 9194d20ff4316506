"""Forms of the cash desk. They only validate; the views call one domain function."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cashdesk.operations import BRANCH_CHANNEL, MSG_ID_NOT_CHECKED, cash_check_limit
from core.errors import DomainError
from core.money import MSG_AMOUNT_EMPTY, parse_amount
from wallet.phone import InvalidPhone, phone_parse


class FindWalletForm(forms.Form):
    phone = forms.CharField(
        label=_("Номер кошелька (номер телефона клиента)"),
        max_length=32,
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "0555 12 34 56", "autocomplete": "off"}),
    )

    def clean_phone(self):
        try:
            return phone_parse(self.cleaned_data["phone"]).e164
        except InvalidPhone as exc:
            raise ValidationError(str(exc)) from exc


class BranchCreditForm(forms.Form):
    amount = forms.CharField(
        label=_("Сумма, сом"),
        max_length=40,
        error_messages={"required": MSG_AMOUNT_EMPTY},
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "1000"}),
    )
    id_checked = forms.BooleanField(
        label=_("Имя и фамилия совпадают с ID-картой клиента"),
        error_messages={"required": MSG_ID_NOT_CHECKED},
    )
    # No receipt field: the server draws the number and keeps it in the session (cashdesk/views.py).

    def clean_amount(self):
        try:
            amount = parse_amount(self.cleaned_data["amount"])
            cash_check_limit(channel=BRANCH_CHANNEL, amount=amount, place=_("Касса отделения KICB"))
        except DomainError as exc:
            raise ValidationError(str(exc)) from exc
        return amount
