"""Invariants that tie payments to the books and to the SMS outbox (used by check_ledger)."""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q, Sum

from core.money import format_som
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind, Transfer
from ledger.verify import ledger_violations
from services.models import Payment, PaymentStatus
from sms.models import SmsKind, SmsMessage

# What each state must have been through: (reserve, settle kind, refund) and the SMS the holder got.
EXPECTED: dict[str, tuple[bool, str | None, bool, dict[str, int]]] = {
    PaymentStatus.RESERVED: (True, None, False, {}),
    PaymentStatus.COMMITTED: (True, PostingKind.PAYMENT, False, {SmsKind.PAYMENT: 1}),
    PaymentStatus.ABORTED: (True, PostingKind.RELEASE, False, {SmsKind.PAYMENT_ABORTED: 1}),
    PaymentStatus.REVERSED: (True, PostingKind.PAYMENT, True, {SmsKind.PAYMENT: 1, SmsKind.REVERSAL: 1}),
}


def _moves(posting: Posting) -> Counter:
    """{(debit account id, credit account id): total} of a posting's transfers."""
    moves: Counter = Counter()
    for transfer in posting.transfers.all():
        moves[(transfer.debit_account_id, transfer.credit_account_id)] += transfer.amount
    return moves


def _expected_moves(payment: Payment, hold_id: int, fees_id: int | None) -> dict[str, Counter]:
    wallet = payment.wallet.ledger_account_id
    provider = payment.service.provider.settlement_account_id
    commit: Counter = Counter({(hold_id, provider): payment.amount})
    refund: Counter = Counter({(provider, wallet): payment.amount})
    if payment.commission:
        commit[(hold_id, fees_id)] += payment.commission
        refund[(fees_id, wallet)] += payment.commission
    return {
        PostingKind.RESERVE: Counter({(wallet, hold_id): payment.total}),
        PostingKind.PAYMENT: commit,
        PostingKind.RELEASE: Counter({(hold_id, wallet): payment.total}),
        PostingKind.REVERSAL: refund,
    }


def _payment_violations(payment: Payment, sms: dict[str, int], hold_id: int, fees_id: int | None) -> list[str]:
    label = f"payment {payment.code}"
    postings = (payment.reserve_posting, payment.settle_posting, payment.refund_posting)
    if payment.status not in EXPECTED:
        moved = " but has a ledger posting" if any(postings) else ""
        return [f"{label} is {payment.status}{moved}: payments are stored reserved or later"]
    if payment.reserve_posting is None and payment.settle_posting is not None:
        return _legacy_violations(payment, label)
    has_reserve, settle_kind, has_refund, expected_sms = EXPECTED[payment.status]
    expected = _expected_moves(payment, hold_id, fees_id)
    problems = []
    for name, posting, kind, required in (
        ("reserve", payment.reserve_posting, PostingKind.RESERVE, has_reserve),
        ("settle", payment.settle_posting, settle_kind, settle_kind is not None),
        ("refund", payment.refund_posting, PostingKind.REVERSAL, has_refund),
    ):
        if not required:
            if posting is not None:
                problems.append(f"{label} is {payment.status} but has a {name} posting")
            continue
        if posting is None:
            problems.append(f"{label} is {payment.status} but has no {name} posting")
            continue
        if posting.kind != kind:
            problems.append(f"{label}: its {name} posting is a {posting.kind}, not a {kind}")
        elif _moves(posting) != expected[kind]:
            problems.append(
                f"{label}: the {name} transfers do not match amount {payment.amount} + commission {payment.commission}"
            )
    if has_refund and payment.refund_posting is not None and payment.refund_posting.reversal_of_id is None:
        problems.append(f"{label}: its refund does not name the posting it reverses")
    for sms_kind in (SmsKind.PAYMENT, SmsKind.PAYMENT_ABORTED, SmsKind.REVERSAL):
        if sms.get(sms_kind, 0) != expected_sms.get(sms_kind, 0):
            problems.append(
                f"{label} has {sms.get(sms_kind, 0)} {sms_kind} SMS, expected {expected_sms.get(sms_kind, 0)}"
            )
    return problems


def _legacy_violations(payment: Payment, label: str) -> list[str]:
    """Payments of the first release were one posting, wallet -> provider + fees, without the hold account."""
    if payment.status not in (PaymentStatus.COMMITTED, PaymentStatus.REVERSED):
        return [f"{label}: a payment without a reserve can only be committed or reversed"]
    settle = payment.settle_posting
    assert settle is not None  # a legacy payment is its settle posting alone (the caller checked)
    debited = sum(
        (t.amount for t in settle.transfers.all() if t.debit_account_id == payment.wallet.ledger_account_id),
        start=Decimal(0),
    )
    return [] if debited == payment.total else [f"{label}: the wallet was debited {debited}, not {payment.total}"]


def payment_violations() -> list[str]:
    violations: list[str] = []
    hold = LedgerAccount.objects.with_balance().filter(kind=AccountKind.HOLD).first()
    fees = LedgerAccount.objects.filter(kind=AccountKind.FEES).first()
    hold_id = hold.pk if hold else -1
    fees_id = fees.pk if fees else None
    sms_by_payment: dict[int, dict[str, int]] = {}
    # Each payment's own SMS; the call centre's resends are copies (resent_from set) and are not counted.
    for row in (
        SmsMessage.objects.filter(payment__isnull=False, resent_from__isnull=True)
        .values("payment_id", "kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        sms_by_payment.setdefault(row["payment_id"], {})[row["kind"]] = row["n"]
    payments = (
        Payment.objects.select_related(
            "wallet", "service__provider", "reserve_posting", "settle_posting", "refund_posting"
        )
        .prefetch_related("reserve_posting__transfers", "settle_posting__transfers", "refund_posting__transfers")
        .order_by("pk")
    )
    for payment in payments.iterator(chunk_size=500):
        violations.extend(_payment_violations(payment, sms_by_payment.get(payment.pk, {}), hold_id, fees_id))

    reserved_total = Payment.objects.filter(status=PaymentStatus.RESERVED).aggregate(s=Sum("total"))["s"] or 0
    held = hold.current_balance if hold else Decimal(0)  # the sum of its buckets
    if held != reserved_total:
        violations.append(
            f"the hold account holds {format_som(held)}, but the payments in "
            f"progress total {format_som(Decimal(reserved_total))}"
        )
    for key in (
        Payment.objects.values("idempotency_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("idempotency_key", flat=True)
    ):
        violations.append(f"idempotency key {key!r} used by more than one payment")
    orphans = Posting.objects.filter(
        Q(kind__in=[PostingKind.RESERVE, PostingKind.PAYMENT, PostingKind.RELEASE])
        & Q(reserved_payment__isnull=True, settled_payment__isnull=True)
    ).count()
    if orphans:
        violations.append(f"{orphans} payment posting(s) belong to no payment")
    return violations


def books_summary() -> dict:
    return {
        "accounts": LedgerAccount.objects.count(),
        "postings": Posting.objects.count(),
        "transfers": Transfer.objects.count(),
        "payments": Payment.objects.filter(status=PaymentStatus.COMMITTED).count(),
        "in_progress": Payment.objects.filter(status=PaymentStatus.RESERVED).count(),
        "wallet_total": LedgerAccount.objects.filter(kind="wallet").aggregate(s=Sum("balance"))["s"] or 0,
    }


def books_violations() -> list[str]:
    return ledger_violations() + payment_violations()
