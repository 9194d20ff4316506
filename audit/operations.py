"""Who may act and what they did. Every staff action's domain function calls `staff_require` for its actor and
`audit_record` inside its own transaction, so that the action and its record commit together or not at all, and a
view that forgot its own check still cannot let a role do what it may not."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry, StaffAction
from core.errors import DomainError

MSG_REASON_REQUIRED = _("Укажите причину действия (не короче 3 символов).")
MSG_NOT_ALLOWED = _("У вас нет права на это действие.")


class ReasonRequired(DomainError):
    code = "reason_required"


class NotAllowed(DomainError):
    code = "not_allowed"


class SystemActor:
    """The portal itself acting: demo data, a training scenario's set-up, a reset. It may do every staff action
    and is recorded as no one (an audit row with an empty actor reads «система»)."""

    is_active = True
    is_authenticated = False
    pk = None

    def has_perm(self, permission: str) -> bool:
        return True

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def staff_require(actor: Any, permission: str) -> None:
    """The domain's own check of a staff action's permission (the console checks it too)."""
    if actor is None or not actor.is_active or not actor.has_perm(permission):
        raise NotAllowed(MSG_NOT_ALLOWED)


def audit_reason(reason: str) -> str:
    """The reason as typed, required (a staff action without a why is not taken)."""
    text = " ".join((reason or "").split())
    if len(text) < 3:
        raise ReasonRequired(MSG_REASON_REQUIRED)
    return text[:1000]


def audit_record(
    *,
    actor: Any,
    action: StaffAction,
    reason: str,
    wallet: Any = None,
    wallet_id: int | None = None,
    payment: Any = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("an audit entry is written in the transaction of the action it records")
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        wallet=wallet,
        wallet_id=wallet.pk if wallet is not None else wallet_id,
        payment=payment,
        reason=reason,
        before=before or {},
        after=after or {},
    )
