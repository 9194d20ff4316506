"""Small assertions and runners shared by tests."""

import threading
from dataclasses import dataclass

from django.db import connections

from wallet.pin import pin_hash_check

THREAD_TIMEOUT_SECONDS = 60


def pin_is(wallet, pin: str) -> bool:
    """Whether `pin` is the wallet's PIN as stored now (reads the row again)."""
    wallet.refresh_from_db(fields=["pin_hash"])
    return pin_hash_check(wallet_id=wallet.pk, pin=pin, encoded=wallet.pin_hash).ok


DEMO_INN = "01503201010011"  # a company of the demo catalog: DosTek's account rule is a 14-digit INN


def web_payment(*, wallet, service, amount: str, key: str, account: str = DEMO_INN):
    """A payment made on the web cabinet (no PIN), through the domain function every channel calls."""
    from decimal import Decimal

    from services.payments import payment_execute

    return payment_execute(
        wallet=wallet, service=service, account=account, amount=Decimal(amount), idempotency_key=key, channel="web"
    )


@dataclass
class Outcome:
    """What one worker thread ended with: a return value or the exception it raised."""

    value: object = None
    error: BaseException | None = None


def run_concurrently(count: int, work) -> list[Outcome]:
    """Run ``work(index)`` in `count` threads released together by a barrier. Each thread opens its own
    connections (Django connections are per thread) and closes them when done. Returns one Outcome per thread."""
    barrier = threading.Barrier(count)
    outcomes = [Outcome() for _ in range(count)]

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=THREAD_TIMEOUT_SECONDS)
            outcomes[index].value = work(index)
        except BaseException as exc:  # every failure is reported to the test, none is swallowed
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,), name=f"worker-{i}") for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=THREAD_TIMEOUT_SECONDS)
    hung = [thread.name for thread in threads if thread.is_alive()]
    assert not hung, f"threads still running after {THREAD_TIMEOUT_SECONDS}s (deadlock?): {hung}"
    return outcomes


def values_of_concurrent(count: int, work) -> list:
    """run_concurrently for work that must not fail: its return values, in thread order."""
    outcomes = run_concurrently(count, work)
    errors = [o.error for o in outcomes if o.error is not None]
    assert not errors, errors
    return [o.value for o in outcomes]
