"""The seed's section 3 in a real browser: «Войти» -> registration with the SMS code -> «Услуги» -> «Другие» ->
«DosTek group» -> INN and amount -> «Далее» -> «Назад» -> «Далее» -> «Оплатить» -> success."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.helpers import DEMO_INN as INN

# crispy-forms marks required fields with an asterisk (hidden by CSS, so not in the accessible name).
PASSWORD_LABEL = re.compile(r"^\s*Пароль\*?\s*$")
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "Kara-Suu-Lake-2026"


def open_wallet(phone: str, amount: str = "5000") -> None:
    """A wallet opened at the back office and funded at a KICB branch, as the seed's section 1 leaves it."""
    call_command("register_wallet", phone, "--name", "Айгуль Асанова", "--inn", "12505199000123", "--pin", "2580")
    call_command("cash_in", phone, amount, "--channel", "kicb-branch")


def wallet_of(phone: str):
    from wallet.operations import wallet_get

    return wallet_get(phone=phone)


def with_web_account(phone: str, amount: str = "5000"):
    from accounts.operations import web_account_create

    open_wallet(phone, amount)
    wallet = wallet_of(phone)
    web_account_create(wallet=wallet, email=f"{phone[-6:]}@example.kg", password=PASSWORD)
    return wallet


def sign_in(page, base_url: str, phone: str) -> None:
    page.goto(base_url + "/")
    page.get_by_label("Номер кошелька ЭЛСОМ").fill(phone)
    page.get_by_role("button", name="Войти").click()
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_test_id("balance").wait_for()


def fill_dostek(page, amount: str, inn: str = INN) -> None:
    page.get_by_role("navigation", name="Личный кабинет").get_by_role("link", name="Услуги").click()
    page.get_by_role("link", name="Другие").click()
    page.get_by_role("link", name="DosTek group").click()
    page.get_by_label("ИНН компании").fill(inn)
    page.get_by_label("Сумма").fill(amount)
    page.get_by_role("button", name="Далее").click()


def test_seed_flow_registration_and_payment(live_server, make_page, shot, sms_outbox):
    from services.models import Payment

    # given a wallet opened with register_wallet and funded with cash_in
    phone = "+996555123456"
    open_wallet(phone, "5000")
    page = make_page()
    base = live_server.url

    # «Войти» with the number typed the usual way
    page.goto(base + "/")
    shot(page, "01-entry")
    page.get_by_label("Номер кошелька ЭЛСОМ").fill("0555 12 34 56")
    page.get_by_role("button", name="Войти").click()

    # registration: «Регистрация номера …», Email, Пароль, Повторите пароль, the offer, «ЗАРЕГИСТРИРОВАТЬСЯ»
    page.get_by_role("heading", name="Регистрация номера 0555 12 34 56").wait_for()
    shot(page, "02-registration")
    page.get_by_label("Email").fill("aigul.asanova@example.kg")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Повторите пароль").fill(PASSWORD)
    page.get_by_label("Я соглашаюсь с условиями").check()
    assert page.get_by_role("link", name="публичной оферты").get_attribute("href") == "/offer/"
    page.get_by_role("button", name="ЗАРЕГИСТРИРОВАТЬСЯ").click()

    # the SMS code from the outbox
    page.get_by_label("Код из SMS").wait_for()
    shot(page, "03-sms-code")
    message = sms_outbox.last(phone)
    assert message.kind == "code"
    code = re.search(r"\b(\d{6})\b", message.text).group(1)
    page.get_by_label("Код из SMS").fill(code)
    page.get_by_role("button", name="Подтвердить").click()

    # the cabinet: name, number, balance
    page.get_by_test_id("balance").wait_for()
    assert page.get_by_test_id("balance").inner_text() == "5 000.00"
    assert "Айгуль Асанова" in page.content()
    shot(page, "04-cabinet")
    # the language switch: Кыргызча, then back to Русский
    page.get_by_role("button", name="Кыргызча").click()
    page.get_by_role("heading", name="Тарых").wait_for()
    assert page.locator("html").get_attribute("lang") == "ky"
    shot(page, "04b-cabinet-ky")
    page.get_by_role("button", name="Русский").click()
    page.get_by_role("heading", name="История").wait_for()

    # «Услуги» -> «Другие» -> «DosTek group» -> INN and amount -> «Далее»
    page.get_by_role("navigation", name="Личный кабинет").get_by_role("link", name="Услуги").click()
    shot(page, "05-services")
    page.get_by_role("link", name="Другие").click()
    shot(page, "06-other")
    page.get_by_role("link", name="DosTek group").click()
    page.get_by_label("ИНН компании").fill("0150 3201 0100 11")
    page.get_by_label("Сумма").fill("1 234,50")
    shot(page, "07-form")
    page.get_by_role("button", name="Далее").click()

    # confirm, then «Назад»: both values kept
    assert page.get_by_test_id("account").inner_text() == INN
    assert page.get_by_test_id("amount").inner_text() == "1 234.50 сом"
    shot(page, "08-confirm")
    page.get_by_role("link", name="Назад").click()
    assert page.get_by_label("ИНН компании").input_value() == INN
    assert page.get_by_label("Сумма").input_value() == "1234.50"
    shot(page, "09-back")
    page.get_by_role("button", name="Далее").click()

    # «Оплатить» -> success with the payment code
    page.get_by_role("button", name="Оплатить").click()
    page.get_by_text("Оплата прошла успешно").wait_for()
    shot(page, "10-success")
    shown_code = page.get_by_test_id("payment-code").inner_text()

    # then: one payment with that code, balance lowered by the total, the SMS with the same code, ledger clean
    payment = Payment.objects.get()
    assert payment.code == shown_code and payment.channel == "web" and payment.account == INN
    wallet = wallet_of(phone)
    assert wallet.balance == Decimal("5000.00") - payment.total == payment.balance_after
    sms = sms_outbox.last(phone)
    assert sms.kind == "payment" and shown_code in sms.text
    call_command("check_ledger")

    # the cabinet shows the new balance, the history the payment, the receipt its code
    page.get_by_role("link", name="В кабинет").click()
    assert page.get_by_test_id("balance").inner_text() == "3 765.50"
    page.get_by_role("navigation", name="Личный кабинет").get_by_role("link", name="История").click()
    shot(page, "11-history")
    page.get_by_role("link", name="Квитанция").first.click()
    assert shown_code in page.content()
    page.emulate_media(media="print")
    shot(page, "12-receipt-print")


