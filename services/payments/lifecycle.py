"""A payment's steps, each one database transaction, with the provider asked between them and never inside one:

    reserve:  PIN + funds check, the total moved wallet -> hold                RESERVED
    the provider's answer to pay(), applied:
      commit:   accepted -> hold -> provider + fees, SMS with the code         COMMITTED
      release:  refused  -> hold -> wallet, SMS «отменен»                      ABORTED
      defer:    unknown  -> nothing moves; the worker's next attempt is due    RESERVED

Every step is claimed by its posting's idempotency key (`payment:<key>:reserve`, `payment:<key>:settle`), so a
repeat, a second worker or a crash-and-retry moves money once. What the steps write is prepared beforehand
(drafts.py). The one module with hand-written SQL: the statements every payment runs (the reserve's INSERT, the
commit's UPDATE), which the ORM would compile anew each time or cannot express."""

import functools
from collections.abc import Callable

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.faults import crash_point
from core.rows import database, fields_named
from ledger.errors import MSG_IDEMPOTENCY_CONFLICT, IdempotencyConflict
from ledger.models import LedgerAccount, PostingKind, TransferKind
from ledger.posting import Leg, PreparedPosting, ledger_post_prepared, ledger_posting_prepare
from services.models import Payment, PaymentStatus
from services.payments.drafts import (
    PREPARED_FIELDS,
    WRITTEN_AT_INSERT,
    CommitDraft,
    Reserved,
    ReserveDraft,
    commit_prepare,
    settle_key,
)
from services.payments.provider_calls import ensure_no_transaction, exchange_record, release_connection
from services.payments.schedule import retry_delay
from services.payments.system_accounts import hold_account
from services.payments.texts import payment_aborted_sms_text
from services.providers import ProviderAccepted, ProviderRefused, ProviderUnknown, provider_for
from sms.models import SmsKind
from sms.outbox import sms_queue, sms_queue_prepared
from wallet.models import Wallet
from wallet.operations import wallet_lock_active, wallet_pin_check_in_transaction

# Schedules the worker's next look at a deferred payment (its next_attempt_at is set), inside the defer's
# transaction. retry.py passes its task: this module cannot import the worker that imports it.
RetryLater = Callable[[Payment], None]


@transaction.atomic(durable=True)
def payment_reserve(*, wallet: Wallet, draft: ReserveDraft, pin: str | None) -> Reserved:
    if pin is not None:
        pin_error = wallet_pin_check_in_transaction(wallet=wallet, pin=pin)
        if pin_error is not None:
            return Reserved(pin_error=pin_error)  # the counter commits with this transaction
    else:
        wallet_lock_active(wallet=wallet)
    posting_id, created = ledger_post_prepared(prepared=draft.posting)
    if not created:
        existing = _existing(draft.values["idempotency_key"], draft.values["fingerprint"])
        if existing is None:  # pragma: no cover - the reserve posting is written with its payment
            raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
        return Reserved(payment=existing)
    return _payment_insert(draft=draft, reserve_posting_id=posting_id)


def _existing(idempotency_key: str, fingerprint: str) -> Payment | None:
    existing = Payment.objects.select_related("wallet", "service").filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
    return existing


def _payment_insert(*, draft: ReserveDraft, reserve_posting_id: int) -> Reserved:
    """The payment row, RESERVED, with the wallet's balance after the reserve read inside the INSERT (the posting
    above holds that account's row lock, so the value is exact). Plain SQL: the ORM cannot return that column.
    Stamped with the time of the write: the draft may have waited for the database's lock, and the worker's first
    retry counts from here."""
    db = database()
    now = timezone.now()
    retry_at = now + draft.retry_after
    stamp = db.ops.adapt_datetimefield_value(now)
    written = [reserve_posting_id, db.ops.adapt_datetimefield_value(retry_at), stamp, stamp]
    with db.cursor() as cursor:
        cursor.execute(_payment_insert_sql(), [*draft.params, *written, draft.wallet.ledger_account_id])
        payment_id, balance_after = cursor.fetchone()
    return Reserved(
        payment_id=payment_id,
        reserve_posting_id=reserve_posting_id,
        balance_after=balance_after,
        created_at=now,
        next_attempt_at=retry_at,
    )


@functools.cache
def _payment_insert_sql() -> str:
    """The statement, composed once per process."""
    fields = fields_named(Payment, PREPARED_FIELDS + WRITTEN_AT_INSERT)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    return (
        f"INSERT INTO {Payment._meta.db_table} ({columns}, balance_after)"
        f" VALUES ({', '.join(['%s'] * len(fields))},"
        f" (SELECT balance FROM {LedgerAccount._meta.db_table} WHERE id = %s)) RETURNING id, balance_after"
    )


def payment_provider_pay(*, payment: Payment, retry_later: RetryLater) -> Payment:
    """Ask the provider to credit a RESERVED payment (again: the same transaction id, so it credits once) and apply
    the answer. Outside any transaction: no lock or connection of ours waits for the provider."""
    ensure_no_transaction()
    release_connection()
    outcome = provider_for(payment.service).pay(payment=payment)
    crash_point("after_provider_answer")
    if isinstance(outcome, ProviderAccepted):
        return payment_commit(payment=payment, outcome=outcome)
    if isinstance(outcome, ProviderRefused):
        return payment_release(payment=payment, outcome=outcome)
    return _payment_defer(payment=payment, outcome=outcome, retry_later=retry_later)


def settled_elsewhere(payment: Payment) -> Payment:
    payment.refresh_from_db()
    return payment


