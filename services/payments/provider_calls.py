"""How a payment step talks to its provider: never inside a database transaction of ours, with the pooled
connection handed back while the provider takes its time, and every exchange written down (ProviderExchange), as
support needs to see it."""

from decimal import Decimal

from django.db import connection

from core.money import InvalidAmount, som
from services.models import Payment, ProviderExchange


def ensure_no_transaction() -> None:
    """The provider is another company's system: no transaction or row lock of ours waits for it."""
    # A TestCase's own atomic blocks (Django marks them) are not ours: the test wraps everything in one.
    if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
        raise RuntimeError("a provider is called outside any database transaction")


def release_connection() -> None:
    """Give the database connection back (to the pool, on PostgreSQL) while the provider takes its time: a slow
    provider must not hold a connection that other payments need. The next query takes one again. Inside a
    test's wrapping transaction there is nothing to give back."""
    # Only a pool gets something back: closing a SQLite connection would just cost a reopen (and a checkpoint).
    if not connection.in_atomic_block and connection.settings_dict.get("OPTIONS", {}).get("pool"):
        connection.close()


def exchange_record(*, provider, payment: Payment | None, answer, account: str = "") -> None:
    """One call to the provider and what came back. `payment` is None for a check (no payment exists yet); the
    account and sum are then read from the request."""
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
