"""The only writer of transfers. Everything that moves money calls ledger_post (or ledger_reverse)."""

import hashlib
import json
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.money import format_som, to_tyiyn
from ledger.errors import (
    MSG_ALREADY_REVERSED,
    MSG_IDEMPOTENCY_CONFLICT,
    MSG_INSUFFICIENT_FUNDS,
    AlreadyReversed,
    IdempotencyConflict,
    InsufficientFunds,
)
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind

MAX_KEY_LENGTH = 128


@dataclass(frozen=True)
class Leg:
    """Move `amount` from `debit` to `credit`."""

    debit: LedgerAccount
    credit: LedgerAccount
    amount: Decimal
    kind: str


def ledger_account_get_or_create(*, code: str, kind: str, name: str) -> LedgerAccount:
    """System accounts (everything but wallets) may go negative: they are the other side of the books."""
    account, _created = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={
            "kind": kind,
            "name": name,
            "may_go_negative": kind != AccountKind.WALLET and kind != AccountKind.HOLD,
        },
    )
    return account


def _fingerprint(kind: str, reference: str, legs: list[Leg]) -> str:
    canonical = "|".join(
        [kind, reference] + [f"{g.debit.code}>{g.credit.code}:{to_tyiyn(g.amount)}:{g.kind}" for g in legs]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _check_legs(legs: list[Leg]) -> None:
    if not legs:
        raise ValueError("a posting needs at least one leg")
    for leg in legs:
        if not isinstance(leg.amount, Decimal):
            raise TypeError("leg amounts must be Decimal som")
        if to_tyiyn(leg.amount) <= 0:
            raise ValueError("leg amounts must be positive")
        if leg.debit.pk is None or leg.credit.pk is None or leg.debit.pk == leg.credit.pk:
            raise ValueError("a leg moves money between two different saved accounts")


def _existing_or_conflict(idempotency_key: str, fingerprint: str) -> Posting | None:
    existing = Posting.objects.filter(idempotency_key=idempotency_key).order_by().first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
    return existing


BALANCE_CONSTRAINT = "ledger_account_balance_not_negative"


def _insert_posting(*, key, fingerprint, kind, reference, reversal_of, legs, now) -> int | None:
    """The posting's one statement: insert it unless its key exists (ON CONFLICT DO NOTHING); the trigger of
    migration 0003 writes the transfers and the balances. Its id, or None when the key was posted before."""
    rows = json.dumps(
        [[leg.debit.pk, leg.credit.pk, to_tyiyn(leg.amount), leg.kind] for leg in legs], separators=(",", ":")
    )
    with connection.cursor() as cursor:
        # Plain SQL: the hottest statement of every payment, and the ORM has no ON CONFLICT DO NOTHING RETURNING.
        cursor.execute(
            "INSERT INTO ledger_posting"
            " (idempotency_key, fingerprint, kind, reference, reversal_of_id, legs, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            [
                key,
                fingerprint,
                kind,
                reference,
                reversal_of.pk if reversal_of else None,
                rows,
                connection.ops.adapt_datetimefield_value(now),
            ],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def ledger_post(
    *,
    idempotency_key: str,
    kind: str,
    legs: list[Leg],
    reference: str = "",
    reversal_of: Posting | None = None,
) -> Posting:
    """Post one business event. The same key twice moves money once and returns the first posting;
    the same key with other legs raises IdempotencyConflict. Raises InsufficientFunds (nothing written)
    when an account that may not go negative would."""
    try:
        with transaction.atomic():
            posting, _created = ledger_post_in_transaction(
                idempotency_key=idempotency_key, kind=kind, legs=legs, reference=reference, reversal_of=reversal_of
            )
    except InsufficientFunds as exc:
        raise insufficient_funds_now(exc) from exc
    return posting


def insufficient_funds_now(exc: InsufficientFunds) -> InsufficientFunds:
    """The refusal again with the balance as it is now, read after the failed transaction rolled back."""
    balance = LedgerAccount.objects.values_list("balance", flat=True).get(pk=exc.account_id)
    refusal = InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(balance))
    refusal.account_id = exc.account_id
    return refusal


