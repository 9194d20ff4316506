"""SQL statements per request, as production runs them (real transactions: a test's savepoints would count
otherwise). Budgets from the speed issue: a USSD menu or question step <= 4, a PIN/pay step <= 12, a web page
<= 10, «Оплатить» <= 12; and a history page costs the same at 5 operations as at 60."""

import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.helpers import DEMO_INN as INN
from tests.helpers import make_payment

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# Transaction control is not a query: BEGIN and COMMIT are listed by Django on SQLite, a pay step has two
# transactions by design (reserve, then commit after the provider), and each is checked separately below.
CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)


@pytest.fixture
def django_assert_max_num_queries():
    """Like pytest-django's fixture, counting data statements only; `transactions` bounds the COMMITs."""

    @contextmanager
    def check(budget: int, transactions: int | None = None):
        with CaptureQueriesContext(connection) as captured:
            yield captured
        statements = [q["sql"] for q in captured.captured_queries]
        data = [sql for sql in statements if not CONTROL.match(sql)]
        assert len(data) <= budget, f"{len(data)} queries > {budget}:\n" + "\n".join(sql[:160] for sql in data)
        if transactions is not None:
            commits = sum(1 for sql in statements if sql.strip().upper().startswith("COMMIT"))
            assert commits <= transactions, f"{commits} transactions > {transactions}"

    return check


USSD_STEP, USSD_PIN_STEP, WEB_PAGE, WEB_PAY = 4, 12, 10, 12
# Signing in is not a page view: it rotates the session key (4 statements), records the sign-in for django-axes
# and the staff (4), counts the attempt per number and per address (2), checks the password and updates last_login.
WEB_SIGN_IN = 16
PAY = ("3", "3", "14", "14")


@pytest.fixture
def gateway():
    """A gateway client: no cookies, as the operators' gateways call."""
    client = Client()

    def dial(session_id, phone, *inputs):
        session_id = re.sub(r"[^A-Za-z0-9]+", "-", session_id)
        data = {"sessionId": session_id, "serviceCode": "*900#", "phoneNumber": phone, "text": "*".join(inputs)}
        response = client.post("/ussd/gateway/", data)
        assert response.status_code == 200, response.content
        return response.content.decode()

    warm_caches()
    return dial


def warm_caches():
    """The catalog and the system accounts come into the cache once per process, not per request."""
    from services.catalog import catalog
    from services.payments import fees_account, hold_account

    catalog(), fees_account(), hold_account()


def _through(dial, session_id, phone, inputs):
    for end in range(len(inputs)):
        dial(session_id, phone, *inputs[:end])


@pytest.mark.parametrize(
    ("name", "inputs", "budget", "screen"),
    [
        ("main menu", (), USSD_STEP, "CON ЭЛСОМ"),
        ("payments menu", ("3",), USSD_STEP, "CON Платежи"),
        ("categories", ("3", "3"), USSD_STEP, "CON Оплатить счет"),
        ("services", ("3", "3", "14"), USSD_STEP, "CON Другие услуги"),
        ("account question", PAY, USSD_STEP, "CON Лицевой счет"),
        ("wrong account, asked again", (*PAY, "123"), USSD_STEP, "CON Неверный лицевой счет"),
        ("amount question", (*PAY, INN), USSD_STEP, "CON Введите сумму"),
        ("confirm with PIN question", (*PAY, INN, "100"), USSD_STEP, "CON ИНН компании"),
        ("pay", (*PAY, INN, "100", "2580"), USSD_PIN_STEP, "END Платеж принят"),
        ("wrong PIN", (*PAY, INN, "100", "1111"), USSD_PIN_STEP, "CON Неверный PIN"),
        ("settings menu", ("8",), USSD_STEP, "CON Баланс/Настройки"),
        ("balance", ("8", "1", "2580"), USSD_PIN_STEP, "END Баланс"),
        ("PIN change", ("8", "3", "2580", "1357", "1357"), USSD_PIN_STEP, "END PIN изменен"),
        ("bad choice", ("5",), USSD_STEP, "CON Неверный выбор"),
    ],
)
def test_ussd_steps_stay_within_their_query_budget(
    gateway, make_wallet, django_assert_max_num_queries, name, inputs, budget, screen
):
    wallet = make_wallet(balance="1000")
    _through(gateway, name, wallet.phone, inputs)
    with django_assert_max_num_queries(budget):
        reply = gateway(name, wallet.phone, *inputs)
    assert reply.startswith(screen), reply


