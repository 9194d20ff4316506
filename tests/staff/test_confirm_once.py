"""One click acts once: ten simultaneous POSTs of one staff confirmation (a double click, a browser's retry, a
script) make one action, one SMS, one audit row, on both databases. The session alone could not tell them apart:
each request reads it before any writes it back."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry, StaffAction
from core.once import once_claim
from sms.models import SmsKind, SmsMessage
from sms.outbox import sms_dispatch
from tests.helpers import identity_checked, values_of_concurrent
from tests.staff.conftest import number

REASON = "клиент не получил SMS о платеже"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_parallel_confirms_of_one_page_act_once(console, customer):
    # given: an agent on the confirm page of «Повторить SMS о платеже» (one token in the session)
    agent = console("agent")
    sms_dispatch()  # the payment SMS went out: a resend queues a copy (one still queued would be reused)
    url = reverse("staff:wallet_action", args=[number(customer), "resend-sms"])
    page = agent.post(url, {"reason": REASON})
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    cookies = agent.cookies
    sms_before = SmsMessage.objects.filter(kind=SmsKind.PAYMENT, phone=customer.phone).count()

    # when: ten clients with that session press «Подтвердить» at once
    def press(_index: int) -> int:
        client = Client()
        client.cookies = cookies
        return client.post(url, {"reason": REASON, "token": token, "confirm": "1"}).status_code

    statuses = values_of_concurrent(10, press)

    # then: every one is answered, and exactly one acted
    assert statuses == [302] * 10
    assert AuditEntry.objects.filter(action=StaffAction.SMS_RESEND).count() == 1
    assert SmsMessage.objects.filter(kind=SmsKind.PAYMENT, phone=customer.phone).count() == sms_before + 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ten_parallel_new_pin_confirms_send_one_pin(console, customer):
    """The «ten parallel new PINs sent four different PINs» finding: one PIN SMS."""
    agent = console("agent")
    identity_checked(customer, agent.user)
    url = reverse("staff:wallet_action", args=[number(customer), "new-pin"])
    page = agent.post(url, {"reason": "забыл PIN, личность проверена"})
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    cookies = agent.cookies

    def press(_index: int) -> int:
        client = Client()
        client.cookies = cookies
        data = {"reason": "забыл PIN, личность проверена", "token": token, "confirm": "1"}
        return client.post(url, data).status_code

    values_of_concurrent(10, press)
    assert SmsMessage.objects.filter(kind=SmsKind.PIN_RESET, phone=customer.phone).count() == 1
    assert AuditEntry.objects.filter(action=StaffAction.PIN_RESET).count() == 1


@pytest.mark.django_db
def test_a_key_is_claimed_once():
    assert once_claim("k-1") is True
    assert once_claim("k-1") is False
    assert once_claim("k-2") is True
