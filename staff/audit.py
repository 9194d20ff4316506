"""The staff audit log. `audit_record` is called by the domain function of every staff action, inside its
transaction, so that the action and its record commit together or not at all."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from staff.models import AuditEntry

MSG_REASON_REQUIRED = _("Укажите причину действия (не короче 3 символов).")
MSG_NOT_ALLOWED = _("У вас нет права на это действие.")


class ReasonRequired(DomainError):
    code = "reason_required"


class NotAllowed(DomainError):
    code = "not_allowed"


def staff_require(actor, permission: str) -> None:
    """The domain's own check of a staff action's permission (the console checks it too): a view that forgot to
    would still not let a role do what it may not."""
    if actor is None or not actor.is_active or not actor.has_perm(permission):
        raise NotAllowed(MSG_NOT_ALLOWED)


def audit_reason(reason: str) -> str:
    """The reason as typed, required (a staff action without a why is not taken)."""
    text = " ".join((reason or "").split())
    if len(text) < 3:
        raise ReasonRequired(MSG_REASON_REQUIRED)
    return text[:1000]


def audit_record(
    *, actor, action: str, reason: str, wallet=None, wallet_id=None, payment=None, before=None, after=None
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
