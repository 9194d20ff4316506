"""Opening a wallet on the website for an O! number in a real browser (issue 10, section 2): «Войти» -> «Получить
код в SMS» -> the code -> name and surname, personal INN, the offer -> «Открыть кошелек» -> the PIN by SMS ->
email and password -> the cabinet."""

import re

import pytest

from tests.cabinet.e2e.test_cabinet_flow import PASSWORD, PASSWORD_LABEL

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

O_NUMBER = "+996700555111"


def test_an_o_number_opens_its_wallet_on_the_website(live_server, make_page, shot, sms_outbox):
    from wallet.models import OpenedChannel, Wallet

    page = make_page(width=390, height=844)
    page.goto(live_server.url + "/")
    page.get_by_label("Номер кошелька ЭЛСОМ").fill("0700 555 111")
    page.get_by_role("button", name="Войти").click()

    page.get_by_role("heading", name="Открыть кошелек ЭЛСОМ").wait_for()
    shot(page, "01-open")
    page.get_by_role("button", name="Получить код в SMS").click()
    code = re.search(r"\b(\d{6})\b", sms_outbox.last(O_NUMBER).text).group(1)
    page.get_by_label("Код из SMS").fill(code)
    page.get_by_role("button", name="Подтвердить").click()

    page.get_by_label("Ваше имя и фамилия").fill("Айгуль Токтосунова")
    page.get_by_label("Ваш личный ИНН").fill("12505199000123")
    page.get_by_role("button", name="Открыть кошелек").click()
    # the offer not ticked: nothing opened, the form says why
    page.get_by_text("согласитесь с условиями публичной оферты").wait_for()
    assert not Wallet.objects.filter(phone=O_NUMBER).exists()
    page.get_by_label("Я соглашаюсь с условиями").check()
    shot(page, "02-details")
    page.get_by_role("button", name="Открыть кошелек").click()

    page.get_by_test_id("wallet-opened").wait_for()
    shot(page, "03-opened")
    wallet = Wallet.objects.get(phone=O_NUMBER)
    assert wallet.opened_channel == OpenedChannel.WEB and wallet.operator == "o"
    assert sms_outbox.last(O_NUMBER).kind == "wallet_opened"

    page.get_by_role("link", name="Добавить email и пароль").click()
    page.get_by_label("Email").fill("aigul.t@example.kg")
    page.get_by_label(PASSWORD_LABEL).fill(PASSWORD)
    page.get_by_label("Повторите пароль").fill(PASSWORD)
    page.get_by_label("Я соглашаюсь с условиями").check()
    page.get_by_role("button", name="ЗАРЕГИСТРИРОВАТЬСЯ").click()
    page.get_by_test_id("balance").wait_for()
    assert page.get_by_test_id("balance").inner_text() == "0.00"
    shot(page, "04-cabinet")
