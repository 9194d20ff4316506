"""Invariants of the books, read-only. Each function returns a list of violations (empty = all hold)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Sum

from core.money import format_som, from_tyiyn
from ledger.models import SYSTEM_BALANCE_BUCKETS, AccountBucket, AccountKind, LedgerAccount, Posting, Transfer


def ledger_violations() -> list[str]:
    violations: list[str] = []
    total = (LedgerAccount.objects.aggregate(s=Sum("balance"))["s"] or Decimal(0)) + (
        AccountBucket.objects.aggregate(s=Sum("balance"))["s"] or Decimal(0)
    )
    if total != 0:
        violations.append(f"sum of all balances is {format_som(total)}, not 0.00")
    for bucket in AccountBucket.objects.filter(account__kind=AccountKind.WALLET).select_related("account"):
        violations.append(f"wallet account {bucket.account.code} has a balance bucket ({bucket.bucket})")
    for bucket in AccountBucket.objects.exclude(bucket__lt=SYSTEM_BALANCE_BUCKETS).select_related("account"):
        violations.append(f"account {bucket.account.code} has bucket {bucket.bucket}, beyond the last one")
    outside = LedgerAccount.objects.exclude(kind=AccountKind.WALLET).exclude(balance=0)
    for code in outside.values_list("code", flat=True):
        violations.append(f"system account {code} has a balance outside its buckets")

    movements: dict[int, int] = defaultdict(int)
    for row in Transfer.objects.values("credit_account").annotate(s=Sum("amount")).order_by():
        movements[row["credit_account"]] += int(row["s"] * 100)
    for row in Transfer.objects.values("debit_account").annotate(s=Sum("amount")).order_by():
        movements[row["debit_account"]] -= int(row["s"] * 100)
    for account in LedgerAccount.objects.with_balance().order_by("pk"):
        expected = from_tyiyn(movements.get(account.pk, 0))
        balance = account.current_balance
        if balance != expected:
            violations.append(
                f"account {account.code}: cached balance {format_som(balance)} != "
                f"credits - debits {format_som(expected)}"
            )
        if not account.may_go_negative and balance < 0:
            violations.append(f"account {account.code} is below zero: {format_som(balance)}")

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
