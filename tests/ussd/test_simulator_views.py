"""The phone simulator's page and its SMS inbox (demo mode only)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sms.backends.virtual import VirtualPhoneBackend
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_dispatch, sms_queue

pytestmark = pytest.mark.django_db

PAGE = "/demo/phone/"
INBOX = "/demo/phone/inbox/"


def test_page_in_demo_mode_lists_wallets_newest_first(client, make_wallet):
    older = make_wallet(phone="+996555700001")
    newer = make_wallet(phone="+996770700002")
    response = client.get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert older.phone in html and newer.phone in html
    assert html.index(newer.phone) < html.index(older.phone)
    assert "Айгуль Асанова" in html and "Beeline" in html and "Megacom" in html
    assert 'data-gateway-url="/ussd/gateway/"' in html
    assert 'data-inbox-url="/demo/phone/inbox/"' in html
    assert 'data-service-code="*900#"' in html
    assert 'data-session-timeout="180"' in html


def test_page_loads_its_script_and_has_nothing_inline(client):
    html = client.get(PAGE).content.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert any('src="/static/ussd/phone.js"' in attrs for attrs, _body in scripts)
    assert all("src=" in attrs and not body.strip() for attrs, body in scripts), "inline script"
    assert 'href="/static/ussd/phone.css"' in html
    assert not re.search(r"\sstyle=", html), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", html), "inline event handler"
    for needed in ('aria-live="polite"', 'for="sim-number"', 'for="sim-wallet"', 'for="sim-entry"'):
        assert needed in html


def test_page_lists_at_most_50_wallets(client, make_wallet):
    for _ in range(51):
        make_wallet()
    html = client.get(PAGE).content.decode()
    assert len(re.findall(r'<option value="\+996', html)) == 50


@pytest.mark.parametrize("url", [PAGE, INBOX + "?phone=+996555123456"])
def test_not_found_without_demo_mode(client, settings, url):
    settings.DEMO_MODE = False
    assert client.get(url).status_code == 404


def test_inbox_shows_only_sent_messages_of_that_number_newest_first(client, make_wallet):
    virtual_phone = VirtualPhoneBackend()  # the demo's network: the phone keeps the PIN it received
    wallet = make_wallet(phone="+996555700010")  # queues the "wallet opened" SMS with the PIN
    make_wallet(phone="+996555700011")
    sms_dispatch(backend=virtual_phone)
    later = sms_queue(phone=wallet.phone, text="второе", kind=SmsKind.CASH_IN)
    SmsMessage.objects.filter(pk=later.pk).update(created_at=timezone.now() + timedelta(seconds=1))
    sms_dispatch(backend=virtual_phone)
    sms_queue(phone=wallet.phone, text="еще в очереди", kind=SmsKind.CASH_IN)
    failed = sms_queue(phone=wallet.phone, text="не дошло", kind=SmsKind.CASH_IN)
    SmsMessage.objects.filter(pk=failed.pk).update(status=SmsStatus.FAILED)

    response = client.get(INBOX, {"phone": "0555 70 00 10"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["phone"] == "+996555700010"
    texts = [m["text"] for m in body["messages"]]
    assert texts[0] == "второе"
    assert len(texts) == 2
    assert re.search(r"PIN: \d{4}", texts[1]), texts[1]  # the virtual phone shows the PIN in clear
    first = body["messages"][1]
    assert set(first) >= {"id", "text", "kind", "sent_at"}
    assert first["kind"] == SmsKind.WALLET_OPENED
    assert first["sent_at"]


def test_inbox_does_not_deliver_with_other_backends(client, make_wallet):
    wallet = make_wallet()
    assert client.get(INBOX, {"phone": wallet.phone}).json()["messages"] == []
    assert SmsMessage.objects.get(phone=wallet.phone).status == SmsStatus.QUEUED


def test_inbox_delivers_due_messages_on_the_virtual_phone_network(client, settings, make_wallet):
    settings.SMS_BACKEND = "sms.backends.virtual.VirtualPhoneBackend"
    wallet = make_wallet()
    messages = client.get(INBOX, {"phone": wallet.phone}).json()["messages"]
    assert len(messages) == 1 and messages[0]["kind"] == SmsKind.WALLET_OPENED
    assert SmsMessage.objects.get(phone=wallet.phone).status == SmsStatus.SENT


def test_inbox_of_a_number_without_wallet_is_empty(client):
    assert client.get(INBOX, {"phone": "+996555123123"}).json() == {"phone": "+996555123123", "messages": []}


@pytest.mark.parametrize("phone", ["", "abc", "+7 900 123 45 67", "0312 62 12 34"])
def test_inbox_bad_phone_is_400_json(client, phone):
    response = client.get(INBOX, {"phone": phone})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]


def test_inbox_is_get_only(client):
    assert client.post(INBOX, {"phone": "+996555123123"}).status_code == 405
