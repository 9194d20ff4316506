"""INN (ИНН): the 14-digit taxpayer number of a person or a company in Kyrgyzstan.

A person's INN: first digit 1 (woman) or 2 (man), digits 2-9 the birth date DDMMYYYY, then 5 more digits.
A company's INN starts with 0; an individual entrepreneur pays with the personal INN (1 or 2).
"""

import re
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MSG_INN_EMPTY = _("Введите ИНН.")
MSG_INN_FORMAT = _("ИНН состоит ровно из 14 цифр.")
MSG_INN_PERSONAL_FIRST_DIGIT = _("Личный ИНН начинается с 1 или 2.")
MSG_INN_PERSONAL_DATE = _("В личном ИНН цифры со 2-й по 9-ю — дата рождения (ДДММГГГГ); здесь она неверна.")
MSG_INN_COMPANY_FIRST_DIGIT = _("ИНН компании начинается с 0, ИНН предпринимателя — с 1 или 2.")

INN_RE = re.compile(r"[0-9]{14}", re.ASCII)
OLDEST_BIRTH_YEAR = 1900


class InvalidInn(DomainError):
    code = "invalid_inn"


def _digits(raw: str) -> str:
    text = re.sub(r"\s", "", raw or "")
    if not text:
        raise InvalidInn(MSG_INN_EMPTY)
    if not INN_RE.fullmatch(text):
        raise InvalidInn(MSG_INN_FORMAT)
    return text


def _birth_date_ok(inn: str) -> bool:
    try:
        born = date(int(inn[5:9]), int(inn[3:5]), int(inn[1:3]))
    except ValueError:
        return False
    return OLDEST_BIRTH_YEAR <= born.year and born <= timezone.localdate()


def inn_parse_personal(raw: str) -> str:
    """A person's own INN, as on the ID card. Spaces are ignored; anything else wrong raises InvalidInn."""
    inn = _digits(raw)
    if inn[0] not in "12":
        raise InvalidInn(MSG_INN_PERSONAL_FIRST_DIGIT)
    if not _birth_date_ok(inn):
        raise InvalidInn(MSG_INN_PERSONAL_DATE)
    return inn


def inn_parse_payer(raw: str) -> str:
    """The INN of a company (starts with 0) or of an individual entrepreneur (a personal INN)."""
    inn = _digits(raw)
    if inn[0] == "0":
        return inn
    if inn[0] not in "12":
        raise InvalidInn(MSG_INN_COMPANY_FIRST_DIGIT)
    return inn_parse_personal(inn)
