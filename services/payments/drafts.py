"""What the reserve and the commit write, prepared before their transactions begin: inside them the postings hold
shared accounts' rows (the hold account: every payment's) until COMMIT, so only the statements run there. Nothing
here writes; lifecycle.py runs the transactions."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection

from core.idempotency import idempotency_key_reserve, idempotency_key_settle
from core.money import from_tyiyn, to_tyiyn
from core.rows import database, fields_named
from ledger.models import PostingKind, TransferKind
from ledger.posting import Leg, PreparedPosting, ledger_posting_prepare
from services.models import Payment, PaymentStatus
from services.payments.quote import PaymentQuote
from services.payments.schedule import first_retry_delay
from services.payments.system_accounts import fees_account, hold_account
from services.payments.texts import payment_sms_text
from services.providers import ProviderAccepted
from sms.models import SmsKind
from sms.outbox import PreparedSms, sms_prepare
from wallet.models import Wallet

CODE_DIGITS = 12
# The payment row's columns known before its transaction, in the INSERT's order; the reserve posting's id and the
# three times (WRITTEN_AT_INSERT) follow them, taken at the write.
PREPARED_FIELDS = (
    "code",
    "wallet",
    "service",
    "account",
    "amount",
    "commission",
    "total",
    "channel",
    "idempotency_key",
    "fingerprint",
    "status",
    "provider_txn_id",
    "account_holder",
    "provider_comment",
    "attempts",
)
WRITTEN_AT_INSERT = ("reserve_posting", "next_attempt_at", "created_at", "updated_at")


def payment_fingerprint(*, wallet: Wallet, quote: PaymentQuote, channel: str) -> str:
    """What a request asked for: the same idempotency key with another fingerprint is a conflict."""
    canonical = f"{wallet.pk}|{quote.service.pk}|{quote.account}|{to_tyiyn(quote.amount)}|{channel}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1)}"


@dataclass(frozen=True)
class Reserved:
    """What the reserve's transaction came to."""

    payment: Payment | None = None  # a repeat: the payment the key made before
    payment_id: int | None = None  # created now: the new row's id, its posting, the wallet's balance after, times
    reserve_posting_id: int | None = None
    balance_after: int | None = None
    created_at: datetime | None = None
    next_attempt_at: datetime | None = None
    pin_error: Exception | None = None


@dataclass(frozen=True)
class ReserveDraft:
    """A payment's reserve, prepared outside its transaction: the posting and the payment row's parameters."""

    wallet: Wallet
    quote: PaymentQuote
    posting: PreparedPosting
    values: dict  # PREPARED_FIELDS
    params: tuple  # their database values
    retry_after: timedelta  # next_attempt_at - created_at (first_retry_delay)

    def payment(self, reserved: Reserved) -> Payment:
        """The RESERVED payment the transaction wrote, as saved, without a query."""
        assert reserved.balance_after is not None and reserved.created_at is not None  # a row created now
        payment = Payment(
            id=reserved.payment_id,
            wallet=self.wallet,
            service=self.quote.service,
            balance_after=from_tyiyn(reserved.balance_after),
            reserve_posting_id=reserved.reserve_posting_id,
            next_attempt_at=reserved.next_attempt_at,
            created_at=reserved.created_at,
            updated_at=reserved.created_at,
            **{k: v for k, v in self.values.items() if k not in ("wallet", "service")},
        )
        payment._state.adding, payment._state.db = False, connection.alias
        return payment


def reserve_prepare(
    *,
    wallet: Wallet,
    quote: PaymentQuote,
    channel: str,
    idempotency_key: str,
    fingerprint: str,
    account_holder: str,
) -> ReserveDraft:
    """A new draw of the payment code each time: the caller prepares again if the code collided."""
    posting = ledger_posting_prepare(
        idempotency_key=idempotency_key_reserve(idempotency_key),
        kind=PostingKind.RESERVE,
        legs=[Leg(debit=wallet.ledger_account, credit=hold_account(), amount=quote.total, kind=TransferKind.RESERVE)],
        reference=f"payment:{idempotency_key}"[:128],
    )
    values = {
        "code": _new_code(),
        "wallet": wallet.pk,
        "service": quote.service.pk,
        "account": quote.account,
        "amount": quote.amount,
        "commission": quote.commission,
        "total": quote.total,
        "channel": channel,
        "idempotency_key": idempotency_key,
        "fingerprint": fingerprint,
        "status": PaymentStatus.RESERVED,
        "provider_txn_id": "",
        "account_holder": account_holder[:200],
        "provider_comment": "",
        "attempts": 0,
    }
    db = database()
    params = tuple(field.get_db_prep_save(values[field.name], db) for field in fields_named(Payment, PREPARED_FIELDS))
    return ReserveDraft(
        wallet=wallet,
        quote=quote,
        posting=posting,
        values=values,
        params=params,
        retry_after=first_retry_delay(quote.service),
    )


def settle_key(payment: Payment) -> str:
    # One key for either outcome: whichever of commit and release posts first, the other finds it taken.
    return idempotency_key_settle(payment.idempotency_key)


@dataclass(frozen=True)
class CommitDraft:
    """A commit prepared outside its transaction: the settle posting, the SMS, the provider's transaction id."""

    posting: PreparedPosting
    sms: PreparedSms
    provider_txn_id: str


def commit_prepare(*, payment: Payment, outcome: ProviderAccepted) -> CommitDraft:
    hold = hold_account()
    legs = [
        Leg(
            debit=hold,
            credit=payment.service.provider.settlement_account,
            amount=payment.amount,
            kind=TransferKind.PAYMENT,
        )
    ]
    if payment.commission > 0:
        legs.append(Leg(debit=hold, credit=fees_account(), amount=payment.commission, kind=TransferKind.COMMISSION))
    return CommitDraft(
        posting=ledger_posting_prepare(
            idempotency_key=settle_key(payment),
            kind=PostingKind.PAYMENT,
            legs=legs,
            reference=f"payment:{payment.code}",
        ),
        sms=sms_prepare(
            phone=payment.wallet.phone, text=payment_sms_text(payment), kind=SmsKind.PAYMENT, payment=payment
        ),
        provider_txn_id=outcome.provider_txn_id[:64],
    )
