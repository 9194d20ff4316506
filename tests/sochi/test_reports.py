"""Reports awaiting payment are sent by the credit that covers them, oldest first, in the payment's transaction; and
money rows are append-only."""

from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import translation

from sochi.companies import company_save
from sochi.models import (
    AppendOnlyError,
    BalanceEntry,
    Company,
    EntryKind,
    Payment,
    Report,
    ReportForm,
    ReportStatus,
)
from sochi.osmp import Result
from sochi.payments import balance_from_entries, balance_verify, payment_accept

pytestmark = pytest.mark.django_db

INN = "01502202000031"


@pytest.fixture
def company():
    company, _created = company_save(inn=INN, name="ОсОО «Тест»")
    return company


def add_report(company, form, period, price) -> Report:
    return Report.objects.create(company=company, form=form, period=period, price=Decimal(price))


def pay(txn_id: str, amount: str):
    return payment_accept(txn_id=txn_id, inn=INN, amount=Decimal(amount), txn_date="20260115103000")


def test_a_credit_that_covers_a_waiting_report_sends_it(company):
    """350 som in, a 350 som report waiting: the report is sent (debit entry, status, time), the balance is 0."""
    # given
    report = add_report(company, ReportForm.SOCIAL_FUND_MONTHLY, "2026-01", "350.00")
    # when
    outcome = pay("1", "350.00")
    # then
    assert outcome.result == Result.OK
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    assert report.sent_at is not None
    debit = BalanceEntry.objects.get(kind=EntryKind.DEBIT)
    assert debit.report == report
    assert debit.amount == Decimal("350.00")
    company.refresh_from_db()
    assert company.balance == 0


def test_a_credit_that_does_not_cover_the_report_leaves_it_waiting(company):
    """349.99 som against a 350 som report: nothing is debited, the money stays on the balance."""
    # given
    report = add_report(company, ReportForm.SOCIAL_FUND_MONTHLY, "2026-01", "350.00")
    # when
    pay("1", "349.99")
    # then
    report.refresh_from_db()
    assert report.status == ReportStatus.AWAITING_PAYMENT
    assert report.sent_at is None
    assert not BalanceEntry.objects.filter(kind=EntryKind.DEBIT).exists()
    company.refresh_from_db()
    assert company.balance == Decimal("349.99")


def test_two_reports_and_a_credit_covering_only_the_first(company):
    """Oldest first: 500 som pays the 350 som report made first; the 1 200 som one waits, 150 som stay."""
    # given
    older = add_report(company, ReportForm.SOCIAL_FUND_MONTHLY, "2025-12", "350.00")
    newer = add_report(company, ReportForm.UNIFIED_TAX, "2025", "1200.00")
    # when
    pay("1", "500.00")
    # then
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.status == ReportStatus.SENT
    assert newer.status == ReportStatus.AWAITING_PAYMENT
    company.refresh_from_db()
    assert company.balance == Decimal("150.00")


def test_the_oldest_report_blocks_newer_ones_it_cannot_pay_for(company):
    """The next report is the oldest waiting one: a cheaper, newer report is not sent ahead of it."""
    # given
    older = add_report(company, ReportForm.UNIFIED_TAX, "2025", "1200.00")
    newer = add_report(company, ReportForm.SOCIAL_FUND_MONTHLY, "2026-01", "350.00")
    # when
    pay("1", "400.00")
    # then
    assert Report.objects.get(pk=older.pk).status == ReportStatus.AWAITING_PAYMENT
    assert Report.objects.get(pk=newer.pk).status == ReportStatus.AWAITING_PAYMENT


def test_later_credits_add_up_until_the_report_is_covered(company):
    """200 + 200 som: the first leaves the 350 som report waiting, the second sends it; 50 som stay."""
    # given
    report = add_report(company, ReportForm.SOCIAL_FUND_MONTHLY, "2026-01", "350.00")
    # when
    pay("1", "200.00")
    waiting_after_first = Report.objects.get(pk=report.pk).status
    pay("2", "200.00")
    # then
    assert waiting_after_first == ReportStatus.AWAITING_PAYMENT
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SENT
    assert Company.objects.get(pk=company.pk).balance == Decimal("50.00")


