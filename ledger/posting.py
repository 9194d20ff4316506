"""The only writer of transfers. Everything that moves money calls ledger_post (or ledger_reverse)."""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, models, transaction

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
    existing = Posting.objects.filter(idempotency_key=idempotency_key).first()
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
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency_key must be 1..{MAX_KEY_LENGTH} characters")
    _check_legs(legs)
    fingerprint = _fingerprint(kind, reference, legs)

    deltas: dict[int, int] = {}
    for leg in legs:
        tyiyn = to_tyiyn(leg.amount)
        deltas[leg.debit.pk] = deltas.get(leg.debit.pk, 0) - tyiyn
        deltas[leg.credit.pk] = deltas.get(leg.credit.pk, 0) + tyiyn

    # Lock every account in primary-key order, so two postings over the same accounts never deadlock
    # (PostgreSQL). On SQLite the IMMEDIATE transaction already holds the write lock.
    accounts = {a.pk: a for a in LedgerAccount.objects.select_for_update().filter(pk__in=deltas).order_by("pk")}

    # Checked after the locks: a concurrent post with the same key has committed by now, and we see it.
    existing = _existing_or_conflict(idempotency_key, fingerprint)
    if existing is not None:
        return existing

    for pk, delta in deltas.items():
        account = accounts[pk]
        if delta < 0 and not account.may_go_negative and to_tyiyn(account.balance) + delta < 0:
            raise InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(account.balance))

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
    for pk, delta in deltas.items():
        if delta == 0:
            continue
        rows = LedgerAccount.objects.filter(pk=pk)
        if delta < 0 and not accounts[pk].may_go_negative:
            # Conditional debit: a second guard beside the check above and the database constraint.
            rows = rows.filter(balance__gte=from_tyiyn(-delta))
        if rows.update(balance=models.F("balance") + models.Value(delta, output_field=models.BigIntegerField())) != 1:
            raise InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(accounts[pk].balance))
    return posting


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
