"""Every *900# flow of the seed and every error path, through the gateway as Africa's Talking posts them."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from audit.operations import SYSTEM
from services.models import Payment, Service
from services.verify import books_violations
from sms.models import SmsKind
from tests.helpers import DEMO_INN as INN
from tests.helpers import pin_is
from ussd.models import UssdSession
from wallet.models import Wallet

pytestmark = pytest.mark.django_db
PAY = ("3", "3", "14", "14")


def test_registered_number_sees_the_main_menu(dial, make_wallet):
    wallet = make_wallet()
    screen = dial("s1", wallet.phone)
    assert screen == "CON ЭЛСОМ\n3 Платежи/Комм.услуги\n8 Баланс/Настройки"


def test_seed_payment_flow_pays_dostek_and_sends_the_code(dial, make_wallet, sms_outbox):
    """3 -> 3 -> 14 -> 14 -> INN -> amount -> PIN: the same payment_execute as the web, the SMS with the code."""
    # given
    wallet = make_wallet(balance="1000")
    # when
    assert dial("p", wallet.phone).startswith("CON ЭЛСОМ")
    assert "3 Оплатить счет" in dial("p", wallet.phone, "3")
    assert dial("p", wallet.phone, "3", "3").startswith("CON Оплатить счет\n1 Мобильная связь")
    assert dial("p", wallet.phone, "3", "3", "14") == "CON Другие услуги\n14 Достэк\n0 Назад"
    assert dial("p", wallet.phone, *PAY) == "CON Лицевой счет (ИНН компании):"
    assert dial("p", wallet.phone, *PAY, INN) == "CON Введите сумму (сом):"
    confirm = dial("p", wallet.phone, *PAY, INN, "500")
    assert confirm == f"CON ИНН компании: {INN}\nСумма: 500.00 сом\nВведите PIN:"
    done = dial("p", wallet.phone, *PAY, INN, "500", "2580")
    # then
    code = re.fullmatch(r"END Платеж принят\. Код: (\d{12})\. SMS с кодом придет на ваш номер\.", done).group(1)
    payment = Payment.objects.get(code=code)
    assert (payment.channel, payment.account, payment.amount) == ("ussd", INN, Decimal("500.00"))
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("500.00")
    assert f"код {code}" in sms_outbox.last(wallet.phone).text
    assert books_violations() == []


def test_steps_typed_at_once_land_where_they_lead(dial, make_wallet):
    """*900*3*3*14*14# arrives as one text: the engine walks all four menus."""
    wallet = make_wallet()
    assert dial("once", wallet.phone, *PAY) == "CON Лицевой счет (ИНН компании):"


def test_gateway_retry_returns_the_same_screen_and_never_pays_twice(dial, make_wallet):
    wallet = make_wallet(balance="1000")
    first = dial("r", wallet.phone, *PAY, INN, "100", "2580")
    again = dial("r", wallet.phone, *PAY, INN, "100", "2580")
    assert first == again and first.startswith("END Платеж принят")
    assert Payment.objects.count() == 1
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("900.00")


def test_menu_pages_next_and_back_and_numbers_from_any_page(dial, make_wallet):
    """A long menu is split with «98 Далее»; 0 goes back a page; 14 works from the first page too."""
    wallet = make_wallet()
    first = dial("m", wallet.phone, "3", "3")
    assert "98 Далее" in first and "14" not in first
    second = dial("m", wallet.phone, "3", "3", "98")
    assert second == "CON 14 Другие услуги\n0 Назад"
    assert dial("m", wallet.phone, "3", "3", "98", "0") == first
    assert dial("m", wallet.phone, "3", "3", "98", "0", "0") == "CON Платежи/Комм.услуги\n3 Оплатить счет\n0 Назад"
    assert dial("m", wallet.phone, "3", "3", "98", "0", "0", "00").startswith("CON ЭЛСОМ\n3 Платежи")
    assert dial("m2", wallet.phone, "3", "3", "14").startswith("CON Другие услуги")


def test_catalog_changes_show_at_once(dial, make_wallet, dostek):
    """Renumbered or deactivated in admin: the USSD menu follows without a deploy."""
    wallet = make_wallet()
    dostek.ussd_number = 7
    dostek.save(update_fields=["ussd_number"])
    assert dial("c1", wallet.phone, "3", "3", "14") == "CON Другие услуги\n7 Достэк\n0 Назад"
    Service.objects.create(
        category=dostek.category,
        provider=dostek.provider,
        slug="new",
        name="Новый сервис",
        ussd_name="Новый",
        ussd_number=9,
        account_rule="digits",
    )
    assert "9 Новый" in dial("c2", wallet.phone, "3", "3", "14")
    Service.objects.filter(category=dostek.category).update(is_active=False)
    assert dial("c3", wallet.phone, "3", "3", "14") == "END Услуга недоступна."


