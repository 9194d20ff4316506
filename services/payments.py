"""Paying for a service from a wallet: the one path every channel (web, USSD, app, staff) goes through.

A payment moves in Mojaloop's steps, each one database transaction, and the provider is called between them,
never inside one:

    payment_execute:  PIN + funds check, the total moved wallet -> hold        RESERVED   (transaction 1)
    provider.pay():   outside any transaction and lock
                      accepted -> hold -> provider + fees, SMS with the code   COMMITTED  (transaction 2)
                      refused  -> hold -> wallet, SMS «отменен»                ABORTED    (transaction 2)
                      unknown  -> nothing moves; the payment stays             RESERVED   (retried later)
    payment_reverse:  the provider returned a committed payment: provider + fees -> wallet   REVERSED

Every step is claimed by its posting's idempotency key (`payment:<key>:reserve`, `payment:<key>:settle`), so a
repeat, a second worker or a crash-and-retry moves money once.
"""

import functools
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from core.faults import crash_point
from core.memo import memo_get
from core.money import MSG_AMOUNT_NOT_POSITIVE, InvalidAmount, format_som, from_tyiyn, som, to_tyiyn
from core.rows import database, fields_named
from ledger.errors import MSG_IDEMPOTENCY_CONFLICT, MSG_INSUFFICIENT_FUNDS, IdempotencyConflict, InsufficientFunds
from ledger.models import AccountKind, LedgerAccount, PostingKind
from ledger.posting import (
    Leg,
    PreparedPosting,
    insufficient_funds_now,
    ledger_account_get_or_create,
    ledger_post_in_transaction,
    ledger_post_prepared,
    ledger_posting_prepare,
)
from services.account_rules import account_parse
from services.errors import (
    MSG_AMOUNT_ABOVE_MAX,
    MSG_AMOUNT_BELOW_MIN,
    MSG_PAYMENT_NOT_COMMITTED,
    MSG_PAYMENT_NOT_IN_PROGRESS,
    MSG_PROVIDER_REFUSED,
    MSG_PROVIDER_UNAVAILABLE,
    MSG_SERVICE_INACTIVE,
    PROVIDER_REFUSALS,
    AmountOutOfRange,
    PaymentNotInProgress,
    PaymentNotReversible,
    ProviderRefusedAccount,
    ProviderUnavailable,
    ServiceUnavailable,
)
from services.models import Channel, Payment, PaymentStatus, ProviderExchange, Service
from services.providers import ProviderAccepted, ProviderRefused, ProviderUnknown, provider_for
from sms.models import SmsKind
from sms.outbox import PreparedSms, sms_prepare, sms_queue, sms_queue_prepared
from wallet.models import Wallet
from wallet.operations import wallet_ensure_active, wallet_lock_active, wallet_pin_check_in_transaction

logger = logging.getLogger(__name__)
FEES_ACCOUNT_CODE = "fees:commission"
HOLD_ACCOUNT_CODE = "hold:payments"
CODE_DIGITS = 12
# Channels where the holder proves who they are with the PIN at the moment of paying. On the web the holder
# signed in with a password; demo data is written by the seed.
PIN_CHANNELS = {Channel.USSD, Channel.APP}


@dataclass(frozen=True)
class PaymentQuote:
    """What the confirm screen shows: the checked account, amount, commission and total."""

    service: Service
    account: str
    amount: Decimal
    commission: Decimal
    total: Decimal


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


def payment_prepare(
    *, wallet: Wallet, service: Service, account: str, amount: Decimal, check_funds: bool = True
) -> PaymentQuote:
    """Check everything a payment needs except the PIN, and price it. Changes nothing.

    `check_funds` compares the total with the wallet's balance as loaded. USSD passes False: there the holder has
    not yet given the PIN, and «not enough money» would tell a stranger about the balance; payment_execute checks
    the funds after the PIN in any case."""
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
    quote = PaymentQuote(
        service=service, account=normalized, amount=amount, commission=commission, total=amount + commission
    )
    if check_funds and quote.total > wallet.ledger_account.balance:
        refusal = InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(wallet.ledger_account.balance))
        refusal.account_id = wallet.ledger_account_id
        raise refusal
    return quote


def _fingerprint(*, wallet: Wallet, quote: PaymentQuote, channel: str) -> str:
    canonical = f"{wallet.pk}|{quote.service.pk}|{quote.account}|{to_tyiyn(quote.amount)}|{channel}"
    return hashlib.sha256(canonical.encode()).hexdigest()


