"""A wallet's balance: read, and (in training only) set by hand with a posting against the adjustment account."""

from decimal import Decimal

from django.db import transaction

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from core.money import som
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind, TransferKind
from ledger.posting import Leg, ledger_account_get_or_create, ledger_balances, ledger_post_in_transaction
from wallet.models import Wallet

# The account of the first release's training reset, kept (its balance goes on): the other side of every
# adjustment. A system account, so it may go negative; it names no channel, so no history lists its postings.
ADJUSTMENT_ACCOUNT = "training:reset"
ADJUSTMENT_ACCOUNT_NAME = "Сброс учебных данных (корректировки)"


def wallet_balance(*, wallet: Wallet) -> Decimal:
    """The wallet's balance now (one query), into the wallet's account object too."""
    ledger_balances(wallet.ledger_account)
    return wallet.ledger_account.balance


def adjustment_account() -> LedgerAccount:
    return ledger_account_get_or_create(code=ADJUSTMENT_ACCOUNT, kind=AccountKind.CASH_IN, name=ADJUSTMENT_ACCOUNT_NAME)


@transaction.atomic
def wallet_balance_adjust(
    *, wallet: Wallet, target: Decimal, actor, reason: str, idempotency_key: str
) -> Posting | None:
    """Training: bring the wallet's balance to `target` with one posting between it and the adjustment account,
    and its audit entry (StaffAction.BALANCE_ADJUST). Nothing is written when the balance is `target` already (and
    None returned). Outside training money moves only by the holder's operations: only SYSTEM and trainers may
    (RUN_TRAINING). The wallet's account row is locked for the rest of the caller's transaction, and
    `wallet.ledger_account.balance` is the balance after."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    reason = audit_reason(reason)
    target = som(target)
    if target < 0:
        raise ValueError("a wallet's balance is never below zero")
    account = LedgerAccount.objects.select_for_update().get(pk=wallet.ledger_account_id)
    wallet.ledger_account = account
    before = account.balance
    difference = target - before
    if difference == 0:
        return None
    adjustments = adjustment_account()
    if difference > 0:
        leg = Leg(debit=adjustments, credit=account, amount=difference, kind=TransferKind.ADJUSTMENT)
    else:
        leg = Leg(debit=account, credit=adjustments, amount=-difference, kind=TransferKind.ADJUSTMENT)
    posting, _created = ledger_post_in_transaction(
        idempotency_key=idempotency_key, kind=PostingKind.ADJUSTMENT, legs=[leg], reference=f"wallet:{wallet.phone}"
    )
    ledger_balances(account)
    audit_record(
        actor=actor,
        action=StaffAction.BALANCE_ADJUST,
        wallet=wallet,
        reason=reason,
        before={"balance": str(before)},
        after={"balance": str(account.balance), "posting": posting.idempotency_key},
    )
    return posting
