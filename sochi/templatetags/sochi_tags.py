from decimal import Decimal

from django import template

from sochi.money import format_som
from sochi.periods import period_label

register = template.Library()


@register.filter
def som(amount: Decimal | None) -> str:
    return "" if amount is None else format_som(amount)


@register.filter
def period(value: str) -> str:
    return period_label(value)
