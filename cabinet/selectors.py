"""Reads for the cabinet: a holder's operations and receipts. Nothing here writes.

«История» pages in the database: one UNION of the wallet's payments and top-ups, ordered and cut there, then
the page's rows loaded by id. A page costs the same few queries at 10 operations or at 100 000."""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import F, IntegerField, QuerySet, Value
from django.http import Http404
from django.utils import timezone

from ledger.models import PostingKind, Transfer
from services.models import Payment
from wallet.models import Wallet
from wallet.operations import CASH_IN_CHANNELS

PAYMENT_CODE_RE = re.compile(r"[0-9]{12}", re.ASCII)
PAYMENT, CASH_IN = 1, 2


@dataclass(frozen=True)
class Operation:
    """One line of «История»: a top-up (credit) or a payment (debit, with its state)."""

    at: datetime
    kind: str  # "cash_in" | "payment"
    title: str
    detail: str
    amount: Decimal
    payment: Payment | None = None


def _day_bounds(date_from: date | None, date_to: date | None) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=tz) if date_from else None
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=tz) if date_to else None
    return start, end


def wallet_payments(*, wallet: Wallet) -> QuerySet[Payment]:
    """Every payment of the wallet, whatever its state: one in progress or cancelled is still the holder's."""
    return Payment.objects.select_related("service").filter(wallet=wallet)


class WalletOperations:
    """Top-ups and payments of a wallet, newest first, within the days given (both inclusive). A sequence for
    Django's Paginator: len() is one COUNT over the union, a slice one UNION ... LIMIT plus the rows by id."""

    def __init__(self, *, wallet: Wallet, date_from: date | None = None, date_to: date | None = None):
        start, end = _day_bounds(date_from, date_to)
        payments = Payment.objects.filter(wallet=wallet)
        cash_ins = Transfer.objects.filter(credit_account_id=wallet.ledger_account_id, kind=PostingKind.CASH_IN)
        if start:
            payments, cash_ins = payments.filter(created_at__gte=start), cash_ins.filter(created_at__gte=start)
        if end:
            payments, cash_ins = payments.filter(created_at__lt=end), cash_ins.filter(created_at__lt=end)
        self._union = (
            payments.order_by()
            .annotate(op_kind=Value(PAYMENT, output_field=IntegerField()), op_at=F("created_at"))
            .values_list("op_kind", "id", "op_at")
            .union(
                cash_ins.order_by()
                .annotate(op_kind=Value(CASH_IN, output_field=IntegerField()), op_at=F("created_at"))
                .values_list("op_kind", "id", "op_at"),
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
        payments = {
            p.pk: p
            for p in Payment.objects.select_related("service").filter(pk__in=[i for k, i, _ in rows if k == PAYMENT])
        }
        transfers = {
            t.pk: t
            for t in Transfer.objects.select_related("debit_account").filter(
                pk__in=[i for k, i, _ in rows if k == CASH_IN]
            )
        }
        return [_payment_line(payments[i]) if k == PAYMENT else _cash_in_line(transfers[i]) for k, i, _ in rows]


def _payment_line(payment: Payment) -> Operation:
    return Operation(
        at=payment.created_at,
        kind="payment",
        title=payment.service.display_name,
        detail=payment.account,
        amount=-payment.total,
        payment=payment,
    )


def _cash_in_line(transfer: Transfer) -> Operation:
    channel = transfer.debit_account.code.removeprefix("cashin:")
    return Operation(
        at=transfer.created_at,
        kind="cash_in",
        title=str(CASH_IN_CHANNELS.get(channel, transfer.debit_account.name)),
        detail="",
        amount=transfer.amount,
    )


def wallet_operations_page(*, wallet: Wallet, limit: int) -> list[Operation]:
    """The newest operations (the cabinet's home page)."""
    return WalletOperations(wallet=wallet)[:limit]


def wallet_payment_get(*, wallet: Wallet, code: str) -> Payment:
    """A payment of this wallet by its code; another holder's code is a 404, exactly as an unknown one (and so is
    anything that is not a payment code at all, before it reaches the database)."""
    if not PAYMENT_CODE_RE.fullmatch(code or ""):
        raise Http404
    payment = wallet_payments(wallet=wallet).filter(code=code).first()
    if payment is None:
        raise Http404
    return payment
