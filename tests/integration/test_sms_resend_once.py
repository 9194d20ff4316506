"""Exactly one delivery per message: a call-centre resend while the message (or an earlier copy) is still on its
way — queued, or retrying while the gateway fails — brings that one forward instead of queueing another, so the
holder gets one SMS when the gateway recovers. The phone simulator's inbox lists messages as they arrived."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM
from services.verify import books_violations
from sms.backends import locmem
from sms.backends.failing import FailingNumbersBackend
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_dispatch, sms_queue, sms_requeue, sms_resend_payment
from tests.helpers import run_concurrently
from training.models import SmsGatewayFault

pytestmark = pytest.mark.django_db

REASON = "клиент не получил SMS о платеже"


@pytest.fixture
def agent(django_user_model):
    user = django_user_model.objects.create_user("agent-resend", password="Staff-Password-2026", is_staff=True)
    user.groups.add(Group.objects.get(name="Агент"))
    return user


@pytest.fixture
def gateway(settings):
    """The demo's gateway with faults per number (training scenario «Не пришло SMS»), in front of the test outbox."""
    settings.SMS_BACKEND = "sms.backends.failing.FailingNumbersBackend"
    settings.SMS_FAULTS_DELEGATE = "sms.backends.locmem.LocmemBackend"
    return FailingNumbersBackend


def everything_due() -> None:
    """Time passes: every retry waiting for its next attempt is due now."""
    SmsMessage.objects.filter(status=SmsStatus.QUEUED).update(next_attempt_at=timezone.now())


def delivered(phone: str, kind: str = SmsKind.PAYMENT) -> list[SmsMessage]:
    return [message for message in locmem.outbox if message.phone == phone and message.kind == kind]


def pending(payment) -> list[SmsMessage]:
    return list(SmsMessage.objects.filter(payment=payment, status__in=(SmsStatus.QUEUED, SmsStatus.SENDING)))


def test_three_resends_while_the_gateway_fails_then_a_recovery_deliver_one_copy(gateway, paid_payment, agent):
    """The «three copies of one payment SMS» finding: one SMS reaches the phone."""
    # given: the gateway cannot reach the holder's number; the payment SMS is retrying
    phone = paid_payment.wallet.phone
    SmsGatewayFault.objects.create(phone=phone)
    sms_dispatch()
    assert delivered(phone) == [] and len(pending(paid_payment)) == 1

    # when: the holder calls three times, the gateway failing after each resend
    for _call in range(3):
        sms_resend_payment(wallet=paid_payment.wallet, actor=agent, reason=REASON)
        assert sms_dispatch()["retry"] == 1
    # ...and the gateway recovers
    SmsGatewayFault.objects.filter(phone=phone).delete()
    everything_due()
    sms_dispatch()
    everything_due()
    sms_dispatch()

    # then
    assert len(delivered(phone)) == 1
    assert pending(paid_payment) == []
    assert SmsMessage.objects.filter(payment=paid_payment, kind=SmsKind.PAYMENT).count() == 1
    assert AuditEntry.objects.filter(action=StaffAction.SMS_RESEND).count() == 3  # each call is on the record
    assert books_violations() == []


def test_a_resend_while_the_message_retries_brings_it_forward(paid_payment, agent):
    """No new row: the retrying message is due now, with its attempts counted afresh, and is what the call returns."""
    # given: two failed attempts, the next one half a minute away
    message = SmsMessage.objects.get(payment=paid_payment, kind=SmsKind.PAYMENT)
    later = timezone.now() + timedelta(seconds=30)
    SmsMessage.objects.filter(pk=message.pk).update(attempts=2, next_attempt_at=later, last_error="SMSC unreachable")

    # when
    resent = sms_resend_payment(wallet=paid_payment.wallet, actor=agent, reason=REASON)

    # then
    message.refresh_from_db()
    assert resent.pk == message.pk
    assert message.status == SmsStatus.QUEUED and message.attempts == 0 and message.next_attempt_at <= timezone.now()
    assert AuditEntry.objects.get(action=StaffAction.SMS_RESEND).after["reused"] is True


