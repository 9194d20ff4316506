"""A refund is asked for by an agent and approved by another staff member with the right; only the approval moves
money, in the same transaction as its audit entry."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from audit.models import AuditEntry, StaffAction
from ledger.models import LedgerAccount
from services.errors import PaymentNotReversible
from services.models import PaymentStatus, RefundStatus
from services.refunds import NotAllowed, RefundRefused, refund_approve, refund_reject, refund_request
from services.verify import books_violations
from sms.models import SmsKind
from tests.helpers import identity_checked, make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    def make(username, role):
        user = django_user_model.objects.create_user(username, password="Staff-Password-2026", is_staff=True)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def committed(make_wallet, dostek):
    return make_payment(wallet=make_wallet(balance="1000"), service=dostek, amount="400", key="r")


def balance(payment):
    return LedgerAccount.objects.get(pk=payment.wallet.ledger_account_id).balance


def test_a_request_moves_no_money_and_the_approval_returns_it(staff, committed, sms_outbox):
    agent, supervisor = staff("agent1", "Агент"), staff("super1", "Старший смены")
    identity_checked(committed.wallet, agent)
    request = refund_request(payment=committed, actor=agent, reason="оплатил не той компании, ИНН ошибочный")
    assert balance(committed) == Decimal("600.00")
    committed.refresh_from_db()
    assert committed.status == PaymentStatus.COMMITTED
    payment = refund_approve(request=request, actor=supervisor, reason="СОЧИ подтвердил возврат письмом")
    assert payment.status == PaymentStatus.REVERSED and balance(payment) == Decimal("1000.00")
    request.refresh_from_db()
    assert (request.status, request.decided_by) == (RefundStatus.APPROVED, supervisor)
    assert sms_outbox.last(committed.wallet.phone).kind == SmsKind.REVERSAL
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "actor__username", "payment_id"))
    assert actions == [
        (StaffAction.REFUND_REQUEST, "agent1", committed.pk),
        (StaffAction.REFUND_APPROVE, "super1", committed.pk),
    ]
    assert books_violations() == []


def test_the_requester_cannot_approve_their_own_request(staff, committed):
    supervisor = staff("super2", "Старший смены")
    identity_checked(committed.wallet, supervisor)
    request = refund_request(payment=committed, actor=supervisor, reason="ошибся ИНН")
    with pytest.raises(RefundRefused, match="другой сотрудник"):
        refund_approve(request=request, actor=supervisor, reason="сам себе")
    assert balance(committed) == Decimal("600.00")


def test_an_agent_cannot_approve_and_plain_staff_cannot_ask(staff, committed, django_user_model):
    agent, other_agent = staff("agent2", "Агент"), staff("agent3", "Агент")
    identity_checked(committed.wallet, agent)
    plain = django_user_model.objects.create_user("plain", password="x-x-x-x-x-x-x", is_staff=True)
    with pytest.raises(NotAllowed):
        refund_request(payment=committed, actor=plain, reason="хочу")
    request = refund_request(payment=committed, actor=agent, reason="ошибся ИНН")
    with pytest.raises(NotAllowed):
        refund_approve(request=request, actor=other_agent, reason="одобряю")
    assert balance(committed) == Decimal("600.00") and AuditEntry.objects.count() == 1


def test_one_open_request_per_payment_and_a_decided_one_stays_decided(staff, committed):
    agent, supervisor = staff("agent4", "Агент"), staff("super4", "Старший смены")
    identity_checked(committed.wallet, agent)
    request = refund_request(payment=committed, actor=agent, reason="ошибся ИНН")
    with pytest.raises(RefundRefused, match="уже есть запрос"):
        refund_request(payment=committed, actor=agent, reason="еще раз")
    refund_reject(request=request, actor=supervisor, reason="СОЧИ отказал: отчет уже отправлен")
    with pytest.raises(RefundRefused, match="уже решен"):
        refund_approve(request=request, actor=supervisor, reason="передумал")
    assert balance(committed) == Decimal("600.00")
    again = refund_request(payment=committed, actor=agent, reason="СОЧИ передумал")  # after a rejection: allowed
    assert again.status == RefundStatus.PENDING


def test_only_a_committed_payment_can_be_refunded(staff, make_wallet, dostek, settings):
    settings.PROVIDER_ADAPTERS = {"dostek": "tests.integration.test_payment_lifecycle.SilentProvider"}
    wallet = make_wallet(balance="1000")
    in_progress = make_payment(wallet=wallet, service=dostek, amount="100", key="ip")
    with pytest.raises(PaymentNotReversible):
        refund_request(payment=in_progress, actor=identity_checked(wallet, staff("agent5", "Агент")), reason="не дошел")


def test_a_reason_is_required(staff, committed):
    from audit.operations import ReasonRequired

    with pytest.raises(ReasonRequired):
        refund_request(
            payment=committed, actor=identity_checked(committed.wallet, staff("agent6", "Агент")), reason="  "
        )
