"""A DosTek payment through the real СОЧИ server, for each way the other side can behave: the money ends where
the provider's answers say, exactly once on both sides, and check_ledger and reconciliation agree."""

import time
from decimal import Decimal

import pytest
from django.core.management import call_command

from services.errors import ProviderRefusedAccount, ProviderUnavailable
from services.models import Payment, PaymentStatus, ProviderExchange
from services.payments import payment_attempt, payment_check, payment_prepare
from services.reconciliation import Match
from services.verify import books_violations
from sms.models import SmsKind
from tests.helpers import make_payment, values_of_concurrent
from tests.provider.conftest import TIMEOUT, reconciled
from tests.sochi.conftest import ALA_TOO, CLOSED, UNKNOWN

pytestmark = pytest.mark.django_db


def pay(wallet, dostek, *, amount="100", key="k1", account=ALA_TOO):
    return make_payment(wallet=wallet, service=dostek, amount=amount, key=key, account=account)


def credited(sochi, inn, txn_id) -> list[dict]:
    return [row for row in sochi.balance(inn)["credits"] if row["txn_id"] == txn_id]


def work(**options):
    call_command("process_payments", **options)
    return Payment.objects.select_related("service__provider").latest("pk")


def day_of(payment):
    from django.utils import timezone

    return timezone.localtime(payment.created_at).date()


def test_check_names_the_company_and_refuses_closed_unknown_and_malformed(dostek_osmp, make_wallet, dostek):
    wallet = make_wallet(balance="1000")

    def check(account):
        quote = payment_prepare(wallet=wallet, service=dostek, account=account, amount=Decimal("100"))
        return payment_check(quote=quote)

    assert check(ALA_TOO) == "ОсОО «Ала-Тоо Консалт»"
    with pytest.raises(ProviderRefusedAccount, match="закрыт"):
        check(CLOSED)
    with pytest.raises(ProviderRefusedAccount, match="не найден"):
        check(UNKNOWN)
    exchanges = list(ProviderExchange.objects.filter(command="check").order_by("pk"))
    assert [(e.outcome, e.result) for e in exchanges] == [("accepted", 0), ("refused", 79), ("refused", 5)]
    dostek_osmp.set_fault("down")
    with pytest.raises(ProviderUnavailable, match="временно недоступен"):
        check(ALA_TOO)
    assert wallet.ledger_account.balance == Decimal("1000.00")


def test_an_accepted_payment_is_credited_once_and_reconciles(dostek_osmp, make_wallet, dostek, sms_outbox):
    wallet = make_wallet(balance="1000")
    before = Decimal(dostek_osmp.balance(ALA_TOO)["balance"])
    payment = pay(wallet, dostek, amount="250.50")
    assert payment.status == PaymentStatus.COMMITTED and payment.provider_txn_id.isdigit()
    rows = credited(dostek_osmp, ALA_TOO, payment.code)
    assert len(rows) == 1 and rows[0]["prv_txn"] == payment.provider_txn_id and rows[0]["sum"] == "250.50"
    assert Decimal(dostek_osmp.balance(ALA_TOO)["balance"]) == before + Decimal("250.50")
    exchange = ProviderExchange.objects.get(payment=payment)
    assert (exchange.command, exchange.outcome, exchange.result, exchange.prv_txn) == (
        "pay",
        "accepted",
        0,
        payment.provider_txn_id,
    )
    assert sms_outbox.last(wallet.phone).kind == SmsKind.PAYMENT
    assert books_violations() == []
    assert reconciled(payment) == Match.MATCHED


def test_a_refused_account_at_pay_returns_the_money(dostek_osmp, make_wallet, dostek, sms_outbox):
    """refuse-account: СОЧИ answers 5 to the pay; nothing is credited there, the total is back here."""
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("refuse-account")
    payment = pay(wallet, dostek)
    assert payment.status == PaymentStatus.ABORTED and payment.provider_result == 5
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("1000.00")
    assert credited(dostek_osmp, ALA_TOO, payment.code) == []
    assert sms_outbox.last(wallet.phone).kind == SmsKind.PAYMENT_ABORTED
    assert books_violations() == []


def test_temporary_errors_are_retried_with_the_same_txn_id(dostek_osmp, make_wallet, dostek):
    """temporary count=2: the request's call and the first retry get result 1; the second retry commits."""
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("temporary", count=2)
    payment = pay(wallet, dostek)
    assert payment.status == PaymentStatus.RESERVED and payment.provider_result == 1
    assert work(all=True).status == PaymentStatus.RESERVED
    committed = work(all=True)
    assert committed.status == PaymentStatus.COMMITTED and committed.attempts == 3
    calls = ProviderExchange.objects.filter(payment=payment, command="pay").values_list("txn_id", flat=True)
    assert list(calls) == [payment.code] * 3
    assert len(credited(dostek_osmp, ALA_TOO, payment.code)) == 1
    assert books_violations() == []