@pytest.mark.parametrize(
    ("inputs", "screen"),
    [
        ((*PAY, "123"), "CON Неверный лицевой счет.\nЛицевой счет (ИНН компании):"),
        ((*PAY, "31503201010011"), "CON Неверный лицевой счет.\nЛицевой счет (ИНН компании):"),
        ((*PAY, INN, "abc"), "CON Неверная сумма.\nВведите сумму (сом):"),
        ((*PAY, INN, "10.005"), "CON Неверная сумма.\nВведите сумму (сом):"),
        ((*PAY, INN, "5"), "CON Сумма от 10.00 до 100 000.00 сом.\nВведите сумму (сом):"),
        ((*PAY, INN, "100001"), "CON Сумма от 10.00 до 100 000.00 сом.\nВведите сумму (сом):"),
        (("5",), "CON Неверный выбор.\nЭЛСОМ\n3 Платежи/Комм.услуги\n8 Баланс/Настройки"),
    ],
)
def test_bad_input_is_asked_again_with_a_message_and_nothing_is_charged(dial, make_wallet, inputs, screen):
    wallet = make_wallet(balance="1000")
    assert dial("bad", wallet.phone, *inputs) == screen
    assert not Payment.objects.exists()


def test_zero_is_back_also_in_an_input_step(dial, make_wallet):
    """«0 Назад» works at a question too: at the account it returns to the service list. Not at the amount, where
    0 is an amount (tests/ussd/test_amount_and_confirm.py)."""
    wallet = make_wallet(balance="1000")
    assert dial("z", wallet.phone, *PAY, "0") == "CON Другие услуги\n14 Достэк\n0 Назад"


def test_wrong_pins_show_tries_left_and_the_third_locks_across_sessions(dial, make_wallet):
    wallet = make_wallet(balance="1000")
    assert "Осталось попыток: 2" in dial("w1", wallet.phone, *PAY, INN, "100", "1111")
    assert "Осталось попыток: 1" in dial("w2", wallet.phone, *PAY, INN, "100", "1111")
    locked = dial("w3", wallet.phone, *PAY, INN, "100", "1111")
    assert locked == "END PIN заблокирован. Call-центр ЭЛСОМ: 0312 986 000"
    assert dial("w4", wallet.phone, *PAY, INN, "100", "2580").startswith("END PIN заблокирован")
    assert not Payment.objects.exists()


def test_blocked_wallet_ends_with_the_call_centre(dial, make_wallet):
    from wallet.operations import wallet_set_status

    wallet = make_wallet()
    wallet_set_status(wallet=wallet, status="blocked", actor=SYSTEM, reason="test")
    assert dial("b", wallet.phone) == "END Кошелек заблокирован. Call-центр ЭЛСОМ: 0312 986 000"


@pytest.mark.parametrize("phone", ["+996700123456", "+996500123456"])
def test_o_numbers_are_sent_to_the_website(dial, phone):
    """The seed: USSD is for Megacom and Beeline; O! uses elsom.kg or the app."""
    assert dial("o", phone) == ("END USSD недоступен для вашего оператора, используйте сайт elsom.kg или приложение")


def test_registration_opens_a_wallet_and_sends_the_pin(dial, sms_outbox):
    """Section 1 of the seed: language, 1, name, INN, 1, offer 1 -> wallet and an SMS with a 4-digit PIN."""
    phone = "+996770555666"
    assert dial("reg", phone) == "CON ЭЛСОМ\n1 Русский\n2 Кыргызча"
    assert dial("reg", phone, "1") == "CON Регистрация кошелька ЭЛСОМ\n1 - подтвердить регистрацию\n0 Назад"
    assert dial("reg", phone, "1", "1") == "CON Введите Ваше имя и фамилию:"
    assert dial("reg", phone, "1", "1", "Асан Усенов") == "CON Введите Ваш личный ИНН (14 цифр):"
    check = dial("reg", phone, "1", "1", "Асан Усенов", "22002199500567")
    assert check == "CON Асан Усенов\nИНН: 22002199500567\n1 - подтвердить\n0 Назад"
    assert "1 - принимаю" in dial("reg", phone, "1", "1", "Асан Усенов", "22002199500567", "1")
    done = dial("reg", phone, "1", "1", "Асан Усенов", "22002199500567", "1", "1")
    assert done.startswith("END Кошелек ЭЛСОМ открыт")
    wallet = Wallet.objects.get(phone=phone)
    assert (wallet.first_name, wallet.opened_channel, wallet.operator) == ("Асан", "ussd", "beeline")
    pin = re.search(r"PIN: (\d{4})", sms_outbox.last(phone).text).group(1)
    assert pin_is(wallet, pin)


