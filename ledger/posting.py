"""The only writer of transfers. Everything that moves money calls ledger_post (or ledger_reverse)."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.money import format_som, from_tyiyn, to_tyiyn
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


# The ledger's hot statements are plain SQL: they run for every payment, and the ORM's per-statement Python cost
# was most of a payment's time (bench/README.md). Inserts only; the models still refuse updates and deletes.
def _posting_insert(key, fingerprint, kind, reference, reversal_of, now) -> int | None:
    """Insert the posting unless its key exists (ON CONFLICT DO NOTHING); its id, or None when it existed."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO ledger_posting (idempotency_key, fingerprint, kind, reference, reversal_of_id, created_at)"
                " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
                [
                    key,
                    fingerprint,
                    kind,
                    reference,
                    reversal_of.pk if reversal_of else None,
                    connection.ops.adapt_datetimefield_value(now),
                ],
            )
            row = cursor.fetchone()
    except IntegrityError as exc:
        # The other unique constraint: this posting was reversed already (by a concurrent reversal).
        if reversal_of is not None:
            raise AlreadyReversed(MSG_ALREADY_REVERSED) from exc
        raise
    return row[0] if row else None


def _transfers_insert(posting_id: int, key: str, legs: list[Leg], now) -> None:
    values, params = [], []
    created_at = connection.ops.adapt_datetimefield_value(now)
    for index, leg in enumerate(legs):
        values.append("(%s, %s, %s, %s, %s, %s, %s)")
        params += [
            posting_id,
            f"{key}#{index}",
            leg.debit.pk,
            leg.credit.pk,
            to_tyiyn(leg.amount),
            leg.kind,
            created_at,
        ]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transfer (posting_id, idempotency_key, debit_account_id, credit_account_id, amount,"
            " kind, created_at) VALUES " + ", ".join(values),
            params,
        )


@transaction.atomic
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
    posting, _created = ledger_post_in_transaction(
        idempotency_key=idempotency_key, kind=kind, legs=legs, reference=reference, reversal_of=reversal_of
    )
    return posting


def ledger_post_in_transaction(
    *,
    idempotency_key: str,
    kind: str,
    legs: list[Leg],
    reference: str = "",
    reversal_of: Posting | None = None,
) -> tuple[Posting, bool]:
    """ledger_post for a caller that already holds a transaction (no savepoint of its own). Returns the posting
    and whether this call created it (False: the key was posted before, with the same legs, and nothing moved).

    Locking: accounts that may not go negative (wallets, hold) are locked first, in primary-key order, and
    checked; system accounts (providers, fees, cash-in) are only updated, last, in primary-key order. Every
    posting takes its locks in that one global order, so two postings never deadlock, and the busiest row
    (a provider's settlement account) is held only from its update to the commit."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("ledger_post_in_transaction needs a transaction; use ledger_post")
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency_key must be 1..{MAX_KEY_LENGTH} characters")
    _check_legs(legs)
    fingerprint = _fingerprint(kind, reference, legs)

    deltas: dict[int, int] = {}
    objects: dict[int, list[LedgerAccount]] = {}
    for leg in legs:
        tyiyn = to_tyiyn(leg.amount)
        deltas[leg.debit.pk] = deltas.get(leg.debit.pk, 0) - tyiyn
        deltas[leg.credit.pk] = deltas.get(leg.credit.pk, 0) + tyiyn
        objects.setdefault(leg.debit.pk, []).append(leg.debit)
        objects.setdefault(leg.credit.pk, []).append(leg.credit)
    guarded = sorted(pk for pk in deltas if not objects[pk][0].may_go_negative)
    system = sorted(pk for pk in deltas if objects[pk][0].may_go_negative)

    # On SQLite select_for_update is a no-op: the IMMEDIATE transaction already holds the database's write lock.
    locked = {a.pk: a for a in LedgerAccount.objects.select_for_update().filter(pk__in=guarded).order_by("pk")}

    short = [pk for pk in guarded if to_tyiyn(locked[pk].balance) + deltas[pk] < 0]
    if short:
        # A repeat of a posting made earlier is answered with that posting, even if the money is gone since.
        existing = _existing_or_conflict(idempotency_key, fingerprint)
        if existing is not None:
            return existing, False
        raise InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(locked[short[0]].balance))

    # Claimed after the locks: a concurrent post with the same key has committed by now and the insert does nothing.
    now = timezone.now()
    posting_id = _posting_insert(idempotency_key, fingerprint, kind, reference, reversal_of, now)
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
    _transfers_insert(posting_id, idempotency_key, legs, now)

    with connection.cursor() as cursor:
        # Plain UPDATEs: the hottest statements of every payment, and the ORM's query building doubled their cost.
        for pk in guarded + system:
            delta = deltas[pk]
            if delta == 0:
                continue
            if pk in locked:
                # Conditional: a second guard beside the check above and the database constraint.
                cursor.execute(
                    "UPDATE ledger_ledgeraccount SET balance = balance + %s WHERE id = %s AND balance + %s >= 0",
                    [delta, pk, delta],
                )
            else:
                cursor.execute("UPDATE ledger_ledgeraccount SET balance = balance + %s WHERE id = %s", [delta, pk])
            if cursor.rowcount != 1:
                raise InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(objects[pk][0].balance))
            if pk in locked:
                # The caller's account objects learn their new balance without another query.
                new_balance = from_tyiyn(to_tyiyn(locked[pk].balance) + delta)
                for account in objects[pk]:
                    account.balance = new_balance
    return posting, True


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
