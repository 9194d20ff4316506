from decimal import Decimal

from django import template

from core.money import format_som
from wallet.phone import InvalidPhone, phone_parse

register = template.Library()


@register.filter
def som(value) -> str:
    """Decimal som as ELSOM shows it: 1 234.50."""
    if value is None or value == "":
        return ""
    return format_som(Decimal(value))


@register.filter
def national(phone: str) -> str:
    """+996555123456 -> 0555 12 34 56."""
    try:
        return phone_parse(phone).national
    except InvalidPhone:
        return phone
