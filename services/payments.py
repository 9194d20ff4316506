"""Paying for a service from a wallet: the one path every channel (web, USSD, app) goes through."""

import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.money import MSG_AMOUNT_NOT_POSITIVE, InvalidAmount, format_som, som, to_tyiyn
from ledger.errors import MSG_IDEMPOTENCY_CONFLICT, IdempotencyConflict
from ledger.models import AccountKind, LedgerAccount, PostingKind
from ledger.posting import Leg, ledger_account_get_or_create, ledger_post_in_transaction, ledger_reverse
from services.account_rules import account_parse
from services.errors import (
    MSG_AMOUNT_ABOVE_MAX,
    MSG_AMOUNT_BELOW_MIN,
    MSG_PAYMENT_NOT_COMMITTED,
    MSG_SERVICE_INACTIVE,
    AmountOutOfRange,
    PaymentNotReversible,
    ServiceUnavailable,
)
from services.models import Payment, PaymentStatus, Service
from services.providers import provider_for
from sms.models import SmsKind
from sms.outbox import sms_queue
from wallet.models import Wallet
from wallet.operations import wallet_ensure_active

FEES_ACCOUNT_CODE = "fees:commission"
CODE_DIGITS = 12


@dataclass(frozen=True)
class PaymentQuote:
    """What the confirm screen shows: the checked account, amount, commission and total."""

    service: Service
    account: str
    amount: Decimal
    commission: Decimal
    total: Decimal


def fees_account():
    return ledger_account_get_or_create(code=FEES_ACCOUNT_CODE, kind=AccountKind.FEES, name="Комиссионный доход")


def payment_prepare(*, wallet: Wallet, service: Service, account: str, amount: Decimal) -> PaymentQuote:
    """Check everything a payment needs except the PIN, and price it. Changes nothing."""
    wallet_ensure_active(wallet)
    if not service.is_active or not service.category.is_active:
        raise ServiceUnavailable(MSG_SERVICE_INACTIVE)
    normalized = account_parse(
        rule=service.account_rule,
        raw=account,
        min_length=service.account_min_length,
        max_length=service.account_max_length,
    )
    amount = som(amount)
    if amount <= 0:
        raise InvalidAmount(MSG_AMOUNT_NOT_POSITIVE)
    if amount < service.min_amount:
        raise AmountOutOfRange(MSG_AMOUNT_BELOW_MIN, min=format_som(service.min_amount))
    if amount > service.max_amount:
        raise AmountOutOfRange(MSG_AMOUNT_ABOVE_MAX, max=format_som(service.max_amount))
    commission = service.commission_for(amount)
    return PaymentQuote(
        service=service, account=normalized, amount=amount, commission=commission, total=amount + commission
    )


def _fingerprint(*, wallet: Wallet, quote: PaymentQuote, channel: str) -> str:
    canonical = f"{wallet.pk}|{quote.service.pk}|{quote.account}|{to_tyiyn(quote.amount)}|{channel}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1)}"


def _existing(idempotency_key: str, fingerprint: str) -> Payment | None:
    existing = Payment.objects.filter(idempotency_key=idempotency_key).order_by().first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
    return existing


def payment_execute(
    *, wallet: Wallet, service: Service, account: str, amount: Decimal, idempotency_key: str, channel: str
) -> Payment:
    """Pay `amount` to `service` for `account` from `wallet`: debit the wallet with amount + commission,
    credit the provider and the fee account, record the payment and queue its SMS, all in one transaction.

    The same idempotency key again returns the payment already made and charges nothing; the same key
    with other data raises IdempotencyConflict. Raises a DomainError with a message for the person
    (InsufficientFunds, InvalidAccount, AmountOutOfRange, ...) and then nothing is written."""
    quote = payment_prepare(wallet=wallet, service=service, account=account, amount=amount)
    fingerprint = _fingerprint(wallet=wallet, quote=quote, channel=channel)
    for attempt in range(3):
        try:
            return _payment_commit(
                wallet=wallet, quote=quote, channel=channel, idempotency_key=idempotency_key, fingerprint=fingerprint
            )
        except IntegrityError:
            # The key was taken by a concurrent request from another wallet (the same wallet waits on its lock
            # and finds the payment), or, once in 10^11, the random payment code collided: look, then draw again.
            existing = _existing(idempotency_key, fingerprint)
            if existing is not None:
                return existing
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


