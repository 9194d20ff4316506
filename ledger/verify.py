"""Invariants of the books, read-only. Each function returns a list of violations (empty = all hold)."""

from collections import defaultdict

from django.db.models import Count, Sum

from core.money import format_som, from_tyiyn
from ledger.models import LedgerAccount, Posting, Transfer


def ledger_violations() -> list[str]:
    violations: list[str] = []
    totals = LedgerAccount.objects.aggregate(total=Sum("balance"), count=Count("id"))
    if totals["total"] is not None and totals["total"] != 0:
        violations.append(f"sum of all balances is {format_som(totals['total'])}, not 0.00")

    movements: dict[int, int] = defaultdict(int)
    for row in Transfer.objects.values("credit_account").annotate(s=Sum("amount")).order_by():
        movements[row["credit_account"]] += int(row["s"] * 100)
    for row in Transfer.objects.values("debit_account").annotate(s=Sum("amount")).order_by():
        movements[row["debit_account"]] -= int(row["s"] * 100)
    for account in LedgerAccount.objects.all().order_by("pk"):
        expected = from_tyiyn(movements.get(account.pk, 0))
        if account.balance != expected:
            violations.append(
                f"account {account.code}: cached balance {format_som(account.balance)} != "
                f"credits - debits {format_som(expected)}"
            )
        if not account.may_go_negative and account.balance < 0:
            violations.append(f"account {account.code} is below zero: {format_som(account.balance)}")

    for key in (
        Posting.objects.values("idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("idempotency_key", flat=True)
    ):
        violations.append(f"idempotency key {key!r} used by more than one posting")
    for posting in Posting.objects.annotate(n=Count("transfers")).filter(n=0):
        violations.append(f"posting {posting.idempotency_key!r} has no transfers")
    return violations
