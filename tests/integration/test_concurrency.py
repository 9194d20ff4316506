"""Money under concurrency: real threads, each with its own database connection, racing on the same wallets.

These tests commit for real (``transaction=True``): on the default run the test database is a SQLite *file*
shared by every thread's connection (BEGIN IMMEDIATE + WAL + busy timeout); with ``DATABASE_URL`` pointing at
PostgreSQL they exercise row locks (SELECT ... FOR UPDATE, SKIP LOCKED) and unique indexes.

``serialized_rollback=True`` reloads the seeded catalog (DosTek, system ledger accounts) that the flush after
each transactional test removes, so these tests neither depend on nor destroy data other tests rely on.
"""

import threading
import uuid
from collections import Counter
from decimal import Decimal

import pytest

from ledger.errors import InsufficientFunds
from ledger.models import LedgerAccount, Posting
from services.models import Payment, PaymentStatus, Service
from services.payments import payment_reverse
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_dispatch, sms_queue
from tests.helpers import Outcome, make_payment, run_concurrently
from wallet.models import Wallet
from wallet.operations import cash_in

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

COMPANY_INN = "01234567890123"


def unexpected(outcomes: list[Outcome], *allowed: type[BaseException]) -> list[str]:
    """Every error that is not one of the `allowed` domain outcomes, as text for the assertion message."""
    return [
        f"{type(o.error).__name__}: {o.error}"
        for o in outcomes
        if o.error is not None and not isinstance(o.error, allowed)
    ]


def balance_of(wallet: Wallet) -> Decimal:
    return LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance


def fresh(wallet: Wallet) -> Wallet:
    """The wallet as a request would load it: its own instance, not one shared between threads."""
    return Wallet.objects.select_related("ledger_account").get(pk=wallet.pk)


def fresh_dostek() -> Service:
    return Service.objects.select_related("provider__settlement_account", "category").get(slug="dostek")


def test_parallel_payments_never_overdraw_the_wallet(make_wallet, dostek):
    """50 payments of 30 som race on a wallet holding 1 000 som: exactly 33 go through, the other 17 are
    refused with InsufficientFunds, the wallet keeps 10 som, every payment has its SMS and the books hold.
    No other error (a deadlock, 'database is locked') reaches any payer."""
    # given
    wallet = make_wallet(balance="1000.00")
    run = uuid.uuid4().hex[:8]

    # when
    def pay(index: int) -> Payment:
        return make_payment(
            wallet=fresh(wallet), service=fresh_dostek(), account=COMPANY_INN, amount="30.00", key=f"race-{run}-{index}"
        )

    outcomes = run_concurrently(50, pay)

    # then
    assert unexpected(outcomes, InsufficientFunds) == []
    succeeded = [o.value for o in outcomes if o.error is None]
    refused = [o.error for o in outcomes if isinstance(o.error, InsufficientFunds)]
    assert (len(succeeded), len(refused)) == (33, 17)
    assert balance_of(wallet) == Decimal("10.00")
    assert Payment.objects.filter(wallet=wallet, status=PaymentStatus.COMMITTED).count() == 33
    assert Payment.objects.filter(wallet=wallet).exclude(status=PaymentStatus.COMMITTED).count() == 0
    assert len({p.code for p in succeeded}) == 33
    # Each payment saw a different balance after it: the debits were applied one after another.
    assert sorted(p.balance_after for p in succeeded) == [Decimal("10.00") + 30 * i for i in range(33)]
    assert SmsMessage.objects.filter(phone=wallet.phone, kind=SmsKind.PAYMENT).count() == 33
    assert books_violations() == []


def test_one_idempotency_key_from_many_threads_pays_once(make_wallet, dostek):
    """The same payment request (same idempotency key, same data) sent by 10 threads at once — a double
    tap, a retrying client — makes one payment: money moves once and every caller gets that payment."""
    # given
    wallet = make_wallet(balance="500.00")
    key = f"double-tap-{uuid.uuid4().hex}"

    # when
    def pay(_index: int) -> Payment:
        return make_payment(
            wallet=fresh(wallet),
            service=fresh_dostek(),
            account=COMPANY_INN,
            amount="120.00",
            key=key,
            channel="ussd",
            pin="2580",
        )

    outcomes = run_concurrently(10, pay)

    # then
    assert unexpected(outcomes) == []
    codes = {o.value.code for o in outcomes}
    assert len(codes) == 1
    assert Payment.objects.filter(idempotency_key=key).count() == 1
    payment = Payment.objects.get(idempotency_key=key)
    assert payment.status == PaymentStatus.COMMITTED and payment.code in codes
    assert Posting.objects.filter(idempotency_key=f"payment:{key}:reserve").count() == 1
    assert balance_of(wallet) == Decimal("380.00")
    assert SmsMessage.objects.filter(payment=payment, kind=SmsKind.PAYMENT).count() == 1
    assert books_violations() == []


