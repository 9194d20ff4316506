import io
from datetime import timedelta

import pytest
from django.utils import timezone

from audit.operations import SYSTEM
from sms.backends import locmem
from sms.backends.console import ConsoleBackend
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_dispatch, sms_queue, sms_requeue
from sms.selectors import sms_inbox

pytestmark = pytest.mark.django_db


class FlakyBackend:
    """Fails the first `failures` sends, then delivers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[int] = []

    def send(self, message) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("SMSC unreachable")
        self.sent.append(message.pk)


def _make_due(message: SmsMessage) -> None:
    SmsMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())


def test_dispatch_delivers_each_queued_message_once():
    """A delivered message is marked sent and is not sent again by the next round."""
    # given
    message = sms_queue(phone="+996555123456", text="Привет", kind=SmsKind.CASH_IN)
    # when
    first = sms_dispatch()
    second = sms_dispatch()
    # then
    message.refresh_from_db()
    assert first["sent"] == 1 and second["sent"] == 0
    assert message.status == SmsStatus.SENT and message.sent_at is not None and message.attempts == 1
    assert [m.pk for m in locmem.outbox] == [message.pk]


def test_failed_delivery_is_retried_later_with_growing_delays():
    """A failure puts the message back with a later attempt time: 30 s, then 60 s, ..."""
    message = sms_queue(phone="+996555123456", text="x", kind=SmsKind.CASH_IN)
    backend = FlakyBackend(failures=2)

    assert sms_dispatch(backend=backend)["retry"] == 1
    message.refresh_from_db()
    first_delay = message.next_attempt_at - timezone.now()
    assert message.status == SmsStatus.QUEUED and message.attempts == 1 and "SMSC unreachable" in message.last_error
    assert timedelta(seconds=25) < first_delay <= timedelta(seconds=30)
    assert sms_dispatch(backend=backend)["sent"] == 0  # not due yet

    _make_due(message)
    sms_dispatch(backend=backend)
    message.refresh_from_db()
    assert timedelta(seconds=55) < message.next_attempt_at - timezone.now() <= timedelta(seconds=60)

    _make_due(message)
    assert sms_dispatch(backend=backend)["sent"] == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and backend.sent == [message.pk]


def test_message_fails_for_good_after_the_last_attempt(settings):
    settings.SMS_MAX_ATTEMPTS = 2
    message = sms_queue(phone="+996555123456", text="x", kind=SmsKind.CASH_IN)
    backend = FlakyBackend(failures=5)
    sms_dispatch(backend=backend)
    _make_due(message)
    counts = sms_dispatch(backend=backend)
    message.refresh_from_db()
    assert counts["failed"] == 1 and message.status == SmsStatus.FAILED


def test_message_left_sending_by_a_dead_dispatcher_is_not_resent():
    """Sending it again could deliver it twice, so it is failed for a person to decide (at most once)."""
    message = sms_queue(phone="+996555123456", text="x", kind=SmsKind.CASH_IN)
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.SENDING, claimed_by="dead", claimed_at=timezone.now() - timedelta(minutes=10)
    )
    counts = sms_dispatch()
    message.refresh_from_db()
    assert counts == {"sent": 0, "retry": 0, "failed": 1}
    assert message.status == SmsStatus.FAILED and not locmem.outbox
    assert sms_requeue(message=message, actor=SYSTEM, reason="gateway is back")
    assert sms_dispatch()["sent"] == 1


def test_requeue_touches_only_failed_messages():
    message = sms_queue(phone="+996555123456", text="x", kind=SmsKind.CASH_IN)
    sms_dispatch()
    message.refresh_from_db()
    assert not sms_requeue(message=message, actor=SYSTEM, reason="gateway is back")
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT


def test_console_backend_masks_pins_and_codes():
    """The console is a log: a PIN in a wallet-opened SMS is printed as ****, the phone number stays."""
    stream = io.StringIO()
    message = sms_queue(
        phone="+996555123456",
        kind=SmsKind.WALLET_OPENED,
        text="Кошелек ЭЛСОМ 0555 12 34 56 открыт. Ваш PIN: 2580. Смените его: *900# -> 8 -> 3.",
        secret="2580",
    )
    ConsoleBackend(stream=stream).send(message)
    printed = stream.getvalue()
    assert "2580" not in printed and "PIN: ****" in printed and "0555 12 34 56" in printed


def test_inbox_of_the_virtual_phone_shows_sent_messages_newest_first():
    older = sms_queue(phone="+996555123456", text="1", kind=SmsKind.CASH_IN)
    newer = sms_queue(phone="+996555123456", text="2", kind=SmsKind.CASH_IN)
    sms_queue(phone="+996700000000", text="other", kind=SmsKind.CASH_IN)
    assert list(sms_inbox(phone="+996555123456")) == []
    sms_dispatch()
    assert [m.pk for m in sms_inbox(phone="+996555123456")] == [newer.pk, older.pk]
