"""«Войти», registration with the public offer and the SMS code, sign-in, lockout, timeouts, passwords."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import PhoneCode, User
from accounts.operations import OFFER_VERSION
from audit.operations import SYSTEM
from tests.cabinet.conftest import PASSWORD, sms_code

pytestmark = pytest.mark.django_db

GOOD_PASSWORD = "Issyk-Kul-Shore-77"


def register_form(**overrides):
    data = {"email": "holder@example.kg", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "offer": "on"}
    data.update(overrides)
    return data


# --- entry ---------------------------------------------------------------------------------------------------


def test_entry_page_has_the_field_and_voiti(client):
    response = client.get(reverse("cabinet:entry"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'for="id_phone"' in html and 'id="id_phone"' in html
    assert "Войти" in html
    assert "<title>" in html


@pytest.mark.parametrize("typed", ["0555 {a} {b} {c}", "+996 555 {a}{b}{c}", "996555{a}{b}{c}", "555-{a}-{b}-{c}"])
def test_entry_accepts_usual_forms_of_the_number_and_goes_to_registration(client, make_wallet, typed):
    # given a wallet without a web account
    wallet = make_wallet()
    digits = wallet.phone[7:]
    # when the number is typed in some usual way
    response = client.post(reverse("cabinet:entry"), {"phone": typed.format(a=digits[:2], b=digits[2:4], c=digits[4:])})
    # then the registration page follows
    assert response.status_code == 302 and response["Location"] == reverse("cabinet:register")


@pytest.mark.parametrize("number", ["+996700123456", "+996770123456"])  # O! and Beeline numbers alike
def test_entry_works_for_every_operator(client, make_wallet, number):
    make_wallet(phone=number)
    response = client.post(reverse("cabinet:entry"), {"phone": number})
    assert response["Location"] == reverse("cabinet:register")


def test_entry_with_web_account_goes_to_password(client, holder):
    response = client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    assert response["Location"] == reverse("cabinet:password")


def test_number_without_wallet_goes_to_opening_one(client):
    response = client.post(reverse("cabinet:entry"), {"phone": "0555 99 88 77"})
    assert response.status_code == 302 and response["Location"] == reverse("cabinet:open_wallet")


def test_blocked_wallet_is_refused_with_the_call_centre(client, make_wallet, settings):
    from wallet.operations import wallet_set_status

    wallet = make_wallet()
    wallet_set_status(wallet=wallet, status="blocked", actor=SYSTEM, reason="test")
    html = client.post(reverse("cabinet:entry"), {"phone": wallet.phone}).content.decode()
    assert "заблокирован" in html and settings.CALL_CENTRE_PHONE in html
    assert client.get(reverse("cabinet:register")).status_code == 302  # no way around the entry


@pytest.mark.parametrize(
    "typed,message",
    [("", "Обязательное поле"), ("abc", "неверно"), ("+7 912 345 67 89", "+996"), ("0312 98 60 00", "городской")],
)
def test_bad_numbers_get_a_message_next_to_the_field(client, typed, message):
    html = client.post(reverse("cabinet:entry"), {"phone": typed}).content.decode()
    assert 'id="id_phone_error"' in html and message in html
    assert 'aria-invalid="true"' in html


# --- registration -------------------------------------------------------------------------------------------


@pytest.fixture
def at_registration(client, make_wallet):
    wallet = make_wallet()
    client.post(reverse("cabinet:entry"), {"phone": wallet.phone})
    return wallet


def test_registration_page_has_the_seed_labels(client, at_registration):
    html = client.get(reverse("cabinet:register")).content.decode()
    national = "0" + at_registration.phone[4:7] + " " + at_registration.phone[7:9]
    assert "Регистрация номера" in html and national in html
    for label in ("Email", "Пароль", "Повторите пароль", "Я соглашаюсь с условиями", "публичной оферты"):
        assert label in html
    assert "ЗАРЕГИСТРИРОВАТЬСЯ" in html
    assert f'href="{reverse("cabinet:offer")}"' in html


def test_offer_link_opens_the_offer_text(client):
    html = client.get(reverse("cabinet:offer")).content.decode()
    assert "Публичная оферта" in html and OFFER_VERSION in html


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"email": "not-an-email"}, "email", "адрес электронной почты"),
        ({"password1": "Short-1", "password2": "Short-1"}, "password1", "слишком короткий"),
        ({"password1": "123456789012345", "password2": "123456789012345"}, "password1", "только из цифр"),
        ({"password1": "password12345", "password2": "password12345"}, "password1", "распространён"),
        ({"password2": "Issyk-Kul-Shore-78"}, "password2", "Пароли не совпадают"),
        ({"offer": ""}, "offer", "публичной оферты"),
    ],
)
def test_registration_rules(client, at_registration, sms_outbox, overrides, field, message):
    response = client.post(reverse("cabinet:register"), register_form(**overrides))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_{field}_error"' in html
    error_block = html.split(f'id="id_{field}_error"')[1].split("</div>")[0]
    assert message.lower() in error_block.lower()
    assert sms_outbox.last(at_registration.phone).kind != "code"
    assert not User.objects.filter(wallet=at_registration).exists()


def test_password_similar_to_the_phone_is_refused(client, at_registration):
    similar = "0" + at_registration.phone[4:] + "ab"
    html = client.post(reverse("cabinet:register"), register_form(password1=similar, password2=similar)).content
    assert "похож" in html.decode()


def test_password_similar_to_the_email_is_refused(client, at_registration):
    data = register_form(
        email="kanybek.salymbekov@example.kg", password1="kanybek.salymbekov", password2="kanybek.salymbekov"
    )
    assert "похож" in client.post(reverse("cabinet:register"), data).content.decode()


def test_email_of_another_account_is_refused(client, holder, at_registration):
    html = client.post(reverse("cabinet:register"), register_form(email=holder.web_account.email.upper())).content
    assert "уже используется" in html.decode()


def test_registration_finishes_only_with_the_sms_code(client, at_registration, sms_outbox):
    # given a valid registration form
    response = client.post(reverse("cabinet:register"), register_form())
    assert response["Location"] == reverse("cabinet:register_code")
    # then no account yet, and a code SMS went to the wallet's phone
    assert not User.objects.filter(wallet=at_registration).exists()
    code = sms_code(sms_outbox, at_registration.phone)
    assert code not in str(client.session.items())  # only a hash of it is kept
    # when the code is entered
    old_key = client.session.session_key
    response = client.post(reverse("cabinet:register_code"), {"code": code})
    # then the account exists with the offer recorded, and the holder is signed in with a new session key
    assert response["Location"] == reverse("cabinet:home")
    user = User.objects.get(wallet=at_registration)
    assert user.username == at_registration.phone and user.email == "holder@example.kg"
    assert user.offer_version == OFFER_VERSION and user.offer_accepted_at is not None
    assert user.check_password(GOOD_PASSWORD)
    assert client.session.session_key != old_key
    assert client.get(reverse("cabinet:home")).status_code == 200


def test_three_wrong_codes_void_it(client, at_registration, sms_outbox):
    client.post(reverse("cabinet:register"), register_form())
    code = sms_code(sms_outbox, at_registration.phone)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    assert "Осталось попыток: 2" in client.post(reverse("cabinet:register_code"), {"code": wrong}).content.decode()
    assert "Осталось попыток: 1" in client.post(reverse("cabinet:register_code"), {"code": wrong}).content.decode()
    assert "недействителен" in client.post(reverse("cabinet:register_code"), {"code": wrong}).content.decode()
    # the right code no longer works either
    assert "недействителен" in client.post(reverse("cabinet:register_code"), {"code": code}).content.decode()
    assert not User.objects.filter(wallet=at_registration).exists()


def test_code_expires_after_five_minutes(client, at_registration, sms_outbox):
    client.post(reverse("cabinet:register"), register_form())
    code = sms_code(sms_outbox, at_registration.phone)
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))  # five minutes later
    html = client.post(reverse("cabinet:register_code"), {"code": code}).content.decode()
    assert "истек" in html
    assert not User.objects.filter(wallet=at_registration).exists()


@pytest.mark.parametrize("typed", ["12345", "abcdef", "1234567", "１２３４５６"])
def test_code_must_be_six_ascii_digits(client, at_registration, typed):
    client.post(reverse("cabinet:register"), register_form())
    assert "6 цифр" in client.post(reverse("cabinet:register_code"), {"code": typed}).content.decode()


def test_resend_is_limited(client, at_registration, sms_outbox):
    client.post(reverse("cabinet:register"), register_form())
    # at once: refused, wait a minute
    response = client.post(reverse("cabinet:register_code"), {"resend": "1"}, follow=True)
    assert "через" in response.content.decode()
    assert len([m for m in sms_outbox.all(at_registration.phone) if m.kind == "code"]) == 1
    # a minute later, twice more; then no more
    for _step in (1, 2, 3):
        PhoneCode.objects.update(last_sent_at=F("last_sent_at") - timedelta(seconds=61))
        response = client.post(reverse("cabinet:register_code"), {"resend": "1"}, follow=True)
    assert "закончились" in response.content.decode()
    codes = [m for m in sms_outbox.all(at_registration.phone) if m.kind == "code"]
    assert len(codes) == 3
    # the newest code works
    assert client.post(reverse("cabinet:register_code"), {"code": sms_code(sms_outbox, at_registration.phone)})[
        "Location"
    ] == reverse("cabinet:home")


def test_codes_to_one_phone_are_limited_per_requester_across_sessions(client_factory, make_wallet, sms_outbox):
    """New sessions from one address get 5 codes an hour to a number; the holder elsewhere still gets theirs."""
    wallet = make_wallet()
    for _ in range(7):
        other = client_factory()
        other.post(reverse("cabinet:entry"), {"phone": wallet.phone})
        response = other.post(reverse("cabinet:register"), register_form(), follow=True)
    assert "Слишком много кодов" in response.content.decode()
    assert len([m for m in sms_outbox.all(wallet.phone) if m.kind == "code"]) == 5
    own = client_factory(REMOTE_ADDR="10.1.1.1")
    own.post(reverse("cabinet:entry"), {"phone": wallet.phone})
    own.post(reverse("cabinet:register"), register_form())
    assert len([m for m in sms_outbox.all(wallet.phone) if m.kind == "code"]) == 6


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def test_code_pages_need_the_registration_started(client, at_registration):
    assert client.get(reverse("cabinet:register_code"))["Location"] == reverse("cabinet:register")


def test_code_sms_is_masked_in_the_console(at_registration, sms_outbox, client):
    from sms.backends.console import ConsoleBackend

    client.post(reverse("cabinet:register"), register_form())
    message = sms_outbox.last(at_registration.phone)
    code = sms_code(sms_outbox, at_registration.phone)
    with mock.patch("sys.stdout") as stdout:
        ConsoleBackend().send(message)
    printed = "".join(str(call) for call in stdout.mock_calls)
    assert code not in printed


# --- sign-in ------------------------------------------------------------------------------------------------


def test_wrong_password_gets_a_message(client, holder):
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    html = client.post(reverse("cabinet:password"), {"password": "wrong-password-1"}).content.decode()
    assert "Неверный пароль" in html
    assert client.get(reverse("cabinet:home")).status_code == 302


def test_sign_in_rotates_the_session_key(client, holder):
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    before = client.session.session_key
    response = client.post(reverse("cabinet:password"), {"password": PASSWORD})
    assert response["Location"] == reverse("cabinet:home")
    assert client.session.session_key != before


def test_five_failures_lock_the_number_from_that_address_for_15_minutes(client, holder, client_factory):
    """Lockouts are keyed on the number AND the address (issue 18): the guesser is stopped, the holder elsewhere is
    not (keyed on the number alone, anyone anywhere could lock a holder out)."""
    # given five wrong passwords from one address
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    for _ in range(4):
        assert client.post(reverse("cabinet:password"), {"password": "wrong-password-1"}).status_code == 200
    response = client.post(reverse("cabinet:password"), {"password": "wrong-password-1"})
    # then the fifth already says so, and the right password is refused too
    assert response.status_code == 429 and "15 минут" in response.content.decode()
    response = client.post(reverse("cabinet:password"), {"password": PASSWORD})
    assert response.status_code == 429 and "15 минут" in response.content.decode()
    assert client.get(reverse("cabinet:home")).status_code == 302
    # but the holder at another address signs in
    other = client_factory(REMOTE_ADDR="10.0.0.7")
    other.post(reverse("cabinet:entry"), {"phone": holder.phone})
    assert other.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 302


def test_one_address_guessing_many_numbers_is_stopped(client_factory, make_wallet, settings):
    """The per-address limit beside the per-number one: a scan over many numbers from one address stops."""
    from accounts.operations import web_account_create

    settings.SIGN_IN_ATTEMPTS_PER_ADDRESS = 6
    holders = []
    for n in range(4):
        wallet = make_wallet()
        web_account_create(wallet=wallet, email=f"scan{n}@example.kg", password=PASSWORD)
        holders.append(wallet)
    statuses = []
    for wallet in holders:
        scanner = client_factory(REMOTE_ADDR="10.9.9.9")
        scanner.post(reverse("cabinet:entry"), {"phone": wallet.phone})
        for _ in range(2):
            statuses.append(scanner.post(reverse("cabinet:password"), {"password": "wrong-password-1"}).status_code)
    assert statuses == [200] * 6 + [429] * 2
    elsewhere = client_factory(REMOTE_ADDR="10.1.2.3")
    elsewhere.post(reverse("cabinet:entry"), {"phone": holders[-1].phone})
    assert elsewhere.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 302


def test_lockout_ends_after_15_minutes(client, holder):
    from axes.models import AccessAttempt

    from core.models import Throttle

    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    for _ in range(5):
        client.post(reverse("cabinet:password"), {"password": "wrong-password-1"})
    assert client.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 429
    # when 15 minutes have passed since the failures
    past = timezone.now() - timedelta(minutes=15, seconds=5)
    AccessAttempt.objects.filter(username=holder.phone).update(attempt_time=past)
    Throttle.objects.update(window_started_at=past)
    # then the right password signs in again
    assert client.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 302


def test_sign_out(signed_in):
    response = signed_in.post(reverse("cabinet:logout"))
    assert response["Location"] == reverse("cabinet:entry")
    assert signed_in.get(reverse("cabinet:home")).status_code == 302


def test_sign_out_is_post_only(signed_in):
    assert signed_in.get(reverse("cabinet:logout")).status_code == 405


def test_idle_timeout_15_minutes(signed_in):
    from cabinet import middleware

    assert signed_in.get(reverse("cabinet:home")).status_code == 200
    with mock.patch.object(middleware.time, "time", return_value=time.time() + 15 * 60 + 5):
        response = signed_in.get(reverse("cabinet:home"))
    assert response.status_code == 302 and response["Location"] == reverse("cabinet:entry")


def test_activity_keeps_the_session_but_12_hours_end_it(signed_in):
    from cabinet import middleware

    start = time.time()
    for minutes in range(10, 12 * 60, 10):  # a request every 10 minutes
        with mock.patch.object(middleware.time, "time", return_value=start + minutes * 60):
            assert signed_in.get(reverse("cabinet:history")).status_code == 200, minutes
    with mock.patch.object(middleware.time, "time", return_value=start + 12 * 3600 + 5):
        assert signed_in.get(reverse("cabinet:history")).status_code == 302


def test_cabinet_pages_need_a_holder(client, django_user_model):
    for name in ("cabinet:home", "cabinet:services", "cabinet:history", "cabinet:password_change"):
        assert client.get(reverse(name))["Location"] == reverse("cabinet:entry")
    staff = django_user_model.objects.create_user("staff", password="x-very-long-password", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("cabinet:home"))["Location"] == reverse("cabinet:entry")


def test_after_sign_in_the_holder_returns_to_the_page_asked_for(client, holder):
    client.get(reverse("cabinet:history"))
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    assert client.post(reverse("cabinet:password"), {"password": PASSWORD})["Location"] == reverse("cabinet:history")


# --- passwords ----------------------------------------------------------------------------------------------


def test_password_change(signed_in, holder):
    url = reverse("cabinet:password_change")
    bad = signed_in.post(url, {"old_password": "nope", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert "неверно" in bad.content.decode()
    weak = signed_in.post(url, {"old_password": PASSWORD, "password1": "short", "password2": "short"})
    assert "слишком короткий" in weak.content.decode()
    ok = signed_in.post(url, {"old_password": PASSWORD, "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert ok["Location"] == reverse("cabinet:home")
    assert signed_in.get(reverse("cabinet:home")).status_code == 200  # still signed in
    holder.web_account.refresh_from_db()
    assert holder.web_account.check_password(GOOD_PASSWORD)


def test_password_reset_by_sms_code(client, holder, sms_outbox):
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    for _ in range(5):
        client.post(reverse("cabinet:password"), {"password": "wrong-password-1"})
    # when the holder asks for a code and sets a new password with it
    assert client.post(reverse("cabinet:password_forgot"))["Location"] == reverse("cabinet:password_reset")
    code = sms_code(sms_outbox, holder.phone)
    url = reverse("cabinet:password_reset")
    weak = client.post(url, {"code": code, "password1": "123", "password2": "123"})
    assert "слишком короткий" in weak.content.decode()
    response = client.post(url, {"code": code, "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    # then the password is new, the holder is signed in, and the lockout is lifted
    assert response["Location"] == reverse("cabinet:home")
    holder.web_account.refresh_from_db()
    assert holder.web_account.check_password(GOOD_PASSWORD)
    client.post(reverse("cabinet:logout"))
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    assert client.post(reverse("cabinet:password"), {"password": GOOD_PASSWORD}).status_code == 302


def test_password_reset_with_a_wrong_code_changes_nothing(client, holder, sms_outbox):
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    client.post(reverse("cabinet:password_forgot"))
    code = sms_code(sms_outbox, holder.phone)
    wrong = f"{(int(code) + 1) % 1000000:06d}"
    html = client.post(
        reverse("cabinet:password_reset"), {"code": wrong, "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    ).content.decode()
    assert "Неверный код" in html
    holder.web_account.refresh_from_db()
    assert holder.web_account.check_password(PASSWORD)


def test_opening_a_wallet_links_the_phone_simulator_on_that_number_in_demo_mode(client, settings):
    settings.DEMO_MODE = True
    client.post(reverse("cabinet:entry"), {"phone": "0555 99 88 77"})
    client.post(reverse("cabinet:open_wallet"))
    html = client.get(reverse("cabinet:open_code")).content.decode()
    assert f'href="{reverse("simulator:phone")}?phone=0555998877"' in html
    settings.DEMO_MODE = False
    html = client.get(reverse("cabinet:open_code")).content.decode()
    assert reverse("simulator:phone") not in html


def test_admin_lockout_gets_the_lockout_page(client, django_user_model):
    django_user_model.objects.create_user("clerk", password="clerk-password-long", is_staff=True)
    for _ in range(5):
        response = client.post(reverse("admin:login"), {"username": "clerk", "password": "wrong-password-1"})
    assert response.status_code == 429 and "15 минут" in response.content.decode()
