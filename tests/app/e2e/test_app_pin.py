"""The app's PIN screens in a phone-sized Chromium (issue 19): «PIN» from home changes it (current PIN, new PIN
twice); «Забыли PIN?» on the sign-in screen brings a forgotten one back by SMS code + personal INN."""

import re

import pytest

from tests.app.e2e.test_app_flow import open_wallet, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE_NUMBER = "+996555123457"
PIN_RE = re.compile(r"PIN кошелька ЭЛСОМ: (\d{4})")


def test_change_the_pin_and_recover_a_forgotten_one_in_the_app(live_server, phone, sms_outbox):
    from wallet.operations import wallet_get, wallet_pin_is

    open_wallet(PHONE_NUMBER)
    _context, page = phone()
    sign_in(page, live_server.url, sms_outbox, phone=PHONE_NUMBER)

    # home -> «PIN»: a wrong current PIN is the server's refusal with the tries left; then the change
    page.get_by_role("link", name="PIN", exact=True).click()
    page.get_by_role("heading", name="Смена PIN").wait_for()
    page.get_by_label("Текущий PIN").fill("1357")
    page.get_by_label("Новый PIN", exact=True).fill("4862")
    page.get_by_label("Повторите новый PIN").fill("4862")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_text("Осталось попыток: 2").wait_for()
    page.get_by_label("Текущий PIN").fill("2580")
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_text("PIN изменен. Вам придет SMS.").wait_for()
    assert wallet_pin_is(wallet=wallet_get(phone=PHONE_NUMBER), pin="4862")

    # signed out, «Забыли PIN?» on the sign-in screen: the number, then the code and the personal INN
    page.get_by_role("navigation", name="Разделы приложения").get_by_role("link", name="Устройства").click()
    page.get_by_role("button", name="Выйти").click()
    page.get_by_test_id("pin-forgot").click()
    page.get_by_label("Номер телефона").fill("0555 12 34 57")
    page.get_by_role("button", name="Получить код").click()
    page.get_by_label("Личный ИНН").wait_for()
    code = re.search(r"\b(\d{6})\b", sms_outbox.last(PHONE_NUMBER).text).group(1)
    page.get_by_label("Код из SMS").fill(code)
    page.get_by_label("Личный ИНН").fill("12505199000123")
    page.get_by_role("button", name="Получить новый PIN").click()
    page.get_by_text("Новый PIN отправлен в SMS на номер 0555 12 34 57.").wait_for()
    page.get_by_role("heading", name="Вход в ЭЛСОМ").wait_for()
    new_pin = PIN_RE.search(sms_outbox.last(PHONE_NUMBER).text).group(1)
    assert wallet_pin_is(wallet=wallet_get(phone=PHONE_NUMBER), pin=new_pin)
