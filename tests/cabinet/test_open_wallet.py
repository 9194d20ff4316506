"""Opening a wallet on the website (issue 10, section 2): any Kyrgyz mobile number, O! included (which *900#
does not serve), goes «Войти» -> SMS code -> name and surname, personal INN -> the public offer -> the wallet
opened by wallet_register (channel web), PIN by SMS -> optionally email and password, without a second code."""

import time

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.operations import OFFER_VERSION
from cabinet.session import OPENING_KEY
from tests.cabinet.conftest import sms_code
from wallet.models import OpenedChannel, Wallet

pytestmark = pytest.mark.django_db

O_NUMBER = "+996700123456"
PERSONAL_INN = "12505199000123"
GOOD_PASSWORD = "Issyk-Kul-Shore-77"


def details(**overrides):
    data = {"full_name": "Айгуль Токтосунова", "inn": PERSONAL_INN, "offer": "on"}
    data.update(overrides)
    return data


def confirm_number(client, sms_outbox, phone=O_NUMBER):
    """«Войти» with a number without a wallet, «Получить код в SMS», the code typed: the details form is next."""
    response = client.post(reverse("cabinet:entry"), {"phone": phone})
    assert response["Location"] == reverse("cabinet:open_wallet")
    assert client.post(reverse("cabinet:open_wallet"))["Location"] == reverse("cabinet:open_code")
    response = client.post(reverse("cabinet:open_code"), {"code": sms_code(sms_outbox, phone)})
    assert response["Location"] == reverse("cabinet:open_details")


def test_a_number_without_wallet_is_offered_to_open_one_here_not_sent_to_900(client):
    response = client.post(reverse("cabinet:entry"), {"phone": "0700 12 34 56"}, follow=True)
    html = response.content.decode()
    assert "Открыть кошелек ЭЛСОМ" in html and "0700 12 34 56" in html
    assert "*900#" not in html  # no pointer to the menu that refuses O! numbers
    assert "Получить код в SMS" in html


def test_o_number_opens_a_wallet_on_the_web_with_the_pin_by_sms(client, sms_outbox):
    # given an O! number that has no wallet, confirmed by its SMS code
    confirm_number(client, sms_outbox)
    code_sms = sms_outbox.last(O_NUMBER)
    assert "Код для открытия кошелька ЭЛСОМ" in code_sms.text
    # when the name, the INN and the offer are sent
    response = client.post(reverse("cabinet:open_details"), details())
    # then the wallet is open, recorded as opened on the web, and its PIN came by SMS
    assert response["Location"] == reverse("cabinet:open_done")
    wallet = Wallet.objects.get(phone=O_NUMBER)
    assert (wallet.first_name, wallet.last_name, wallet.inn) == ("Айгуль", "Токтосунова", PERSONAL_INN)
    assert wallet.operator == "o" and wallet.opened_channel == OpenedChannel.WEB
    assert wallet.offer_version == OFFER_VERSION and wallet.offer_accepted_at is not None
    pin_sms = sms_outbox.last(O_NUMBER)
    assert pin_sms.kind == "wallet_opened" and "PIN" in pin_sms.text
    html = client.get(reverse("cabinet:open_done")).content.decode()
    assert "открыт" in html and "Добавить email и пароль" in html


def test_after_opening_the_web_login_needs_no_second_code(client, sms_outbox):
    confirm_number(client, sms_outbox)
    client.post(reverse("cabinet:open_details"), details())
    sent_before = len(sms_outbox.all(O_NUMBER))
    register = {"email": "aigul@example.kg", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "offer": "on"}
    response = client.post(reverse("cabinet:register"), register)
    # signed in straight away: the number was confirmed minutes ago
    assert response["Location"] == reverse("cabinet:home")
    assert len(sms_outbox.all(O_NUMBER)) == sent_before
    assert User.objects.get(username=O_NUMBER).check_password(GOOD_PASSWORD)
    assert client.get(reverse("cabinet:home")).status_code == 200


def test_the_shortcut_is_used_once_and_not_by_another_number(client, sms_outbox, make_wallet):
    confirm_number(client, sms_outbox)
    client.post(reverse("cabinet:open_details"), details())
    # another wallet typed at «Войти» in the same browser needs its own code
    other = make_wallet()
    client.post(reverse("cabinet:entry"), {"phone": other.phone})
    register = {"email": "other@example.kg", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "offer": "on"}
    assert client.post(reverse("cabinet:register"), register)["Location"] == reverse("cabinet:register_code")
    assert not User.objects.filter(username=other.phone).exists()


@pytest.mark.parametrize(
    "overrides,field_text",
    [
        ({"full_name": "Айгуль"}, "Введите имя и фамилию через пробел."),
        ({"full_name": "R2D2 C3PO"}, "буквами"),
        ({"inn": "01503201010011"}, "Личный ИНН начинается с 1 или 2."),
        ({"inn": "123"}, "14 цифр"),
        ({"inn": "12513199000123"}, "дата рождения"),
        ({"offer": ""}, "согласитесь с условиями публичной оферты"),
        ({"full_name": "Айгуль\x00 Асанова"}, 'aria-invalid="true"'),
        ({"full_name": "А" * 500}, 'aria-invalid="true"'),
    ],
)
def test_bad_details_open_nothing_and_say_why(client, sms_outbox, overrides, field_text):
    confirm_number(client, sms_outbox)
    response = client.post(reverse("cabinet:open_details"), details(**overrides))
    assert response.status_code == 200
    assert field_text in response.content.decode()
    assert not Wallet.objects.filter(phone=O_NUMBER).exists()
    # and the holder can correct it and go on
    assert client.post(reverse("cabinet:open_details"), details())["Location"] == reverse("cabinet:open_done")


