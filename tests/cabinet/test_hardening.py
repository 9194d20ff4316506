"""What the red-team run found in the cabinet: no-store on personal pages, look-ups throttled, counters that hold
under a burst of concurrent guesses, client addresses from a trusted proxy only."""

from unittest.mock import patch

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from accounts.models import CodePurpose, PhoneCode
from core.net import client_ip
from tests.cabinet.conftest import PASSWORD, sms_code
from tests.helpers import make_payment, values_of_concurrent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name",
    ["cabinet:home", "cabinet:services", "cabinet:history", "cabinet:password_change", "cabinet:pay_form"],
)
def test_pages_with_personal_data_are_not_stored_by_any_cache(signed_in, name):
    url = reverse(name, args=["dostek"]) if name == "cabinet:pay_form" else reverse(name)
    response = signed_in.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_payment_and_receipt_pages_are_not_stored(signed_in, holder, dostek):

    payment = make_payment(wallet=holder, service=dostek, amount="10", key="n")
    for name in ("cabinet:pay_done", "cabinet:receipt"):
        assert "no-store" in signed_in.get(reverse(name, args=[payment.code]))["Cache-Control"]


def test_lookups_are_limited_per_session_with_a_message(client, make_wallet, settings):
    """«Войти» tells whether a number has a wallet: one session gets LOOKUPS_PER_SESSION answers in 10 minutes."""
    settings.LOOKUPS_PER_SESSION = 3
    wallet = make_wallet()
    statuses = [client.post(reverse("cabinet:entry"), {"phone": "0555 99 88 7" + str(n)}).status_code for n in range(3)]
    assert statuses == [302, 302, 302]  # each to opening a wallet for that number
    refused = client.post(reverse("cabinet:entry"), {"phone": wallet.phone})
    assert refused.status_code == 429 and "Слишком много проверок" in refused.content.decode()
    assert client.session["cabinet_wallet_opening"]["phone"] == "+996555998872"  # the last answered look-up
    assert "cabinet_login_phone" not in client.session  # the number was not looked up
    assert Client().post(reverse("cabinet:entry"), {"phone": wallet.phone}).status_code == 302  # another session


def test_lookups_are_limited_per_address(make_wallet, settings):
    settings.LOOKUPS_PER_ADDRESS = 4
    wallet = make_wallet()
    statuses = [
        Client(REMOTE_ADDR="10.5.5.5").post(reverse("cabinet:entry"), {"phone": wallet.phone}).status_code
        for _ in range(5)
    ]
    assert statuses == [302, 302, 302, 302, 429]
    assert Client(REMOTE_ADDR="10.5.5.6").post(reverse("cabinet:entry"), {"phone": wallet.phone}).status_code == 302


def test_a_bad_number_is_not_a_lookup(client, settings):
    settings.LOOKUPS_PER_SESSION = 1
    for _ in range(3):
        assert client.post(reverse("cabinet:entry"), {"phone": "12"}).status_code == 200
    # a number that parses is a look-up: answered (no wallet: open one)
    assert client.post(reverse("cabinet:entry"), {"phone": "0555 12 34 56"}).status_code == 302


def test_guessing_the_current_password_on_the_change_page_is_limited(signed_in, holder):
    url = reverse("cabinet:password_change")
    form = {
        "old_password": "wrong-old-password",
        "password1": "New-Password-Ala-Too",
        "password2": "New-Password-Ala-Too",
    }
    answers = [signed_in.post(url, form).content.decode() for _ in range(6)]
    assert all("неверно" in html for html in answers[:5])
    assert "Слишком много неверных паролей" in answers[5]
    right = dict(form, old_password=PASSWORD)
    assert "Слишком много неверных паролей" in signed_in.post(url, right).content.decode()


def test_trusted_proxy_count_takes_the_address_the_proxy_saw(settings):
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.1"  # no proxy configured: the header is the client's word only
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # what our proxy appended; 6.6.6.6 was typed by the client
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.1"  # fewer hops than proxies: not through all of ours


