"""«Оплатил, а в СОЧИ не пришло»: the agent asks the provider about a payment in progress. The status call runs
outside any transaction; found -> committed with the provider's number; not found -> paid again now (same txn_id);
no answer -> nothing changes. Each query leaves an audit entry with what the provider said."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry, StaffAction
from audit.operations import NotAllowed
from services.errors import PaymentNotInProgress
from services.models import Payment, PaymentStatus, ProviderExchange
from services.osmp import OsmpAnswer, Outcome
from services.payments import payment_provider_query
from services.providers import ProviderAccepted, ProviderRefused, ProviderUnknown
from services.verify import books_violations
from sms.models import SmsKind
from tests.helpers import make_payment
from tests.staff.conftest import confirm

pytestmark = pytest.mark.django_db
ASKED: list[str] = []


def _answer(command, outcome, **fields):
    return OsmpAnswer(command=command, outcome=outcome, request={"txn_id": "1"}, **fields)


class Lost:
    """The pay answer never arrives (answer-lost); what `status` says is set per test."""

    status_says = "found"
    pay_says = "unknown"

    def __init__(self, provider):
        self.provider = provider

    def pay(self, *, payment):
        ASKED.append("pay")
        if Lost.pay_says == "accepted":
            return ProviderAccepted(provider_txn_id="PAID-AGAIN", exchange=_answer("pay", Outcome.ACCEPTED, result=0))
        return ProviderUnknown(reason="read timeout", exchange=_answer("pay", Outcome.UNKNOWN, error="ReadTimeout"))

    def status(self, *, payment):
        ASKED.append("status")
        if Lost.status_says == "found":
            answer = _answer("status", Outcome.ACCEPTED, result=0, prv_txn="SOCHI-77")
            return ProviderAccepted(provider_txn_id="SOCHI-77", exchange=answer)
        if Lost.status_says == "not_found":
            answer = _answer("status", Outcome.ACCEPTED, result=0, extra={"found": "0"})
            return ProviderRefused(code=None, reason="not found at the provider", exchange=answer)
        return ProviderUnknown(reason="no status", exchange=_answer("status", Outcome.UNKNOWN, error="ConnectError"))


@pytest.fixture
def in_progress(make_wallet, dostek, settings):
    ASKED.clear()
    Lost.status_says, Lost.pay_says = "found", "unknown"
    settings.PROVIDER_ADAPTERS = {"dostek": f"{__name__}.Lost"}
    wallet = make_wallet(balance="1000")
    payment = make_payment(wallet=wallet, service=dostek, amount="300", key="lost")
    assert payment.status == PaymentStatus.RESERVED
    ASKED.clear()
    return payment


def test_found_at_the_provider_commits_with_its_number(in_progress, make_staff, sms_outbox):
    agent = make_staff("agent")
    result = payment_provider_query(payment=in_progress, actor=agent, reason="клиент: в СОЧИ не пришло")
    payment = Payment.objects.get(pk=in_progress.pk)
    assert result.said == "found" and payment.status == PaymentStatus.COMMITTED
    assert payment.provider_txn_id == "SOCHI-77" and ASKED == ["status"]
    assert sms_outbox.last(payment.wallet.phone).kind == SmsKind.PAYMENT
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.payment_id, entry.actor) == (StaffAction.PROVIDER_QUERY, payment.pk, agent)
    assert entry.after["provider_said"] == "found" and entry.after["prv_txn"] == "SOCHI-77"
    assert ProviderExchange.objects.filter(payment=payment, command="status").count() == 1
    assert books_violations() == []


def test_not_found_pays_again_now(in_progress, make_staff):
    Lost.status_says, Lost.pay_says = "not_found", "accepted"
    result = payment_provider_query(payment=in_progress, actor=make_staff("agent"), reason="в СОЧИ пусто")
    payment = Payment.objects.get(pk=in_progress.pk)
    assert (result.said, result.retried) == ("not_found", True)
    assert payment.status == PaymentStatus.COMMITTED and payment.provider_txn_id == "PAID-AGAIN"
    assert ASKED == ["status", "pay"]
    commands = list(ProviderExchange.objects.filter(payment=payment).order_by("id").values_list("command", flat=True))
    assert commands[-2:] == ["status", "pay"]
    assert AuditEntry.objects.get().after["provider_said"] == "not_found"
    assert books_violations() == []


def test_no_answer_changes_nothing_but_is_recorded(in_progress, make_staff):
    Lost.status_says = "unknown"
    result = payment_provider_query(payment=in_progress, actor=make_staff("agent"), reason="в СОЧИ пусто")
    payment = Payment.objects.get(pk=in_progress.pk)
    assert result.said == "no_answer" and payment.status == PaymentStatus.RESERVED and ASKED == ["status"]
    assert AuditEntry.objects.get().after["comment"] == "ConnectError"


def test_only_a_payment_in_progress_is_asked_about(in_progress, make_staff):
    Lost.status_says = "found"
    agent = make_staff("agent")
    payment_provider_query(payment=in_progress, actor=agent, reason="первый раз")
    ASKED.clear()
    with pytest.raises(PaymentNotInProgress):
        payment_provider_query(payment=in_progress, actor=agent, reason="второй раз")
    assert ASKED == [] and AuditEntry.objects.count() == 1


def test_a_cashier_may_not_ask(in_progress, make_staff):
    with pytest.raises(NotAllowed):
        payment_provider_query(payment=in_progress, actor=make_staff("cashier"), reason="не мое")
    assert ASKED == [] and not AuditEntry.objects.exists()


def test_from_the_console(in_progress, console):
    """The agent's page tells what the provider said, and the payment's file shows the status exchange."""
    agent = console("agent")
    url = reverse("staff:payment_action", args=[in_progress.code, "provider-query"])
    response = confirm(agent, url, "клиент: деньги списаны, в СОЧИ нет")
    page = agent.get(response["Location"]).content.decode()
    assert "Поставщик нашел платеж" in page
    assert "SOCHI-77" in page and Payment.objects.get(pk=in_progress.pk).status == PaymentStatus.COMMITTED
