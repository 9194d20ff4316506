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
from ledger.models import AccountKind, PostingKind
from ledger.posting import Leg, ledger_account_get_or_create, ledger_post, ledger_reverse
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
HOLD_ACCOUNT_CODE = "hold:payments"
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


def _payment_insert(*, wallet, quote, channel, idempotency_key, fingerprint) -> Payment | None:
    """Insert the RECEIVED row first: on PostgreSQL its unique key makes a concurrent duplicate wait here
    and then fail, instead of both moving money. Returns None when the key is already taken."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Payment.objects.create(
                    code=_new_code(),
                    wallet=wallet,
                    service=quote.service,
                    account=quote.account,
                    amount=quote.amount,
                    commission=quote.commission,
                    total=quote.total,
                    channel=channel,
                    idempotency_key=idempotency_key,
                    fingerprint=fingerprint,
                    status=PaymentStatus.RECEIVED,
                )
        except IntegrityError:
            if Payment.objects.filter(idempotency_key=idempotency_key).exists():
                return None
            # else: the random code collided; draw another
    raise RuntimeError("could not draw a unique payment code")


def _existing(idempotency_key: str, fingerprint: str) -> Payment | None:
    existing = Payment.objects.select_related("service", "wallet").filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
    return existing


@transaction.atomic(durable=True)
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
    existing = _existing(idempotency_key, fingerprint)
    if existing is not None:
        return existing
    payment = _payment_insert(
        wallet=wallet, quote=quote, channel=channel, idempotency_key=idempotency_key, fingerprint=fingerprint
    )
    if payment is None:
        return _existing(idempotency_key, fingerprint)

    legs = [
        Leg(
            debit=wallet.ledger_account, credit=service.provider.settlement_account, amount=quote.amount, kind="payment"
        )
    ]
    if quote.commission > 0:
        legs.append(Leg(debit=wallet.ledger_account, credit=fees_account(), amount=quote.commission, kind="commission"))
    posting = ledger_post(
        idempotency_key=f"payment:{idempotency_key}",
        kind=PostingKind.PAYMENT,
        legs=legs,
        reference=f"payment:{payment.code}",
    )
    receipt = provider_for(service).pay(payment_code=payment.code, account=quote.account, amount=quote.amount)

    wallet.ledger_account.refresh_from_db(fields=["balance"])
    payment.status = PaymentStatus.COMMITTED
    payment.posting = posting
    payment.provider_txn_id = receipt.provider_txn_id
    payment.balance_after = wallet.ledger_account.balance
    payment.committed_at = timezone.now()
    payment.save(update_fields=["status", "posting", "provider_txn_id", "balance_after", "committed_at", "updated_at"])
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
    balance = payment.wallet.ledger_account.__class__.objects.get(pk=payment.wallet.ledger_account_id).balance
    with translation.override(payment.wallet.language):
        text = _("Платеж %(code)s возвращен: %(total)s сом зачислены на кошелек. Баланс: %(balance)s сом.") % {
            "code": payment.code,
            "total": format_som(payment.total),
            "balance": format_som(balance),
        }
    sms_queue(phone=payment.wallet.phone, text=text, kind=SmsKind.REVERSAL, payment=payment)
    return payment
