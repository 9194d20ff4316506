"""СОЧИ's management commands: sochi_seed, sochi_company, sochi_balance, sochi_check (sochi_fault: test_faults.py).
In-process with call_command; the real exit codes through manage.py are in test_settings.py."""

import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sochi.models import Company, CompanyStatus, CompanyUser, Payment, Report, ReportStatus
from sochi.payments import payment_accept
from tests.sochi.conftest import ALA_TOO, CLOSED, NO_PAYMENTS, UNKNOWN

pytestmark = pytest.mark.django_db

NEW_INN = "01906202400017"


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def counts() -> tuple[int, int, int]:
    return Company.objects.count(), CompanyUser.objects.count(), Report.objects.count()


# --- sochi_seed -----------------------------------------------------------------------------------------------------


def test_sochi_seed_loads_the_demo_companies_and_prints_a_table():
    """The INNs the demo wallets pay, a closed company and one that refuses payments; each with reports awaiting
    payment and a director and an accountant."""
    # when
    output = run("sochi_seed")
    # then
    for inn in (ALA_TOO, "02106201510234", "00908199910058", "21204198800345", CLOSED, NO_PAYMENTS):
        assert inn in output
        company = Company.objects.get(inn=inn)
        assert 1 <= company.reports.filter(status=ReportStatus.AWAITING_PAYMENT).count() <= 3
        assert set(company.users.values_list("role", flat=True)) == {"director", "accountant"}
    assert Company.objects.get(inn=CLOSED).status == CompanyStatus.CLOSED
    assert Company.objects.get(inn=NO_PAYMENTS).accepts_payments is False
    assert Company.objects.get(inn=ALA_TOO).name == "ОсОО «Ала-Тоо Консалт»"
    assert "123456" in output and "654321" in output


def test_sochi_seed_twice_adds_nothing_and_keeps_balances():
    """Idempotent: found by INN; a second run neither duplicates nor resets what happened since."""
    # given
    run("sochi_seed")
    payment_accept(txn_id="1", inn=ALA_TOO, amount=Decimal("1300.00"), txn_date="20260115103000")
    before = counts()
    # when
    output = run("sochi_seed")
    # then
    assert counts() == before
    assert "(kept)" in output and "(new)" not in output
    assert Company.objects.get(inn=ALA_TOO).balance == Decimal("100.00")
    assert Report.objects.filter(company__inn=ALA_TOO, status=ReportStatus.SENT).count() == 1


def test_sochi_seed_is_refused_outside_debug_and_demo_mode(settings):
    # given
    settings.DEBUG = False
    settings.DEMO_MODE = False
    # when
    with pytest.raises(CommandError, match="DEBUG or DEMO_MODE"):
        run("sochi_seed")
    # then
    assert counts() == (0, 0, 0)


# --- sochi_company --------------------------------------------------------------------------------------------------


def test_sochi_company_creates_a_company():
    # when
    output = run("sochi_company", NEW_INN, "--name", "ОсОО «Жаңы»", "--name-ky", "«Жаңы» ЖЧК")
    # then
    company = Company.objects.get(inn=NEW_INN)
    assert (company.name, company.name_ky, company.status) == ("ОсОО «Жаңы»", "«Жаңы» ЖЧК", CompanyStatus.ACTIVE)
    assert company.accepts_payments
    assert output.startswith("created:")


def test_sochi_company_updates_name_and_status_and_keeps_the_rest():
    """A second call updates what it is given: --closed closes, --active reopens; name_ky stays when not given."""
    # given
    run("sochi_company", NEW_INN, "--name", "Старое", "--name-ky", "Эски")
    # when
    closed = run("sochi_company", NEW_INN, "--name", "Новое", "--closed")
    closed_status = Company.objects.get(inn=NEW_INN).status
    run("sochi_company", NEW_INN, "--name", "Новое", "--active", "--refuse-payments")
    # then
    company = Company.objects.get(inn=NEW_INN)
    assert closed.startswith("updated:")
    assert closed_status == CompanyStatus.CLOSED
    assert (company.name, company.name_ky, company.status) == ("Новое", "Эски", CompanyStatus.ACTIVE)
    assert company.accepts_payments is False
    assert Company.objects.count() == 1