def test_a_resend_of_a_delivered_message_queues_one_copy_and_a_second_resend_reuses_it(paid_payment, agent):
    # given: the SMS reached the phone, but the holder deleted it
    sms_dispatch()
    first = SmsMessage.objects.get(payment=paid_payment, kind=SmsKind.PAYMENT)

    # when
    copy = sms_resend_payment(wallet=paid_payment.wallet, actor=agent, reason=REASON)
    again = sms_resend_payment(wallet=paid_payment.wallet, actor=agent, reason="клиент звонит снова")

    # then
    assert copy.pk != first.pk and copy.resent_from_id == first.pk and again.pk == copy.pk
    assert [m.pk for m in pending(paid_payment)] == [copy.pk]
    sms_dispatch()
    assert len(delivered(paid_payment.wallet.phone)) == 2  # the first, then the one copy


def test_a_resend_after_a_failed_message_queues_a_copy_that_the_failed_one_does_not_join(paid_payment, agent):
    """A message failed for good stays failed, for the record; its copy is the one on its way, and requeueing the
    failed one then (the admin's action, a training reset) does nothing: the holder would get both."""
    # given
    first = SmsMessage.objects.get(payment=paid_payment, kind=SmsKind.PAYMENT)
    SmsMessage.objects.filter(pk=first.pk).update(status=SmsStatus.FAILED, attempts=5, last_error="SMSC unreachable")

    # when
    copy = sms_resend_payment(wallet=paid_payment.wallet, actor=agent, reason=REASON)
    requeued = sms_requeue(message=first, actor=SYSTEM, reason="шлюз починили")

    # then
    first.refresh_from_db()
    assert copy.pk != first.pk and not requeued and first.status == SmsStatus.FAILED
    sms_dispatch()
    assert len(delivered(paid_payment.wallet.phone)) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_five_resends_at_once_leave_one_copy_on_its_way(paid_payment, agent):
    """Five agents (or one double click past the console's guard) resend at the same moment: one copy is queued,
    the other calls find it. Row lock on PostgreSQL, the IMMEDIATE transaction on SQLite."""
    # given: the first SMS was delivered, so a resend makes a copy
    sms_dispatch()
    wallet = paid_payment.wallet

    # when
    outcomes = run_concurrently(5, lambda _index: sms_resend_payment(wallet=wallet, actor=agent, reason=REASON).pk)

    # then
    assert [o.error for o in outcomes] == [None] * 5
    copies = pending(paid_payment)
    assert len(copies) == 1 and {o.value for o in outcomes} == {copies[0].pk}
    assert AuditEntry.objects.filter(action=StaffAction.SMS_RESEND).count() == 5


def test_the_simulator_inbox_lists_by_delivery_time_newest_first(client, settings, make_wallet):
    """A message queued first but delivered last (it waited out a gateway failure) stands on top, as on a phone."""
    # given: the cash-in SMS fails once, the next one goes through, then the first is retried
    settings.SMS_BACKEND = "sms.backends.locmem.LocmemBackend"
    wallet = make_wallet(phone="+996555700300")
    sms_dispatch()  # the wallet-opened SMS
    held_up = sms_queue(phone=wallet.phone, text="Пополнение 100.00 сом", kind=SmsKind.CASH_IN)
    SmsGatewayFault.objects.create(phone=wallet.phone)
    sms_dispatch(backend=FailingNumbersBackend())
    SmsGatewayFault.objects.all().delete()
    prompt = sms_queue(phone=wallet.phone, text="Пополнение 200.00 сом", kind=SmsKind.CASH_IN)
    sms_dispatch()
    everything_due()
    sms_dispatch()

    # when
    messages = client.get("/demo/phone/inbox/", {"phone": wallet.phone}).json()["messages"]

    # then
    assert [m["id"] for m in messages[:2]] == [held_up.pk, prompt.pk]
    times = [m["sent_at"] for m in messages]
    assert times == sorted(times, reverse=True)
