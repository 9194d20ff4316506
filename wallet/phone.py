"""Kyrgyz mobile numbers: every way people type them -> E.164, with the operator from carrier data."""

import functools
import re
from dataclasses import dataclass

import phonenumbers
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumberType, carrier

from core.errors import DomainError

MSG_PHONE_EMPTY = _("Введите номер телефона.")
MSG_PHONE_MALFORMED = _("Номер телефона введен неверно. Пример: 0555 12 34 56.")
MSG_PHONE_FOREIGN = _("Нужен номер кыргызского мобильного оператора (+996).")
MSG_PHONE_LANDLINE = _("Это городской номер. Кошелек ЭЛСОМ открывается на мобильный номер.")
MSG_PHONE_OPERATOR = _("Оператор этого номера не поддерживается. Номера Megacom, Beeline и O! подходят.")


class InvalidPhone(DomainError):
    code = "invalid_phone"


class PhoneMalformed(InvalidPhone):
    """Not a phone number at all (empty, letters, too short)."""

    code = "phone_malformed"


class PhoneForeign(InvalidPhone):
    """A number of another country."""

    code = "phone_foreign"


class PhoneLandline(InvalidPhone):
    """A Kyrgyz number, but not a mobile one."""

    code = "phone_landline"


class PhoneOperatorUnknown(InvalidPhone):
    """A Kyrgyz mobile number of an operator the wallet does not serve."""

    code = "phone_operator"


class Operator(models.TextChoices):
    MEGACOM = "megacom", "Megacom"
    BEELINE = "beeline", "Beeline"
    O = "o", "O!"


# The operators whose subscribers reach *900#. O! does not carry it: its holders change the PIN on the website and
# in the app, and every SMS that tells them how says so (wallet/pin_operations.py).
USSD_OPERATORS = frozenset({Operator.MEGACOM, Operator.BEELINE})

# phonenumbers names the licence holders, not the brands people know.
CARRIER_TO_OPERATOR = {
    "ALFA Telecom": Operator.MEGACOM,
    "Sky mobile": Operator.BEELINE,
    "Nur Telecom": Operator.O,
}

# What a person may type: ASCII digits, a leading +, and the usual separators. Full-width or other Unicode
# digits are refused here, although phonenumbers would accept them.
ALLOWED_RE = re.compile(r"\+?[0-9 ()\-.\u00a0]+", re.ASCII)
SEPARATORS_RE = re.compile(r"[ ()\-.\u00a0]")


@dataclass(frozen=True)
class KgPhone:
    e164: str
    operator: Operator

    @property
    def national(self) -> str:
        """0555 12 34 56, the way Kyrgyz people write their number."""
        digits = self.e164[4:]
        return f"0{digits[:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}"


def _candidate(raw: str) -> str:
    digits = SEPARATORS_RE.sub("", raw)
    if digits.startswith("+"):
        return digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("996") and len(digits) == 12:
        return "+" + digits
    if digits.startswith("0") and len(digits) == 10:
        return "+996" + digits[1:]
    if len(digits) == 9:
        return "+996" + digits
    return digits


def phone_parse(raw: str) -> KgPhone:
    """Normalise a typed number to +996XXXXXXXXX or raise InvalidPhone with a message for the person."""
    text = (raw or "").strip()
    if not text:
        raise PhoneMalformed(MSG_PHONE_EMPTY)
    if not ALLOWED_RE.fullmatch(text) or "+" in text[1:]:
        raise PhoneMalformed(MSG_PHONE_MALFORMED)
    candidate = _candidate(text)
    if not candidate.startswith("+"):
        raise PhoneMalformed(MSG_PHONE_MALFORMED)
    return _phone_of(candidate)


@functools.lru_cache(maxsize=4096)
def _phone_of(candidate: str) -> KgPhone:
    """The libphonenumber part, remembered per number: every USSD request and sign-in parses the caller's number,
    and the library's metadata walk costs more than the rest of a USSD step's Python. Refusals are not cached."""
    try:
        number = phonenumbers.parse(candidate, None)
    except phonenumbers.NumberParseException as exc:
        raise PhoneMalformed(MSG_PHONE_MALFORMED) from exc
    if number.country_code != 996:
        raise PhoneForeign(MSG_PHONE_FOREIGN)
    if not phonenumbers.is_valid_number(number):
        raise PhoneMalformed(MSG_PHONE_MALFORMED)
    if phonenumbers.number_type(number) not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise PhoneLandline(MSG_PHONE_LANDLINE)
    operator = CARRIER_TO_OPERATOR.get(carrier.name_for_number(number, "en"))
    if operator is None:
        raise PhoneOperatorUnknown(MSG_PHONE_OPERATOR)
    return KgPhone(e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), operator=operator)
