"""One history in the domain (services/history.py, wallet/selectors.py): every channel reads a wallet's operations,
payments and top-ups through it; a top-up names its channel from what its cash-in account stores, never from the
account's code; the ledger's kinds are enums and its refusals are told by the constraint, not by a message."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ledger.errors import InsufficientFunds
from ledger.models import LedgerAccount, Posting, PostingKind, Transfer, TransferKind
from ledger.posting import Leg, ledger_post
from services.history import (
    OperationKind,
    payment_postings,
    wallet_operations,
    wallet_payment_get,
    wallet_payments,
)
from tests.helpers import make_payment
from wallet.cash_in import cash_in, cash_in_account
from wallet.models import CashInChannel
from wallet.selectors import cash_in_get, cash_in_total, cash_ins_by_id, wallet_cash_ins

pytestmark = pytest.mark.django_db


def test_every_channel_has_its_account_and_the_account_names_the_channel():
    """The catalog's migration made the four accounts before the column existed; ledger 0004 filled it in."""
    for channel in CashInChannel:
        account = cash_in_account(channel)
        assert account.cash_in_channel == channel and account.code == f"cashin:{channel.value}"
    assert LedgerAccount.objects.filter(kind="cash_in").exclude(cash_in_channel="").count() == len(CashInChannel)


def test_a_top_up_is_named_by_the_stored_channel_not_by_the_code(make_wallet):
    wallet = make_wallet()
    cash_in(wallet=wallet, amount=Decimal("250"), channel=CashInChannel.QIWI, idempotency_key="h-qiwi")
    # Renamed, the code says nothing any more: the history still knows the channel.
    LedgerAccount.objects.filter(cash_in_channel=CashInChannel.QIWI).update(code="renamed-account")
    [line] = wallet_operations(wallet=wallet)[:5]
    assert line.kind == OperationKind.CASH_IN and line.amount == Decimal("250.00")
    assert line.title == "QIWI, терминал" and line.cash_in.channel == CashInChannel.QIWI


def test_history_pages_payments_and_top_ups_newest_first_within_the_days(make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    old = make_payment(wallet=wallet, service=dostek, amount="100", key="h-old")
    new = make_payment(wallet=wallet, service=dostek, amount="200", key="h-new")
    operations = wallet_operations(wallet=wallet)
    assert len(operations) == 3
    assert [op.kind for op in operations[:3]] == [OperationKind.PAYMENT, OperationKind.PAYMENT, OperationKind.CASH_IN]
    assert [op.payment for op in operations[:2]] == [new, old]
    assert operations[:1][0].amount == -new.total
    from_tomorrow = wallet_operations(wallet=wallet, date_from=timezone.localdate() + timedelta(days=1))
    assert len(from_tomorrow) == 0 and from_tomorrow[:20] == []


def test_a_payment_is_found_only_in_its_own_wallet(make_wallet, dostek):
    mine, other = make_wallet(balance="500"), make_wallet(balance="500")
    payment = make_payment(wallet=mine, service=dostek, amount="100", key="own")
    assert wallet_payment_get(wallet=mine, code=payment.code) == payment
    assert wallet_payment_get(wallet=other, code=payment.code) is None
    assert wallet_payment_get(wallet=mine, code="not a code") is None
    assert list(wallet_payments(wallet=other)) == []


def test_top_ups_by_id_by_key_and_by_exact_keys(make_wallet):
    wallet = make_wallet()
    cash_in(wallet=wallet, amount=Decimal("100"), channel=CashInChannel.KICB_BRANCH, idempotency_key="seed:1")
    cash_in(wallet=wallet, amount=Decimal("40"), channel=CashInChannel.MOBILNIK, idempotency_key="seed:10")
    ids = list(wallet_cash_ins(wallet=wallet).values_list("id", flat=True))
    assert {c.amount for c in cash_ins_by_id(ids).values()} == {Decimal("100.00"), Decimal("40.00")}
    found = cash_in_get(idempotency_key="seed:10")
    assert found.wallet == wallet and found.channel == CashInChannel.MOBILNIK and found.amount == Decimal("40.00")
    assert cash_in_get(idempotency_key="seed:2") is None
    # Exact keys: "seed:1" is not "seed:10" (a prefix match would count both).
    assert cash_in_total(wallet=wallet, idempotency_keys=["seed:1"]) == Decimal("100.00")
    assert cash_in_total(wallet=wallet, idempotency_keys=["none"]) == Decimal(0)


def test_a_payments_postings_with_their_transfers(paid_payment):
    postings = payment_postings(payment=paid_payment)
    assert set(postings) == {paid_payment.reserve_posting_id, paid_payment.settle_posting_id}
    reserve = postings[paid_payment.reserve_posting_id]
    assert reserve.posting.kind == PostingKind.RESERVE
    assert [t.kind for t in reserve.transfers] == [TransferKind.RESERVE]


def test_a_leg_of_an_unknown_kind_is_refused_before_anything_is_written(make_wallet):
    wallet = make_wallet()
    source = cash_in_account(CashInChannel.QIWI)
    with pytest.raises(ValueError, match="transfer kind"):
        ledger_post(
            idempotency_key="odd",
            kind=PostingKind.CASH_IN,
            legs=[Leg(debit=source, credit=wallet.ledger_account, amount=Decimal("1"), kind="gift")],
        )
    assert not Posting.objects.filter(idempotency_key="odd").exists()


def test_a_wallet_going_below_zero_is_told_by_the_constraint(make_wallet):
    """The balance CHECK refuses the posting; the ledger tells InsufficientFunds by the constraint's name."""
    wallet = make_wallet(balance="10")
    fees = LedgerAccount.objects.get(code="fees:commission")
    with pytest.raises(InsufficientFunds):
        ledger_post(
            idempotency_key="too-much",
            kind=PostingKind.PAYMENT,
            legs=[Leg(debit=wallet.ledger_account, credit=fees, amount=Decimal("10.01"), kind=TransferKind.PAYMENT)],
        )
    assert not Transfer.objects.filter(posting__idempotency_key="too-much").exists()
