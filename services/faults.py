"""Training faults at a provider, switched from the wallet's side (admin, the trainer's board): the provider's
own fault switch is set over its authenticated endpoint, and the audit log says who made СОЧИ misbehave and why.

A fault is either provider-wide (no account: a whole-provider outage) or one company's (`account`, the INN the
customer pays: only check, pay and status calls for that account suffer), so that trainees staging different cases
do not break each other's. `provider_fault_clear_accounts` clears every per-account fault (resets)."""

import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from core.errors import DomainError
from services.models import Provider
from services.osmp import ACCOUNT_ALL, OsmpClient, OsmpError

FAULT_MODES = ["normal", "down", "slow", "timeout", "refuse-account", "temporary", "answer-lost"]
ACCOUNT_RE = re.compile(r"[0-9]{14}", re.ASCII)
MSG_FAULT_FAILED = _("Не удалось включить сбой у поставщика: %(error)s")


class FaultSwitchFailed(DomainError):
    code = "fault_switch_failed"


def provider_fault_set(
    *,
    provider: Provider,
    mode: str,
    count: int | None,
    delay: float | None,
    actor,
    reason: str,
    account: str | None = None,
    hold: bool = False,
    ttl: int | None = None,
):
    """Set the fault at the provider (an HTTP call: outside any transaction), then record it. With `account` (a
    company's 14-digit INN) only that company's calls suffer, and mode normal clears its fault; `hold` keeps it
    until released (no count: the first status call about the account's payments, the agent's «Спросить
    поставщика», is answered truthfully and ends it), `ttl` ends it after that many seconds. Returns the provider's
    state (the account's fault when one was named)."""
    if mode not in FAULT_MODES:
        raise ValueError(f"unknown fault mode {mode!r}")
    if account is not None and not ACCOUNT_RE.fullmatch(account):
        raise ValueError(f"account must be a company INN of 14 digits, not {account!r}")
    if account is None and (hold or ttl is not None):
        raise ValueError("hold and ttl apply only to a fault for one account")
    staff_require(actor, StaffPermission.SET_PROVIDER_FAULT)
    reason = audit_reason(reason)
    state = _set_fault(provider, mode=mode, count=count, delay=delay, account=account, hold=hold, ttl=ttl)
    after = {"provider": provider.code, "mode": mode, "count": count, "delay": delay, "state": state}
    if account is not None:
        after.update(account=account, hold=hold, ttl=ttl)
    with transaction.atomic():
        audit_record(actor=actor, action=StaffAction.PROVIDER_FAULT, reason=reason, before={}, after=after)
    return state


def provider_fault_clear_accounts(*, provider: Provider, actor, reason: str) -> dict:
    """Clear every per-account fault at the provider (the provider-wide switch stays as it is), then record it.
    Returns {"account": "all", "mode": "normal", "cleared": N}."""
    staff_require(actor, StaffPermission.SET_PROVIDER_FAULT)
    reason = audit_reason(reason)
    state = _set_fault(provider, mode="normal", account=ACCOUNT_ALL)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=StaffAction.PROVIDER_FAULT,
            reason=reason,
            before={},
            after={"provider": provider.code, "mode": "normal", "account": ACCOUNT_ALL, "state": state},
        )
    return state


def _set_fault(provider: Provider, **fault) -> dict:
    try:
        return OsmpClient.for_provider(provider.code).set_fault(**fault)
    except OsmpError as exc:
        raise FaultSwitchFailed(MSG_FAULT_FAILED, error=str(exc)) from exc
