"""The company page: sign-in INN -> role -> PIN with a lockout counted in the database, the page's contents, its
headers, Kyrgyz, and no other company's data."""

import re
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from sochi.models import CompanyUser, Role
from sochi.payments import payment_accept
from sochi.signin import company_user_sign_in
from tests.helpers import values_of_concurrent
from tests.sochi.conftest import ALA_TOO, BISHKEK_TRADE, CLOSED, SOCHI_URLS, UNKNOWN

pytestmark = [SOCHI_URLS, pytest.mark.usefixtures("seeded")]

DIRECTOR_PIN = "123456"
ACCOUNTANT_PIN = "654321"


def sign_in(client, inn=ALA_TOO, role=Role.DIRECTOR, pin=DIRECTOR_PIN):
    """The three steps; returns the last response (a redirect to the company page on success)."""
    first = client.post("/signin/", {"inn": inn})
    assert first.status_code == 302, first.content.decode()
    second = client.post("/signin/role/", {"role": role})
    assert second.status_code == 302, second.content.decode()
    return client.post("/signin/pin/", {"pin": pin})


def pay(txn_id, inn=ALA_TOO, amount="100.00"):
    return payment_accept(txn_id=txn_id, inn=inn, amount=Decimal(amount), txn_date="20260115103000")


def text(response) -> str:
    """The page as text with tags dropped and spaces collapsed, for asserting what a reader sees."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


# --- sign-in --------------------------------------------------------------------------------------------------------


def test_sign_in_goes_inn_role_pin_and_lands_on_the_company_page(client):
    """INN -> role -> PIN redirects to the page of that company."""
    # when
    response = sign_in(client)
    page = client.get(response["Location"])
    # then
    assert response["Location"] == "/company/"
    assert page.status_code == 200
    assert "ОсОО «Ала-Тоо Консалт»" in text(page)
    assert ALA_TOO in text(page)


def test_the_role_step_names_the_company_and_offers_both_roles(client):
    # given
    client.post("/signin/", {"inn": ALA_TOO})
    # when
    page = client.get("/signin/role/")
    # then
    assert "ОсОО «Ала-Тоо Консалт»" in text(page)
    assert "Руководитель" in text(page)
    assert "Бухгалтер" in text(page)


def test_the_accountant_signs_in_with_its_own_pin(client):
    """Each role has its own PIN: the director's does not open the accountant."""
    # when
    wrong = sign_in(client, role=Role.ACCOUNTANT, pin=DIRECTOR_PIN)
    right = client.post("/signin/pin/", {"pin": ACCOUNTANT_PIN})
    # then
    assert wrong.status_code == 200
    assert right["Location"] == "/company/"
    assert "Бухгалтер" in text(client.get("/company/"))


@pytest.mark.parametrize(
    ("inn", "message"),
    [
        ("", "Обязательное поле"),
        ("123", "ИНН состоит ровно из 14 цифр."),
        ("31503201010011", "ИНН организации начинается с 0"),
        (UNKNOWN, "Организация с таким ИНН не найдена в СОЧИ."),
        ("0150320101001\x00", "ноль-байт"),  # Django's own guard, in Russian
    ],
)
def test_a_bad_or_unknown_inn_stays_on_the_first_step(client, inn, message):
    # when
    response = client.post("/signin/", {"inn": inn})
    # then
    assert response.status_code == 200
    assert message in text(response)


def test_spaces_in_the_inn_are_ignored(client):
    # when
    response = client.post("/signin/", {"inn": " 0150 3201 0100 11 "})
    # then
    assert response["Location"] == "/signin/role/"


def test_later_steps_without_the_earlier_ones_send_back_to_the_start(client):
    """The PIN step without INN and role (or the role step without INN) starts over."""
    # when
    pin = client.post("/signin/pin/", {"pin": DIRECTOR_PIN})
    role = client.get("/signin/role/")
    # then
    assert pin["Location"] == "/signin/"
    assert role["Location"] == "/signin/"


def test_an_unknown_role_is_refused(client):
    # given
    client.post("/signin/", {"inn": ALA_TOO})
    # when
    response = client.post("/signin/role/", {"role": "admin"})
    # then
    assert response.status_code == 200
    assert client.post("/signin/pin/", {"pin": DIRECTOR_PIN})["Location"] == "/signin/"


@pytest.mark.parametrize("pin", ["12345", "1234567", "abcdef", "12345\x00"])
def test_a_pin_that_is_not_6_digits_is_not_counted_as_an_attempt(client, pin):
    """A typo in the PIN's shape is a form error, not a wrong PIN."""
    # when
    response = sign_in(client, pin=pin)
    # then
    assert response.status_code == 200
    assert CompanyUser.objects.get(company__inn=ALA_TOO, role=Role.DIRECTOR).failed_attempts == 0


