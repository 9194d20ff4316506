"""Money: Decimal som with 2 places in Python, whole tyiyn (1/100 som) in the database. Never float."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.db import models
from django.db.models.expressions import Combinable
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

CENT = Decimal("0.01")
TYIYN_PER_SOM = 100

MSG_AMOUNT_EMPTY = _("Введите сумму.")
MSG_AMOUNT_NOT_A_NUMBER = _("Сумма должна быть числом, например 100 или 100,50.")
MSG_AMOUNT_TOO_PRECISE = _("В сумме не больше двух знаков после запятой.")
MSG_AMOUNT_NOT_POSITIVE = _("Сумма должна быть больше нуля.")
MSG_AMOUNT_TOO_LARGE = _("Сумма слишком велика.")

# Digits with an optional group separator (space, no-break space, thin space) and one decimal mark.
AMOUNT_RE = re.compile(r"[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?:[.,][0-9]+)?|[0-9]+(?:[.,][0-9]+)?", re.ASCII)
MAX_SOM = Decimal("999999999999.99")
MAX_SOM_DIGITS = 12  # whole som digits of MAX_SOM


class InvalidAmount(DomainError):
    code = "invalid_amount"


def som(value: str | int | Decimal) -> Decimal:
    """An exact som amount from trusted code (tests, settings). Raises InvalidAmount if it has more than 2 decimals
    or does not fit the money column (rather than Decimal's InvalidOperation)."""
    if isinstance(value, float):
        raise TypeError("money must not be float")
    try:
        amount = Decimal(value)
        if not amount.is_finite() or abs(amount) > MAX_SOM:
            raise InvalidAmount(MSG_AMOUNT_TOO_LARGE)
        if amount != amount.quantize(CENT):
            raise InvalidAmount(MSG_AMOUNT_TOO_PRECISE)
    except InvalidOperation as exc:
        raise InvalidAmount(MSG_AMOUNT_NOT_A_NUMBER) from exc
    return amount.quantize(CENT)


def parse_amount(raw: str) -> Decimal:
    """What a person typed ('100', '100.50', '100,50', '1 000') as som; anything else -> InvalidAmount."""
    text = (raw or "").strip()
    if not text:
        raise InvalidAmount(MSG_AMOUNT_EMPTY)
    if text.startswith("-"):
        raise InvalidAmount(MSG_AMOUNT_NOT_POSITIVE)
    if not AMOUNT_RE.fullmatch(text):
        raise InvalidAmount(MSG_AMOUNT_NOT_A_NUMBER)
    digits = re.sub(r"[ \u00a0\u202f]", "", text).replace(",", ".")
    whole, _dot, fraction = digits.partition(".")
    # Sizes first, on the text: Decimal arithmetic on 530 digits raises InvalidOperation (a 500), and nothing
    # longer than the money column holds is a real amount anyway.
    if len(whole.lstrip("0")) > MAX_SOM_DIGITS:
        raise InvalidAmount(MSG_AMOUNT_TOO_LARGE)
    if len(fraction.rstrip("0")) > 2:
        raise InvalidAmount(MSG_AMOUNT_TOO_PRECISE)
    try:
        amount = Decimal(f"{whole or '0'}.{fraction[:2] or '0'}")
    except InvalidOperation as exc:  # pragma: no cover - the regex admits only valid decimals
        raise InvalidAmount(MSG_AMOUNT_NOT_A_NUMBER) from exc
    if amount <= 0:
        raise InvalidAmount(MSG_AMOUNT_NOT_POSITIVE)
    if amount > MAX_SOM:
        raise InvalidAmount(MSG_AMOUNT_TOO_LARGE)
    return amount.quantize(CENT)


def to_tyiyn(amount: Decimal) -> int:
    """Som -> whole tyiyn; refuses floats and fractions of a tyiyn instead of rounding them away."""
    if not isinstance(amount, Decimal | int):
        raise TypeError(f"money must be Decimal or int, not {type(amount).__name__}")
    tyiyn = Decimal(amount) * TYIYN_PER_SOM
    if tyiyn != tyiyn.to_integral_value():
        raise InvalidAmount(MSG_AMOUNT_TOO_PRECISE)
    return int(tyiyn)


def from_tyiyn(tyiyn: int) -> Decimal:
    return (Decimal(tyiyn) / TYIYN_PER_SOM).quantize(CENT)


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """Commission arithmetic: half-up to the tyiyn, as a cashier would round."""
    return (amount * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def format_som(amount: Decimal) -> str:
    """1234.5 -> '1 234.50' (the way ELSOM screens and SMS show money)."""
    whole, _dot, frac = f"{amount:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups: list[str] = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups) or '0'}.{frac}"


class MoneyField(models.BigIntegerField):
    """Stores whole tyiyn (exact on SQLite and PostgreSQL alike), reads and writes Decimal som."""

    description = "Money in som (stored as integer tyiyn)"
    # For django-stubs: the attribute reads a Decimal and takes what get_prep_value takes (annotations only).
    _pyi_private_set_type: "Decimal | int | str | Combinable"  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]

    def from_db_value(self, value, expression, connection):
        return None if value is None else from_tyiyn(value)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            raise TypeError("money must not be float")
        return som(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        if hasattr(value, "resolve_expression"):
            return value
        if isinstance(value, float):
            raise TypeError("money must not be float")
        return to_tyiyn(Decimal(value))

    def formfield(self, form_class=None, choices_form_class=None, **kwargs):
        defaults = {"max_digits": 14, "decimal_places": 2, **kwargs}
        return models.Field.formfield(
            self, form_class=form_class or forms.DecimalField, choices_form_class=choices_form_class, **defaults
        )