def test_registration_in_kyrgyz_keeps_kyrgyz(dial):
    dial("ky", "+996555444333")
    screen = dial("ky", "+996555444333", "2")
    assert "1 - " in screen and "Регистрация кошелька" not in screen


@pytest.mark.parametrize(
    ("inputs", "screen"),
    [
        (("1", "1", "Асан"), "CON Неверное имя.\nВведите Ваше имя и фамилию:"),
        (("1", "1", "Асан Усенов", "1234"), "CON Неверный ИНН.\nВведите Ваш личный ИНН (14 цифр):"),
        (("1", "1", "Асан Усенов", "01503201010011"), "CON Неверный ИНН.\nВведите Ваш личный ИНН (14 цифр):"),
        (
            ("1", "1", "Асан Усенов", "22002199500567", "1", "2"),
            "CON Наберите 1.\nОферта: elsom.kg\n1 - принимаю условия публичной оферты",
        ),
    ],
)
def test_registration_errors_ask_again(dial, inputs, screen):
    assert dial("regerr", "+996555333222", *inputs) == screen
    assert not Wallet.objects.exists()


def test_balance_and_pin_change(dial, make_wallet, sms_outbox):
    """8 -> 1 balance; 8 -> 3 «Замена пин»: current, new, repeat -> END and an SMS."""
    wallet = make_wallet(balance="250.50")
    assert dial("s", wallet.phone, "8") == "CON Баланс/Настройки\n1 Баланс\n3 Замена пин\n0 Назад"
    assert dial("bal", wallet.phone, "8", "1", "2580") == "END Баланс: 250.50 сом."
    assert dial("pin", wallet.phone, "8", "3", "2580", "1357", "1357") == "END PIN изменен. Вам придет SMS."
    wallet.refresh_from_db()
    assert pin_is(wallet, "1357")
    assert sms_outbox.last(wallet.phone).kind == SmsKind.PIN_CHANGED


@pytest.mark.parametrize(
    ("inputs", "screen"),
    [
        (("8", "3", "2580", "1234"), "CON Слишком простой PIN.\nВведите новый PIN (4 цифры):"),
        (("8", "3", "2580", "0000"), "CON Слишком простой PIN.\nВведите новый PIN (4 цифры):"),
        (("8", "3", "2580", "2580"), "CON PIN совпадает со старым.\nВведите новый PIN (4 цифры):"),
        (("8", "3", "2580", "1357", "1358"), "CON PIN не совпадает.\nВведите новый PIN (4 цифры):"),
        (("8", "3", "9999"), "CON Неверный PIN. Осталось попыток: 2.\nВведите текущий PIN:"),
    ],
)
def test_pin_change_refusals(dial, make_wallet, inputs, screen):
    wallet = make_wallet()
    assert dial("pc", wallet.phone, *inputs) == screen
    wallet.refresh_from_db()
    assert pin_is(wallet, "2580")


def test_session_expires_after_180_seconds_and_starts_over(dial, make_wallet):
    wallet = make_wallet()
    assert dial("t", wallet.phone, "3").startswith("CON Платежи")
    UssdSession.objects.filter(session_id="t").update(
        updated_at=UssdSession.objects.get(session_id="t").updated_at - timedelta(seconds=181)
    )
    assert dial("t", wallet.phone, "3", "3").startswith("CON ЭЛСОМ\n3 Платежи")


