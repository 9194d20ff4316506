"""Refunds in the console: an agent asks, the request waits in the supervisors' queue, moving nothing; another
staff member approves (the money comes back, audited) or rejects; the requester's own approval is refused."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry, StaffAction
from ledger.models import LedgerAccount, Posting
from services.models import Payment, PaymentStatus, RefundRequest, RefundStatus
from services.refunds import refund_request
from services.verify import books_violations
from tests.helpers import identity_checked, make_payment
from tests.staff.conftest import confirm

pytestmark = pytest.mark.django_db


def balance(wallet) -> Decimal:
    return LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance


def test_a_request_waits_in_the_queue_and_moves_nothing(console, customer):
    agent, supervisor = console("agent"), console("supervisor")
    identity_checked(customer, agent.user)
    postings = Posting.objects.count()
    confirm(agent, reverse("staff:payment_action", args=[customer.committed.code, "refund-request"]), "ошибся ИНН")
    queue = supervisor.get(reverse("staff:refunds")).content.decode()
    assert customer.committed.code in queue and 'data-testid="approve"' in queue
    assert balance(customer) == Decimal("900.00") and Posting.objects.count() == postings
    assert Payment.objects.get(pk=customer.committed.pk).status == PaymentStatus.COMMITTED


def test_a_supervisor_approves_an_agents_request(console, customer, make_staff):
    agent = identity_checked(customer, make_staff("agent"))
    request = refund_request(payment=customer.committed, actor=agent, reason="ошибся ИНН")
    supervisor = console("supervisor")
    response = confirm(supervisor, reverse("staff:refund_action", args=[request.pk, "approve"]), "СОЧИ подтвердил")
    assert response["Location"] == reverse("staff:refunds")
    assert balance(customer) == Decimal("1000.00")
    assert Payment.objects.get(pk=customer.committed.pk).status == PaymentStatus.REVERSED
    entry = AuditEntry.objects.get(action=StaffAction.REFUND_APPROVE)
    assert entry.actor == supervisor.user and entry.reason == "СОЧИ подтвердил"
    assert books_violations() == []


def test_the_requester_cannot_approve_their_own_request(console, customer):
    supervisor = console("supervisor")
    request = refund_request(
        payment=customer.committed, actor=identity_checked(customer, supervisor.user), reason="ошибся ИНН"
    )
    queue = supervisor.get(reverse("staff:refunds")).content.decode()
    assert 'data-testid="approve"' not in queue  # not offered ...
    response = confirm(supervisor, reverse("staff:refund_action", args=[request.pk, "approve"]), "сам себе")
    page = supervisor.get(response["Location"]).content.decode()
    assert "другой сотрудник" in page  # ... and refused when posted anyway
    assert RefundRequest.objects.get(pk=request.pk).status == RefundStatus.PENDING
    assert balance(customer) == Decimal("900.00")
    assert not AuditEntry.objects.filter(action=StaffAction.REFUND_APPROVE).exists()


def test_a_rejection_moves_nothing(console, customer, make_staff):
    agent = identity_checked(customer, make_staff("agent"))
    request = refund_request(payment=customer.committed, actor=agent, reason="ошибся ИНН")
    confirm(console("trainer"), reverse("staff:refund_action", args=[request.pk, "reject"]), "отчет уже отправлен")
    assert RefundRequest.objects.get(pk=request.pk).status == RefundStatus.REJECTED
    assert balance(customer) == Decimal("900.00")
    assert AuditEntry.objects.filter(action=StaffAction.REFUND_REJECT).count() == 1


def test_a_refund_of_a_payment_in_progress_is_offered_refused_and_the_attempt_recorded(console, customer, settings):
    """Training's automatic fail «Запросил возврат платежа, который еще в обработке» needs the attempt: the console
    offers the request on a payment in progress, the domain refuses it and records the refusal; nothing moves."""
    settings.PROVIDER_ADAPTERS = {"dostek": "tests.integration.test_payment_lifecycle.SilentProvider"}
    held = make_payment(
        wallet=customer, service=customer.committed.service, account="02106201510234", amount="50", key="held"
    )
    assert held.status == PaymentStatus.RESERVED
    agent = console("agent")
    identity_checked(customer, agent.user)
    page = agent.get(reverse("staff:payment", args=[held.code])).content.decode()
    assert 'data-action="refund-request"' in page and 'data-action="provider-query"' in page
    before, postings = balance(customer), Posting.objects.count()
    response = confirm(agent, reverse("staff:payment_action", args=[held.code, "refund-request"]), "клиент просит")
    assert "Вернуть можно только проведенный платеж" in agent.get(response["Location"]).content.decode()
    assert not RefundRequest.objects.filter(payment=held).exists()
    entry = AuditEntry.objects.get(action=StaffAction.REFUND_REQUEST, payment=held)
    assert entry.actor == agent.user and entry.after["refused"] and entry.before == {"status": PaymentStatus.RESERVED}
    assert (balance(customer), Posting.objects.count()) == (before, postings)
    assert Payment.objects.get(pk=held.pk).status == PaymentStatus.RESERVED
