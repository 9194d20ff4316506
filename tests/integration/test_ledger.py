from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from ledger.errors import AlreadyReversed, IdempotencyConflict, InsufficientFunds
from ledger.models import AppendOnlyError, LedgerAccount, Posting, Transfer
from ledger.posting import Leg, ledger_post, ledger_reverse
from ledger.verify import ledger_violations
from tests.helpers import make_payment

pytestmark = pytest.mark.django_db


def _cash_in_leg(wallet, amount: str) -> Leg:
    source = LedgerAccount.objects.get(code="cashin:qiwi")
    return Leg(debit=source, credit=wallet.ledger_account, amount=Decimal(amount), kind="cash_in")


def test_posting_moves_money_and_keeps_the_books_balanced(make_wallet):
    """A posting credits one account and debits the other by the same amount; the sum stays zero."""
    # given
    wallet = make_wallet()
    # when
    ledger_post(idempotency_key="t1", kind="cash_in", legs=[_cash_in_leg(wallet, "250.75")])
    # then
    wallet.ledger_account.refresh_from_db()
    assert wallet.ledger_account.balance == Decimal("250.75")
    assert LedgerAccount.objects.with_balance().get(code="cashin:qiwi").current_balance == Decimal("-250.75")
    assert ledger_violations() == []


def test_same_key_twice_moves_money_once_and_returns_the_first_posting(make_wallet):
    """Posting the same idempotency key again is a no-op that returns the original posting."""
    wallet = make_wallet()
    first = ledger_post(idempotency_key="same", kind="cash_in", legs=[_cash_in_leg(wallet, "100")])
    again = ledger_post(idempotency_key="same", kind="cash_in", legs=[_cash_in_leg(wallet, "100")])
    wallet.ledger_account.refresh_from_db()
    assert again.pk == first.pk
    assert wallet.ledger_account.balance == Decimal("100.00")
    assert Transfer.objects.filter(posting=first).count() == 1


def test_same_key_with_another_amount_is_a_conflict(make_wallet):
    """Reusing a key for different money is refused and moves nothing."""
    wallet = make_wallet()
    ledger_post(idempotency_key="k", kind="cash_in", legs=[_cash_in_leg(wallet, "100")])
    with pytest.raises(IdempotencyConflict):
        ledger_post(idempotency_key="k", kind="cash_in", legs=[_cash_in_leg(wallet, "200")])
    wallet.ledger_account.refresh_from_db()
    assert wallet.ledger_account.balance == Decimal("100.00")


def test_wallet_cannot_go_below_zero_and_nothing_is_written(make_wallet):
    """Debiting more than a wallet holds raises InsufficientFunds and writes no posting."""
    wallet = make_wallet(balance="50")
    fees = LedgerAccount.objects.get(code="fees:commission")
    postings_before = Posting.objects.count()
    with pytest.raises(InsufficientFunds) as error:
        ledger_post(
            idempotency_key="over",
            kind="payment",
            legs=[Leg(debit=wallet.ledger_account, credit=fees, amount=Decimal("50.01"), kind="payment")],
        )
    assert "50.00" in str(error.value)
    assert Posting.objects.count() == postings_before
    wallet.ledger_account.refresh_from_db()
    assert wallet.ledger_account.balance == Decimal("50.00")


def test_database_refuses_a_negative_wallet_balance(make_wallet):
    """Even code that bypasses ledger_post cannot push a wallet below zero: a CHECK constraint says no."""
    wallet = make_wallet()
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerAccount.objects.filter(pk=wallet.ledger_account.pk).update(balance=Decimal("-0.01"))


def test_transfers_are_append_only_in_code_and_in_the_database(make_wallet):
    """A posted transfer is neither updated nor deleted: not through the ORM, not through raw SQL."""
    wallet = make_wallet(balance="10")
    transfer = Transfer.objects.first()
    with pytest.raises(AppendOnlyError):
        transfer.save()
    with pytest.raises(AppendOnlyError):
        transfer.delete()
    with pytest.raises(AppendOnlyError):
        Transfer.objects.filter(pk=transfer.pk).update(amount=Decimal("1"))
    with pytest.raises(AppendOnlyError):
        Posting.objects.all().delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_transfer SET amount = 1 WHERE id = %s", [transfer.pk])
    assert wallet.ledger_account.balance == Decimal("10.00")


def test_reversal_undoes_a_posting_once(make_wallet):
    """A reversal posts the mirror image; a second reversal with another key is refused."""
    wallet = make_wallet()
    posting = ledger_post(idempotency_key="c", kind="cash_in", legs=[_cash_in_leg(wallet, "70")])
    reversal = ledger_reverse(posting=posting, idempotency_key="c:rev")
    assert ledger_reverse(posting=posting, idempotency_key="c:rev").pk == reversal.pk
    with pytest.raises(AlreadyReversed):
        ledger_reverse(posting=posting, idempotency_key="c:rev2")
    wallet.ledger_account.refresh_from_db()
    assert wallet.ledger_account.balance == Decimal("0.00")
    assert Transfer.objects.filter(posting=posting).count() == 1  # the original stays
    assert ledger_violations() == []


def test_reversal_of_spent_money_is_refused(make_wallet, dostek):
    """A cash-in that was already spent cannot be reversed: the wallet would go below zero."""
    wallet = make_wallet()
    posting = ledger_post(idempotency_key="c2", kind="cash_in", legs=[_cash_in_leg(wallet, "100")])
    make_payment(wallet=wallet, service=dostek, amount="60", key="p")
    with pytest.raises(InsufficientFunds):
        ledger_reverse(posting=posting, idempotency_key="c2:rev")


@pytest.mark.parametrize("amount", [Decimal("0"), Decimal("-1")])
def test_legs_must_be_positive(make_wallet, amount):
    wallet = make_wallet()
    with pytest.raises(ValueError):
        ledger_post(idempotency_key="z", kind="cash_in", legs=[_cash_in_leg(wallet, str(amount))])


def test_float_amounts_are_refused(make_wallet):
    wallet = make_wallet()
    source = LedgerAccount.objects.get(code="cashin:qiwi")
    with pytest.raises(TypeError):
        ledger_post(
            idempotency_key="f",
            kind="cash_in",
            legs=[Leg(debit=source, credit=wallet.ledger_account, amount=0.1, kind="cash_in")],
        )
