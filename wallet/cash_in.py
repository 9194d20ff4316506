"""Cash handed in for a wallet at a KICB branch or a terminal (CashInChannel): one posting from the channel's ledger
account to the wallet's, and an SMS to the holder."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core.idempotency import idempotency_key_cash_in_new
from core.money import MSG_AMOUNT_NOT_POSITIVE, InvalidAmount, format_som, som
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind, TransferKind
from ledger.posting import Leg, ledger_account_get_or_create, ledger_balances, ledger_post_in_transaction
from sms.models import SmsKind
from sms.outbox import sms_queue
from wallet.errors import MSG_CASH_IN_CHANNEL, MSG_CASH_IN_LIMIT, InvalidCashIn
from wallet.models import CashInChannel, Wallet
from wallet.status import wallet_ensure_active


def cash_in_channel(channel: str) -> CashInChannel:
    """The channel a caller names, or InvalidCashIn."""
    if channel not in CashInChannel.values:
        raise InvalidCashIn(MSG_CASH_IN_CHANNEL, channel=channel)
    return CashInChannel(channel)


def cash_in_account(channel: str) -> LedgerAccount:
    """The channel's ledger account (made on first use; the catalog's migration makes the four of today). Its code
    is built here and never read back: the account stores its channel."""
    chosen = cash_in_channel(channel)
    return ledger_account_get_or_create(
        code=f"cashin:{chosen.value}", kind=AccountKind.CASH_IN, name=str(chosen.label), cash_in_channel=chosen
    )


@transaction.atomic
def cash_in(*, wallet: Wallet, amount: Decimal, channel: str, idempotency_key: str | None = None) -> Posting:
    """Money handed in at a KICB branch or a terminal lands on the wallet; the holder gets an SMS.
    The same idempotency key (the terminal's receipt number) credits once."""
    posting, _created = cash_in_in_transaction(
        wallet=wallet, amount=amount, channel=channel, idempotency_key=idempotency_key
    )
    return posting


def cash_in_in_transaction(
    *, wallet: Wallet, amount: Decimal, channel: str, idempotency_key: str | None = None
) -> tuple[Posting, bool]:
    """cash_in inside the caller's transaction, telling whether this call credited (False: the key was used
    before and nothing moved) — the cash desk writes its audit entry only for a credit it made."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("cash_in_in_transaction needs a transaction; use cash_in")
    chosen = cash_in_channel(channel)
    amount = som(amount)
    if amount <= 0:
        raise InvalidAmount(MSG_AMOUNT_NOT_POSITIVE)
    limit = som(settings.CASH_IN_LIMITS[chosen.value])
    if amount > limit:
        raise InvalidCashIn(MSG_CASH_IN_LIMIT, channel=chosen.value, limit=format_som(limit))
    wallet_ensure_active(wallet)
    key = idempotency_key or idempotency_key_cash_in_new()
    posting, created = ledger_post_in_transaction(
        idempotency_key=key,
        kind=PostingKind.CASH_IN,
        legs=[
            Leg(debit=cash_in_account(chosen), credit=wallet.ledger_account, amount=amount, kind=TransferKind.CASH_IN)
        ],
        reference=f"wallet:{wallet.phone}",
    )
    if created:
        ledger_balances(wallet.ledger_account)  # the balance after this posting, under its row lock
        with translation.override(wallet.language):
            text = _("Пополнение %(amount)s сом (%(channel)s). Баланс: %(balance)s сом. ЭЛСОМ") % {
                "amount": format_som(amount),
                "channel": chosen.label,
                "balance": format_som(wallet.ledger_account.balance),
            }
        sms_queue(phone=wallet.phone, text=text, kind=SmsKind.CASH_IN)
    return posting, created
