import re

from django import forms
from django.conf import settings

SESSION_ID_RE = re.compile(r"[A-Za-z0-9._:\-]{1,100}", re.ASCII)
# What a phone keypad can send: digits, * and #, and letters for names typed in multi-tap mode.
TEXT_MAX_LENGTH = 1000


class GatewayForm(forms.Form):
    """Africa's Talking USSD callback fields."""

    sessionId = forms.CharField(max_length=100)  # noqa: N815 - the gateway's own field names
    serviceCode = forms.CharField(max_length=20)  # noqa: N815
    phoneNumber = forms.CharField(max_length=20)  # noqa: N815
    text = forms.CharField(max_length=TEXT_MAX_LENGTH, required=False, strip=False)
    networkCode = forms.CharField(max_length=10, required=False)  # noqa: N815

    def clean_sessionId(self) -> str:  # noqa: N802
        value = self.cleaned_data["sessionId"]
        if not SESSION_ID_RE.fullmatch(value):
            raise forms.ValidationError("sessionId: 1-100 characters of A-Z a-z 0-9 . _ : -")
        return value

    def clean_serviceCode(self) -> str:  # noqa: N802
        value = self.cleaned_data["serviceCode"].strip()
        if value != settings.USSD_SERVICE_CODE:
            raise forms.ValidationError(f"serviceCode: this gateway serves {settings.USSD_SERVICE_CODE} only")
        return value

    def clean_text(self) -> str:
        value = self.cleaned_data.get("text") or ""
        if any(ord(char) < 32 for char in value):
            raise forms.ValidationError("text: control characters are not allowed")
        return value

    def reasons(self) -> str:
        return "; ".join(
            f"{field}: {error}" if not str(error).startswith(field) else str(error)
            for field, errors in self.errors.items()
            for error in errors
        )
