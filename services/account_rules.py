"""How a service checks the account a person types (лицевой счет). The catalog names a rule by its key."""

import re
from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from wallet.inn import InvalidInn, inn_parse_payer
from wallet.phone import InvalidPhone, phone_parse

MSG_ACCOUNT_EMPTY = _("Введите номер лицевого счета.")
MSG_ACCOUNT_DIGITS = _("Лицевой счет состоит из %(min)s–%(max)s цифр.")


class InvalidAccount(DomainError):
    code = "invalid_account"


def _payer_inn(raw: str, min_length: int, max_length: int) -> str:
    try:
        return inn_parse_payer(raw)
    except InvalidInn as exc:
        raise InvalidAccount(exc.message, **exc.params) from exc


def _mobile_phone(raw: str, min_length: int, max_length: int) -> str:
    try:
        return phone_parse(raw).e164
    except InvalidPhone as exc:
        raise InvalidAccount(exc.message, **exc.params) from exc


def _digits(raw: str, min_length: int, max_length: int) -> str:
    text = re.sub(r"\s", "", raw or "")
    if not text:
        raise InvalidAccount(MSG_ACCOUNT_EMPTY)
    if not re.fullmatch(rf"[0-9]{{{min_length},{max_length}}}", text, re.ASCII):
        raise InvalidAccount(MSG_ACCOUNT_DIGITS, min=min_length, max=max_length)
    return text


ACCOUNT_RULES: dict[str, tuple[str | Promise, Callable[[str, int, int], str]]] = {
    "payer_inn": (_("ИНН компании или предпринимателя (14 цифр)"), _payer_inn),
    "mobile_phone": (_("Номер мобильного телефона"), _mobile_phone),
    "digits": (_("Цифры (длина от и до)"), _digits),
}
ACCOUNT_RULE_CHOICES = [(key, label) for key, (label, _rule) in ACCOUNT_RULES.items()]


def account_parse(*, rule: str, raw: str, min_length: int = 1, max_length: int = 30) -> str:
    """Normalise what was typed by the service's rule, or raise InvalidAccount with a message."""
    if not (raw or "").strip():
        raise InvalidAccount(MSG_ACCOUNT_EMPTY)
    _label, parse = ACCOUNT_RULES[rule]
    return parse(raw, min_length, max_length)
