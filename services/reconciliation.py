"""Our books against the provider's: each payment of a day in one class, so that an accountant (or a trainee)
sees at once what matches and what needs someone: a payment credited there whose answer never reached us, one we
committed that the provider does not have, a different sum."""

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.utils import timezone

from services.models import Payment, PaymentStatus
from services.osmp import OsmpClient, parse_osmp_sum


class Match(StrEnum):
    MATCHED = "matched"  # committed here, credited there, same account and sum
    REFUNDED_BY_AGREEMENT = "refunded_by_agreement"  # reversed here after the provider returned it
    NOT_CREDITED_ABORTED = "aborted_not_credited"  # refunded here, nothing there: as it should be
    CREDITED_IN_PROGRESS = "credited_there_in_progress_here"  # the answer was lost; the worker will commit it
    CREDITED_ABORTED = "credited_there_refunded_here"  # money on both sides: to be settled by hand
    MISSING_THERE = "committed_here_missing_there"
    IN_PROGRESS = "in_progress_not_credited"  # the provider has not got it (yet)
    DIFFERENT = "different_sum_or_account"
    UNKNOWN_HERE = "credited_there_unknown_here"


CONSISTENT = {Match.MATCHED, Match.REFUNDED_BY_AGREEMENT, Match.NOT_CREDITED_ABORTED}
EXPLANATIONS = {
    Match.MATCHED: "проведен у нас и зачислен у поставщика",
    Match.REFUNDED_BY_AGREEMENT: "возвращен по согласованию с поставщиком",
    Match.NOT_CREDITED_ABORTED: "отменен у нас, у поставщика его нет",
    Match.CREDITED_IN_PROGRESS: "зачислен у поставщика, ответ не дошел; обработчик проведет его при следующей попытке",
    Match.CREDITED_ABORTED: "зачислен у поставщика, но у нас отменен и деньги возвращены: урегулировать вручную",
    Match.MISSING_THERE: "проведен у нас, у поставщика не найден",
    Match.IN_PROGRESS: "в обработке, у поставщика пока не зачислен",
    Match.DIFFERENT: "сумма или счет у поставщика другие",
    Match.UNKNOWN_HERE: "зачислен у поставщика, у нас такого платежа нет",
}


@dataclass
class Line:
    match: str
    txn_id: str
    status: str = ""
    account: str = ""
    amount: str = ""
    their_account: str = ""
    their_amount: str = ""
    prv_txn: str = ""
    explanation: str = ""


@dataclass
class Reconciliation:
    provider: str
    day: str
    lines: list[Line] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return all(line.match in CONSISTENT for line in self.lines)

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for line in self.lines:
            counts[line.match] = counts.get(line.match, 0) + 1
        return counts

    def as_dict(self) -> dict:
        return {
            "provider": self.provider,
            "date": self.day,
            "consistent": self.consistent,
            "counts": self.counts(),
            "lines": [asdict(line) for line in self.lines],
        }


def _bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, start + timedelta(days=1)


def reconcile(*, provider_code: str, day: date) -> Reconciliation:
    """Raises OsmpError when the provider's report cannot be had."""
    client = OsmpClient.for_provider(provider_code)
    # A payment made just before midnight may be credited just after it: the next day's report is read too.
    theirs = {row.get("txn_id", ""): row for row in client.report(day=day) + client.report(day=day + timedelta(days=1))}
    start, end = _bounds(day)
    ours = Payment.objects.filter(
        service__provider__code=provider_code, created_at__gte=start, created_at__lt=end
    ).order_by("created_at", "pk")
    result = Reconciliation(provider=provider_code, day=day.isoformat())
    seen = set()
    for payment in ours:
        seen.add(payment.code)
        row = theirs.get(payment.code)
        line = Line(
            match="",
            txn_id=payment.code,
            status=payment.status,
            account=payment.account,
            amount=f"{payment.amount:.2f}",
        )
        if row is not None:
            line.their_account, line.their_amount, line.prv_txn = (
                row.get("account", ""),
                row.get("sum", ""),
                row.get("prv_txn", ""),
            )
        match = _classify(payment, row)
        line.match, line.explanation = match, EXPLANATIONS[match]
        result.lines.append(line)
    first_day_rows = [row for row in theirs.values() if _credited_on(row, day)]
    unknown = [row for row in first_day_rows if row.get("txn_id") not in seen]
    known_elsewhere = set(
        Payment.objects.filter(code__in=[r.get("txn_id", "") for r in unknown]).values_list("code", flat=True)
    )
    for row in unknown:
        if row.get("txn_id") in known_elsewhere:
            continue  # made on another day: that day's reconciliation has it
        result.lines.append(
            Line(
                match=Match.UNKNOWN_HERE,
                txn_id=row.get("txn_id", ""),
                their_account=row.get("account", ""),
                their_amount=row.get("sum", ""),
                prv_txn=row.get("prv_txn", ""),
                explanation=EXPLANATIONS[Match.UNKNOWN_HERE],
            )
        )
    return result


def _credited_on(row: dict, day: date) -> bool:
    try:
        return timezone.localtime(datetime.fromisoformat(row.get("credited_at", ""))).date() == day
    except ValueError:
        return True  # cannot tell: list it rather than hide it


def _classify(payment: Payment, row: dict | None) -> Match:
    if row is not None:
        same = row.get("account") == payment.account and parse_osmp_sum(row.get("sum", "")) == payment.amount
        if not same:
            return Match.DIFFERENT
        credited: dict[str, Match] = {
            PaymentStatus.COMMITTED: Match.MATCHED,
            PaymentStatus.REVERSED: Match.REFUNDED_BY_AGREEMENT,
            PaymentStatus.RESERVED: Match.CREDITED_IN_PROGRESS,
        }
        return credited.get(payment.status, Match.CREDITED_ABORTED)
    if payment.status == PaymentStatus.ABORTED:
        return Match.NOT_CREDITED_ABORTED
    if payment.status == PaymentStatus.RESERVED:
        return Match.IN_PROGRESS
    return Match.MISSING_THERE