@transaction.atomic(durable=True)
def _payment_commit(*, wallet: Wallet, quote: PaymentQuote, channel: str, idempotency_key: str, fingerprint: str):
    service = quote.service
    code = _new_code()
    provider_account = service.provider.settlement_account
    legs = [Leg(debit=wallet.ledger_account, credit=provider_account, amount=quote.amount, kind="payment")]
    if quote.commission > 0:
        legs.append(Leg(debit=wallet.ledger_account, credit=fees_account(), amount=quote.commission, kind="commission"))
    # The posting's key is the payment's: ledger_post locks the wallet, then finds a posting made under this key
    # by an earlier or concurrent request (the same wallet waits on the lock) and moves nothing again.
    posting, created = ledger_post_in_transaction(
        idempotency_key=f"payment:{idempotency_key}",
        kind=PostingKind.PAYMENT,
        legs=legs,
        reference=f"payment:{idempotency_key}"[:128],
    )
    if not created:
        existing = _existing(idempotency_key, fingerprint)
        if existing is None:  # pragma: no cover - a payment posting is written with its payment
            raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
        return existing
    # A synchronous provider (DosTek/СОЧИ accepts every valid account at once): RECEIVED -> COMMITTED happen
    # inside this transaction, so the row is written once, committed. An asynchronous provider will keep
    # the payment RESERVED on the hold account between two transactions instead.
    receipt = provider_for(service).pay(payment_code=code, account=quote.account, amount=quote.amount)
    payment = Payment.objects.create(
        code=code,
        wallet=wallet,
        service=service,
        account=quote.account,
        amount=quote.amount,
        commission=quote.commission,
        total=quote.total,
        channel=channel,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        status=PaymentStatus.COMMITTED,
        posting=posting,
        provider_txn_id=receipt.provider_txn_id,
        balance_after=wallet.ledger_account.balance,  # set by the posting under the lock
        committed_at=timezone.now(),
    )
    sms_queue(phone=wallet.phone, text=payment_sms_text(payment), kind=SmsKind.PAYMENT, payment=payment)
    return payment


def payment_sms_text(payment: Payment) -> str:
    with translation.override(payment.wallet.language):
        return _(
            "Платеж %(amount)s сом в %(service)s (счет %(account)s) принят, код %(code)s. "
            "Комиссия %(commission)s сом. Баланс: %(balance)s сом."
        ) % {
            "amount": format_som(payment.amount),
            "service": payment.service.display_name,
            "account": payment.account,
            "code": payment.code,
            "commission": format_som(payment.commission),
            "balance": format_som(payment.balance_after),
        }


@transaction.atomic(durable=True)
def payment_reverse(*, payment: Payment, idempotency_key: str) -> Payment:
    """Return a committed payment's money to the wallet (the provider refunded it): a reversing posting,
    status REVERSED and an SMS. The original transfers stay as they are."""
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("wallet", "service", "posting")
        .get(pk=payment.pk)
    )
    if payment.status == PaymentStatus.REVERSED and payment.posting.reversed_by.idempotency_key == idempotency_key:
        return payment
    if payment.status != PaymentStatus.COMMITTED:
        raise PaymentNotReversible(MSG_PAYMENT_NOT_COMMITTED)
    ledger_reverse(posting=payment.posting, idempotency_key=idempotency_key, reference=f"reversal:{payment.code}")
    payment.status = PaymentStatus.REVERSED
    payment.save(update_fields=["status", "updated_at"])
    balance = LedgerAccount.objects.get(pk=payment.wallet.ledger_account_id).balance
    with translation.override(payment.wallet.language):
        text = _("Платеж %(code)s возвращен: %(total)s сом зачислены на кошелек. Баланс: %(balance)s сом.") % {
            "code": payment.code,
            "total": format_som(payment.total),
            "balance": format_som(balance),
        }
    sms_queue(phone=payment.wallet.phone, text=text, kind=SmsKind.REVERSAL, payment=payment)
    return payment
