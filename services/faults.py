"""Training faults at a provider, switched from the wallet's side (admin, the trainer's board): the provider's
own fault switch is set over its authenticated endpoint, and the audit log says who made СОЧИ misbehave and why."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from core.errors import DomainError
from services.models import Provider
from services.osmp import OsmpClient, OsmpError

FAULT_MODES = ["normal", "down", "slow", "timeout", "refuse-account", "temporary", "answer-lost"]
MSG_FAULT_FAILED = _("Не удалось включить сбой у поставщика: %(error)s")


class FaultSwitchFailed(DomainError):
    code = "fault_switch_failed"


def provider_fault_set(*, provider: Provider, mode: str, count: int | None, delay: float | None, actor, reason: str):
    """Set the fault at the provider (an HTTP call: outside any transaction), then record it."""
    if mode not in FAULT_MODES:
        raise ValueError(f"unknown fault mode {mode!r}")
    staff_require(actor, StaffPermission.SET_PROVIDER_FAULT)
    reason = audit_reason(reason)
    try:
        state = OsmpClient.for_provider(provider.code).set_fault(mode=mode, count=count, delay=delay)
    except OsmpError as exc:
        raise FaultSwitchFailed(MSG_FAULT_FAILED, error=str(exc)) from exc
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=StaffAction.PROVIDER_FAULT,
            reason=reason,
            before={},
            after={"provider": provider.code, "mode": mode, "count": count, "delay": delay, "state": state},
        )
    return state