def test_a_wrong_pin_says_how_many_attempts_are_left(client):
    # when
    response = sign_in(client, pin="000000")
    # then
    assert "Неверный ПИН-код. Осталось попыток: 4." in text(response)
    assert client.get("/company/")["Location"] == "/signin/"


def test_five_wrong_pins_lock_the_user_for_15_minutes_even_for_the_right_pin(client):
    """The 5th wrong PIN locks; then the right PIN is refused too, in a new session as well (the count is in the
    database, not the session)."""
    # given
    sign_in(client, pin="000000")
    for _ in range(4):
        response = client.post("/signin/pin/", {"pin": "000000"})
    # when
    fresh = Client()
    right = sign_in(fresh, pin=DIRECTOR_PIN)
    # then
    assert "Вход заблокирован после 5 неверных ПИН-кодов" in text(response)
    assert right.status_code == 200
    assert "Вход заблокирован" in text(right)
    user = CompanyUser.objects.get(company__inn=ALA_TOO, role=Role.DIRECTOR)
    assert timedelta(minutes=14) < user.locked_until - timezone.now() <= timedelta(minutes=15)
    assert fresh.get("/company/")["Location"] == "/signin/"


def test_the_lock_ends_after_15_minutes(client):
    # given
    CompanyUser.objects.filter(company__inn=ALA_TOO, role=Role.DIRECTOR).update(
        locked_until=timezone.now() - timedelta(seconds=1)
    )
    # when
    response = sign_in(client)
    # then
    assert response["Location"] == "/company/"


def test_the_lock_is_per_user(client):
    """The locked director does not lock the accountant of the same company."""
    # given
    CompanyUser.objects.filter(company__inn=ALA_TOO, role=Role.DIRECTOR).update(
        locked_until=timezone.now() + timedelta(minutes=15)
    )
    # when
    response = sign_in(client, role=Role.ACCOUNTANT, pin=ACCOUNTANT_PIN)
    # then
    assert response["Location"] == "/company/"


def test_a_right_pin_resets_the_count(client):
    # given
    sign_in(client, pin="000000")
    # when
    client.post("/signin/pin/", {"pin": DIRECTOR_PIN})
    # then
    assert CompanyUser.objects.get(company__inn=ALA_TOO, role=Role.DIRECTOR).failed_attempts == 0


def test_sign_in_rotates_the_session_key(client):
    """A session key known before sign-in is worthless after it (session fixation)."""
    # given
    client.post("/signin/", {"inn": ALA_TOO})
    client.post("/signin/role/", {"role": Role.DIRECTOR})
    before = client.session.session_key
    # when
    client.post("/signin/pin/", {"pin": DIRECTOR_PIN})
    # then
    assert client.session.session_key != before


def test_sign_out_ends_the_session(client):
    # given
    sign_in(client)
    # when
    response = client.post("/signout/")
    # then
    assert response["Location"] == "/signin/"
    assert client.get("/company/")["Location"] == "/signin/"


def test_sign_out_needs_a_post(client):
    # given
    sign_in(client)
    # when
    response = client.get("/signout/")
    # then
    assert response.status_code == 405
    assert client.get("/company/").status_code == 200


def test_forms_need_the_csrf_token():
    """Every form is CSRF-protected: a POST without the token is refused."""
    # given
    strict = Client(enforce_csrf_checks=True)
    # when
    response = strict.post("/signin/", {"inn": ALA_TOO})
    # then
    assert response.status_code == 403


def test_the_pin_is_not_logged(client, caplog):
    # when
    with caplog.at_level("DEBUG"):
        sign_in(client, pin="987654")
    # then
    assert "987654" not in caplog.text


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # see test_concurrency.py
def test_simultaneous_wrong_pins_are_all_counted():
    """5 wrong PINs at the same moment (say, 5 browser tabs): every one is counted and the user ends up locked."""
    # given
    call_command("sochi_seed", stdout=StringIO())
    user = CompanyUser.objects.get(company__inn=ALA_TOO, role=Role.DIRECTOR)
    # when
    outcomes = values_of_concurrent(5, lambda _index: company_user_sign_in(user_id=user.pk, pin="000000"))
    # then
    user.refresh_from_db()
    assert user.locked_until is not None
    assert sorted(outcome.attempts_left for outcome in outcomes if outcome.attempts_left is not None) == [1, 2, 3, 4]
    assert not company_user_sign_in(user_id=user.pk, pin=DIRECTOR_PIN).ok


