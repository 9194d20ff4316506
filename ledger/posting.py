"""The only writer of transfers. Everything that moves money calls ledger_post (or ledger_reverse)."""

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
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
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind, TransferKind

MAX_KEY_LENGTH = 128
TRANSFER_KINDS = frozenset(TransferKind.values)


@dataclass(frozen=True)
class Leg:
    """Move `amount` from `debit` to `credit`; `kind` says what the leg moves."""

    debit: LedgerAccount
    credit: LedgerAccount
    amount: Decimal
    kind: TransferKind


def ledger_account_get_or_create(*, code: str, kind: str, name: str, cash_in_channel: str = "") -> LedgerAccount:
    """System accounts (everything but wallets) may go negative: they are the other side of the books. A cash-in
    account is made with the channel it stands for (`cash_in_channel`)."""
    account, _created = LedgerAccount.objects.get_or_create(
        code=code,
        defaults={
            "kind": kind,
            "name": name,
            "may_go_negative": kind != AccountKind.WALLET and kind != AccountKind.HOLD,
            "cash_in_channel": cash_in_channel,
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
        if leg.kind not in TRANSFER_KINDS:
            raise ValueError(f"unknown transfer kind {leg.kind!r}")


def _existing_or_conflict(idempotency_key: str, fingerprint: str) -> Posting | None:
    existing = Posting.objects.filter(idempotency_key=idempotency_key).order_by().first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
    return existing


BALANCE_CONSTRAINT = "ledger_account_balance_not_negative"


@dataclass(frozen=True)
class PreparedPosting:
    """A posting checked, fingerprinted and encoded, not yet written: ledger_posting_prepare makes it before the
    transaction, ledger_post_prepared writes it inside. Everything between a posting's INSERT and its COMMIT holds the
    row locks of its accounts, the hold account among them for every payment, so the less Python there, the more
    payments per second the whole wallet takes."""

    idempotency_key: str
    fingerprint: str
    kind: str
    reference: str
    reversal_of: Posting | None
    legs: tuple[Leg, ...]
    legs_json: str  # the `legs` column, which the trigger of migration 0003 turns into transfers

    def posting(self, posting_id: int, created_at: datetime) -> Posting:
        """The Posting this wrote, as saved, without a query."""
        posting = Posting(
            id=posting_id,
            idempotency_key=self.idempotency_key,
            fingerprint=self.fingerprint,
            kind=self.kind,
            reference=self.reference,
            reversal_of=self.reversal_of,
            created_at=created_at,
        )
        posting._state.adding, posting._state.db = False, connection.alias
        return posting


def ledger_posting_prepare(
    *,
    idempotency_key: str,
    kind: str,
    legs: list[Leg],
    reference: str = "",
    reversal_of: Posting | None = None,
) -> PreparedPosting:
    """Check and encode a posting without writing anything (no query): raises ValueError / TypeError for a key or
    legs that cannot be posted."""
    if not idempotency_key or len(idempotency_key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency_key must be 1..{MAX_KEY_LENGTH} characters")
    _check_legs(legs)
    return PreparedPosting(
        idempotency_key=idempotency_key,
        fingerprint=_fingerprint(kind, reference, legs),
        kind=kind,
        reference=reference,
        reversal_of=reversal_of,
        legs=tuple(legs),
        legs_json=json.dumps(
            [[leg.debit.pk, leg.credit.pk, to_tyiyn(leg.amount), leg.kind] for leg in legs], separators=(",", ":")
        ),
    )


def _insert_posting(prepared: PreparedPosting, now: datetime) -> int | None:
    """The posting's one statement: insert it unless its key exists (ON CONFLICT DO NOTHING); the trigger of
    migration 0003 writes the transfers and the balances. Its id, or None when the key was posted before. Stamped
    with the time of the write (a prepared posting may have waited for the database's lock)."""
    with connection.cursor() as cursor:
        # Plain SQL: the hottest statement of every payment, and the ORM has no ON CONFLICT DO NOTHING RETURNING.
        cursor.execute(
            "INSERT INTO ledger_posting"
            " (idempotency_key, fingerprint, kind, reference, reversal_of_id, legs, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id",
            [
                prepared.idempotency_key,
                prepared.fingerprint,
                prepared.kind,
                prepared.reference,
                prepared.reversal_of.pk if prepared.reversal_of else None,
                prepared.legs_json,
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
    assert exc.account_id is not None  # set where the refusal is raised
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
    _require_transaction()
    prepared = ledger_posting_prepare(
        idempotency_key=idempotency_key, kind=kind, legs=legs, reference=reference, reversal_of=reversal_of
    )
    now = timezone.now()
    posting_id, existing = _post_prepared(prepared, now)
    return (existing, False) if existing is not None else (prepared.posting(posting_id, now), True)


def ledger_post_prepared(*, prepared: PreparedPosting) -> tuple[int, bool]:
    """ledger_post_in_transaction for a posting made by ledger_posting_prepare: the posting's id and whether this
    call created it. The same refusals (InsufficientFunds, IdempotencyConflict, AlreadyReversed)."""
    _require_transaction()
    posting_id, existing = _post_prepared(prepared, timezone.now())
    return posting_id, existing is None


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("a posting is written inside a transaction; use ledger_post")


def _post_prepared(prepared: PreparedPosting, now: datetime) -> tuple[int, Posting | None]:
    """Write the posting: its id, and the posting already there (None: this call wrote it)."""
    try:
        posting_id = _insert_posting(prepared, now)
    except IntegrityError as exc:
        guarded = _guarded_debits(prepared.legs) if _violated_constraint(exc) == BALANCE_CONSTRAINT else []
        if guarded:
            # On PostgreSQL the transaction is now aborted: no query can read the balance here. The balance the
            # caller holds goes into the message; ledger_post and the payment functions read it again after the
            # rollback (insufficient_funds_now).
            account = guarded[0]
            refusal = InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(account.balance))
            refusal.account_id = account.pk
            raise refusal from exc
        if prepared.reversal_of is not None:  # the other unique constraint: a concurrent reversal got there first
            raise AlreadyReversed(MSG_ALREADY_REVERSED) from exc
        raise
    if posting_id is None:
        existing = _existing_or_conflict(prepared.idempotency_key, prepared.fingerprint)
        if existing is None:  # pragma: no cover - the conflicting row was there a moment ago
            raise IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
        return existing.pk, existing
    return posting_id, None


SQLITE_CHECK_FAILED = "CHECK constraint failed: "


def _violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint that refused the INSERT (its trigger's balance UPDATE), or None if not known.

    PostgreSQL names it in a field of the driver's error (diag.constraint_name). SQLite has no such field: its
    extended error code tells a CHECK from a UNIQUE failure, not which CHECK, and the name is only in the message,
    "CHECK constraint failed: <name>". So on SQLite, and only there, the message is read, here and nowhere else."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:
        return diag.constraint_name
    if connection.vendor == "sqlite":
        message = str(cause if cause is not None else exc)
        if message.startswith(SQLITE_CHECK_FAILED):
            return message.removeprefix(SQLITE_CHECK_FAILED).strip()
    return None


def _guarded_debits(legs: tuple[Leg, ...]) -> list[LedgerAccount]:
    """The accounts that may not go negative and lose money in these legs."""
    totals: dict[int, int] = {}
    accounts: dict[int, LedgerAccount] = {}
    for leg in legs:
        for account, sign in ((leg.debit, -1), (leg.credit, 1)):
            totals[account.pk] = totals.get(account.pk, 0) + sign * to_tyiyn(leg.amount)
            accounts.setdefault(account.pk, account)
    return [accounts[pk] for pk, delta in totals.items() if delta < 0 and not accounts[pk].may_go_negative]


def ledger_balances(*accounts: LedgerAccount) -> None:
    """Read the current balances of these accounts into their objects (one query). A system account's balance is
    the sum of its buckets (ledger.models.AccountBucket), read only when one of them is a system account."""
    by_pk: dict[int, list[LedgerAccount]] = {}
    for account in accounts:
        by_pk.setdefault(account.pk, []).append(account)
    rows = LedgerAccount.objects.filter(pk__in=by_pk)
    if all(account.kind == AccountKind.WALLET for account in accounts):
        balances = rows.values_list("pk", "balance")
    else:
        balances = rows.with_balance().values_list("pk", "current_balance")
    for pk, balance in balances:
        for account in by_pk[pk]:
            account.balance = balance


@transaction.atomic
def ledger_reverse(*, posting: Posting, idempotency_key: str, reference: str = "") -> Posting:
    """Undo a posting by posting its mirror image. A posting is reversed at most once."""
    if posting.kind == PostingKind.REVERSAL:
        raise ValueError("a reversal is not reversed; post a new event instead")
    original = list(posting.transfers.select_related("debit_account", "credit_account").order_by("pk"))
    legs = [
        Leg(debit=t.credit_account, credit=t.debit_account, amount=t.amount, kind=TransferKind.REVERSAL)
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