def test_double_click_on_oplatit_charges_once(live_server, make_page, shot):
    from services.models import Payment

    wallet = with_web_account("+996770123456", "1000")  # a Beeline number
    page = make_page()
    sign_in(page, live_server.url, wallet.phone)
    fill_dostek(page, "300")
    page.get_by_role("button", name="Оплатить").dblclick()
    page.get_by_text("Оплата прошла успешно").wait_for()
    shot(page, "success")
    assert Payment.objects.count() == 1
    assert wallet_of(wallet.phone).balance == Decimal("700.00")
    # back to the confirm page and «Оплатить» again: the same payment, nothing more charged
    page.go_back()
    if page.get_by_role("button", name="Оплатить").count():
        page.get_by_role("button", name="Оплатить").click()
    assert Payment.objects.count() == 1
    assert wallet_of(wallet.phone).balance == Decimal("700.00")
    call_command("check_ledger")


def test_sign_in_lockout_after_five_wrong_passwords(live_server, make_page, shot):
    wallet = with_web_account("+996700123456")  # an O! number
    page = make_page()
    page.goto(live_server.url + "/")
    page.get_by_label("Номер кошелька ЭЛСОМ").fill(wallet.phone)
    page.get_by_role("button", name="Войти").click()
    for attempt in range(1, 5):
        page.get_by_label(PASSWORD_LABEL).fill(f"wrong-password-{attempt}")
        page.get_by_role("button", name="Войти").click()
        page.get_by_text("Неверный пароль").wait_for()
    page.get_by_label(PASSWORD_LABEL).fill("wrong-password-5")
    page.get_by_role("button", name="Войти").click()
    page.get_by_test_id("lockout").wait_for()
    assert "15 минут" in page.get_by_test_id("lockout").inner_text()
    shot(page, "locked")
    # the right password is refused as well while locked
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_test_id("lockout").wait_for()
    assert page.get_by_test_id("balance").count() == 0


def test_payment_at_360px(live_server, make_page, shot):
    from services.models import Payment

    wallet = with_web_account("+996555654321", "800")
    page = make_page(width=360, height=780)

    def fits(name):
        shot(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{name}: the page is {width}px wide"

    page.goto(live_server.url + "/")
    fits("01-entry")
    sign_in(page, live_server.url, wallet.phone)
    fits("02-cabinet")
    fill_dostek(page, "100,50")
    fits("03-confirm")
    page.get_by_role("button", name="Оплатить").click()
    page.get_by_text("Оплата прошла успешно").wait_for()
    fits("04-success")
    code = page.get_by_test_id("payment-code").inner_text()
    assert Payment.objects.get().code == code
    page.get_by_role("link", name="Квитанция").click()
    fits("05-receipt")
