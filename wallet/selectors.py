"""Reads of the wallet domain for every channel: a wallet's top-ups (for histories, receipts and training's reset)
and the wallet with its balance in one hand-written row (the USSD engine's load). Nothing here writes.

Top-ups are the ledger's transfers of kind cash_in into the wallet's account; the channel is the one its cash-in
account stores (LedgerAccount.cash_in_channel), never read back out of an account's code."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import cast

from django.db.models import QuerySet, Sum

from core.rows import Columns, columns
from ledger.models import LedgerAccount, Transfer, TransferKind
from wallet.models import CashInChannel, Wallet


@dataclass(frozen=True)
class CashIn:
    """One top-up: when, through which channel (None: a cash-in account that names none), how much."""

    pk: int
    at: datetime
    channel: CashInChannel | None
    title: str  # the channel's name in the current language
    amount: Decimal
    wallet: Wallet | None = None  # loaded by cash_in_get only


def wallet_cash_ins(*, wallet: Wallet, start: datetime | None = None, end: datetime | None = None) -> QuerySet:
    """The wallet's top-ups made in [start, end), unordered: rows with an `id` and a `created_at`, for a history's
    UNION; cash_ins_by_id loads a page of them."""
    rows = Transfer.objects.filter(credit_account_id=wallet.ledger_account_id, kind=TransferKind.CASH_IN)
    if start is not None:
        rows = rows.filter(created_at__gte=start)
    if end is not None:
        rows = rows.filter(created_at__lt=end)
    return rows.order_by()


def _channel(account: LedgerAccount) -> CashInChannel | None:
    return CashInChannel(account.cash_in_channel) if account.cash_in_channel in CashInChannel.values else None


def _cash_in(transfer: Transfer, wallet: Wallet | None = None) -> CashIn:
    channel = _channel(transfer.debit_account)
    return CashIn(
        pk=transfer.pk,
        at=transfer.created_at,
        channel=channel,
        title=str(channel.label) if channel is not None else transfer.debit_account.name,
        amount=transfer.amount,
        wallet=wallet,
    )


def cash_ins_by_id(ids: list[int]) -> dict[int, CashIn]:
    """The top-ups of these ids (from wallet_cash_ins), in one query."""
    return {t.pk: _cash_in(t) for t in Transfer.objects.select_related("debit_account").filter(pk__in=ids)}


def cash_in_get(*, idempotency_key: str) -> CashIn | None:
    """The top-up posted under this key (a cash desk's receipt), with its wallet, in one query; None if there is
    none."""
    transfer = (
        Transfer.objects.select_related("debit_account", "credit_account__wallet")
        .filter(posting__idempotency_key=idempotency_key, kind=TransferKind.CASH_IN)
        .order_by("pk")
        .first()
    )
    if transfer is None:
        return None
    return _cash_in(transfer, wallet=transfer.credit_account.wallet)


def cash_in_total(*, wallet: Wallet, idempotency_keys: list[str]) -> Decimal:
    """What the top-ups posted under exactly these keys brought to the wallet (0 when none was)."""
    total = (
        wallet_cash_ins(wallet=wallet)
        .filter(posting__idempotency_key__in=idempotency_keys)
        .aggregate(total=Sum("amount"))["total"]
    )
    return total if total is not None else Decimal(0)


# --- the wallet in one hand-written row -----------------------------------------------------------------------


@dataclass(frozen=True)
class WalletRow:
    """A wallet and its ledger account as SQL for a hand-written SELECT: `SELECT {sql}, ... FROM {tables} ...`,
    the wallet's table aliased `w`. `build` makes the wallet (its account attached) from the row's first `width`
    values."""

    sql: str
    tables: str
    wallet: Columns
    account: Columns

    @property
    def width(self) -> int:
        return len(self.wallet) + len(self.account)

    def build(self, values) -> Wallet:
        split = len(self.wallet)
        wallet = cast(Wallet, self.wallet.build(values[:split]))
        wallet.ledger_account = cast(LedgerAccount, self.account.build(values[split : self.width]))
        return wallet


@cache
def wallet_row(vendor: str) -> WalletRow:
    wallet_cols, account_cols = columns(Wallet, "w", vendor), columns(LedgerAccount, "a", vendor)
    return WalletRow(
        sql=f"{wallet_cols.sql}, {account_cols.sql}",
        tables=f"{Wallet._meta.db_table} w JOIN {LedgerAccount._meta.db_table} a ON a.id = w.ledger_account_id",
        wallet=wallet_cols,
        account=account_cols,
    )