def test_details_need_a_confirmed_code(client, sms_outbox):
    client.post(reverse("cabinet:entry"), {"phone": O_NUMBER})
    # straight to the form without a code
    response = client.post(reverse("cabinet:open_details"), details())
    assert response["Location"] == reverse("cabinet:open_wallet")
    # a wrong code does not confirm either
    client.post(reverse("cabinet:open_wallet"))
    response = client.post(reverse("cabinet:open_code"), {"code": "000000"})
    assert "Неверный код" in response.content.decode()
    assert client.post(reverse("cabinet:open_details"), details())["Location"] == reverse("cabinet:open_wallet")
    assert not Wallet.objects.filter(phone=O_NUMBER).exists()


def test_a_stale_confirmation_is_not_enough(client, sms_outbox):
    confirm_number(client, sms_outbox)
    session = client.session
    session[OPENING_KEY] = {**session[OPENING_KEY], "verified_at": int(time.time()) - 16 * 60}
    session.save()
    assert client.post(reverse("cabinet:open_details"), details())["Location"] == reverse("cabinet:open_wallet")
    assert not Wallet.objects.filter(phone=O_NUMBER).exists()


def test_a_wallet_opened_meanwhile_is_told_to_sign_in(client, sms_outbox, make_wallet):
    # given a number confirmed on the web, then opened elsewhere (a branch, *900#) before the form was sent
    confirm_number(client, sms_outbox, phone="+996555777001")
    make_wallet(phone="+996555777001")
    response = client.post(reverse("cabinet:open_details"), details(), follow=True)
    html = response.content.decode()
    assert "уже открыт" in html and "Войдите" in html
    assert Wallet.objects.filter(phone="+996555777001").count() == 1
    # and «Войти» leads on to the registration of that wallet
    assert client.post(reverse("cabinet:entry"), {"phone": "+996555777001"})["Location"] == reverse("cabinet:register")


def test_the_opening_page_of_an_existing_wallet_says_sign_in(client, make_wallet):
    wallet = make_wallet()
    session = client.session
    session[OPENING_KEY] = {"phone": wallet.phone, "verified_at": None, "opened": False}
    session.save()
    response = client.get(reverse("cabinet:open_wallet"), follow=True)
    assert "уже открыт" in response.content.decode()


def test_codes_are_rate_limited_like_the_webs(client, sms_outbox):
    client.post(reverse("cabinet:entry"), {"phone": O_NUMBER})
    client.post(reverse("cabinet:open_wallet"))
    # a second code within the minute is refused and says when
    response = client.post(reverse("cabinet:open_code"), {"resend": "1"}, follow=True)
    assert "Новый код можно запросить через" in response.content.decode()
    assert len(sms_outbox.all(O_NUMBER)) == 1


def test_the_per_address_limit_holds_over_flows(client, sms_outbox):
    from django.core.cache import cache

    for _flow in range(5):  # CODE_MAX_PER_PHONE_AND_ADDRESS an hour
        client.post(reverse("cabinet:entry"), {"phone": O_NUMBER})
        client.post(reverse("cabinet:open_wallet"))
        client.session.flush()
        client.cookies.clear()
        cache.clear()  # only the «Войти» look-up limit lives in the cache; the code limits are in the database
    client.post(reverse("cabinet:entry"), {"phone": O_NUMBER})
    response = client.post(reverse("cabinet:open_wallet"), follow=True)
    assert len(sms_outbox.all(O_NUMBER)) == 5
    assert "Слишком много кодов на этот номер" in response.content.decode()


def test_three_wrong_codes_void_it(client, sms_outbox):
    client.post(reverse("cabinet:entry"), {"phone": O_NUMBER})
    client.post(reverse("cabinet:open_wallet"))
    real = sms_code(sms_outbox, O_NUMBER)
    wrong = "111111" if real != "111111" else "222222"
    for _guess in range(3):
        client.post(reverse("cabinet:open_code"), {"code": wrong})
    response = client.post(reverse("cabinet:open_code"), {"code": real})
    assert "недействителен" in response.content.decode()
    assert client.post(reverse("cabinet:open_details"), details())["Location"] == reverse("cabinet:open_wallet")


@pytest.mark.parametrize("language,expected", [("ky", "ky"), ("en", "en")])
def test_the_wallet_speaks_the_pages_language(client, sms_outbox, language, expected):
    client.cookies["django_language"] = language
    confirm_number(client, sms_outbox)
    client.post(reverse("cabinet:open_details"), details())
    assert Wallet.objects.get(phone=O_NUMBER).language == expected


def test_without_a_number_the_steps_go_back_to_entry(client):
    for name in ("cabinet:open_wallet", "cabinet:open_code", "cabinet:open_details", "cabinet:open_done"):
        assert client.get(reverse(name))["Location"] == reverse("cabinet:entry")
