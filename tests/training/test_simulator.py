"""The phone simulator's training fixes: opened with a number (`?phone=`), a picker that marks blocked and PIN-locked
wallets and refreshes itself, SMS times in Bishkek time; the virtual phone still delivers behind the training
gateway."""

import re
from datetime import UTC, datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audit.operations import SYSTEM
from sms.models import SmsMessage, SmsStatus
from sms.outbox import sms_dispatch
from tests.helpers import lock_pin
from wallet.models import WalletStatus
from wallet.operations import wallet_set_status

PAGE, WALLETS, INBOX = "/demo/phone/", "/demo/phone/wallets/", "/demo/phone/inbox/"


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["0555 12 31 23", "+996555123123", "555123123"])
def test_opened_with_a_number_filled_in(client, typed):
    html = client.get(PAGE, {"phone": typed}).content.decode()
    assert 'value="+996555123123"' in html
    assert 'aria-invalid="true"' not in html


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["+7 900 123 45 67", "abc<script>", "1\x00", "9" * 100_000])
def test_a_bad_number_in_the_link_is_shown_with_the_reason_never_a_500(client, typed):
    response = client.get(PAGE, {"phone": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and "<script>" not in html.split("<main")[1].split("</main>")[0]
    assert re.search(r'id="sim-number-error"[^>]*>[^<]+<', html)


@pytest.mark.django_db
def test_picker_marks_blocked_and_pin_locked_wallets(client, make_wallet):
    active = make_wallet(phone="+996555700101")
    blocked = make_wallet(phone="+996555700102")
    locked = make_wallet(phone="+996555700103")
    wallet_set_status(wallet=blocked, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="тест")
    lock_pin(locked)
    html = client.get(PAGE).content.decode()
    assert re.search(rf'value="\{blocked.phone}" data-blocked="1">[^<]*заблокирован', html)
    assert re.search(rf'value="\{locked.phone}" data-pin-locked="1">[^<]*PIN заблокирован', html)
    assert re.search(rf'value="\{active.phone}">[^<]*Megacom</option>', html)
    listed = {w["phone"]: w for w in client.get(WALLETS).json()["wallets"]}
    assert listed[blocked.phone]["blocked"] and not listed[blocked.phone]["pin_locked"]
    assert listed[locked.phone]["pin_locked"] and not listed[active.phone]["blocked"]


@pytest.mark.django_db
def test_wallets_endpoint_is_demo_only_and_get_only(client, settings):
    assert client.post(WALLETS).status_code == 405
    settings.DEMO_MODE = False
    assert client.get(WALLETS).status_code == 404


@pytest.mark.django_db
def test_sms_time_is_bishkek_time_whatever_the_server_zone(client, settings, make_wallet):
    settings.TIME_ZONE = "UTC"
    wallet = make_wallet()
    sms_dispatch()
    SmsMessage.objects.filter(phone=wallet.phone).update(sent_at=datetime(2026, 1, 15, 4, 30, tzinfo=UTC))
    message = client.get(INBOX, {"phone": wallet.phone}).json()["messages"][0]
    assert message["sent_at"] == "2026-01-15T10:30:00+06:00"
    assert message["sent_at_display"] == "15.01.2026 10:30:00"


@pytest.mark.django_db
def test_the_inbox_delivers_through_the_training_gateway_to_the_virtual_phone(client, settings, make_wallet):
    """The demo's default SMS_BACKEND (training gateway -> virtual phone): the inbox still delivers by itself."""
    settings.SMS_BACKEND = "sms.backends.failing.FailingNumbersBackend"
    settings.SMS_FAULTS_DELEGATE = "sms.backends.virtual.VirtualPhoneBackend"
    wallet = make_wallet()
    assert len(client.get(INBOX, {"phone": wallet.phone}).json()["messages"]) == 1
    assert SmsMessage.objects.get(phone=wallet.phone).status == SmsStatus.SENT


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_browser_link_with_number_registration_refreshes_picker_and_bishkek_times(live_server, browser, settings):
    """In a browser whose clock is in New York: /demo/phone/?phone=… opens on that number, a USSD registration puts
    the new wallet into the picker without a reload, and the PIN SMS shows Bishkek time."""
    settings.SMS_BACKEND = "sms.backends.virtual.VirtualPhoneBackend"
    context = browser.new_context(locale="ru-RU", timezone_id="America/New_York")
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server.url}{PAGE}?phone=0555%2012%2031%2029")
        expect(page.locator("#sim-current")).to_have_text("+996555123129")
        expect(page.locator('#sim-wallet option[value="+996555123129"]')).to_have_count(0)
        screen = page.locator("#sim-screen")
        page.locator("#sim-entry").fill("*900#")
        page.locator("#sim-entry").press("Enter")
        expect(screen).to_contain_text("Русский")
        for answer, expected in [
            ("1", "Регистрация кошелька"),
            ("1", "имя и фамилию"),
            ("Асан Усенов", "личный ИНН"),
            ("22002199500567", "ИНН: 22002199500567"),
            ("1", "Оферта"),
            ("1", "Кошелек ЭЛСОМ открыт"),
        ]:
            page.locator("#sim-entry").fill(answer)
            page.locator("#sim-entry").press("Enter")
            expect(screen).to_contain_text(expected)
        option = page.locator('#sim-wallet option[value="+996555123129"]')
        expect(option).to_have_count(1)
        expect(option).to_contain_text("Асан Усенов")
        expect(page.locator("#sim-wallet")).to_have_value("+996555123129")
        sms_time = page.locator("#sim-inbox .sim-sms time").first
        expect(sms_time).to_have_text(re.compile(r"^\d\d\.\d\d\.\d{4} \d\d:\d\d:\d\d$"))
        message = SmsMessage.objects.get(phone="+996555123129")
        assert sms_time.inner_text() == timezone.localtime(message.sent_at, timezone.get_fixed_timezone(360)).strftime(
            "%d.%m.%Y %H:%M:%S"
        )
    finally:
        context.close()
    assert errors == []
