"""The holder's own PIN in a real browser (issue 19): an O! number (no *900#) opens its wallet on the website, is
told by SMS to change the PIN there, changes it in the cabinet and pays DosTek in the app with the new PIN; another
holder recovers a forgotten PIN on the website (SMS code + personal INN) and pays with it over USSD."""

import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from tests.cabinet.e2e.test_cabinet_flow import PASSWORD, PASSWORD_LABEL
from tests.helpers import DEMO_INN

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

O_NUMBER = "+996700991234"
MEGACOM_NUMBER = "+996555771234"
PERSONAL_INN = "12505199000123"
PIN_RE = re.compile(r"PIN(?: кошелька ЭЛСОМ)?: (\d{4})")


def code_in(sms_outbox, phone: str) -> str:
    return re.search(r"\b(\d{6})\b", sms_outbox.last(phone).text).group(1)


def test_an_o_holder_changes_the_sms_pin_in_the_cabinet_and_pays_in_the_app(live_server, make_page, sms_outbox):
    from services.models import Payment
    from wallet.operations import cash_in, wallet_get

    # an O! number opens its wallet on the website
    page = make_page(width=390, height=844)
    page.goto(live_server.url + "/")
    page.get_by_label("Номер кошелька ЭЛСОМ").fill("0700 99 12 34")
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("button", name="Получить код в SMS").click()
    page.get_by_label("Код из SMS").fill(code_in(sms_outbox, O_NUMBER))
    page.get_by_role("button", name="Подтвердить").click()
    page.get_by_label("Ваше имя и фамилия").fill("Азамат Бекуулу")
    page.get_by_label("Ваш личный ИНН").fill(PERSONAL_INN)
    page.get_by_label("Я соглашаюсь с условиями").check()
    page.get_by_role("button", name="Открыть кошелек").click()
    page.get_by_test_id("wallet-opened").wait_for()
    opened = sms_outbox.last(O_NUMBER)
    assert opened.kind == "wallet_opened"
    # the SMS names the way that works for O!: the website and the app, not *900#
    assert "*900#" not in opened.text and "elsom.kg" in opened.text and "«PIN»" in opened.text
    sms_pin = PIN_RE.search(opened.text).group(1)

    page.get_by_role("link", name="Добавить email и пароль").click()
    page.get_by_label("Email").fill("azamat.b@example.kg")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Повторите пароль").fill(PASSWORD)
    page.get_by_label("Я соглашаюсь с условиями").check()
    page.get_by_role("button", name="ЗАРЕГИСТРИРОВАТЬСЯ").click()
    page.get_by_test_id("balance").wait_for()

    # «PIN» beside «Пароль»: current PIN (the SMS one), new PIN twice
    page.get_by_test_id("nav-pin").click()
    page.get_by_role("heading", name="Смена PIN").wait_for()
    page.get_by_label("Текущий PIN").fill(sms_pin)
    page.locator("#id_new_pin1").fill("1234")  # too easy: refused at the field
    page.get_by_label("Повторите новый PIN").fill("1234")
    page.get_by_role("button", name="Сохранить PIN").click()
    page.get_by_text("Такой PIN легко угадать").wait_for()
    new_pin = "4862" if sms_pin != "4862" else "5937"
    page.get_by_label("Текущий PIN").fill(sms_pin)
    page.locator("#id_new_pin1").fill(new_pin)
    page.get_by_label("Повторите новый PIN").fill(new_pin)
    page.get_by_role("button", name="Сохранить PIN").click()
    page.get_by_text("PIN изменен. Вам придет SMS.").wait_for()
    assert sms_outbox.last(O_NUMBER).kind == "pin_changed"

    # the app: sign in with an SMS code, pay DosTek with the new PIN
    cash_in(wallet=wallet_get(phone=O_NUMBER), amount=Decimal("1000"), channel="kicb-branch")
    app = make_page(width=390, height=844)
    app.goto(live_server.url + "/app/")
    app.get_by_label("Номер телефона").fill("0700 99 12 34")
    app.get_by_role("button", name="Получить код").click()
    app.get_by_role("heading", name="Подтвердите номер").wait_for()
    app.get_by_label("Код из SMS").fill(code_in(sms_outbox, O_NUMBER))
    app.get_by_role("button", name="Войти").click()
    app.get_by_test_id("balance").wait_for()
    app.get_by_role("link", name="Другие услуги").click()
    app.get_by_role("link", name="Другие", exact=True).click()
    app.get_by_role("link", name="DosTek group").click()
    app.get_by_label("ИНН компании").fill(DEMO_INN)
    app.get_by_label("Сумма").fill("250")
    app.get_by_role("button", name="Далее").click()
    app.get_by_role("heading", name="Проверьте платеж").wait_for()
    app.get_by_label("PIN").fill(new_pin)
    app.get_by_role("button", name="Оплатить").click()
    app.get_by_role("heading", name="Оплата прошла успешно").wait_for()
    payment = Payment.objects.get()
    assert (payment.channel, payment.account, payment.amount) == ("app", DEMO_INN, Decimal("250.00"))


def test_a_forgotten_pin_comes_back_on_the_website_and_pays_over_ussd(live_server, make_page, sms_outbox, dial):
    from services.models import Payment

    call_command("register_wallet", MEGACOM_NUMBER, "--name", "Айгуль Асанова", "--inn", PERSONAL_INN, "--pin", "2580")
    call_command("cash_in", MEGACOM_NUMBER, "1000", "--channel", "kicb-branch")

    # «Забыли PIN кошелька?» on the entry page: the number, the SMS code, the personal INN
    page = make_page(width=390, height=844)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Забыли PIN кошелька?").click()
    page.get_by_label("Номер кошелька ЭЛСОМ").fill("0555 77 12 34")
    page.get_by_role("button", name="Получить код").click()
    page.get_by_role("heading", name="Новый PIN").wait_for()
    page.get_by_label("Код из SMS").fill(code_in(sms_outbox, MEGACOM_NUMBER))
    page.get_by_label("Личный ИНН").fill("12505199000999")  # not the holder's: one try spent
    page.get_by_role("button", name="Получить новый PIN").click()
    page.get_by_text("Осталось попыток: 2").wait_for()
    page.get_by_label("Код из SMS").fill(code_in(sms_outbox, MEGACOM_NUMBER))
    page.get_by_label("Личный ИНН").fill(PERSONAL_INN)
    page.get_by_role("button", name="Получить новый PIN").click()
    page.get_by_text("Новый PIN отправлен в SMS на номер 0555 77 12 34.").wait_for()
    message = sms_outbox.last(MEGACOM_NUMBER)
    assert message.kind == "pin_reset" and "*900# -> 8 -> 3" in message.text  # Megacom: USSD is its way
    new_pin = PIN_RE.search(message.text).group(1)

    # *900# -> 3 Оплатить счет -> Другие услуги -> Достэк, paid with the new PIN
    pay = ("3", "3", "14", "14", DEMO_INN, "300")
    assert dial("forgot", MEGACOM_NUMBER, *pay).endswith("Введите PIN:")
    done = dial("forgot", MEGACOM_NUMBER, *pay, new_pin)
    code = re.search(r"Код: (\d{12})", done).group(1)
    payment = Payment.objects.get(code=code)
    assert (payment.channel, payment.amount) == ("ussd", Decimal("300.00"))
