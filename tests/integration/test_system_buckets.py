"""System accounts keep their balances in buckets (ledger migration 0005, issue 20): no row that every payment locks.

A payment's reserve credits the hold and its commit credits the provider; before the buckets both were one row, and
a payment whose transaction was still open made every other payment of the wallet wait for its COMMIT. Now the
posting's id chooses the slice of the hold, the provider and the fees it moves, so two payments in flight share no
row. Balances read back whole (LedgerAccount.objects.with_balance(), ledger_balances()) and check_ledger proves the
buckets add up.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from ledger.models import SYSTEM_BALANCE_BUCKETS, AccountBucket, AccountKind, LedgerAccount, PostingKind, TransferKind
from ledger.posting import Leg, ledger_balances, ledger_post, ledger_post_in_transaction
from services.payments import hold_account
from services.verify import books_violations
from tests.helpers import make_payment


def _reserve_leg(wallet, amount: str) -> Leg:
    return Leg(debit=wallet.ledger_account, credit=hold_account(), amount=Decimal(amount), kind=TransferKind.RESERVE)


@pytest.mark.django_db
def test_a_system_account_balance_is_the_sum_of_its_buckets_and_its_own_row_is_never_written(make_wallet, dostek):
    """Ten payments to DosTek: the provider's and the hold's rows keep 0; the provider's buckets hold the ten
    amounts, spread over as many slices as postings; reading the account gives the whole."""
    # given
    wallet = make_wallet(balance="1000")
    provider = dostek.provider.settlement_account
    # when
    for n in range(10):
        make_payment(wallet=wallet, service=dostek, amount="10", key=f"bucketed-{n}")
    # then
    provider.refresh_from_db()
    assert provider.balance == 0 and LedgerAccount.objects.get(pk=hold_account().pk).balance == 0
    slices = AccountBucket.objects.filter(account=provider)
    assert slices.count() == 10 and {b.bucket for b in slices} <= set(range(SYSTEM_BALANCE_BUCKETS))
    assert LedgerAccount.objects.with_balance().get(pk=provider.pk).current_balance == Decimal("100.00")
    ledger_balances(provider)
    assert provider.balance == Decimal("100.00")
    assert books_violations() == []


@pytest.mark.django_db
def test_a_wallet_keeps_its_balance_in_its_own_row(make_wallet):
    """A wallet is never bucketed: its row is what keeps it from going below zero."""
    wallet = make_wallet(balance="50")
    ledger_post(idempotency_key="bucket-wallet", kind=PostingKind.RESERVE, legs=[_reserve_leg(wallet, "20")])
    wallet.ledger_account.refresh_from_db()
    assert wallet.ledger_account.balance == Decimal("30.00")
    assert not AccountBucket.objects.filter(account__kind=AccountKind.WALLET).exists()


@pytest.mark.django_db
def test_check_ledger_names_a_bucket_that_disagrees_with_the_transfers(make_wallet):
    """A bucket changed behind the trigger's back is a violation of credits - debits for its account."""
    wallet = make_wallet(balance="50")
    ledger_post(idempotency_key="bucket-tamper", kind=PostingKind.RESERVE, legs=[_reserve_leg(wallet, "20")])
    bucket = AccountBucket.objects.filter(account=hold_account()).first()
    # when (the bucket table has no append-only guard: its rows are cached sums, like an account's balance)
    AccountBucket.objects.filter(pk=bucket.pk).update(balance=0)
    # then
    assert any("hold:payments: cached balance" in v for v in books_violations())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite takes one writer at a time: no row locks to show")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_payment_does_not_wait_for_another_payments_open_transaction_on_the_hold(make_wallet):
    """One payer's reserve stays uncommitted (its transaction holds its rows); another payer's reserve to the same
    hold account commits at once, under a 2 s lock timeout. Before the buckets the second waited on the hold's row
    until the first committed (here: the lock timeout)."""
    # given
    first, second = make_wallet(balance="100"), make_wallet(balance="100")
    reserved, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_open() -> None:
        try:
            with transaction.atomic():
                ledger_post_in_transaction(
                    idempotency_key="bucket-open", kind=PostingKind.RESERVE, legs=[_reserve_leg(first, "30")]
                )
                reserved.set()
                release.wait(10)
        except BaseException as exc:  # reported to the test's thread
            errors.append(exc)
            reserved.set()
        finally:
            connection.close()

    thread = threading.Thread(target=hold_open)
    thread.start()
    try:
        assert reserved.wait(10) and not errors, errors
        # when
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            ledger_post_in_transaction(
                idempotency_key="bucket-second", kind=PostingKind.RESERVE, legs=[_reserve_leg(second, "40")]
            )
    finally:
        release.set()
        thread.join(15)
    # then
    assert not errors, errors
    hold = LedgerAccount.objects.with_balance().get(pk=hold_account().pk)
    assert hold.current_balance == Decimal("70.00")


@pytest.mark.django_db
def test_the_admin_shows_a_system_accounts_balance_from_its_buckets(admin_client, make_wallet, dostek):
    """The books' admin lists and shows the provider's balance as read, not its row's 0."""
    # given
    make_payment(wallet=make_wallet(balance="1000"), service=dostek, amount="123.45", key="bucket-admin")
    provider = dostek.provider.settlement_account
    # when
    listing = admin_client.get("/admin/ledger/ledgeraccount/", {"q": provider.code})
    page = admin_client.get(f"/admin/ledger/ledgeraccount/{provider.pk}/change/")
    # then
    assert listing.status_code == 200 and page.status_code == 200
    assert "123.45" in listing.content.decode() or "123,45" in listing.content.decode()
    assert "123.45" in page.content.decode() or "123,45" in page.content.decode()