# --- under concurrency: counters in the database, taken before the check ----------------------------------------


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_concurrent_code_guesses_gets_three_not_more(make_wallet, sms_outbox):
    """Ten parallel wrong guesses against one code: exactly three are compared, the code is void after them,
    and the right code does not work any more."""
    from accounts.codes import phone_code_issue, phone_code_start, phone_code_verify
    from accounts.errors import CodeRejected, CodeVoid

    def refusal(code: str):
        """The class of the refusal of this guess, or None for a right code."""
        try:
            phone_code_verify(challenge=PhoneCode.objects.get(pk=challenge.pk), code=code)
        except CodeRejected as exc:
            return type(exc)
        return None

    wallet = make_wallet()
    challenge = phone_code_start(purpose=CodePurpose.REGISTER, phone=wallet.phone)
    phone_code_issue(challenge=challenge, wallet=wallet, client_ip="10.0.0.1")
    right = sms_code(sms_outbox, wallet.phone)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    results = values_of_concurrent(10, lambda _i: refusal(wrong))
    assert results.count(CodeVoid) >= 7
    assert PhoneCode.objects.get(pk=challenge.pk).guesses == 3
    assert refusal(right) is CodeVoid


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_burst_of_concurrent_sign_ins_checks_five_passwords_not_more(make_wallet, django_user_model):
    """Twelve parallel wrong passwords for one number from one address: five are checked, the rest are told to
    wait, and the number is locked from that address for the right password too (not from another: issue 18)."""
    from accounts.operations import web_account_create

    wallet = make_wallet()
    web_account_create(wallet=wallet, email="burst@example.kg", password=PASSWORD)

    import django.contrib.auth.base_user as base_user

    real_check = base_user.check_password
    checked = []  # list.append is atomic under the GIL: one entry per password actually compared

    def counting_check(password, encoded, *args, **kwargs):
        checked.append(password)
        return real_check(password, encoded, *args, **kwargs)

    def attempt(index):
        client = Client(REMOTE_ADDR="10.7.0.1")
        client.post(reverse("cabinet:entry"), {"phone": wallet.phone})
        return client.post(reverse("cabinet:password"), {"password": f"wrong-{index}-password"}).status_code

    with patch.object(base_user, "check_password", counting_check):
        statuses = values_of_concurrent(12, attempt)
    # At most five passwords are compared, whatever the interleaving: our counter is taken atomically before the
    # check. Each of those answers «Неверный пароль» (200), except that django-axes, whose own count is not atomic,
    # may already show the lock on any of them (429); every other attempt is told to wait (429).
    assert 1 <= len(checked) <= 5, checked
    assert statuses.count(200) <= len(checked) and statuses.count(200) + statuses.count(429) == 12
    from core.models import Throttle

    assert Throttle.objects.get(key=f"signin:{wallet.phone}:10.7.0.1").hits == 5
    late = Client(REMOTE_ADDR="10.7.0.1")
    late.post(reverse("cabinet:entry"), {"phone": wallet.phone})
    assert late.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.8.0.1")
    elsewhere.post(reverse("cabinet:entry"), {"phone": wallet.phone})
    assert elsewhere.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 302


def test_the_sign_in_page_reads_the_number_from_the_session_only(client):
    """No number in the session: the password page sends back to «Войти» (nothing to guess against)."""
    assert client.post(reverse("cabinet:password"), {"password": "x"})["Location"] == reverse("cabinet:entry")


def test_registration_code_counts_are_kept_in_the_database_not_the_session(client, make_wallet, sms_outbox):
    wallet = make_wallet()
    client.post(reverse("cabinet:entry"), {"phone": wallet.phone})
    client.post(
        reverse("cabinet:register"),
        {"email": "db@example.kg", "password1": "Issyk-Kul-Shore-77", "password2": "Issyk-Kul-Shore-77", "offer": "on"},
    )
    client.post(reverse("cabinet:register_code"), {"code": "000000"})
    challenge = PhoneCode.objects.get(phone=wallet.phone)
    assert challenge.guesses == 1 and challenge.sends == 1
    assert set(client.session["cabinet_code"]) == {"id", "purpose", "phone"}
    assert sms_code(sms_outbox, wallet.phone) not in str(dict(client.session))
