"""core.rows.row_insert: the hand-written INSERT of the hot paths (the payment SMS, the USSD session) writes what
Model.save() would, and its upsert keeps one row per unique key."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core.rows import row_insert
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_queue
from tests.helpers import make_payment
from ussd.models import UssdSession

pytestmark = pytest.mark.django_db


def test_an_inserted_row_reads_back_as_the_orm_would_have_written_it():
    now = timezone.now()
    pk = row_insert(
        UssdSession,
        {
            "session_id": "rows-1",
            "phone": "+996555000111",
            "state": {"path": ["3", "3"], "amount": "10.50", "name": "Айгуль"},
            "consumed": 2,
            "last_text_digest": "d" * 64,
            "last_response": "CON Введите ИНН",
            "ended": False,
            "updated_at": now,
            "created_at": now - timedelta(seconds=5),
        },
    )
    stored = UssdSession.objects.get(pk=pk)
    assert stored.session_id == "rows-1" and stored.phone == "+996555000111"
    assert stored.state == {"path": ["3", "3"], "amount": "10.50", "name": "Айгуль"}  # JSON, not its text
    assert stored.updated_at == now and stored.created_at == now - timedelta(seconds=5)  # aware datetimes
    assert stored.consumed == 2 and stored.ended is False and stored.last_response == "CON Введите ИНН"


def test_the_upsert_updates_the_row_of_that_key_and_keeps_when_it_was_created():
    first, later = timezone.now() - timedelta(minutes=1), timezone.now()
    values = {
        "session_id": "rows-2",
        "phone": "+996555000111",
        "state": {"n": 1},
        "consumed": 1,
        "last_text_digest": "",
        "last_response": "",
        "ended": False,
    }
    pk = row_insert(UssdSession, {**values, "updated_at": first, "created_at": first}, upsert_on="session_id")
    again = row_insert(
        UssdSession,
        {**values, "state": {"n": 2}, "consumed": 3, "ended": True, "updated_at": later, "created_at": later},
        upsert_on="session_id",
    )
    assert again == pk and UssdSession.objects.filter(session_id="rows-2").count() == 1
    stored = UssdSession.objects.get(pk=pk)
    assert stored.state == {"n": 2} and stored.consumed == 3 and stored.ended is True
    assert stored.updated_at == later and stored.created_at == first


def test_a_queued_sms_is_the_row_the_dispatcher_expects(make_wallet, dostek):
    wallet = make_wallet(balance="100")
    payment = make_payment(wallet=wallet, service=dostek, amount="10", key="rows-sms")
    message = sms_queue(phone=wallet.phone, text="Текст", kind=SmsKind.REVERSAL, payment=payment)
    stored = SmsMessage.objects.get(pk=message.pk)
    assert (stored.phone, stored.text, stored.kind, stored.status) == (wallet.phone, "Текст", "reversal", "queued")
    assert stored.payment_id == payment.pk and stored.resent_from_id is None and stored.attempts == 0
    assert stored.next_attempt_at == stored.created_at == message.created_at and stored.sent_at is None
    assert stored.status == SmsStatus.QUEUED and not message._state.adding and message.payment == payment
    copy = sms_queue(phone=wallet.phone, text="Текст", kind=SmsKind.REVERSAL, payment=payment, resent_from=message)
    assert SmsMessage.objects.get(pk=copy.pk).resent_from_id == message.pk


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_written_not_durable_does_not_wait_for_the_disk_and_only_in_its_own_transaction():
    def setting() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SHOW synchronous_commit")
            return cursor.fetchone()[0]

    now = timezone.now()
    values = {
        "session_id": "rows-3",
        "phone": "+996555000111",
        "state": {},
        "consumed": 0,
        "last_text_digest": "",
        "last_response": "",
        "ended": False,
        "updated_at": now,
        "created_at": now,
    }
    with transaction.atomic():
        row_insert(UssdSession, values, upsert_on="session_id")
        assert setting() == "on"  # durable by default
        row_insert(UssdSession, values, upsert_on="session_id", durable=False)
        assert setting() == "off"
    assert setting() == "on"  # is_local: the money's transactions after it wait for the disk again
    row_insert(UssdSession, values, upsert_on="session_id", durable=False)  # in autocommit, as the USSD engine
    assert setting() == "on"
