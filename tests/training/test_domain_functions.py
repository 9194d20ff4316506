"""What training does to wallets it does through domain functions with their audit entries: a balance set by hand
(wallet_balance_adjust) and the demo PIN put back (wallet_pin_set), both for SYSTEM and trainers only."""

from decimal import Decimal

import pytest

from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM, NotAllowed
from ledger.models import LedgerAccount, Posting, PostingKind, TransferKind
from services.history import wallet_operations
from services.verify import books_violations
from tests.helpers import pin_is
from wallet.balance import ADJUSTMENT_ACCOUNT, wallet_balance, wallet_balance_adjust
from wallet.pin_operations import PIN_MAX_ATTEMPTS, wallet_pin_is, wallet_pin_set

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["1500.00", "120.50", "0"])
def test_a_balance_is_set_by_one_posting_with_its_audit_entry(make_wallet, trainer, target):
    wallet = make_wallet(balance="1000")
    posting = wallet_balance_adjust(
        wallet=wallet, target=Decimal(target), actor=trainer, reason="сброс учебы", idempotency_key=f"adj-{target}"
    )
    assert posting.kind == PostingKind.ADJUSTMENT
    assert [t.kind for t in posting.transfers.all()] == [TransferKind.ADJUSTMENT]
    assert wallet_balance(wallet=wallet) == Decimal(target) == wallet.ledger_account.balance
    entry = AuditEntry.objects.get(action=StaffAction.BALANCE_ADJUST)
    assert entry.actor == trainer and entry.wallet == wallet and entry.reason == "сброс учебы"
    assert entry.before == {"balance": "1000.00"} and entry.after["balance"] == str(
        Decimal(target).quantize(Decimal("0.01"))
    )
    adjustments = LedgerAccount.objects.with_balance().get(code=ADJUSTMENT_ACCOUNT)
    assert adjustments.current_balance == Decimal(target) * -1 + Decimal("1000")
    # not a top-up: the holder's history does not list it
    assert len(wallet_operations(wallet=wallet)) == 1
    assert books_violations() == []


def test_a_balance_already_there_writes_nothing(make_wallet):
    wallet = make_wallet(balance="300")
    postings = Posting.objects.count()
    assert (
        wallet_balance_adjust(
            wallet=wallet, target=Decimal("300"), actor=SYSTEM, reason="сброс", idempotency_key="same"
        )
        is None
    )
    assert Posting.objects.count() == postings and not AuditEntry.objects.exists()


def test_only_system_and_trainers_set_a_balance_or_a_pin(make_wallet, agent, supervisor):
    wallet = make_wallet(balance="100")
    for actor in (agent, supervisor):
        with pytest.raises(NotAllowed):
            wallet_balance_adjust(
                wallet=wallet, target=Decimal("5000"), actor=actor, reason="хочу", idempotency_key="x"
            )
        with pytest.raises(NotAllowed):
            wallet_pin_set(wallet=wallet, pin="2580", actor=actor, reason="хочу")
    assert wallet_balance(wallet=wallet) == Decimal("100.00") and not AuditEntry.objects.exists()


def test_the_demo_pin_is_put_back_locked_or_not_without_an_sms(make_wallet, trainer, sms_outbox):
    wallet = make_wallet(pin="7391")
    sent = len(sms_outbox.all())
    assert not wallet_pin_is(wallet=wallet, pin="2580")
    changed = wallet_pin_set(wallet=wallet, pin="2580", locked=True, actor=trainer, reason="сброс учебы")
    assert changed == {"pin_hash", "pin_failed_attempts", "pin_locked_at"}
    assert pin_is(wallet, "2580") and wallet_pin_is(wallet=wallet, pin="2580")
    wallet.refresh_from_db()
    assert wallet.pin_locked_at is not None and wallet.pin_failed_attempts == PIN_MAX_ATTEMPTS
    entry = AuditEntry.objects.get(action=StaffAction.PIN_SET)
    assert entry.after == {"pin_failed_attempts": PIN_MAX_ATTEMPTS, "pin_locked": True, "pin_rewritten": True}
    assert "2580" not in str(entry.before) + str(entry.after) + entry.reason
    # unlocked again, the PIN kept: only the lock changes
    assert wallet_pin_set(wallet=wallet, pin="2580", actor=SYSTEM, reason="сброс") == {
        "pin_failed_attempts",
        "pin_locked_at",
    }
    # as it is: nothing written
    assert wallet_pin_set(wallet=wallet, pin="2580", actor=SYSTEM, reason="сброс") == frozenset()
    assert AuditEntry.objects.filter(action=StaffAction.PIN_SET).count() == 2
    assert len(sms_outbox.all()) == sent