def _settle_posting(*, payment: Payment, prepared: PreparedPosting) -> int | None:
    """Claim the payment's one settlement (commit or release) by its posting key: the posting's id, or None if the
    payment was settled before."""
    try:
        posting_id, created = ledger_post_prepared(prepared=prepared)
    except IdempotencyConflict:
        return None  # settled the other way meanwhile (committed, or released by a worker that gave up)
    return posting_id if created else None


def payment_commit(*, payment: Payment, outcome: ProviderAccepted) -> Payment:
    # Prepared before the transaction: inside, the settle posting holds the hold and the provider's accounts' rows
    # (every payment's) until COMMIT, so only the statements run there.
    draft = commit_prepare(payment=payment, outcome=outcome)
    with transaction.atomic(durable=True):
        return payment_commit_in_transaction(payment=payment, outcome=outcome, draft=draft)


def payment_commit_in_transaction(*, payment: Payment, outcome: ProviderAccepted, draft: CommitDraft) -> Payment:
    if outcome.exchange is not None:
        # Before the posting, so that this ORM INSERT's Python runs before the shared accounts' rows are locked.
        exchange_record(provider=payment.service.provider, payment=payment, answer=outcome.exchange)
    posting_id = _settle_posting(payment=payment, prepared=draft.posting)
    if posting_id is None:
        return settled_elsewhere(payment)
    now = timezone.now()
    result = 0 if outcome.exchange is not None else None
    # Plain SQL: the statement of every payment's second transaction; the ORM's update() compiles it anew each time.
    stamp = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Payment._meta.db_table} SET status = %s, settle_posting_id = %s, provider_txn_id = %s,"
            " provider_result = %s, provider_comment = '', attempts = attempts + 1, next_attempt_at = NULL,"
            " claimed_until = NULL, committed_at = %s, updated_at = %s WHERE id = %s AND status = %s",
            [
                PaymentStatus.COMMITTED,
                posting_id,
                draft.provider_txn_id,
                result,
                stamp,
                stamp,
                payment.pk,
                PaymentStatus.RESERVED,
            ],
        )
    sms_queue_prepared(draft.sms)
    # The row as the UPDATE left it.
    payment.status, payment.settle_posting_id = PaymentStatus.COMMITTED, posting_id
    payment.provider_txn_id, payment.provider_result, payment.provider_comment = draft.provider_txn_id, result, ""
    payment.attempts += 1
    payment.committed_at = payment.updated_at = now
    payment.next_attempt_at = payment.claimed_until = None
    return payment


@transaction.atomic(durable=True)
def payment_release(*, payment: Payment, outcome: ProviderRefused) -> Payment:
    """The provider refused for good (or never answered until we gave up): the total goes back to the wallet and
    the holder is told."""
    wallet = payment.wallet
    legs = [Leg(debit=hold_account(), credit=wallet.ledger_account, amount=payment.total, kind=TransferKind.RELEASE)]
    prepared = ledger_posting_prepare(
        idempotency_key=settle_key(payment), kind=PostingKind.RELEASE, legs=legs, reference=f"payment:{payment.code}"
    )
    posting_id = _settle_posting(payment=payment, prepared=prepared)
    if outcome.exchange is not None:
        exchange_record(provider=payment.service.provider, payment=payment, answer=outcome.exchange)
    if posting_id is None:
        return settled_elsewhere(payment)
    now = timezone.now()
    Payment.objects.filter(pk=payment.pk, status=PaymentStatus.RESERVED).update(
        status=PaymentStatus.ABORTED,
        settle_posting_id=posting_id,
        provider_result=outcome.code,
        provider_comment=outcome.reason[:255],
        attempts=F("attempts") + (1 if outcome.exchange is not None else 0),
        next_attempt_at=None,
        claimed_until=None,
        aborted_at=now,
        updated_at=now,
    )
    payment.status, payment.settle_posting_id, payment.aborted_at, payment.updated_at = (
        PaymentStatus.ABORTED,
        posting_id,
        now,
        now,
    )
    payment.provider_result, payment.provider_comment = outcome.code, outcome.reason[:255]
    balance = LedgerAccount.objects.values_list("balance", flat=True).get(pk=wallet.ledger_account_id)
    text = payment_aborted_sms_text(payment=payment, balance=balance)
    sms_queue(phone=wallet.phone, text=text, kind=SmsKind.PAYMENT_ABORTED, payment=payment)
    return payment


@transaction.atomic(durable=True)
def _payment_defer(*, payment: Payment, outcome: ProviderUnknown, retry_later: RetryLater) -> Payment:
    """No final answer: nothing moves. The attempt is written down and the next one scheduled (`retry_later`, a
    task that says «look at payment N», in this transaction; the process_payments sweeper finds the payment again
    if the task is lost)."""
    if outcome.exchange is not None:
        exchange_record(provider=payment.service.provider, payment=payment, answer=outcome.exchange)
    attempts = payment.attempts + 1
    next_attempt_at = timezone.now() + retry_delay(attempts)
    updated = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.RESERVED).update(
        attempts=F("attempts") + 1,
        next_attempt_at=next_attempt_at,
        claimed_until=None,
        provider_result=outcome.exchange.result if outcome.exchange is not None else None,
        provider_comment=outcome.reason[:255],
        updated_at=timezone.now(),
    )
    if not updated:
        return settled_elsewhere(payment)
    payment.attempts, payment.next_attempt_at, payment.claimed_until = attempts, next_attempt_at, None
    payment.provider_comment = outcome.reason[:255]
    payment.provider_result = outcome.exchange.result if outcome.exchange is not None else None
    retry_later(payment)
    return payment
