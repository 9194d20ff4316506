"""A wallet's status: active or blocked (by the call-centre, the security service or training). A blocked wallet
neither pays, nor is topped up, nor signs in."""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from casework.identity import identity_require
from wallet.errors import MSG_WALLET_BLOCKED, WalletBlocked
from wallet.models import Wallet, WalletStatus


def wallet_ensure_active(wallet: Wallet) -> None:
    if wallet.status != WalletStatus.ACTIVE:
        raise WalletBlocked(MSG_WALLET_BLOCKED, phone=settings.CALL_CENTRE_PHONE)


def wallet_lock_active(*, wallet: Wallet) -> None:
    """Inside the caller's transaction: lock the wallet's row for the rest of it (one payment of a wallet at a
    time) and make sure it is still active, in one statement. Raises WalletBlocked."""
    # Plain SQL: a statement of every payment, and the ORM's update() costs more Python than the UPDATE itself.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Wallet._meta.db_table} SET updated_at = %s WHERE id = %s AND status = %s",
            [connection.ops.adapt_datetimefield_value(timezone.now()), wallet.pk, WalletStatus.ACTIVE],
        )
        updated = cursor.rowcount
    if updated != 1:
        wallet.status = WalletStatus.BLOCKED
        wallet_ensure_active(wallet)


@transaction.atomic
def wallet_set_status(*, wallet: Wallet, status: str, actor, reason: str) -> None:
    """Block a wallet (no payment, top-up or sign-in) or unblock it; `actor` SYSTEM is the portal (demo data)."""
    if status not in WalletStatus.values:
        raise ValueError(f"unknown status {status!r}")
    staff_require(
        actor,
        StaffPermission.BLOCK_WALLET if status == WalletStatus.BLOCKED else StaffPermission.UNBLOCK_WALLET,
        wallet=wallet,
    )
    if status == WalletStatus.BLOCKED:
        # The caller says the phone is lost: whoever they are, they can lock the holder out. Unblocking is a
        # supervisor's decision, taken after the case is understood, not on the caller's word.
        identity_require(wallet_id=wallet.pk, actor=actor)
    reason = audit_reason(reason)
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    Wallet.objects.filter(pk=wallet.pk).update(status=status, updated_at=timezone.now())
    wallet.status = status
    audit_record(
        actor=actor,
        action=StaffAction.WALLET_BLOCK if status == WalletStatus.BLOCKED else StaffAction.WALLET_UNBLOCK,
        wallet=wallet,
        reason=reason,
        before={"status": locked.status},
        after={"status": status},
    )
