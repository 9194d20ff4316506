"""Who may act and what they did. Every staff action's domain function calls `staff_require` for its actor and
`audit_record` inside its own transaction, so that the action and its record commit together or not at all, and a
view that forgot its own check still cannot let a role do what it may not."""

from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry, StaffAction
from audit.selectors import staff_scope_allows, staff_scope_prefixes
from core.errors import DomainError

MSG_REASON_REQUIRED = _("Укажите причину действия (не короче 3 символов).")
MSG_NOT_ALLOWED = _("У вас нет права на это действие.")
MSG_OUT_OF_SCOPE = _("Этот кошелек вне вашего доступа.")


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


def staff_require(
    actor: Any, permission: str, *, wallet: Any = None, wallet_id: int | None = None, phone: str | None = None
) -> None:
    """The domain's own check of a staff action's permission (the console checks it too) and, when the action
    touches a wallet (`wallet`, or only its `wallet_id` or number `phone`), of the actor's scope: a trainee acts
    on the wallets of their own sandbox only (audit.models.StaffScope). The wallet's number is looked up only for
    an actor who has a scope."""
    if actor is None or not actor.is_active or not actor.has_perm(permission):
        raise NotAllowed(MSG_NOT_ALLOWED)
    if wallet is None and wallet_id is None and phone is None:
        return
    if staff_scope_prefixes(actor) is None:
        return
    if phone is None:
        if wallet is not None:
            phone = wallet.phone
        else:
            wallets = apps.get_model("wallet", "Wallet").objects
            phone = wallets.filter(pk=wallet_id).values_list("phone", flat=True).first() or ""
    if not staff_scope_allows(actor=actor, phone=phone):
        raise NotAllowed(MSG_OUT_OF_SCOPE)


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