def test_sochi_company_sets_pins_of_its_users():
    # when
    run("sochi_company", NEW_INN, "--name", "ОсОО «Жаңы»", "--director-pin", "111111", "--accountant-pin", "222222")
    # then
    assert set(CompanyUser.objects.filter(company__inn=NEW_INN).values_list("role", flat=True)) == {
        "director",
        "accountant",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["123", "--name", "X"], "14 цифр"),
        (["0150320101001x", "--name", "X"], "14 цифр"),
        (["31503201010011", "--name", "X"], "начинается с 0"),
        ([NEW_INN, "--name", "   "], "название"),
        ([NEW_INN, "--name", "X\x00Y"], "непечатаемые"),
        ([NEW_INN, "--name", "X" * 201], "200"),
        ([NEW_INN, "--name", "X", "--director-pin", "12345"], "6 цифр"),
    ],
)
def test_sochi_company_refuses_bad_input_and_writes_nothing(args, message):
    # when
    with pytest.raises(CommandError, match=message):
        run("sochi_company", *args)
    # then
    assert counts() == (0, 0, 0)


def test_sochi_company_needs_a_name():
    with pytest.raises(CommandError, match="--name"):
        run("sochi_company", NEW_INN)


def test_sochi_company_refuses_closed_and_active_together():
    with pytest.raises(CommandError):
        run("sochi_company", NEW_INN, "--name", "X", "--closed", "--active")


# --- sochi_balance --------------------------------------------------------------------------------------------------


def test_sochi_balance_json_has_the_balance_credits_and_reports_with_money_as_strings():
    # given
    run("sochi_seed")
    paid = payment_accept(txn_id="77", inn=ALA_TOO, amount=Decimal("1300.5"), txn_date="20260115103000").payment
    # when
    data = json.loads(run("sochi_balance", ALA_TOO, "--json"))
    # then
    assert data["inn"] == ALA_TOO
    assert data["balance"] == "100.50"
    assert data["credits"][0] == {
        "txn_id": "77",
        "prv_txn": paid.prv_txn,
        "sum": "1300.50",
        "txn_date": "20260115103000",
        "aggregator": "ELSOM",
        "credited_at": data["credits"][0]["credited_at"],
    }
    assert data["credits"][0]["credited_at"].endswith("+06:00")
    assert data["debits"][0]["sum"] == "1200.00"
    statuses = {report["form"]: (report["price"], report["status"]) for report in data["reports"]}
    assert statuses == {"unified_tax": ("1200.00", "sent"), "social_fund_monthly": ("350.00", "awaiting_payment")}


def test_sochi_balance_as_text():
    # given
    run("sochi_seed")
    payment_accept(txn_id="78", inn=ALA_TOO, amount=Decimal("10"), txn_date="20260115103000")
    # when
    output = run("sochi_balance", ALA_TOO)
    # then
    assert "Личный баланс: 10.00 сом" in output
    assert "txn_id 78" in output
    assert Payment.objects.get(txn_id="78").prv_txn in output


@pytest.mark.parametrize(("inn", "message"), [(UNKNOWN, "не найдена"), ("12", "14 цифр")])
def test_sochi_balance_refuses_an_unknown_or_bad_inn(inn, message):
    with pytest.raises(CommandError, match=message):
        run("sochi_balance", inn)


# --- sochi_check ----------------------------------------------------------------------------------------------------


def test_sochi_check_passes_on_clean_books_and_fails_on_a_broken_cache():
    # given
    run("sochi_seed")
    payment_accept(txn_id="79", inn=ALA_TOO, amount=Decimal("10"), txn_date="20260115103000")
    # when
    clean = run("sochi_check")
    Company.objects.filter(inn=ALA_TOO).update(balance=Decimal("0"))
    # then
    assert clean.startswith("sochi OK: 6 companies, 1 payments")
    with pytest.raises(CommandError, match=ALA_TOO):
        run("sochi_check")
