"""Whether the caller is who they say: an agent asks what only the holder knows (name and surname, the personal
INN or its last 4 digits, the last top-up) and records what was answered correctly. Two facts of three pass the
check (one is guessable: a name is on the phone's contact card, a top-up can be seen over a shoulder; two are
what call-centres ask for before touching a PIN or money). A passed check lets THAT staff member act on THAT
wallet for 15 minutes (one call); another agent who takes the call over checks again.

The wallet's, the web account's and the payments' staff actions that hand a wallet to whoever is on the phone —
a PIN unlocked or sent by SMS, the web lockout lifted, the wallet blocked, a refund asked for — call
`identity_require` after their permission check (so a role without the permission is still told NotAllowed).
This module imports only this app's models and the audit app (below the domain), never wallet or services: they
import it. SYSTEM (demo data, training's set-up and resets) is exempt: nobody is on the phone."""

from collections.abc import Collection
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from audit.operations import SYSTEM, audit_record, staff_require
from audit.roles import StaffPermission
from casework.models import IdentityCheck, IdentityFact
from core.errors import DomainError

IDENTITY_CHECK_VALID_FOR = timedelta(minutes=15)
IDENTITY_FACTS_REQUIRED = 2

MSG_IDENTITY_NOT_VERIFIED = _(
    "Сначала проверьте личность звонящего: на карточке клиента отметьте, что он назвал верно (имя и фамилию, "
    "личный ИНН или его последние 4 цифры, последнее пополнение) — нужно не меньше двух из трех. Проверка "
    "действует 15 минут и только для того, кто ее провел."
)


class IdentityNotVerified(DomainError):
    code = "identity_not_verified"


def identity_passes(facts: Collection[str]) -> bool:
    return len(set(facts) & set(IdentityFact.values)) >= IDENTITY_FACTS_REQUIRED


@transaction.atomic
def identity_check_record(*, wallet: Any, actor: Any, facts: Collection[str]) -> IdentityCheck:
    """Record what the caller answered correctly (`facts`: IdentityFact values; none at all is a failed check,
    recorded too). Returns the check; `check.passed` says whether it lets the actor act."""
    staff_require(actor, StaffPermission.CHECK_IDENTITY, wallet=wallet)
    unknown = set(facts) - set(IdentityFact.values)
    if unknown:
        raise ValueError(f"unknown identity facts {sorted(unknown)!r}")
    passed = identity_passes(facts)
    check = IdentityCheck.objects.create(
        wallet=wallet,
        actor=actor if actor.is_authenticated else None,
        full_name_ok=IdentityFact.FULL_NAME in facts,
        inn_ok=IdentityFact.INN in facts,
        last_top_up_ok=IdentityFact.LAST_TOP_UP in facts,
        passed=passed,
    )
    named = ", ".join(str(IdentityFact(fact).label) for fact in IdentityFact.values if fact in facts) or "—"
    audit_record(
        actor=actor,
        action=StaffAction.IDENTITY_CHECK,
        wallet=wallet,
        reason=f"{'пройдена' if passed else 'не пройдена'}: {named}",
        after={"identity_check": check.pk, "facts": sorted(set(facts)), "passed": passed},
    )
    return check


def identity_verified_recently(*, wallet: Any, actor: Any, within: timedelta = IDENTITY_CHECK_VALID_FOR) -> bool:
    """Whether `actor` itself recorded a passed check of `wallet`'s caller within `within` (another agent's check,
    a failed one or an older one does not count)."""
    return identity_check_valid(wallet_id=wallet.pk, actor=actor, within=within) is not None


def identity_check_valid(
    *, wallet_id: int, actor: Any, within: timedelta = IDENTITY_CHECK_VALID_FOR
) -> IdentityCheck | None:
    if actor is None or not actor.is_authenticated:
        return None
    return (
        IdentityCheck.objects.filter(
            wallet_id=wallet_id, actor_id=actor.pk, passed=True, created_at__gte=timezone.now() - within
        )
        .order_by("-created_at", "-id")
        .first()
    )


def identity_require(*, wallet_id: int, actor: Any) -> None:
    """Inside a staff action, after its permission check: raise IdentityNotVerified unless `actor` checked the
    caller of the wallet in the last 15 minutes. SYSTEM is exempt (no caller)."""
    if actor is SYSTEM:
        return
    if identity_check_valid(wallet_id=wallet_id, actor=actor) is None:
        raise IdentityNotVerified(MSG_IDENTITY_NOT_VERIFIED)
