"""elsom.kg is Russian unless the visitor picks another language: a browser set to en-US (most computers and phones
in Kyrgyzstan) gets Russian, one that prefers Kyrgyz gets Kyrgyz, English comes only from the switcher and is
remembered; a wallet opened on the site gets its SMS in the page's language."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from core.locale import browser_language
from tests.cabinet.conftest import sms_code
from wallet.models import Wallet

pytestmark = pytest.mark.django_db

EN_US = "en-US,en;q=0.9"
WORDS = {"ru": "Войти", "ky": "Кирүү", "en": "Sign in"}


def entry_page(client: Client, accept_language: str):
    response = client.get(reverse("cabinet:entry"), HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    return response


def language_of(response) -> str:
    html = response.content.decode()
    language = response["Content-Language"]
    assert f'<html lang="{language}">' in html and WORDS[language] in html
    return language


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        (EN_US, "ru"),
        ("en", "ru"),
        ("ky", "ky"),
        ("ky-KG,ky;q=0.9,ru;q=0.8", "ky"),
        ("ru", "ru"),
        ("ru-RU,ru;q=0.9,ky;q=0.8,en;q=0.7", "ru"),
        ("en-US,en;q=0.9,ky;q=0.8", "ky"),  # of the country's two languages, the browser prefers Kyrgyz
        ("de-DE,fr;q=0.5", "ru"),
        ("", "ru"),
    ],
)
def test_the_entry_page_speaks_russian_unless_the_browser_prefers_kyrgyz(client, accept_language, expected):
    assert language_of(entry_page(client, accept_language)) == expected


@pytest.mark.parametrize("chosen", ["en", "ky", "ru"])
def test_a_language_chosen_with_the_switcher_is_remembered_whatever_the_browser_says(client, chosen):
    # given: an en-US browser, or a Kyrgyz one, on the Russian page
    for browser in (EN_US, "ky-KG"):
        visitor = Client()
        # when: the visitor picks a language with the switcher
        response = visitor.post(
            reverse("set_language"), {"language": chosen, "next": "/"}, HTTP_ACCEPT_LANGUAGE=browser
        )
        # then: it is kept in the language cookie, and every next page speaks it
        assert response.status_code == 302 and visitor.cookies[settings.LANGUAGE_COOKIE_NAME].value == chosen
        assert language_of(entry_page(visitor, browser)) == chosen


def test_a_cookie_naming_no_language_of_the_site_falls_back_to_the_rule(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    assert language_of(entry_page(client, EN_US)) == "ru"


@pytest.mark.parametrize(
    ("url", "russian", "english"),
    [
        ("/staff/login/", "Войти", "Sign in"),
        ("/demo/phone/", "SMS на этот номер", "SMS to this number"),
    ],
)
def test_the_console_and_the_phone_simulator_follow_the_same_rule(client, url, russian, english):
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=EN_US).content.decode()
    assert '<html lang="ru">' in html and russian in html
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=EN_US).content.decode()
    assert '<html lang="en">' in html and english in html


def test_a_wallet_opened_from_an_en_us_browser_gets_its_sms_in_russian(client, sms_outbox):
    """The finding: «even SMS labels English». The wallet keeps the page's language, now Russian."""
    phone = "+996700123457"
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = EN_US
    client.post(reverse("cabinet:entry"), {"phone": phone})
    client.post(reverse("cabinet:open_wallet"))
    assert "Код для открытия кошелька ЭЛСОМ" in sms_outbox.last(phone).text
    client.post(reverse("cabinet:open_code"), {"code": sms_code(sms_outbox, phone)})
    client.post(
        reverse("cabinet:open_details"), {"full_name": "Айгуль Токтосунова", "inn": "12505199000123", "offer": "on"}
    )
    assert Wallet.objects.get(phone=phone).language == "ru"
    pin_sms = sms_outbox.last(phone)
    assert pin_sms.kind == "wallet_opened" and "ЭЛСОМ" in pin_sms.text and "ELSOM" not in pin_sms.text


def test_the_browser_rule_reads_no_further_than_a_real_header():
    assert browser_language("en;q=0.9," * 200 + "ky") == "ru"
    assert browser_language("KY-kg") == "ky"
