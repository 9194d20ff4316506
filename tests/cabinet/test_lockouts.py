"""Issue 18: nobody locks out someone else. A stranger's wrong passwords, wrong staff or admin sign-ins and code
requests use up the stranger's own allowance (per number AND address, per username AND address), never the
holder's; and a registration is counted before its password is hashed."""

from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import CodePurpose, PhoneCode, User
from tests.cabinet.conftest import PASSWORD

pytestmark = pytest.mark.django_db

STAFF_PASSWORD = "Staff-Password-2026"
GOOD_PASSWORD = "Issyk-Kul-Shore-77"


def _at_password(phone: str, address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.post(reverse("cabinet:entry"), {"phone": phone})
    return client


def _codes_sent(outbox, phone: str) -> int:
    return len([m for m in outbox.all(phone) if m.kind == "code"])


def _register_form(**overrides) -> dict:
    data = {"email": "holder@example.kg", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "offer": "on"}
    return {**data, **overrides}


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("agent", password=STAFF_PASSWORD, is_staff=True)


# --- the web password -------------------------------------------------------------------------------------------


def test_five_wrong_passwords_from_one_address_do_not_lock_the_holder_elsewhere(holder):
    """A stranger at address A spends A's five tries; the holder at B signs in."""
    # given five wrong passwords from address A
    stranger = _at_password(holder.phone, "10.20.0.1")
    statuses = [
        stranger.post(reverse("cabinet:password"), {"password": "wrong-password-1"}).status_code for _ in range(5)
    ]
    assert statuses[-1] == 429
    # when the holder types the right password at address B
    response = _at_password(holder.phone, "10.20.0.2").post(reverse("cabinet:password"), {"password": PASSWORD})
    # then the holder is in
    assert response["Location"] == reverse("cabinet:home")


def test_the_lock_page_says_what_is_locked(holder):
    """The cabinet's lock is per number and address: its page says «с вашего адреса», and that is true."""
    stranger = _at_password(holder.phone, "10.20.0.3")
    for _ in range(5):
        response = stranger.post(reverse("cabinet:password"), {"password": "wrong-password-1"})
    html = response.content.decode()
    assert response.status_code == 429 and "Вход для этого номера с вашего адреса закрыт на 15 минут" in html


# --- staff and admin sign-in never touch a holder ------------------------------------------------------------------


@pytest.mark.parametrize("login", ["staff:login", "admin:login"])
def test_a_wallet_number_typed_as_a_staff_username_does_not_lock_the_holder(holder, login):
    """Five wrong staff (or admin) sign-ins with the holder's number as the username, from the holder's own
    address: the holder's web sign-in is untouched."""
    # given five failures at the staff form with the wallet number as the username
    stranger = Client(REMOTE_ADDR="10.30.0.1")
    for _ in range(6):
        stranger.post(reverse(login), {"username": holder.phone, "password": "wrong-password-1"})
    # when the holder signs in to the cabinet from that same address
    response = _at_password(holder.phone, "10.30.0.1").post(reverse("cabinet:password"), {"password": PASSWORD})
    # then it works
    assert response["Location"] == reverse("cabinet:home")


@pytest.mark.parametrize("login", ["staff:login", "admin:login"])
def test_staff_failures_from_one_address_do_not_lock_the_username_elsewhere(staff_user, login):
    """django-axes counts per username AND address: «agent» locked at A still signs in at B."""
    # given five wrong passwords for «agent» from address A
    stranger = Client(REMOTE_ADDR="10.40.0.1")
    for _ in range(5):
        response = stranger.post(reverse(login), {"username": "agent", "password": "wrong-password-1"})
    # then A is locked out (and the page says what is locked: the username from this address)
    assert response.status_code == 429
    html = response.content.decode()
    assert "с этим именем пользователя с вашего адреса" in html and "номера" not in html
    refused = stranger.post(reverse(login), {"username": "agent", "password": STAFF_PASSWORD})
    assert refused.status_code == 429
    # when the agent signs in from address B
    agent = Client(REMOTE_ADDR="10.40.0.2")
    response = agent.post(reverse(login), {"username": "agent", "password": STAFF_PASSWORD})
    # then it works
    assert response.status_code == 302 and "_auth_user_id" in agent.session


@pytest.mark.parametrize("login", ["staff:login", "admin:login"])
def test_one_address_trying_many_usernames_is_stopped(staff_user, login, settings):
    """Failures are counted per address too, over all usernames; a right password gives its attempt back."""
    settings.STAFF_SIGN_IN_FAILURES_PER_ADDRESS = 3
    scanner = Client(REMOTE_ADDR="10.50.0.1")
    # a right password does not count
    assert scanner.post(reverse(login), {"username": "agent", "password": STAFF_PASSWORD}).status_code == 302
    scanner.post(reverse("staff:logout"))
    # given three failures under three usernames from one address
    for n in range(3):
        html = scanner.post(reverse(login), {"username": f"name-{n}", "password": "wrong-password-1"}).content
        assert "Слишком много неверных попыток входа с вашего адреса" not in html.decode()
    # then the fourth is refused before any password is checked, the right one too
    with mock.patch("django.contrib.auth.forms.authenticate") as authenticate:
        response = scanner.post(reverse(login), {"username": "agent", "password": STAFF_PASSWORD})
    authenticate.assert_not_called()
    assert response.status_code == 200
    assert "Слишком много неверных попыток входа с вашего адреса" in response.content.decode()
    # and another address is not affected
    assert Client(REMOTE_ADDR="10.50.0.2").post(reverse(login), {"username": "agent", "password": STAFF_PASSWORD})[
        "Location"
    ]


# --- SMS codes: limited per number and requester ----------------------------------------------------------------


def test_three_addresses_asking_five_codes_each_leave_the_holder_codes(make_wallet, sms_outbox):
    """Codes are limited per number AND address (and per address): 3 x 5 requests for a number from three
    addresses do not use up the number's codes for a fourth."""
    wallet = make_wallet()
    for address in ("10.60.0.1", "10.60.0.2", "10.60.0.3"):
        for _ in range(5):
            _at_password(wallet.phone, address).post(reverse("cabinet:register"), _register_form())
    assert _codes_sent(sms_outbox, wallet.phone) == 15
    # when the holder asks from a fourth address
    holder = _at_password(wallet.phone, "10.60.0.4")
    response = holder.post(reverse("cabinet:register"), _register_form(), follow=True)
    # then the code comes
    assert "Слишком много кодов" not in response.content.decode()
    assert _codes_sent(sms_outbox, wallet.phone) == 16


def test_a_reset_code_comes_to_the_holder_after_strangers_asked_for_many(holder, sms_outbox):
    for address in ("10.61.0.1", "10.61.0.2", "10.61.0.3"):
        for _ in range(5):
            _at_password(holder.phone, address).post(reverse("cabinet:password_forgot"))
    own = _at_password(holder.phone, "10.61.0.4")
    own.post(reverse("cabinet:password_forgot"))
    assert _codes_sent(sms_outbox, holder.phone) == 16


# --- registration: counted before the password is hashed ----------------------------------------------------------


def test_registrations_over_the_address_limit_hash_nothing_and_write_nothing(make_wallet, settings, sms_outbox):
    settings.REGISTRATIONS_PER_ADDRESS = 2
    wallets = [make_wallet() for _ in range(3)]
    with mock.patch("accounts.operations.make_password", return_value="hashed") as hasher:
        for wallet in wallets[:2]:
            assert _at_password(wallet.phone, "10.70.0.1").post(reverse("cabinet:register"), _register_form())[
                "Location"
            ] == reverse("cabinet:register_code")
        assert hasher.call_count == 2
        # when a third registration comes from the same address
        client = _at_password(wallets[2].phone, "10.70.0.1")
        response = client.post(reverse("cabinet:register"), _register_form())
        # then the password is not hashed, nothing is written, and the page says why
        assert hasher.call_count == 2
    assert response.status_code == 200
    assert "Слишком много попыток регистрации" in response.content.decode()
    assert not PhoneCode.objects.filter(phone=wallets[2].phone).exists()
    assert "password_hash" not in str(dict(client.session)) and not User.objects.exists()
    assert _codes_sent(sms_outbox, wallets[2].phone) == 0
    # and another address registers
    other = _at_password(wallets[2].phone, "10.70.0.2")
    assert other.post(reverse("cabinet:register"), _register_form())["Location"] == reverse("cabinet:register_code")


def test_registrations_of_one_number_are_limited_per_address(make_wallet, settings):
    settings.REGISTRATIONS_PER_NUMBER_AND_ADDRESS = 2
    wallet = make_wallet()
    with mock.patch("accounts.operations.make_password", return_value="hashed") as hasher:
        statuses = [
            _at_password(wallet.phone, "10.71.0.1").post(reverse("cabinet:register"), _register_form()).status_code
            for _ in range(3)
        ]
        assert statuses == [302, 302, 200] and hasher.call_count == 2
        # the holder elsewhere is not held back by that address
        elsewhere = _at_password(wallet.phone, "10.71.0.2")
        assert elsewhere.post(reverse("cabinet:register"), _register_form()).status_code == 302
    assert PhoneCode.objects.filter(phone=wallet.phone, purpose=CodePurpose.REGISTER).count() == 3


def test_the_console_card_shows_the_lock_of_one_address(holder):
    """The counters are per number and address now: the agent's card shows the address closest to a lock (five
    wrong passwords from one address: locked there), not nothing."""
    from staff.selectors import customer_get

    stranger = _at_password(holder.phone, "10.20.0.9")
    for _ in range(5):
        stranger.post(reverse("cabinet:password"), {"password": "wrong-password-1"})
    _at_password(holder.phone, "10.20.0.10").post(reverse("cabinet:password"), {"password": "wrong-password-2"})

    state = customer_get(number=holder.phone.lstrip("+")).sign_in

    assert state.attempts == 5 and state.locked
