"""Cash handed in for a wallet: at a KICB branch by a cashier (staff, audited) or at a terminal screen (demo). Both
credit through wallet.cash_in.cash_in_in_transaction with the receipt number as the idempotency key, so a double
click, a reload or a second submit of the same receipt credits once."""

import re
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from audit.operations import audit_record, staff_require
from audit.roles import StaffPermission
from core.errors import DomainError
from core.idempotency import idempotency_key_receipt
from core.money import format_som, som
from wallet.cash_in import cash_in_in_transaction
from wallet.models import CashInChannel, Wallet

BRANCH_CHANNEL = CashInChannel.KICB_BRANCH
TERMINAL_CHANNELS = (CashInChannel.QIWI, CashInChannel.MOBILNIK, CashInChannel.KICB_TERMINAL)
RECEIPT_RE = re.compile(r"(KB|QW|MB|KT)[0-9]{6}-[0-9]{6}", re.ASCII)
RECEIPT_PREFIX = {
    CashInChannel.KICB_BRANCH: "KB",
    CashInChannel.QIWI: "QW",
    CashInChannel.MOBILNIK: "MB",
    CashInChannel.KICB_TERMINAL: "KT",
}
NOTES = (20, 50, 100, 200, 500, 1000, 5000)

MSG_RECEIPT_INVALID = _("Неверный номер квитанции. Начните операцию заново.")
MSG_ID_NOT_CHECKED = _("Сверьте имя владельца кошелька с ID-картой клиента и отметьте это.")
MSG_OVER_LIMIT = _("%(place)s принимает не больше %(limit)s сом за одну операцию.")


class InvalidReceipt(DomainError):
    code = "invalid_receipt"


class OverLimit(DomainError):
    code = "cash_in_over_limit"


@dataclass(frozen=True)
class CashReceipt:
    receipt: str
    created: bool
    balance: Decimal | None


def receipt_new(*, channel: str) -> str:
    """A receipt number, drawn when the operation starts (the form carries it): KB261202-483920."""
    return f"{RECEIPT_PREFIX[channel]}{timezone.localdate():%y%m%d}-{secrets.randbelow(10**6):06d}"


def receipt_key(*, channel: str, receipt: str) -> str:
    """The credit's idempotency key: the receipt's channel and number (the receipt page finds the credit by it)."""
    return idempotency_key_receipt(channel=CashInChannel(channel).value, receipt=receipt)


def cash_limit(channel: str) -> Decimal:
    return som(settings.CASH_IN_LIMITS[channel])


def cash_check_limit(*, channel: str, amount: Decimal, place: str) -> None:
    """The channel's limit per operation, with a message that names the place (the cash_in check is the last
    line; this one is what the cashier or the trainee reads)."""
    limit = cash_limit(channel)
    if amount > limit:
        raise OverLimit(MSG_OVER_LIMIT, place=place, limit=format_som(limit))


def _receipt_checked(channel: str, receipt: str) -> str:
    if not RECEIPT_RE.fullmatch(receipt or "") or not receipt.startswith(RECEIPT_PREFIX[channel]):
        raise InvalidReceipt(MSG_RECEIPT_INVALID)
    return receipt


@transaction.atomic
def cash_desk_credit(*, wallet: Wallet, amount: Decimal, receipt: str, actor) -> CashReceipt:
    """A KICB branch cashier credits cash handed in over the counter, after checking the holder's ID card against
    the wallet's name. The audit entry is written with the credit, once: a repeat of the receipt writes nothing."""
    staff_require(actor, StaffPermission.USE_CASH_DESK)
    receipt = _receipt_checked(BRANCH_CHANNEL, receipt)
    amount = som(amount)
    cash_check_limit(channel=BRANCH_CHANNEL, amount=amount, place=_("Касса отделения KICB"))
    _posting, created = cash_in_in_transaction(
        wallet=wallet,
        amount=amount,
        channel=BRANCH_CHANNEL,
        idempotency_key=receipt_key(channel=BRANCH_CHANNEL, receipt=receipt),
    )
    balance = None
    if created:
        balance = wallet.ledger_account.balance
        audit_record(
            actor=actor,
            action=StaffAction.CASH_IN,
            wallet=wallet,
            reason=f"Касса KICB, квитанция {receipt}: имя сверено с ID-картой",
            before={"balance": str(balance - amount)},
            after={"balance": str(balance), "amount": str(amount), "receipt": receipt},
        )
    return CashReceipt(receipt=receipt, created=created, balance=balance)


@transaction.atomic
def terminal_credit(*, wallet: Wallet, amount: Decimal, receipt: str, channel: str) -> CashReceipt:
    """A terminal (QIWI, Мобильник, KICB) credits the notes a customer inserted. Demo only; no staff involved."""
    if channel not in TERMINAL_CHANNELS:
        raise ValueError(f"not a terminal channel: {channel!r}")
    receipt = _receipt_checked(channel, receipt)
    amount = som(amount)
    _posting, created = cash_in_in_transaction(
        wallet=wallet, amount=amount, channel=channel, idempotency_key=receipt_key(channel=channel, receipt=receipt)
    )
    return CashReceipt(receipt=receipt, created=created, balance=wallet.ledger_account.balance if created else None)
