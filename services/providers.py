"""Talking to the provider that receives a payment. One adapter per provider protocol; the domain calls only
`provider_for(service).check(...)` / `.pay(payment=...)` / `.status(payment=...)`, outside any database
transaction, and gets one of three outcomes back: accepted, refused for good, or unknown (a timeout, a lost answer,
"try again": the money stays reserved and the payment is asked about again later). No caller parses a protocol or
catches a network error; `exchange` carries what was said, for the payment's history."""

import functools
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from services.osmp import OsmpAnswer, OsmpClient, Outcome


@dataclass(frozen=True)
class ProviderAccepted:
    """The provider credited the account (pay) or knows it (check); `provider_txn_id` is its own number."""

    provider_txn_id: str = ""
    account_holder: str = ""
    exchange: OsmpAnswer | None = None


@dataclass(frozen=True)
class ProviderRefused:
    """A final no (unknown account, closed company, sum out of range ...): nothing was credited there."""

    code: int | None
    reason: str = ""
    exchange: OsmpAnswer | None = None


@dataclass(frozen=True)
class ProviderUnknown:
    """No final answer: the payment may or may not have been credited. Ask again with the same transaction id."""

    reason: str
    exchange: OsmpAnswer | None = None


ProviderOutcome = ProviderAccepted | ProviderRefused | ProviderUnknown


class AcceptAllProvider:
    """A provider inside our own walls: accepts every payment whose account passed the service's rule, at once.
    For the services of the catalog that have no real counterpart in this replica (mobile operators, utilities)."""

    def __init__(self, provider) -> None:
        self.provider = provider

    def check(self, *, account: str, amount) -> ProviderOutcome:
        return ProviderAccepted()

    def pay(self, *, payment) -> ProviderOutcome:
        return ProviderAccepted(provider_txn_id=f"{self.provider.code.upper()}-{secrets.token_hex(6).upper()}")

    def status(self, *, payment) -> ProviderOutcome:
        return ProviderAccepted(provider_txn_id=payment.provider_txn_id)


def _outcome(answer: OsmpAnswer) -> ProviderOutcome:
    if answer.outcome == Outcome.ACCEPTED:
        return ProviderAccepted(provider_txn_id=answer.prv_txn, account_holder=answer.account_holder, exchange=answer)
    if answer.outcome == Outcome.REFUSED:
        return ProviderRefused(code=answer.result, reason=answer.comment, exchange=answer)
    return ProviderUnknown(reason=answer.error or answer.comment or f"result {answer.result}", exchange=answer)


class OsmpProvider:
    """A provider reached over the OSMP protocol (DosTek group's СОЧИ). Our txn_id is the payment's public code,
    so the call-centre, the SMS and the provider's own screens name the same number; `pay` is idempotent by it
    at the provider, so asking again after a lost answer credits nothing twice."""

    def __init__(self, provider) -> None:
        self.provider = provider
        self.client = OsmpClient.for_provider(provider.code)

    def check(self, *, account: str, amount) -> ProviderOutcome:
        # A check is not a payment: its txn_id only has to be digits and fresh.
        return _outcome(self.client.check(txn_id=f"9{secrets.randbelow(10**11):011d}", account=account, amount=amount))

    def pay(self, *, payment) -> ProviderOutcome:
        return _outcome(
            self.client.pay(
                txn_id=payment.code, account=payment.account, amount=payment.amount, txn_date=payment.created_at
            )
        )

    def status(self, *, payment) -> ProviderOutcome:
        """Was this txn_id credited? Accepted: yes (with prv_txn); refused: not there; unknown: no answer."""
        answer = self.client.status(txn_id=payment.code)
        if answer.outcome == Outcome.ACCEPTED:
            if answer.extra.get("found") == "1":
                return ProviderAccepted(provider_txn_id=answer.prv_txn, exchange=answer)
            return ProviderRefused(code=None, reason="not found at the provider", exchange=answer)
        return ProviderUnknown(reason=answer.error or answer.comment or "no status", exchange=answer)


@functools.cache
def _adapter_class(path: str):
    return import_string(path)


def provider_for(service):
    """The adapter of the service's provider: the catalog names it; PROVIDER_ADAPTERS (settings) may put another in
    its place per provider code — the test suite runs DosTek in process unless a test brings a real СОЧИ."""
    path = settings.PROVIDER_ADAPTERS.get(service.provider.code, service.provider.adapter)
    return _adapter_class(path)(service.provider)