def test_a_timeout_keeps_the_money_reserved_and_the_worker_settles_it(dostek_osmp, make_wallet, dostek):
    """timeout: no answer within our timeout; the user-facing step waits no longer than that, nothing is «failed»."""
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("timeout", delay=TIMEOUT + 3, count=1)
    started = time.monotonic()
    payment = pay(wallet, dostek)
    assert time.monotonic() - started < TIMEOUT + 1
    assert payment.status == PaymentStatus.RESERVED
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("900.00")
    assert credited(dostek_osmp, ALA_TOO, payment.code) == []
    assert books_violations() == []  # the hold account holds exactly this payment
    assert work(all=True).status == PaymentStatus.COMMITTED
    assert len(credited(dostek_osmp, ALA_TOO, payment.code)) == 1


def test_a_lost_answer_is_found_by_reconciliation_and_settled_once(dostek_osmp, make_wallet, dostek, sms_outbox):
    """answer-lost: СОЧИ credits the company but the answer never reaches us. Reconciliation names the payment;
    the worker's next pay with the same txn_id gets the same prv_txn and commits; СОЧИ has credited it once."""
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("answer-lost", count=1)
    payment = pay(wallet, dostek, amount="300")
    assert payment.status == PaymentStatus.RESERVED
    first = credited(dostek_osmp, ALA_TOO, payment.code)
    assert len(first) == 1  # credited there
    assert not sms_outbox.all(wallet.phone) or sms_outbox.last(wallet.phone).kind != SmsKind.PAYMENT
    assert reconciled(payment) == Match.CREDITED_IN_PROGRESS
    committed = work(all=True)
    assert committed.status == PaymentStatus.COMMITTED and committed.provider_txn_id == first[0]["prv_txn"]
    assert len(credited(dostek_osmp, ALA_TOO, payment.code)) == 1
    assert reconciled(payment) == Match.MATCHED
    assert books_violations() == []


def test_down_then_back(dostek_osmp, make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("down")
    payment = pay(wallet, dostek)
    assert payment.status == PaymentStatus.RESERVED
    exchange = ProviderExchange.objects.get(payment=payment)
    assert exchange.outcome == "unknown" and exchange.error
    dostek_osmp.set_fault("normal")
    assert work().attempts == 1  # not due yet (the next attempt is a second away): the worker leaves it
    assert work(all=True).status == PaymentStatus.COMMITTED
    assert books_violations() == []


def test_a_slow_provider_within_the_timeout_commits_at_once(dostek_osmp, make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("slow", delay=0.5)
    started = time.monotonic()
    payment = pay(wallet, dostek)
    assert payment.status == PaymentStatus.COMMITTED and time.monotonic() - started >= 0.5


def test_giving_up_asks_the_provider_first(dostek_osmp, make_wallet, dostek, settings):
    """After DOSTEK_GIVE_UP_AFTER: a payment СОЧИ has (its answer was lost) is committed; one it never got is
    refunded; one nobody can tell about is refunded too (and reconciliation would flag it)."""
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("answer-lost", count=1)
    lost = pay(wallet, dostek, key="lost")
    dostek_osmp.set_fault("timeout", delay=TIMEOUT + 3, count=1)
    never = pay(wallet, dostek, key="never")
    settings.OSMP_ENDPOINTS = {"dostek": {**settings.OSMP_ENDPOINTS["dostek"], "GIVE_UP_AFTER": 0}}
    assert payment_attempt(payment_id=lost.pk, ignore_schedule=True).status == PaymentStatus.COMMITTED
    assert payment_attempt(payment_id=never.pk, ignore_schedule=True).status == PaymentStatus.ABORTED
    assert credited(dostek_osmp, ALA_TOO, never.code) == []
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("900.00")
    assert books_violations() == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_several_workers_at_once_ask_the_provider_once(dostek_osmp, make_wallet, dostek):
    """Five workers go for one payment in progress: one claims it and asks СОЧИ; the others leave it."""
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("down")
    payment = pay(wallet, dostek)
    dostek_osmp.set_fault("slow", delay=0.3)
    outcomes = values_of_concurrent(5, lambda _index: payment_attempt(payment_id=payment.pk, ignore_schedule=True))
    assert sum(1 for outcome in outcomes if outcome is not None) == 1
    assert ProviderExchange.objects.filter(payment=payment, command="pay").count() == 2  # the request's, one retry
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.COMMITTED
    assert books_violations() == []
