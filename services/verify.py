"""Invariants that tie payments to the books and to the SMS outbox (used by check_ledger)."""

from django.db.models import Count, Q, Sum

from ledger.models import LedgerAccount, Posting, PostingKind, Transfer
from ledger.verify import ledger_violations
from services.models import Payment, PaymentStatus
from sms.models import SmsKind


def _payment_violations(payment: Payment, sms_count: int) -> list[str]:
    label = f"payment {payment.code}"
    posting = payment.posting
    if payment.status in (PaymentStatus.COMMITTED, PaymentStatus.REVERSED):
        if posting is None:
            return [f"{label} is {payment.status} but has no ledger posting"]
        problems = []
        if posting.kind != PostingKind.PAYMENT:
            problems.append(f"{label}: its posting is a {posting.kind}, not a payment")
        transfers = list(posting.transfers.all())
        wallet_account = payment.wallet.ledger_account_id
        debited = sum((t.amount for t in transfers if t.debit_account_id == wallet_account), start=0)
        to_provider = sum(
            (t.amount for t in transfers if t.credit_account_id == payment.service.provider.settlement_account_id),
            start=0,
        )
        if (
            debited != payment.total
            or to_provider != payment.amount
            or len(transfers) != (2 if payment.commission else 1)
        ):
            problems.append(
                f"{label}: transfers do not match amount {payment.amount} + commission {payment.commission}"
            )
        reversed_ = hasattr(posting, "reversed_by")
        if payment.status == PaymentStatus.COMMITTED and reversed_:
            problems.append(f"{label} is committed but its posting was reversed")
        if payment.status == PaymentStatus.REVERSED and not reversed_:
            problems.append(f"{label} is reversed but has no reversing posting")
        if sms_count != 1:
            problems.append(f"{label} has {sms_count} payment SMS, expected exactly 1")
        return problems
    if posting is not None:
        return [f"{label} is {payment.status} but has a ledger posting"]
    return []


def payment_violations() -> list[str]:
    violations: list[str] = []
    payments = (
        Payment.objects.select_related("wallet", "service__provider", "posting", "posting__reversed_by")
        .prefetch_related("posting__transfers")
        .annotate(sms_count=Count("sms_messages", filter=Q(sms_messages__kind=SmsKind.PAYMENT)))
        .order_by("pk")
    )
    for payment in payments.iterator(chunk_size=500):
        violations.extend(_payment_violations(payment, payment.sms_count))
    for key in (
        Payment.objects.values("idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("idempotency_key", flat=True)
    ):
        violations.append(f"idempotency key {key!r} used by more than one payment")
    orphans = Posting.objects.filter(kind=PostingKind.PAYMENT, payment__isnull=True).count()
    if orphans:
        violations.append(f"{orphans} payment posting(s) belong to no payment")
    return violations


def books_summary() -> dict:
    return {
        "accounts": LedgerAccount.objects.count(),
        "postings": Posting.objects.count(),
        "transfers": Transfer.objects.count(),
        "payments": Payment.objects.filter(status=PaymentStatus.COMMITTED).count(),
        "wallet_total": LedgerAccount.objects.filter(kind="wallet").aggregate(s=Sum("balance"))["s"] or 0,
    }


def books_violations() -> list[str]:
    return ledger_violations() + payment_violations()
