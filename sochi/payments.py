"""Crediting payments to a company's personal balance and sending the reports the balance then pays for.

`payment_accept` is idempotent by the aggregator's txn_id: the same txn_id with the same account and sum credits once
and answers with the same prv_txn, also when two requests race (a unique constraint decides, the loser reads the
winner's row); the same txn_id with another account or sum is refused and credits nothing.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import BigIntegerField, F, QuerySet, Sum
from django.utils import timezone, translation

from sochi.models import (
    BalanceEntry,
    Company,
    CompanyStatus,
    EntryKind,
    Payment,
    Report,
    ReportStatus,
    Sequence,
)
from sochi.money import from_tyiyn
from sochi.osmp import Result

logger = logging.getLogger("sochi.payments")

PRV_TXN_SEQUENCE = "prv_txn"
PRV_TXN_FIRST = 700_000_001


@dataclass(frozen=True)
class AccountOutcome:
    result: Result
    company: Company | None


@dataclass(frozen=True)
class PayOutcome:
    result: Result
    payment: Payment | None = None
    company: Company | None = None
    # The txn_id was credited before: with the same account and sum (result 0), or with others (conflict, 300).
    repeated: bool = False
    conflict: bool = False


class _Refused(Exception):
    """The account check failed inside the payment's transaction (the company changed since the first look)."""

    def __init__(self, outcome: AccountOutcome):
        self.outcome = outcome


def _account_result(company: Company | None) -> Result:
    if company is None:
        return Result.ACCOUNT_NOT_FOUND
    if company.status == CompanyStatus.CLOSED:
        return Result.ACCOUNT_INACTIVE
    if not company.accepts_payments:
        return Result.FORBIDDEN
    return Result.OK


def account_check(*, inn: str) -> AccountOutcome:
    """OSMP `check`: may this account be paid? 5 unknown, 79 closed, 7 payments forbidden, 0 yes."""
    company = Company.objects.filter(inn=inn).first()
    return AccountOutcome(result=_account_result(company), company=company)


def _same_request(payment: Payment, *, inn: str, amount: Decimal) -> PayOutcome:
    if payment.account == inn and payment.amount == amount:
        return PayOutcome(result=Result.OK, payment=payment, company=payment.company, repeated=True)
    logger.warning(
        "pay txn_id=%s refused: already used for account=%s sum=%s", payment.txn_id, payment.account, payment.amount
    )
    return PayOutcome(result=Result.OTHER, repeated=True, conflict=True)


def payment_accept(*, txn_id: str, inn: str, amount: Decimal, txn_date: str, aggregator: str = "ELSOM") -> PayOutcome:
    """OSMP `pay`: credit `amount` to the company `inn` once per txn_id, then send the reports it pays for."""
    existing = Payment.objects.select_related("company").filter(txn_id=txn_id).first()
    if existing is not None:
        return _same_request(existing, inn=inn, amount=amount)
    checked = account_check(inn=inn)
    if checked.result != Result.OK:
        return PayOutcome(result=checked.result, company=checked.company)
    try:
        payment, created = _credit(
            company_id=checked.company.pk,
            txn_id=txn_id,
            inn=inn,
            amount=amount,
            txn_date=txn_date,
            aggregator=aggregator,
        )
    except _Refused as refused:
        return PayOutcome(result=refused.outcome.result, company=refused.outcome.company)
    except IntegrityError:
        # Another request with this txn_id committed first: answer as its repeat (or refuse a different one).
        existing = Payment.objects.select_related("company").filter(txn_id=txn_id).first()
        if existing is None:
            raise
        return _same_request(existing, inn=inn, amount=amount)
    if not created:
        return _same_request(payment, inn=inn, amount=amount)
    return PayOutcome(result=Result.OK, payment=payment, company=payment.company)