def test_a_whole_payment_in_one_gateway_request_stays_within_the_pay_budget(
    gateway, make_wallet, django_assert_max_num_queries
):
    """The benchmark's request: *900*3*3*14*14*INN*10*PIN# in one go, a new session."""
    wallet = make_wallet(balance="1000")
    with django_assert_max_num_queries(USSD_PIN_STEP, transactions=2):
        assert gateway("one-shot", wallet.phone, *PAY, INN, "10", "2580").startswith("END Платеж принят")


@pytest.mark.parametrize(
    ("name", "inputs", "budget"),
    [
        ("language", (), USSD_STEP),
        ("start", ("1",), USSD_STEP),
        ("name", ("1", "1"), USSD_STEP),
        ("inn", ("1", "1", "Асан Усенов"), USSD_STEP),
        ("check", ("1", "1", "Асан Усенов", "22002199500567"), USSD_STEP),
        ("offer", ("1", "1", "Асан Усенов", "22002199500567", "1"), USSD_STEP),
        ("opened", ("1", "1", "Асан Усенов", "22002199500567", "1", "1"), USSD_PIN_STEP),
    ],
)
def test_registration_steps_stay_within_their_budget(gateway, django_assert_max_num_queries, name, inputs, budget):
    phone = "+996770555000"
    _through(gateway, f"reg-{name}", phone, inputs)
    with django_assert_max_num_queries(budget):
        gateway(f"reg-{name}", phone, *inputs)


@pytest.fixture
def browser_client(holder):
    client = Client()
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    assert client.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 302
    warm_caches()
    return client


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("home", reverse("cabinet:home")),
        ("services", reverse("cabinet:services")),
        ("category", reverse("cabinet:category", args=["other"])),
        ("pay form", reverse("cabinet:pay_form", args=["dostek"])),
        ("history", reverse("cabinet:history")),
        ("password change", reverse("cabinet:password_change")),
    ],
)
def test_cabinet_pages_stay_within_the_page_budget(browser_client, django_assert_max_num_queries, name, url):
    with django_assert_max_num_queries(WEB_PAGE):
        assert browser_client.get(url).status_code == 200


def test_entry_and_sign_in_pages_stay_within_the_page_budget(holder, django_assert_max_num_queries):
    client = Client()
    warm_caches()
    with django_assert_max_num_queries(WEB_PAGE):
        assert client.get(reverse("cabinet:entry")).status_code == 200
    with django_assert_max_num_queries(WEB_PAGE):
        assert client.post(reverse("cabinet:entry"), {"phone": holder.phone}).status_code == 302
    with django_assert_max_num_queries(WEB_PAGE):
        assert client.get(reverse("cabinet:password")).status_code == 200
    with django_assert_max_num_queries(WEB_SIGN_IN):
        assert client.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 302


def test_the_payment_flow_stays_within_its_budgets(browser_client, django_assert_max_num_queries):
    """«Далее», the confirm page, «Оплатить» and the done page."""
    form, confirm = reverse("cabinet:pay_form", args=["dostek"]), reverse("cabinet:pay_confirm", args=["dostek"])
    with django_assert_max_num_queries(WEB_PAGE):
        assert browser_client.post(form, {"account": INN, "amount": "100"}).status_code == 302
    with django_assert_max_num_queries(WEB_PAGE):
        html = browser_client.get(confirm).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)
    with django_assert_max_num_queries(WEB_PAY, transactions=3):  # reserve, commit, the session's new state
        response = browser_client.post(confirm, {"token": token, "account": INN, "amount": "100.00"})
    assert response.status_code == 302 and "/cabinet/payments/" in response["Location"]
    with django_assert_max_num_queries(WEB_PAGE):
        assert browser_client.get(response["Location"]).status_code == 200
    code = response["Location"].rstrip("/").rsplit("/", 1)[1]
    with django_assert_max_num_queries(WEB_PAGE):
        assert browser_client.get(reverse("cabinet:receipt", args=[code])).status_code == 200


def test_a_history_page_costs_the_same_whatever_the_length_of_the_history(
    browser_client, holder, dostek, django_assert_num_queries
):
    def pay(count, start):
        for n in range(start, start + count):
            make_payment(wallet=holder, service=dostek, amount="10", key=f"h{n}")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert browser_client.get(url).status_code == 200
        return len(captured)

    # A page holding payments and the top-up: 5 operations in all, then 65 (the top-up is on page 4 of 20 a page).
    pay(4, 0)
    short = queries(reverse("cabinet:history")), queries(reverse("cabinet:home"))
    pay(61, 4)
    assert queries(reverse("cabinet:history") + "?page=4") == short[0]
    assert queries(reverse("cabinet:history")) <= short[0]  # payments only: one query fewer
    assert queries(reverse("cabinet:home")) <= short[1]