def test_one_credit_can_send_several_reports(company):
    """1 600 som covers 350 + 1 200: both sent, oldest first, 50 som stay."""
    # given
    add_report(company, ReportForm.SOCIAL_FUND_MONTHLY, "2026-01", "350.00")
    add_report(company, ReportForm.UNIFIED_TAX, "2025", "1200.00")
    # when
    pay("1", "1600.00")
    # then
    assert not Report.objects.filter(status=ReportStatus.AWAITING_PAYMENT).exists()
    assert BalanceEntry.objects.filter(kind=EntryKind.DEBIT).count() == 2
    assert Company.objects.get(pk=company.pk).balance == Decimal("50.00")


def test_a_repeated_pay_sends_nothing_more(company):
    """The repeat of a pay is not another credit: no second debit either."""
    # given
    add_report(company, ReportForm.SOCIAL_FUND_MONTHLY, "2026-01", "350.00")
    add_report(company, ReportForm.VAT_MONTHLY, "2026-01", "350.00")
    pay("1", "350.00")
    # when
    pay("1", "350.00")
    # then
    assert Report.objects.filter(status=ReportStatus.SENT).count() == 1
    assert Company.objects.get(pk=company.pk).balance == 0


def test_the_cached_balance_equals_credits_minus_debits(company):
    """After credits and sends, the company row and its entries agree (what sochi_check verifies)."""
    # given
    add_report(company, ReportForm.SOCIAL_FUND_MONTHLY, "2026-01", "350.00")
    # when
    pay("1", "123.45")
    pay("2", "300.00")
    # then
    company.refresh_from_db()
    assert company.balance == balance_from_entries(company=company) == Decimal("73.45")
    assert balance_verify() == []


def test_balance_verify_reports_a_cache_that_disagrees(company):
    """A cached balance changed behind the entries' back is found."""
    # given
    pay("1", "100.00")
    Company.objects.filter(pk=company.pk).update(balance=Decimal("90.00"))
    # when
    problems = balance_verify()
    # then
    assert problems == [f"{INN}: balance 90.00 but entries give 100.00"]


def test_payments_and_entries_refuse_updates_and_deletes_in_the_orm(company):
    """Credited money is never edited or removed through the ORM."""
    # given
    pay("1", "100.00")
    payment = Payment.objects.get()
    entry = BalanceEntry.objects.get()
    # then
    for action in (
        lambda: Payment.objects.update(amount=Decimal("1.00")),
        lambda: Payment.objects.all().delete(),
        lambda: payment.save(),
        lambda: payment.delete(),
        lambda: BalanceEntry.objects.update(amount=Decimal("1.00")),
        lambda: entry.delete(),
    ):
        with pytest.raises(AppendOnlyError):
            action()


@pytest.mark.parametrize("table", ["sochi_payment", "sochi_balanceentry"])
def test_the_database_refuses_to_update_money_rows(company, table):
    """A trigger refuses an UPDATE even from raw SQL."""
    # given
    pay("1", "100.00")
    # then
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET amount = 1")  # noqa: S608 - a fixed table name


def test_the_database_refuses_a_negative_balance(company):
    """The company row's CHECK keeps the balance at zero or above whatever code does."""
    # then
    with pytest.raises(IntegrityError), transaction.atomic():
        Company.objects.filter(pk=company.pk).update(balance=Decimal("-0.01"))


def test_a_credit_entry_must_name_its_payment(company):
    """A credit without a payment (or a debit without a report) is refused by the database."""
    # then
    with pytest.raises(IntegrityError), transaction.atomic():
        BalanceEntry.objects.create(company=company, kind=EntryKind.CREDIT, amount=Decimal("1.00"), reason="x")


def test_the_debit_reason_is_stored_in_russian_whatever_the_request_language(company):
    """The entry's text is data, not UI: a Kyrgyz Accept-Language on the pay does not change it."""
    # given
    add_report(company, ReportForm.UNIFIED_TAX, "2025", "10.00")
    # when
    with translation.override("ky"):
        pay("1", "10.00")
    # then
    assert BalanceEntry.objects.get(kind=EntryKind.DEBIT).reason == "Отправка отчета: Единая налоговая декларация, 2025"
