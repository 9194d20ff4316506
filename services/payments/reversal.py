"""Returning a committed payment's money to the wallet (the provider refunded it). Staff reach it through an
approved refund request (services/refunds.py), in the transaction of the request's decision."""

from django.db import transaction
from django.utils import timezone

from ledger.models import LedgerAccount, PostingKind, TransferKind
from ledger.posting import Leg, ledger_post_in_transaction
from services.errors import MSG_PAYMENT_NOT_COMMITTED, PaymentNotReversible
from services.models import Payment, PaymentStatus
from services.payments.system_accounts import fees_account
from services.payments.texts import payment_reversed_sms_text
from sms.models import SmsKind
from sms.outbox import sms_queue


@transaction.atomic(durable=True)
def payment_reverse(*, payment: Payment, idempotency_key: str) -> Payment:
    """Return a committed payment's money to the wallet (the provider refunded it): amount and commission back
    from the provider's and the fee accounts, status REVERSED and an SMS. The earlier postings stay as they are.
    Staff reach it through an approved refund request (services/refunds.py)."""
    return payment_reverse_in_transaction(payment=payment, idempotency_key=idempotency_key)


def payment_reverse_in_transaction(*, payment: Payment, idempotency_key: str) -> Payment:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("payment_reverse_in_transaction needs a transaction; use payment_reverse")
    payment = (
        Payment.objects.select_for_update(of=("self",))
        .select_related("wallet__ledger_account", "service__provider__settlement_account", "refund_posting")
        .get(pk=payment.pk)
    )
    refund = payment.refund_posting
    if payment.status == PaymentStatus.REVERSED and refund is not None and refund.idempotency_key == idempotency_key:
        return payment
    if payment.status != PaymentStatus.COMMITTED:
        raise PaymentNotReversible(MSG_PAYMENT_NOT_COMMITTED)
    wallet_account = payment.wallet.ledger_account
    legs = [
        Leg(
            debit=payment.service.provider.settlement_account,
            credit=wallet_account,
            amount=payment.amount,
            kind=TransferKind.REVERSAL,
        )
    ]
    if payment.commission > 0:
        legs.append(
            Leg(debit=fees_account(), credit=wallet_account, amount=payment.commission, kind=TransferKind.COMMISSION)
        )
    posting, _created = ledger_post_in_transaction(
        idempotency_key=idempotency_key,
        kind=PostingKind.REVERSAL,
        legs=legs,
        reference=f"reversal:{payment.code}",
        reversal_of=payment.settle_posting,
    )
    now = timezone.now()
    payment.status, payment.refund_posting, payment.reversed_at = PaymentStatus.REVERSED, posting, now
    payment.save(update_fields=["status", "refund_posting", "reversed_at", "updated_at"])
    balance = LedgerAccount.objects.values_list("balance", flat=True).get(pk=wallet_account.pk)
    text = payment_reversed_sms_text(payment=payment, balance=balance)
    sms_queue(phone=payment.wallet.phone, text=text, kind=SmsKind.REVERSAL, payment=payment)
    return payment