@transaction.atomic(durable=True)
def _credit(
    *, company_id: int, txn_id: str, inn: str, amount: Decimal, txn_date: str, aggregator: str
) -> tuple[Payment, bool]:
    # The company row is the lock every credit and report debit of this company takes (on SQLite the IMMEDIATE
    # transaction already serialises writers).
    company = Company.objects.select_for_update().get(pk=company_id)
    result = _account_result(company)
    if result != Result.OK:
        raise _Refused(AccountOutcome(result=result, company=company))
    # Under the lock a racing request with the same txn_id for the same company has either committed (seen here)
    # or waits behind us; one for another company is stopped by the unique constraint instead.
    existing = Payment.objects.select_related("company").filter(txn_id=txn_id).first()
    if existing is not None:
        return existing, False
    payment = Payment.objects.create(
        txn_id=txn_id,
        prv_txn=_next_prv_txn(),
        company=company,
        account=inn,
        amount=amount,
        txn_date=txn_date,
        aggregator=aggregator,
    )
    BalanceEntry.objects.create(
        company=company, kind=EntryKind.CREDIT, amount=amount, payment=payment, reason=f"Платеж {aggregator} {txn_id}"
    )
    balance = company.balance + amount
    balance = _send_covered_reports(company=company, balance=balance)
    Company.objects.filter(pk=company.pk).update(balance=balance)
    company.balance = balance
    payment.company = company
    logger.info("pay txn_id=%s prv_txn=%s account=%s sum=%.2f credited", txn_id, payment.prv_txn, inn, amount)
    return payment, True


def _send_covered_reports(*, company: Company, balance: Decimal) -> Decimal:
    """Oldest waiting report first, while the balance covers the next one (as СОЧИ does on every top-up)."""
    waiting = Report.objects.filter(company=company, status=ReportStatus.AWAITING_PAYMENT).order_by("created_at", "id")
    now = timezone.now()
    for report in waiting:
        if report.price > balance:
            break
        with translation.override("ru"):  # stored text, whatever language the request came in
            reason = f"Отправка отчета: {report.get_form_display()}, {report.period}"
        BalanceEntry.objects.create(
            company=company, kind=EntryKind.DEBIT, amount=report.price, report=report, reason=reason
        )
        updated = Report.objects.filter(pk=report.pk, status=ReportStatus.AWAITING_PAYMENT).update(
            status=ReportStatus.SENT, sent_at=now
        )
        if updated != 1:  # pragma: no cover - the company lock keeps a second sender out
            raise IntegrityError(f"report {report.pk} was sent concurrently")
        balance -= report.price
        logger.info("report %s (%s %s) sent, %s som debited", report.pk, report.form, report.period, report.price)
    return balance


def _next_prv_txn() -> str:
    updated = Sequence.objects.filter(name=PRV_TXN_SEQUENCE).update(value=F("value") + 1)
    if not updated:
        try:
            with transaction.atomic():
                Sequence.objects.create(name=PRV_TXN_SEQUENCE, value=PRV_TXN_FIRST)
            return str(PRV_TXN_FIRST)
        except IntegrityError:
            # Created by a concurrent first payment a moment ago.
            Sequence.objects.filter(name=PRV_TXN_SEQUENCE).update(value=F("value") + 1)
    return str(Sequence.objects.get(name=PRV_TXN_SEQUENCE).value)


def payment_find(*, txn_id: str) -> Payment | None:
    return Payment.objects.select_related("company").filter(txn_id=txn_id).first()


def payments_credited_between(*, start: datetime, end: datetime) -> QuerySet[Payment]:
    return Payment.objects.filter(credited_at__gte=start, credited_at__lt=end).order_by("credited_at", "id")


def balance_from_entries(*, company: Company) -> Decimal:
    """credits - debits over the company's entries (the cached balance on the company row must equal it)."""
    # Summed as plain tyiyn integers: exact, and no converter guessing at the aggregate's type.
    rows = (
        BalanceEntry.objects.filter(company=company)
        .values("kind")
        .annotate(total=Sum("amount", output_field=BigIntegerField()))
    )
    totals = {row["kind"]: row["total"] or 0 for row in rows}
    return from_tyiyn(totals.get(EntryKind.CREDIT, 0) - totals.get(EntryKind.DEBIT, 0))


def balance_verify() -> list[str]:
    """Every company whose cached balance disagrees with its entries, as readable lines (empty = all agree)."""
    problems = []
    for company in Company.objects.order_by("inn"):
        computed = balance_from_entries(company=company)
        if computed != company.balance:
            problems.append(f"{company.inn}: balance {company.balance} but entries give {computed}")
    return problems
