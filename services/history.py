"""A wallet's history, one for every channel: its payments and top-ups newest first (the cabinet's «История», the
app's payments), a payment of the wallet by its code, and a payment's postings (the console's file). Nothing here
writes.

A history page is cut in the database: one UNION of the wallet's payments and top-ups, ordered and sliced there,
then the page's rows loaded by id, one query per kind. A page costs the same few queries at 10 operations or at
100 000."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import models
from django.db.models import F, IntegerField, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ledger.models import Posting, PostingKind, Transfer
from services.models import Payment
from wallet.models import Wallet
from wallet.selectors import CashIn, cash_ins_by_id, wallet_cash_ins

PAYMENT_CODE_RE = re.compile(r"[0-9]{12}", re.ASCII)


class OperationKind(models.TextChoices):
    PAYMENT = "payment", _("платеж")
    CASH_IN = "cash_in", _("пополнение")


# The UNION's own tag of a row's table (an integer sorts and compares the same on every database).
_UNION_TAG = {OperationKind.PAYMENT: 1, OperationKind.CASH_IN: 2}


@dataclass(frozen=True)
class Operation:
    """One line of a history: a top-up (credit) or a payment (debit, with its state)."""

    at: datetime
    kind: OperationKind
    title: str
    detail: str
    amount: Decimal
    payment: Payment | None = None
    cash_in: CashIn | None = None


def day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    """The days given (both inclusive, Bishkek days) as [start, end) instants; None where a side is open."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz) if date_to else None
    return start, end


def wallet_payments(*, wallet: Wallet, date_from: date | None = None, date_to: date | None = None) -> QuerySet[Payment]:
    """Every payment of the wallet within the days given, whatever its state (one in progress or cancelled is
    still the holder's), with its service and provider; unordered."""
    start, end = day_bounds(date_from, date_to)
    payments = Payment.objects.select_related("service__provider").filter(wallet=wallet)
    if start:
        payments = payments.filter(created_at__gte=start)
    if end:
        payments = payments.filter(created_at__lt=end)
    return payments


def wallet_payment_get(*, wallet: Wallet, code: str) -> Payment | None:
    """A payment of this wallet by its code, or None: another holder's code is not found, exactly like an unknown
    one (and so is anything that is not a payment code at all, before it reaches the database)."""
    if not PAYMENT_CODE_RE.fullmatch(code or ""):
        return None
    return wallet_payments(wallet=wallet).filter(code=code).first()


class WalletOperations:
    """Top-ups and payments of a wallet, newest first, within the days given (both inclusive). A sequence for
    Django's Paginator: len() is one COUNT over the union, a slice one UNION ... LIMIT plus the rows by id."""

    def __init__(self, *, wallet: Wallet, date_from: date | None = None, date_to: date | None = None):
        start, end = day_bounds(date_from, date_to)
        payments = Payment.objects.filter(wallet=wallet)
        if start:
            payments = payments.filter(created_at__gte=start)
        if end:
            payments = payments.filter(created_at__lt=end)
        self._union = (
            _tagged(payments.order_by(), OperationKind.PAYMENT)
            .values_list("op_kind", "id", "op_at")
            .union(
                _tagged(wallet_cash_ins(wallet=wallet, start=start, end=end), OperationKind.CASH_IN).values_list(
                    "op_kind", "id", "op_at"
                ),
                all=True,
            )
        )
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._union.count()
        return self._count

    def count(self) -> int:
        return len(self)

    def __getitem__(self, item: slice) -> list[Operation]:
        if not isinstance(item, slice):
            raise TypeError("operations are read a page at a time")
        rows = list(self._union.order_by("-op_at", "-op_kind", "-id")[item])
        payment_tag, cash_in_tag = _UNION_TAG[OperationKind.PAYMENT], _UNION_TAG[OperationKind.CASH_IN]
        payment_ids = [pk for tag, pk, _at in rows if tag == payment_tag]
        cash_in_ids = [pk for tag, pk, _at in rows if tag == cash_in_tag]
        payments = {p.pk: p for p in Payment.objects.select_related("service").filter(pk__in=payment_ids)}
        cash_ins = cash_ins_by_id(cash_in_ids) if cash_in_ids else {}
        return [
            _payment_line(payments[pk]) if tag == payment_tag else _cash_in_line(cash_ins[pk]) for tag, pk, _at in rows
        ]


def _tagged(queryset: QuerySet, kind: OperationKind) -> QuerySet:
    return queryset.annotate(op_kind=Value(_UNION_TAG[kind], output_field=IntegerField()), op_at=F("created_at"))


def _payment_line(payment: Payment) -> Operation:
    return Operation(
        at=payment.created_at,
        kind=OperationKind.PAYMENT,
        title=payment.service.display_name,
        detail=payment.account,
        amount=-payment.total,
        payment=payment,
    )


def _cash_in_line(cash_in: CashIn) -> Operation:
    return Operation(
        at=cash_in.at,
        kind=OperationKind.CASH_IN,
        title=cash_in.title,
        detail="",
        amount=cash_in.amount,
        cash_in=cash_in,
    )


def wallet_operations(
    *, wallet: Wallet, date_from: date | None = None, date_to: date | None = None
) -> WalletOperations:
    """The wallet's history within the days given, to be read a page at a time (a slice), or counted."""
    return WalletOperations(wallet=wallet, date_from=date_from, date_to=date_to)


# --- a payment's postings ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentPosting:
    posting: Posting
    transfers: list[Transfer]


def payment_postings(*, payment: Payment) -> dict[int, PaymentPosting]:
    """The payment's postings (reserve, settlement, refund: those it has) with their transfers and accounts, by
    posting id, in one query."""
    ids = [pk for pk in (payment.reserve_posting_id, payment.settle_posting_id, payment.refund_posting_id) if pk]
    transfers: dict[int, list[Transfer]] = {}
    for transfer in (
        Transfer.objects.select_related("posting", "debit_account", "credit_account")
        .filter(posting_id__in=ids)
        .order_by("id")
    ):
        transfers.setdefault(transfer.posting_id, []).append(transfer)
    return {pk: PaymentPosting(posting=rows[0].posting, transfers=rows) for pk, rows in transfers.items()}


def payment_reserve_released(*, payment: Payment) -> bool:
    """Whether the payment's reserve went back to the wallet whole (the provider refused it). Reads the settlement
    posting, which the caller loads with the payment (select_related("settle_posting"))."""
    return payment.settle_posting is not None and payment.settle_posting.kind == PostingKind.RELEASE
