"""The only writer of transfers. Everything that moves money calls ledger_post (or ledger_reverse)."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, connection, transaction

from core.money import format_som, from_tyiyn, to_tyiyn
from ledger.errors import (
    MSG_ALREADY_REVERSED,
    MSG_IDEMPOTENCY_CONFLICT,
    MSG_INSUFFICIENT_FUNDS,
    AlreadyReversed,
    IdempotencyConflict,
    InsufficientFunds,
)
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind, Transfer

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

    # Checked after the locks: a concurrent post with the same key has committed by now, and we see it.
    existing = _existing_or_conflict(idempotency_key, fingerprint)
    if existing is not None:
        return existing, False

    for pk in guarded:
        if to_tyiyn(locked[pk].balance) + deltas[pk] < 0:
            raise InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(locked[pk].balance))

    try:
        posting = Posting.objects.create(
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            kind=kind,
            reference=reference,
            reversal_of=reversal_of,
        )
    except IntegrityError as exc:
        # Only reachable when a concurrent post used the same key over other accounts, or reversed twice.
        if reversal_of is not None and Posting.objects.filter(reversal_of=reversal_of).exists():
            raise AlreadyReversed(MSG_ALREADY_REVERSED) from exc
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT) from exc
    Transfer.objects.bulk_create(
        Transfer(
            posting=posting,
            idempotency_key=f"{idempotency_key}#{index}",
            debit_account_id=leg.debit.pk,
            credit_account_id=leg.credit.pk,
            amount=leg.amount,
            kind=leg.kind,
        )
        for index, leg in enumerate(legs)
    )
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