def ledger_post_in_transaction(
    *,
    idempotency_key: str,
    kind: str,
    legs: list[Leg],
    reference: str = "",
    reversal_of: Posting | None = None,
) -> tuple[Posting, bool]:
    """ledger_post for a caller that already holds a transaction (no savepoint of its own: on InsufficientFunds
    the caller's transaction must roll back, which raising out of it does). Returns the posting and whether this
    call created it (False: the key was posted before, with the same legs, and nothing moved).

    The accounts' `balance` attributes are not refreshed; ledger_balances() reads them when a caller needs them."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_post_in_transaction needs a transaction; use ledger_post")
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency_key must be 1..{MAX_KEY_LENGTH} characters")
    _check_legs(legs)
    fingerprint = _fingerprint(kind, reference, legs)
    now = timezone.now()
    try:
        posting_id = _insert_posting(
            key=idempotency_key,
            fingerprint=fingerprint,
            kind=kind,
            reference=reference,
            reversal_of=reversal_of,
            legs=legs,
            now=now,
        )
    except IntegrityError as exc:
        guarded = _guarded_debits(legs) if BALANCE_CONSTRAINT in str(exc) else []
        if guarded:
            # On PostgreSQL the transaction is now aborted: no query can read the balance here. The balance the
            # caller holds goes into the message; ledger_post and the payment functions read it again after the
            # rollback (insufficient_funds_now).
            account = guarded[0]
            refusal = InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(account.balance))
            refusal.account_id = account.pk
            raise refusal from exc
        if reversal_of is not None:  # the other unique constraint: a concurrent reversal got there first
            raise AlreadyReversed(MSG_ALREADY_REVERSED) from exc
        raise
    if posting_id is None:
        existing = _existing_or_conflict(idempotency_key, fingerprint)
        if existing is None:  # pragma: no cover - the conflicting row was there a moment ago
            raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
        return existing, False
    posting = Posting(
        id=posting_id,
        idempotency_key=idempotency_key,
        fingerprint=fingerprint,
        kind=kind,
        reference=reference,
        reversal_of=reversal_of,
        created_at=now,
    )
    posting._state.adding, posting._state.db = False, connection.alias
    return posting, True


def _guarded_debits(legs: list[Leg]) -> list[LedgerAccount]:
    """The accounts that may not go negative and lose money in these legs."""
    totals: dict[int, int] = {}
    accounts: dict[int, LedgerAccount] = {}
    for leg in legs:
        for account, sign in ((leg.debit, -1), (leg.credit, 1)):
            totals[account.pk] = totals.get(account.pk, 0) + sign * to_tyiyn(leg.amount)
            accounts.setdefault(account.pk, account)
    return [accounts[pk] for pk, delta in totals.items() if delta < 0 and not accounts[pk].may_go_negative]


def ledger_balances(*accounts: LedgerAccount) -> None:
    """Read the current balances of these accounts into their objects (one query)."""
    by_pk = {}
    for account in accounts:
        by_pk.setdefault(account.pk, []).append(account)
    for pk, balance in LedgerAccount.objects.filter(pk__in=by_pk).values_list("pk", "balance"):
        for account in by_pk[pk]:
            account.balance = balance


@transaction.atomic
def ledger_reverse(*, posting: Posting, idempotency_key: str, reference: str = "") -> Posting:
    """Undo a posting by posting its mirror image. A posting is reversed at most once."""
    if posting.kind == PostingKind.REVERSAL:
        raise ValueError("a reversal is not reversed; post a new event instead")
    original = list(posting.transfers.select_related("debit_account", "credit_account").order_by("pk"))
    legs = [
        Leg(debit=t.credit_account, credit=t.debit_account, amount=t.amount, kind=PostingKind.REVERSAL)
        for t in original
    ]
    existing = Posting.objects.filter(reversal_of=posting).first()
    if existing is not None and existing.idempotency_key != idempotency_key:
        raise AlreadyReversed(MSG_ALREADY_REVERSED)
    return ledger_post(
        idempotency_key=idempotency_key,
        kind=PostingKind.REVERSAL,
        legs=legs,
        reference=reference or posting.reference,
        reversal_of=posting,
    )