# --- the page -------------------------------------------------------------------------------------------------------


def test_the_page_shows_balance_payments_and_reports(client):
    """Name, INN, status, «Личный баланс», each payment with its ELSOM code (txn_id) and prv_txn, newest first, and
    the reports with their status."""
    # given
    first = pay("111001", amount="1300.00").payment  # sends the 1 200 som declaration, 100 som stay
    second = pay("111002", amount="50.50").payment
    sign_in(client)
    # when
    page = client.get("/company/")
    # then
    shown = text(page)
    assert "Личный баланс 150.50 сом" in shown
    assert "действует" in shown
    assert f"111002 {second.prv_txn} 50.50" in shown
    assert f"111001 {first.prv_txn} 1 300.00" in shown
    assert shown.index("111002") < shown.index("111001")
    assert "Единая налоговая декларация 2025 год 1 200.00 отправлен" in shown
    assert "Отчет в Социальный фонд (ежемесячный) Январь 2026 350.00 ожидает оплаты" in shown


def test_a_closed_company_shows_its_status(client):
    # given
    sign_in(client, inn=CLOSED)
    # when
    shown = text(client.get("/company/"))
    # then
    assert "закрыта" in shown
    assert "Поступлений пока нет." in shown


def test_another_companys_data_is_never_shown(client):
    """Signed in as Ала-Тоо: Бишкек Трейд's payment, name and reports do not appear, whatever the query says."""
    # given
    pay("222001", inn=BISHKEK_TRADE)
    pay("222002", inn=ALA_TOO)
    sign_in(client)
    # when
    shown = text(client.get("/company/", {"inn": BISHKEK_TRADE, "company": "2"}))
    # then
    assert "222002" in shown
    assert "222001" not in shown
    assert "Бишкек Трейд" not in shown
    assert "Декларация по НДС" not in shown


def test_pages_with_company_data_are_not_cached(client):
    """no-store on the company page and on the sign-in steps (which name the company)."""
    # given
    client.post("/signin/", {"inn": ALA_TOO})
    role_step = client.get("/signin/role/")
    client.post("/signin/role/", {"role": Role.DIRECTOR})
    pin_step = client.get("/signin/pin/")
    client.post("/signin/pin/", {"pin": DIRECTOR_PIN})
    # when
    page = client.get("/company/")
    # then
    for response in (role_step, pin_step, page):
        assert "no-store" in response["Cache-Control"]


def test_the_page_has_no_inline_script_and_uses_the_local_bootstrap(client):
    # given
    sign_in(client)
    # when
    html = client.get("/company/").content.decode()
    # then
    assert "<script" not in html
    assert " style=" not in html
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "cdn" not in html.lower()


def test_the_kyrgyz_page_is_in_kyrgyz(client):
    """After switching to Кыргызча the page's texts, the company's Kyrgyz name, statuses and report forms are Kyrgyz."""
    # given
    pay("333001", amount="1300.00")
    client.post("/i18n/setlang/", {"language": "ky", "next": "/signin/"})
    sign_in(client)
    # when
    shown = text(client.get("/company/"))
    # then
    for kyrgyz in (
        "«Ала-Тоо Консалт» ЖЧК",
        "Жеке баланс",
        "Келип түшкөн төлөмдөр",
        "ЭЛСОМ төлөмүнүн коду",
        "СОЧИдеги номери",
        "Отчеттор",
        "Бирдиктүү салык декларациясы",
        "2025-жыл",
        "жөнөтүлдү",
        "төлөнүшүн күтүүдө",
        "иштеп жатат",
        "Чыгуу",
    ):
        assert kyrgyz in shown, kyrgyz
    for russian in ("Личный баланс", "Поступления", "ожидает оплаты", "Отчеты", "действует"):
        assert russian not in shown, russian


def test_the_kyrgyz_sign_in_steps_are_in_kyrgyz(client):
    # given
    client.post("/i18n/setlang/", {"language": "ky", "next": "/signin/"})
    # when
    first = text(client.get("/signin/"))
    client.post("/signin/", {"inn": ALA_TOO})
    second = text(client.get("/signin/role/"))
    client.post("/signin/role/", {"role": Role.DIRECTOR})
    wrong = text(client.post("/signin/pin/", {"pin": "000000"}))
    # then
    assert "Жеке кабинетке кирүү" in first
    assert "Уюмдун ИНН" in first
    assert "Жетекчи" in second
    assert "ПИН-код туура эмес. Калган аракеттер: 4." in wrong
