"""No input a person or a peer system can send turns into a server error: generated inputs over the web pay form,
registration, «Войти» and the USSD gateway. Every answer is a page or a screen with a message (200/302/400/429),
and the books are clean afterwards."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.verify import books_violations
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text a person or a script can send: any Unicode (NUL, other scripts' digits, RTL marks), and numbers of every size.
numbers = st.one_of(
    st.integers(min_value=0, max_value=10**80).map(str),
    st.from_regex(r"\A[0-9]{1,600}\Z", fullmatch=True),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["10^30", "1e30", "1E+400", "-5", "0,00", "1 000 000 000 000,999", "１００", "१००", "٣٠", "1_000"]),
)
wild = st.one_of(st.text(max_size=300), numbers, st.sampled_from(["\x00", "%00", "\ufeff", "01503201010011\x00"]))


@pytest.fixture
def holder_client(holder):
    client = Client()
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    assert client.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 302
    return client


@FUZZ
@given(account=wild, amount=wild)
def test_web_pay_form_never_fails(holder_client, account, amount):
    response = holder_client.post(reverse("cabinet:pay_form", args=["dostek"]), {"account": account, "amount": amount})
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        confirm = holder_client.get(response["Location"])
        assert confirm.status_code in (200, 302)


def test_the_red_team_amounts_get_the_amount_message(holder_client):
    for account, amount in (
        ("१००", "100100100100100100100100100100"),
        ("\x00", "10^30"),
        ("01503201010011", "1" * 530),
    ):
        response = holder_client.post(
            reverse("cabinet:pay_form", args=["dostek"]), {"account": account, "amount": amount}
        )
        assert response.status_code == 200
        error = response.content.decode().split('id="id_amount_error"')[1].split("</div>")[0]
        assert "Сумма" in error


@FUZZ
@given(email=wild, password1=wild, password2=wild, offer=st.sampled_from(["", "on", "\x00", "1" * 400]))
def test_registration_never_fails(client, make_wallet, email, password1, password2, offer):
    wallet = make_wallet()
    client.post(reverse("cabinet:entry"), {"phone": wallet.phone})
    data = {"email": email, "password1": password1, "password2": password2, "offer": offer}
    assert client.post(reverse("cabinet:register"), data).status_code in (200, 302)
    assert client.post(reverse("cabinet:register_code"), {"code": password1}).status_code in (200, 302)


@FUZZ
@given(phone=wild)
def test_entry_never_fails(phone):
    assert Client().post(reverse("cabinet:entry"), {"phone": phone}).status_code in (200, 302, 429)


@FUZZ
@given(code=wild)
def test_payment_and_receipt_urls_never_fail(holder_client, code):
    for name in ("cabinet:pay_done", "cabinet:receipt"):
        path = reverse(name, args=["x"]).replace("/x/", "/") + re.sub(r"[/?#]", "", code) + "/"
        assert holder_client.get(path).status_code in (200, 301, 302, 404)


ussd_inputs = st.lists(st.one_of(numbers, st.text(alphabet="0123456789*#", max_size=40), wild), max_size=10)


@FUZZ
@given(
    session=wild,
    phone=st.one_of(wild, st.sampled_from(["+996555010101", "0555010101", "+996700030303"])),
    inputs=ussd_inputs,
    secret=st.one_of(st.text(max_size=40), st.sampled_from(["é", "ключ", "\x00", "gateway-secret\x00"])),
)
def test_ussd_gateway_never_fails(client, make_wallet, settings, session, phone, inputs, secret):
    settings.USSD_GATEWAY_SECRET = "gateway-secret"  # so that the header is really compared
    if not _exists("+996555010101"):
        make_wallet(balance="1000", phone="+996555010101")
    text = "*".join(["3", "3", "14", "14", "01503201010011", *inputs])
    data = {"sessionId": session, "serviceCode": "*900#", "phoneNumber": phone, "text": text}
    assert client.post("/ussd/gateway/", data, headers={"X-USSD-Secret": secret}).status_code == 403
    response = client.post("/ussd/gateway/", data, headers={"X-USSD-Secret": "gateway-secret"})
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        assert response.content.decode().startswith(("CON ", "END "))


def _exists(phone):
    from wallet.models import Wallet

    return Wallet.objects.filter(phone=phone).exists()


@pytest.mark.parametrize("amount", ["1" * 31, "1000000000000000000000000000000", "9" * 74, "1" * 530])
def test_the_red_team_ussd_amounts_are_asked_again(client, make_wallet, amount):
    """Amounts that do not fit the money column get the normal amount message, never a 500, nothing charged."""
    wallet = make_wallet(balance="1000")
    data = {"sessionId": "rt", "serviceCode": "*900#", "phoneNumber": wallet.phone}
    response = client.post("/ussd/gateway/", {**data, "text": f"3*3*14*14*01503201010011*{amount}"})
    assert response.status_code == 200
    assert response.content.decode() == "CON Неверная сумма.\nВведите сумму (сом):"
    # and the next answer is the amount question's answer, as it would be on the phone
    response = client.post("/ussd/gateway/", {**data, "text": f"3*3*14*14*01503201010011*{amount}*2580"})
    assert response.content.decode().startswith("CON ИНН компании: 01503201010011\nСумма: 2 580.00 сом")
    assert books_violations() == []


def test_the_books_are_clean_after_the_fuzzing(holder):
    assert books_violations() == []


def test_oversized_bodies_are_a_413_not_a_500(client, holder_client):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): the API answers 413 in its error shape, a web form a 413
    page, anonymous or signed in; nothing reads the body first."""
    from django.conf import settings as django_settings

    huge = "1" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    api_body = '{"phone": "' + huge + '"}'
    for who in (client, holder_client):
        answer = who.post("/api/v1/auth/code", api_body, content_type="application/json")
        assert answer.status_code == 413
        assert answer.json()["code"] == "request_too_large" and set(answer.json()) == {"code", "message", "params"}
    for who, url in (
        (client, reverse("cabinet:entry")),
        (holder_client, reverse("cabinet:pay_form", args=["dostek"])),
        (holder_client, "/ussd/gateway/"),
    ):
        page = who.post(url, {"phone": huge, "account": huge, "amount": "100"})
        assert page.status_code == 413, (url, page.status_code)
        assert "Слишком большой запрос" in page.content.decode()


@pytest.mark.parametrize("login", ["staff:login", "admin:login"])
@pytest.mark.parametrize("username", ["a" * 151, "agent" * 60, "+996555010101" + "9" * 287, "ж" * 1000])
def test_long_usernames_at_the_staff_and_admin_sign_in_get_the_wrong_login_answer(client, login, username):
    """Longer than a username may be (150): the usual «wrong login» page, never a 500 (on PostgreSQL django-axes'
    insert into its 255-character column failed), and nothing for axes to record."""
    from axes.models import AccessAttempt, AccessFailureLog

    response = client.post(reverse(login), {"username": username, "password": "wrong-password-1"})
    assert response.status_code == 200
    assert "username" in response.context["form"].fields
    assert response.context["form"].non_field_errors()
    assert not AccessAttempt.objects.exists() and not AccessFailureLog.objects.exists()
