"""Talking to the provider that receives a payment. One adapter per provider protocol; the domain calls only
`provider_for(service).pay(...)`. In this release DosTek group (СОЧИ) accepts every valid account at once;
the real protocol plugs in here."""

import functools
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MSG_PROVIDER_REJECTED = _("Поставщик услуги отклонил платеж: %(reason)s")


class ProviderRejected(DomainError):
    code = "provider_rejected"


@dataclass(frozen=True)
class ProviderReceipt:
    provider_txn_id: str


class AcceptAllProvider:
    """Accepts every payment whose account passed the service's rule (a synchronous provider)."""

    def __init__(self, provider) -> None:
        self.provider = provider

    def pay(self, *, payment_code: str, account: str, amount: Decimal) -> ProviderReceipt:
        return ProviderReceipt(provider_txn_id=f"{self.provider.code.upper()}-{secrets.token_hex(6).upper()}")


@functools.cache
def _adapter_class(path: str):
    return import_string(path)


def provider_for(service):
    return _adapter_class(service.provider.adapter)(service.provider)