def _new_code() -> str:
    return f"{secrets.randbelow(9 * 10 ** (CODE_DIGITS - 1)) + 10 ** (CODE_DIGITS - 1)}"


def _existing(idempotency_key: str, fingerprint: str) -> Payment | None:
    existing = Payment.objects.select_related("wallet", "service").filter(idempotency_key=idempotency_key).first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
    return existing


def _release_connection() -> None:
    """Give the database connection back (to the pool, on PostgreSQL) while the provider takes its time: a slow
    provider must not hold a connection that other payments need. The next query takes one again. Inside a
    test's wrapping transaction there is nothing to give back."""
    # Only a pool gets something back: closing a SQLite connection would just cost a reopen (and a checkpoint).
    if not connection.in_atomic_block and connection.settings_dict.get("OPTIONS", {}).get("pool"):
        connection.close()


def _ensure_no_transaction() -> None:
    """The provider is another company's system: no transaction or row lock of ours waits for it."""
    if any(not block._from_testcase for block in connection.atomic_blocks):
        raise RuntimeError("a provider is called outside any database transaction")


def payment_check(*, quote: PaymentQuote) -> str:
    """Ask the provider whether it accepts this account (and sum), before any money moves: the confirm screens show
    the name it returns (the company's, for DosTek group). Called once per confirm, outside any transaction.
    Raises ProviderRefusedAccount (unknown, closed, malformed account: the provider's reason in the holder's words)
    or ProviderUnavailable (no answer); in both cases nothing was charged."""
    _ensure_no_transaction()
    service = quote.service
    outcome = provider_for(service).check(account=quote.account, amount=quote.amount)
    if outcome.exchange is not None:
        _exchange_record(provider=service.provider, payment=None, answer=outcome.exchange, account=quote.account)
    if isinstance(outcome, ProviderAccepted):
        return outcome.account_holder
    params = {"provider": service.provider.name, "account": quote.account, "label": service.display_account_label}
    if isinstance(outcome, ProviderRefused):
        message = PROVIDER_REFUSALS.get(outcome.code, MSG_PROVIDER_REFUSED)
        raise ProviderRefusedAccount(message, result=outcome.code, **params)
    raise ProviderUnavailable(MSG_PROVIDER_UNAVAILABLE, provider=service.provider.name)


def payment_execute(
    *,
    wallet: Wallet,
    service: Service,
    account: str,
    amount: Decimal,
    idempotency_key: str,
    channel: str,
    pin: str | None = None,
    account_holder: str = "",
) -> Payment:
    """Pay `amount` to `service` for `account` from `wallet`: check the PIN (USSD and app), reserve the total, ask
    the provider, then commit or release. Returns the payment: COMMITTED, ABORTED (the provider refused; the money
    is back) or RESERVED (the provider's answer is not known yet; a worker finishes it).

    The same idempotency key again returns the payment already made and charges nothing; the same key with other
    data raises IdempotencyConflict. Raises a DomainError with a message for the person (WrongPin, PinLocked,
    InsufficientFunds, InvalidAccount, AmountOutOfRange, ...) and then no money moved (a wrong PIN is counted).
    `account_holder` is the name the provider's check returned, for the receipt."""
    if channel in PIN_CHANNELS and pin is None:
        raise ValueError(f"a {channel} payment needs the holder's PIN")
    quote = payment_prepare(wallet=wallet, service=service, account=account, amount=amount, check_funds=False)
    fingerprint = _fingerprint(wallet=wallet, quote=quote, channel=channel)
    for attempt in range(3):
        # Everything the reserve writes is prepared before its transaction begins: inside, the posting holds the
        # hold account's row (every payment's) until COMMIT, so only the statements run there.
        draft = _reserve_prepare(
            wallet=wallet,
            quote=quote,
            channel=channel,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            account_holder=account_holder,
        )
        try:
            reserved = _payment_reserve(wallet=wallet, draft=draft, pin=pin)
        except InsufficientFunds as exc:
            raise insufficient_funds_now(exc) from exc
        except IntegrityError:
            # Once in 10^11 the random payment code collided: draw again (the reserve rolled back).
            if attempt == 2:
                raise
            continue
        break
    if reserved.pin_error is not None:
        raise reserved.pin_error
    if reserved.payment is not None:
        return reserved.payment  # a repeat: what the first request made of it (it may still be in progress there)
    payment = draft.payment(reserved)
    wallet.ledger_account.balance = payment.balance_after
    crash_point("after_reserve")
    return payment_process(payment=payment)