def test_no_pin_in_the_session_store(dial, make_wallet):
    """The text repeats the PIN in every request; the stored session never holds it."""
    wallet = make_wallet(balance="1000", pin="9051")
    dial("h", wallet.phone, "8", "3", "9051", "7314")
    dial("h", wallet.phone, "8", "3", "9051", "7314", "7314")
    assert pin_is(wallet, "7314")  # the PIN was changed: 9051 is now a wrong PIN, 7314 the right one
    assert "Неверный PIN" in dial("h2", wallet.phone, *PAY, INN, "100", "9051")
    assert dial("h3", wallet.phone, *PAY, INN, "100", "7314").startswith("END Платеж принят")
    codes = set(Payment.objects.values_list("code", flat=True))
    sessions = list(UssdSession.objects.all())
    # every dialled session is stored and looked at (a loop over no rows would pass for nothing), and the payment
    # whose code is masked below was made
    assert sorted(session.session_id for session in sessions) == ["h", "h2", "h3"]
    assert len(codes) == 1
    for session in sessions:
        # The random parts (the session's nonce, a payment code, an HMAC) may contain any 4 digits by chance.
        data = {key: value for key, value in session.state.items() if key != "nonce"}
        response = session.last_response
        for code in codes:
            response = response.replace(code, "<code>")
        stored = f"{data} {response}"
        assert "9051" not in stored and "7314" not in stored


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({}, "sessionId"),
        ({"sessionId": "x"}, "serviceCode"),
        ({"sessionId": "x", "serviceCode": "*999#"}, "*900#"),
        ({"sessionId": "bad id!", "serviceCode": "*900#", "phoneNumber": "+996555123456"}, "sessionId"),
        ({"sessionId": "x", "serviceCode": "*900#", "phoneNumber": "hello"}, "phoneNumber"),
        ({"sessionId": "x", "serviceCode": "*900#", "phoneNumber": "+996555123456", "text": "1\x00"}, "text"),
        ({"sessionId": "x", "serviceCode": "*900#", "phoneNumber": "+996555123456", "text": "1" * 1001}, "text"),
    ],
)
def test_malformed_requests_get_400_with_a_plain_reason(client, data, reason):
    response = client.post("/ussd/gateway/", data)
    assert response.status_code == 400 and reason in response.content.decode()
    assert not UssdSession.objects.exists()


def test_gateway_only_takes_post(client):
    assert client.get("/ussd/gateway/").status_code == 405


def test_production_requires_the_shared_secret_or_an_allowed_address(client, settings, make_wallet):
    wallet = make_wallet()
    data = {"sessionId": "sec", "serviceCode": "*900#", "phoneNumber": wallet.phone, "text": ""}
    settings.DEBUG, settings.DEMO_MODE = False, False
    settings.USSD_GATEWAY_SECRET, settings.USSD_GATEWAY_ALLOWED_NETWORKS = "", []
    assert client.post("/ussd/gateway/", data).status_code == 403  # nothing configured: closed
    settings.USSD_GATEWAY_SECRET = "s3cret-value"
    assert client.post("/ussd/gateway/", data).status_code == 403
    assert client.post("/ussd/gateway/", data, HTTP_X_USSD_SECRET="wrong").status_code == 403
    assert client.post("/ussd/gateway/", data, HTTP_X_USSD_SECRET="s3cret-value").status_code == 200
    settings.USSD_GATEWAY_SECRET, settings.USSD_GATEWAY_ALLOWED_NETWORKS = "", ["10.20.0.0/16"]
    assert client.post("/ussd/gateway/", data, REMOTE_ADDR="10.20.3.4").status_code == 200
    assert client.post("/ussd/gateway/", data, REMOTE_ADDR="10.21.3.4").status_code == 403


def test_pin_never_reaches_error_reports_or_logs(rf, make_wallet):
    """If the gateway ever fails, Django's error report hides `text`; our log filter masks it in any log line."""
    import logging

    from django.views.debug import SafeExceptionReporterFilter

    from core.logging import RedactSecretsFilter
    from ussd.views import gateway

    wallet = make_wallet()
    request = rf.post(
        "/ussd/gateway/",
        {"sessionId": "x", "serviceCode": "*900#", "phoneNumber": wallet.phone, "text": f"3*3*14*14*{INN}*100*2580"},
    )
    gateway(request)  # marks `text` as sensitive on the request
    reported = SafeExceptionReporterFilter().get_post_parameters(request)
    assert "2580" not in str(reported["text"])
    body = "&".join(f"{key}={value}" for key, value in request.POST.items())
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "POST body: %s", (body,), None)
    RedactSecretsFilter().filter(record)
    assert "2580" not in record.getMessage()


def test_a_repeat_after_the_timeout_starts_over_instead_of_replaying(dial, make_wallet):
    wallet = make_wallet()
    assert dial("late", wallet.phone, "3").startswith("CON Платежи")
    session = UssdSession.objects.get(session_id="late")
    UssdSession.objects.filter(pk=session.pk).update(updated_at=session.updated_at - timedelta(seconds=181))
    assert dial("late", wallet.phone, "3").startswith("CON ЭЛСОМ\n3 Платежи")
