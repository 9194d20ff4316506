"""Reads for the cabinet: a holder's operations and receipts. Nothing here writes."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from ledger.models import PostingKind, Transfer
from services.models import Payment, PaymentStatus
from wallet.models import Wallet
from wallet.operations import CASH_IN_CHANNELS

SHOWN_STATUSES = (PaymentStatus.COMMITTED, PaymentStatus.REVERSED)


@dataclass(frozen=True)
class Operation:
    """One line of «История»: a top-up (credit) or a payment (debit)."""

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
    return Payment.objects.select_related("service").filter(wallet=wallet, status__in=SHOWN_STATUSES)


def wallet_operations(*, wallet: Wallet, date_from: date | None = None, date_to: date | None = None) -> list[Operation]:
    """Top-ups and payments of the wallet, newest first, within the days given (both inclusive)."""
    start, end = _day_bounds(date_from, date_to)
    payments = wallet_payments(wallet=wallet)
    cash_ins = Transfer.objects.select_related("debit_account").filter(
        credit_account=wallet.ledger_account, kind=PostingKind.CASH_IN
    )
    if start:
        payments = payments.filter(committed_at__gte=start)
        cash_ins = cash_ins.filter(created_at__gte=start)
    if end:
        payments = payments.filter(committed_at__lt=end)
        cash_ins = cash_ins.filter(created_at__lt=end)
    operations = [
        Operation(
            at=payment.committed_at,
            kind="payment",
            title=payment.service.display_name,
            detail=payment.account,
            amount=-payment.total,
            payment=payment,
        )
        for payment in payments
    ]
    for transfer in cash_ins:
        channel = transfer.debit_account.code.removeprefix("cashin:")
        operations.append(
            Operation(
                at=transfer.created_at,
                kind="cash_in",
                title=str(CASH_IN_CHANNELS.get(channel, transfer.debit_account.name)),
                detail="",
                amount=transfer.amount,
            )
        )
    operations.sort(key=lambda op: op.at, reverse=True)
    return operations


def wallet_payment_get(*, wallet: Wallet, code: str) -> Payment:
    """A payment of this wallet by its code; another holder's code is a 404, exactly as an unknown one."""
    payment = wallet_payments(wallet=wallet).filter(code=code).first()
    if payment is None:
        raise Http404
    return payment