# The payment row's columns known before its transaction, in the INSERT's order; the reserve posting's id and the
# three times (_WRITTEN_AT_INSERT) follow them, taken at the write.
_PREPARED_FIELDS = (
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
_WRITTEN_AT_INSERT = ("reserve_posting", "next_attempt_at", "created_at", "updated_at")


@dataclass(frozen=True)
class _Reserved:
    payment: Payment | None = None  # a repeat: the payment the key made before
    payment_id: int | None = None  # created now: the new row's id, its posting, the wallet's balance after, times
    reserve_posting_id: int | None = None
    balance_after: int | None = None
    created_at: datetime | None = None
    next_attempt_at: datetime | None = None
    pin_error: Exception | None = None


@dataclass(frozen=True)
class _ReserveDraft:
    """A payment's reserve, prepared outside its transaction: the posting and the payment row's parameters."""

    wallet: Wallet
    quote: PaymentQuote
    posting: PreparedPosting
    values: dict  # _PREPARED_FIELDS
    params: tuple  # their database values
    retry_after: timedelta  # next_attempt_at - created_at (_first_retry_delay)

    def payment(self, reserved: _Reserved) -> Payment:
        """The RESERVED payment the transaction wrote, as saved, without a query."""
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


def _reserve_prepare(*, wallet, quote, channel, idempotency_key, fingerprint, account_holder) -> _ReserveDraft:
    posting = ledger_posting_prepare(
        idempotency_key=f"payment:{idempotency_key}:reserve",
        kind=PostingKind.RESERVE,
        legs=[Leg(debit=wallet.ledger_account, credit=hold_account(), amount=quote.total, kind=PostingKind.RESERVE)],
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
    params = tuple(field.get_db_prep_save(values[field.name], db) for field in fields_named(Payment, _PREPARED_FIELDS))
    return _ReserveDraft(
        wallet=wallet,
        quote=quote,
        posting=posting,
        values=values,
        params=params,
        retry_after=_first_retry_delay(quote.service),
    )


@transaction.atomic(durable=True)
def _payment_reserve(*, wallet: Wallet, draft: _ReserveDraft, pin: str | None) -> _Reserved:
    if pin is not None:
        pin_error = wallet_pin_check_in_transaction(wallet=wallet, pin=pin)
        if pin_error is not None:
            return _Reserved(pin_error=pin_error)  # the counter commits with this transaction
    else:
        wallet_lock_active(wallet=wallet)
    posting_id, created = ledger_post_prepared(prepared=draft.posting)
    if not created:
        existing = _existing(draft.values["idempotency_key"], draft.values["fingerprint"])
        if existing is None:  # pragma: no cover - the reserve posting is written with its payment
            raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
        return _Reserved(payment=existing)
    return _payment_insert(draft=draft, reserve_posting_id=posting_id)


def _first_retry_delay(service: Service) -> timedelta:
    """The worker leaves a new payment alone while the request that made it may still be waiting for the provider
    (its timeouts), and a little longer."""
    endpoint = settings.OSMP_ENDPOINTS.get(service.provider.code, {})
    waited = endpoint.get("TIMEOUT", 0) + endpoint.get("CONNECT_TIMEOUT", 0)
    return timedelta(seconds=waited + settings.PAYMENT_RETRY_BASE_SECONDS)


def _payment_insert(*, draft: _ReserveDraft, reserve_posting_id: int) -> _Reserved:
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
    return _Reserved(
        payment_id=payment_id,
        reserve_posting_id=reserve_posting_id,
        balance_after=balance_after,
        created_at=now,
        next_attempt_at=retry_at,
    )


@functools.cache
def _payment_insert_sql() -> str:
    """The statement, composed once per process."""
    fields = fields_named(Payment, _PREPARED_FIELDS + _WRITTEN_AT_INSERT)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    return (
        f"INSERT INTO {Payment._meta.db_table} ({columns}, balance_after)"
        f" VALUES ({', '.join(['%s'] * len(fields))},"
        f" (SELECT balance FROM {LedgerAccount._meta.db_table} WHERE id = %s)) RETURNING id, balance_after"
    )


def payment_process(*, payment: Payment) -> Payment:
    """Ask the provider to credit a RESERVED payment (again: the same transaction id, so it credits once) and apply
    the answer. Outside any transaction: no lock or connection of ours waits for the provider."""
    _ensure_no_transaction()
    _release_connection()
    outcome = provider_for(payment.service).pay(payment=payment)
    crash_point("after_provider_answer")
    return _payment_apply(payment=payment, outcome=outcome)


def _payment_apply(*, payment: Payment, outcome) -> Payment:
    if isinstance(outcome, ProviderAccepted):
        return _payment_commit(payment=payment, outcome=outcome)
    if isinstance(outcome, ProviderRefused):
        return _payment_release(payment=payment, outcome=outcome)
    return _payment_defer(payment=payment, outcome=outcome)


def _exchange_record(*, provider, payment: Payment | None, answer, account: str = "") -> None:
    request = answer.request
    ProviderExchange.objects.create(
        provider=provider,
        payment=payment,
        command=answer.command,
        txn_id=request.get("txn_id", "")[:32],
        account=(request.get("account") or account)[:30],
        amount=payment.amount if payment is not None else _request_sum(request),
        outcome=answer.outcome,
        result=answer.result,
        comment=answer.comment[:255],
        prv_txn=answer.prv_txn[:64],
        http_status=answer.http_status,
        error=answer.error[:300],
        duration_ms=answer.duration_ms,
    )


def _request_sum(request: dict) -> Decimal | None:
    try:
        return som(request.get("sum", ""))
    except (InvalidAmount, ValueError, ArithmeticError):
        return None


def _settle_key(payment: Payment) -> str:
    # One key for either outcome: whichever of commit and release posts first, the other finds it taken.
    return f"payment:{payment.idempotency_key}:settle"


def _settled_elsewhere(payment: Payment) -> Payment:
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


@dataclass(frozen=True)
class _CommitDraft:
    """A commit prepared outside its transaction: the settle posting, the SMS, the provider's transaction id."""

    posting: PreparedPosting
    sms: PreparedSms
    provider_txn_id: str


def _commit_prepare(*, payment: Payment, outcome: ProviderAccepted) -> _CommitDraft:
    hold = hold_account()
    legs = [Leg(debit=hold, credit=payment.service.provider.settlement_account, amount=payment.amount, kind="payment")]
    if payment.commission > 0:
        legs.append(Leg(debit=hold, credit=fees_account(), amount=payment.commission, kind="commission"))
    return _CommitDraft(
        posting=ledger_posting_prepare(
            idempotency_key=_settle_key(payment),
            kind=PostingKind.PAYMENT,
            legs=legs,
            reference=f"payment:{payment.code}",
        ),
        sms=sms_prepare(
            phone=payment.wallet.phone, text=payment_sms_text(payment), kind=SmsKind.PAYMENT, payment=payment
        ),
        provider_txn_id=outcome.provider_txn_id[:64],
    )


def _payment_commit(*, payment: Payment, outcome: ProviderAccepted) -> Payment:
    # Prepared before the transaction: inside, the settle posting holds the hold and the provider's accounts' rows
    # (every payment's) until COMMIT, so only the statements run there.
    draft = _commit_prepare(payment=payment, outcome=outcome)
    with transaction.atomic(durable=True):
        return _payment_commit_in_transaction(payment=payment, outcome=outcome, draft=draft)


def _payment_commit_in_transaction(*, payment: Payment, outcome: ProviderAccepted, draft: _CommitDraft) -> Payment:
    if outcome.exchange is not None:
        # Before the posting, so that this ORM INSERT's Python runs before the shared accounts' rows are locked.
        _exchange_record(provider=payment.service.provider, payment=payment, answer=outcome.exchange)
    posting_id = _settle_posting(payment=payment, prepared=draft.posting)
    if posting_id is None:
        return _settled_elsewhere(payment)
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
def _payment_release(*, payment: Payment, outcome: ProviderRefused) -> Payment:
    """The provider refused for good (or never answered until we gave up): the total goes back to the wallet and
    the holder is told."""
    wallet = payment.wallet
    legs = [Leg(debit=hold_account(), credit=wallet.ledger_account, amount=payment.total, kind="release")]
    prepared = ledger_posting_prepare(
        idempotency_key=_settle_key(payment), kind=PostingKind.RELEASE, legs=legs, reference=f"payment:{payment.code}"
    )
    posting_id = _settle_posting(payment=payment, prepared=prepared)
    if outcome.exchange is not None:
        _exchange_record(provider=payment.service.provider, payment=payment, answer=outcome.exchange)
    if posting_id is None:
        return _settled_elsewhere(payment)
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
    with translation.override(wallet.language):
        text = _(
            "Платеж %(code)s в %(service)s отменен поставщиком, %(total)s сом возвращены на кошелек. "
            "Баланс: %(balance)s сом."
        ) % {
            "code": payment.code,
            "service": payment.service.display_name,
            "total": format_som(payment.total),
            "balance": format_som(balance),
        }
    sms_queue(phone=wallet.phone, text=text, kind=SmsKind.PAYMENT_ABORTED, payment=payment)
    return payment


def _retry_delay(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s ... up to an hour between attempts (attempts = calls made so far)."""
    seconds = settings.PAYMENT_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.PAYMENT_RETRY_MAX_SECONDS))


@transaction.atomic(durable=True)
def _payment_defer(*, payment: Payment, outcome: ProviderUnknown) -> Payment:
    """No final answer: nothing moves. The attempt is written down and the next one scheduled (a task that says
    «look at payment N»; the process_payments sweeper finds the payment again if the task is lost)."""
    from services.tasks import payment_attempt_task

    if outcome.exchange is not None:
        _exchange_record(provider=payment.service.provider, payment=payment, answer=outcome.exchange)
    attempts = payment.attempts + 1
    next_attempt_at = timezone.now() + _retry_delay(attempts)
    updated = Payment.objects.filter(pk=payment.pk, status=PaymentStatus.RESERVED).update(
        attempts=F("attempts") + 1,
        next_attempt_at=next_attempt_at,
        claimed_until=None,
        provider_result=outcome.exchange.result if outcome.exchange is not None else None,
        provider_comment=outcome.reason[:255],
        updated_at=timezone.now(),
    )
    if not updated:
        return _settled_elsewhere(payment)
    payment.attempts, payment.next_attempt_at, payment.claimed_until = attempts, next_attempt_at, None
    payment.provider_comment = outcome.reason[:255]
    payment.provider_result = outcome.exchange.result if outcome.exchange is not None else None
    payment_attempt_task.using(run_after=next_attempt_at).enqueue(payment.pk)
    return payment


def payment_attempt(*, payment_id: int, ignore_schedule: bool = False) -> Payment | None:
    """The worker's step for one payment in progress: claim it (so that another worker leaves it alone), then ask
    the provider again with the same transaction id and apply the answer. None: not ours to do now (settled,
    claimed by another worker, or not due yet). After DOSTEK_GIVE_UP_AFTER the provider is asked whether it has
    the payment at all; without a yes, the money goes back to the wallet."""
    now = timezone.now()
    due = Q() if ignore_schedule else Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Payment.objects.filter(
        Q(pk=payment_id, status=PaymentStatus.RESERVED)
        & due
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    ).update(claimed_until=now + timedelta(seconds=settings.PAYMENT_CLAIM_SECONDS))
    if not claimed:
        return None
    payment = Payment.objects.select_related(
        "wallet__ledger_account", "service__category", "service__provider__settlement_account"
    ).get(pk=payment_id)
    crash_point("after_claim")
    give_up_after = settings.OSMP_ENDPOINTS.get(payment.service.provider.code, {}).get("GIVE_UP_AFTER")
    if give_up_after is not None and now - payment.created_at > timedelta(seconds=give_up_after):
        return _payment_give_up(payment=payment)
    return payment_process(payment=payment)


def _payment_give_up(*, payment: Payment) -> Payment:
    outcome = provider_for(payment.service).status(payment=payment)
    if isinstance(outcome, ProviderAccepted):  # it was credited after all: the answer had been lost
        return _payment_commit(payment=payment, outcome=outcome)
    reason = "не подтвержден поставщиком за отведенное время"
    if isinstance(outcome, ProviderUnknown):
        # Nobody can say: the holder gets the money back, and reconciliation flags the payment if the provider
        # turns out to have credited it.
        logger.warning("payment %s given up without an answer from the provider", payment.code)
        reason = "не подтвержден поставщиком; состояние у поставщика неизвестно"
    return _payment_release(
        payment=payment, outcome=ProviderRefused(code=None, reason=reason, exchange=outcome.exchange)
    )


@dataclass(frozen=True)
class ProviderQuery:
    """What the provider said about a payment in progress and what came of it. `said`: found (it had the
    payment: now committed), not_found (it did not: asked to pay again), no_answer (nothing changed)."""

    said: str
    payment: Payment
    retried: bool = False


def payment_provider_query(*, payment: Payment, actor, reason: str) -> ProviderQuery:
    """Call-centre: «I paid, СОЧИ shows nothing». Ask the provider about a payment in progress (its status call,
    outside any transaction), then act on the answer through the usual paths: found -> committed with the
    provider's number; not found -> paid again now (the same transaction id: it credits once); no answer ->
    nothing changes and the worker keeps trying. The audit entry says what the provider said.

    The entry is written with the change it reports where there is one (the commit); a retry makes its own
    transactions around the provider's pay call, so there the entry follows it with the outcome."""
    staff_require(actor, StaffPermission.QUERY_PROVIDER)
    reason = audit_reason(reason)
    _ensure_no_transaction()
    payment = Payment.objects.select_related(
        "wallet__ledger_account", "service__category", "service__provider__settlement_account"
    ).get(pk=payment.pk)
    if payment.status != PaymentStatus.RESERVED:
        raise PaymentNotInProgress(MSG_PAYMENT_NOT_IN_PROGRESS)
    before = {"status": payment.status, "attempts": payment.attempts}
    _release_connection()
    outcome = provider_for(payment.service).status(payment=payment)

    def record(said: str, result: Payment, **extra) -> None:
        answer = outcome.exchange
        audit_record(
            actor=actor,
            action=StaffAction.PROVIDER_QUERY,
            wallet_id=result.wallet_id,
            payment=result,
            reason=reason,
            before=before,
            after={
                "provider_said": said,
                "result": answer.result if answer is not None else None,
                "comment": (answer.comment or answer.error)[:200] if answer is not None else "",
                "prv_txn": getattr(outcome, "provider_txn_id", ""),
                "status": result.status,
                **extra,
            },
        )

    if isinstance(outcome, ProviderAccepted):
        draft = _commit_prepare(payment=payment, outcome=outcome)
        with transaction.atomic(durable=True):
            committed = _payment_commit_in_transaction(payment=payment, outcome=outcome, draft=draft)
            record("found", committed)
        return ProviderQuery(said="found", payment=committed)
    with transaction.atomic(durable=True):
        if outcome.exchange is not None:
            _exchange_record(provider=payment.service.provider, payment=payment, answer=outcome.exchange)
        if isinstance(outcome, ProviderUnknown):
            record("no_answer", payment)
            return ProviderQuery(said="no_answer", payment=payment)
    retried = payment_attempt(payment_id=payment.pk, ignore_schedule=True)
    result = retried if retried is not None else _settled_elsewhere(payment)
    with transaction.atomic(durable=True):
        # None: a worker holds the payment this very moment; it asks the provider itself.
        record("not_found", result, retried=retried is not None)
    return ProviderQuery(said="not_found", payment=result, retried=retried is not None)


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
    if payment.status == PaymentStatus.REVERSED and payment.refund_posting.idempotency_key == idempotency_key:
        return payment
    if payment.status != PaymentStatus.COMMITTED:
        raise PaymentNotReversible(MSG_PAYMENT_NOT_COMMITTED)
    wallet_account = payment.wallet.ledger_account
    legs = [
        Leg(
            debit=payment.service.provider.settlement_account,
            credit=wallet_account,
            amount=payment.amount,
            kind=PostingKind.REVERSAL,
        )
    ]
    if payment.commission > 0:
        legs.append(Leg(debit=fees_account(), credit=wallet_account, amount=payment.commission, kind="commission"))
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
    with translation.override(payment.wallet.language):
        text = _("Платеж %(code)s возвращен: %(total)s сом зачислены на кошелек. Баланс: %(balance)s сом.") % {
            "code": payment.code,
            "total": format_som(payment.total),
            "balance": format_som(balance),
        }
    sms_queue(phone=payment.wallet.phone, text=text, kind=SmsKind.REVERSAL, payment=payment)
    return payment
