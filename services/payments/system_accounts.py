"""The system ledger accounts a payment moves money through: the hold (payments in progress: taken from the
wallet, not yet with the provider) and the commission income."""

from core.memo import memo_get
from ledger.models import AccountKind, LedgerAccount
from ledger.posting import ledger_account_get_or_create

FEES_ACCOUNT_CODE = "fees:commission"
HOLD_ACCOUNT_CODE = "hold:payments"


def system_account(*, code: str, kind: str, name: str) -> LedgerAccount:
    """A system ledger account (fees, hold), looked up once per process (core/memo.py): its id never changes and
    nothing reads its cached balance from here."""
    return memo_get(
        f"ledger:system-account:{code}", lambda: ledger_account_get_or_create(code=code, kind=kind, name=name)
    )


def fees_account() -> LedgerAccount:
    return system_account(code=FEES_ACCOUNT_CODE, kind=AccountKind.FEES, name="Комиссионный доход")


def hold_account() -> LedgerAccount:
    """Money of payments in progress: accepted from the wallet, not yet with the provider (never below zero)."""
    return system_account(code=HOLD_ACCOUNT_CODE, kind=AccountKind.HOLD, name="Платежи в обработке")
