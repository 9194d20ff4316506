"""Money in СОЧИ: Decimal som with 2 places in Python, whole tyiyn (1/100 som) in the database. Never float."""

import re
from decimal import Decimal

from django.db import models

CENT = Decimal("0.01")
TYIYN_PER_SOM = 100

# The OSMP sum: up to 9 whole digits and an optional 1-2 digit fraction, '.' as the decimal mark.
OSMP_SUM_RE = re.compile(r"[0-9]{1,9}(?:\.[0-9]{1,2})?", re.ASCII)


def to_tyiyn(amount: Decimal) -> int:
    if not isinstance(amount, Decimal | int) or isinstance(amount, bool):
        raise TypeError(f"money must be Decimal or int, not {type(amount).__name__}")
    tyiyn = Decimal(amount) * TYIYN_PER_SOM
    if tyiyn != tyiyn.to_integral_value():
        raise ValueError(f"{amount} som is not a whole number of tyiyn")
    return int(tyiyn)


def from_tyiyn(tyiyn: int) -> Decimal:
    return (Decimal(tyiyn) / TYIYN_PER_SOM).quantize(CENT)


def som(value: str | int | Decimal) -> Decimal:
    """An exact amount from trusted code (seed data, tests); more than 2 decimals is a bug, not rounding."""
    amount = Decimal(value)
    if amount != amount.quantize(CENT):
        raise ValueError(f"{value} has more than 2 decimals")
    return amount.quantize(CENT)


def format_som(amount: Decimal) -> str:
    """1234.5 -> '1 234.50', as the company page shows money."""
    whole, _dot, frac = f"{amount:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{' '.join(groups) or '0'}.{frac}"


class TyiynField(models.BigIntegerField):
    """Whole tyiyn in the database (exact on SQLite and PostgreSQL), Decimal som in Python."""

    description = "Money in som (stored as integer tyiyn)"

    def from_db_value(self, value, expression, connection):
        return None if value is None else from_tyiyn(value)

    def to_python(self, value):
        if value is None or isinstance(value, Decimal):
            return value
        if isinstance(value, float):
            raise TypeError("money must not be float")
        return som(value)

    def get_prep_value(self, value):
        if value is None or hasattr(value, "resolve_expression"):
            return value
        if isinstance(value, float):
            raise TypeError("money must not be float")
        return to_tyiyn(Decimal(value))
