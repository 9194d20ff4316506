"""The phone simulator in headless Chromium: open a wallet over *900#, read the PIN from the SMS inbox panel,
pay DosTek group with it."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from services.models import Payment
from services.verify import books_violations
from sms.backends.virtual import VirtualPhoneBackend
from sms.outbox import sms_dispatch
from tests.helpers import DEMO_INN as COMPANY_INN
from wallet.models import Wallet
from wallet.operations import cash_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NUMBER = "+996555123123"  # Megacom, no wallet yet


def deliver_sms() -> None:
    """The test backend is locmem and no dispatcher runs: deliver what is queued, as `send_sms` does in demo mode,
    to the virtual phone (which keeps the PIN it received; the outbox keeps it starred)."""
    sms_dispatch(backend=VirtualPhoneBackend())


def test_open_wallet_read_pin_from_inbox_and_pay_dostek(live_server, page, shot):
    screen = page.locator("#sim-screen")
    inbox = page.locator("#sim-inbox")

    def answer(text: str, expected: str, *, keyboard: bool = False) -> None:
        if keyboard:  # the physical keyboard, with the focus outside any field
            page.locator("body").focus()
            page.keyboard.type(text)
            page.keyboard.press("Enter")
        else:  # the line under the screen (takes letters), Enter sends
            page.locator("#sim-entry").fill(text)
            page.locator("#sim-entry").press("Enter")
        expect(page.locator("#sim-entry")).to_have_value("")  # cleared when the reply has arrived
        expect(screen).to_contain_text(expected)

    def click_keys(keys: str) -> None:
        for key in keys:
            page.locator(f'.sim-keypad [data-key="{key}"]').click()

    page.goto(f"{live_server.url}/demo/phone/")
    expect(screen).to_contain_text("Сначала выберите номер")
    page.locator("#sim-number").fill("0555 12 31 23")
    page.locator("#sim-number-apply").click()
    expect(page.locator("#sim-current")).to_have_text(NUMBER)
    expect(page.locator("#sim-inbox-status")).to_contain_text("Сообщений нет")
    shot("number")

    # Registration, dialled on the keypad with the mouse.
    click_keys("*900#")
    expect(page.locator("#sim-entry")).to_have_value("*900#")
    page.locator('[data-action="call"]').click()
    expect(screen).to_contain_text("1 Русский")
    expect(page.locator("#sim-timer")).to_have_text(re.compile(r"^[23]:[0-5]\d$"))
    shot("language")
    click_keys("1")
    page.locator('[data-action="call"]').click()
    expect(screen).to_contain_text("Регистрация кошелька ЭЛСОМ")
    answer("1", "Введите Ваше имя и фамилию", keyboard=True)
    answer("Асан Усенов", "Введите Ваш личный ИНН")
    answer("22002199500567", "ИНН: 22002199500567", keyboard=True)
    shot("check")
    answer("1", "Оферта", keyboard=True)
    answer("1", "Кошелек ЭЛСОМ открыт", keyboard=True)
    expect(page.locator("#sim-timer")).not_to_have_text(re.compile(r"\d:\d\d"))  # the session is over
    shot("registered")

    wallet = Wallet.objects.get(phone=NUMBER)
    assert wallet.full_name == "Асан Усенов"
    deliver_sms()
    expect(inbox).to_contain_text("PIN:")  # polled every 2 s, no reload
    pin = re.search(r"PIN: (\d{4})", inbox.inner_text()).group(1)
    shot("pin-sms")

    cash_in(wallet=wallet, amount=Decimal("1000"), channel="qiwi")
    deliver_sms()
    expect(inbox.locator(".sim-sms")).to_have_count(2)

    # Payment: *900# typed on the keyboard, then the menu numbers one by one.
    page.locator("body").focus()
    page.keyboard.type("*900#")
    page.keyboard.press("Enter")
    expect(screen).to_contain_text("3 Платежи/Комм.услуги")
    answer("3", "3 Оплатить счет", keyboard=True)
    answer("3", "1 Мобильная связь", keyboard=True)
    answer("14", "14 Достэк", keyboard=True)
    answer("14", "Лицевой счет (ИНН компании)", keyboard=True)
    answer(COMPANY_INN, "Введите сумму", keyboard=True)
    answer("500", "Введите PIN", keyboard=True)
    expect(screen).to_contain_text("Сумма: 500.00 сом")
    shot("confirm")
    answer(pin, "Платеж принят. Код:", keyboard=True)
    code = re.search(r"Платеж принят\. Код: (\d{12})", screen.inner_text()).group(1)
    shot("paid")

    wallet.ledger_account.refresh_from_db()
    assert wallet.ledger_account.balance == Decimal("500.00")
    payment = Payment.objects.get(code=code)
    assert payment.wallet_id == wallet.pk and payment.account == COMPANY_INN and payment.amount == Decimal("500.00")
    deliver_sms()
    expect(inbox.locator(".sim-sms").first).to_contain_text(code)
    expect(inbox.locator(".sim-sms")).to_have_count(3)
    shot("payment-sms")
    assert books_violations() == []


def test_dial_with_inputs_countdown_and_timeout(live_server, page, shot, make_wallet):
    """*900*3*3*14*14# lands on the account step; the countdown restarts with each answer and ends the
    session at 0 (the page's clock is Playwright's, so 180 s pass at once)."""
    wallet = make_wallet(phone="+996555123124")
    page.clock.install()
    page.goto(f"{live_server.url}/demo/phone/")
    page.locator("#sim-wallet").select_option(wallet.phone)
    expect(page.locator("#sim-current")).to_have_text(wallet.phone)

    screen, timer = page.locator("#sim-screen"), page.locator("#sim-timer")
    page.locator("#sim-entry").fill("*900*3*3*14*14#")
    page.locator("#sim-entry").press("Enter")
    expect(screen).to_contain_text("Лицевой счет (ИНН компании)")
    expect(timer).to_have_text("3:00")

    page.clock.run_for("01:40")
    expect(timer).to_have_text(re.compile(r"^1:(19|20)$"))
    page.locator("#sim-entry").fill(COMPANY_INN)
    page.locator("#sim-entry").press("Enter")
    expect(screen).to_contain_text("Введите сумму")
    expect(timer).to_have_text("3:00")
    shot("countdown")

    page.clock.run_for("03:01")
    expect(timer).not_to_have_text(re.compile(r"\d:\d\d"))
    expect(screen).to_contain_text("Время сессии истекло")
    shot("timeout")

    # Hang-up ends a session at once.
    page.locator("#sim-entry").fill("*900#")
    page.locator("#sim-entry").press("Enter")
    expect(screen).to_contain_text("Платежи/Комм.услуги")
    page.keyboard.press("Escape")
    expect(screen).to_have_text("Сеанс завершен.")
    assert Payment.objects.count() == 0