class RecordingBackend:
    """A thread-safe SMS backend that remembers which dispatcher delivered which message. The first send of
    each dispatcher waits for the other dispatcher's first send, so both are provably delivering at once."""

    def __init__(self, dispatchers: int) -> None:
        self.lock = threading.Lock()
        self.sent: list[tuple[int, str]] = []
        self.rendezvous = threading.Barrier(dispatchers)
        self.local = threading.local()

    def send(self, message) -> None:
        if not getattr(self.local, "met", False):
            self.local.met = True
            self.rendezvous.wait(timeout=10)
        with self.lock:
            self.sent.append((message.pk, threading.current_thread().name))


def test_two_dispatchers_deliver_each_queued_sms_exactly_once():
    """Two SMS dispatchers working the outbox at the same time, in small batches, deliver each of 40
    queued messages exactly once and leave every one SENT."""
    # given
    queued = [
        sms_queue(phone=f"+996555{900000 + i:06d}", text=f"Сообщение {i}", kind=SmsKind.CASH_IN).pk for i in range(40)
    ]
    backend = RecordingBackend(dispatchers=2)

    # when
    def dispatch_until_empty(_index: int) -> int:
        delivered = 0
        while (counts := sms_dispatch(limit=5, backend=backend))["sent"] or counts["retry"] or counts["failed"]:
            delivered += counts["sent"]
            assert counts["retry"] == counts["failed"] == 0, counts
        return delivered

    outcomes = run_concurrently(2, dispatch_until_empty)

    # then
    assert unexpected(outcomes) == []
    delivered_ids = [pk for pk, _thread in backend.sent]
    duplicates = [pk for pk, n in Counter(delivered_ids).items() if n > 1]
    assert duplicates == []
    assert sorted(delivered_ids) == sorted(queued)
    assert sum(o.value for o in outcomes) == 40
    assert {thread for _pk, thread in backend.sent} == {"worker-0", "worker-1"}
    assert set(SmsMessage.objects.filter(pk__in=queued).values_list("status", flat=True)) == {SmsStatus.SENT}
    assert SmsMessage.objects.filter(pk__in=queued, attempts=1).count() == 40


def test_cross_wallet_payments_cash_ins_and_reversals_do_not_deadlock(make_wallet, dostek):
    """Five wallets at once: each pays DosTek four times, is topped up through two different cash-in
    channels and has an earlier payment refunded, all concurrently. The account locks are always taken in
    one order, so nothing deadlocks or times out, every operation succeeds and each balance is exact."""
    # given
    wallets = [make_wallet(balance="600.00") for _ in range(5)]
    run = uuid.uuid4().hex[:8]
    earlier = {
        w.pk: make_payment(wallet=w, service=dostek, account=COMPANY_INN, amount="100.00", key=f"earlier-{run}-{w.pk}")
        for w in wallets
    }
    jobs = []
    for w in wallets:
        jobs += [("pay", w, n) for n in range(4)]
        jobs += [("cash_in", w, "kicb-terminal"), ("cash_in", w, "mobilnik"), ("reverse", w, None)]

    # when
    def work(index: int):
        what, wallet, arg = jobs[index]
        if what == "pay":
            return make_payment(
                wallet=fresh(wallet),
                service=fresh_dostek(),
                account=COMPANY_INN,
                amount="50.00",
                key=f"x-{run}-{wallet.pk}-{arg}",
                channel="app",
                pin="2580",
            )
        if what == "cash_in":
            return cash_in(
                wallet=fresh(wallet),
                amount=Decimal("100.00"),
                channel=arg,
                idempotency_key=f"ci-{run}-{index}",
            )
        return payment_reverse(payment=earlier[wallet.pk], idempotency_key=f"refund-{run}-{wallet.pk}")

    outcomes = run_concurrently(len(jobs), work)

    # then: 600 - 100 (earlier) + 100 (refund) - 4 x 50 + 2 x 100 = 600
    assert unexpected(outcomes) == []
    for w in wallets:
        assert balance_of(w) == Decimal("600.00")
        assert Payment.objects.get(pk=earlier[w.pk].pk).status == PaymentStatus.REVERSED
        assert Payment.objects.filter(wallet=w, status=PaymentStatus.COMMITTED).count() == 4
    assert books_violations() == []
