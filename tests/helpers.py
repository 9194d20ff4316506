"""Small assertions, set-ups and runners shared by tests (the fixtures built on them are in tests/conftest.py)."""

import subprocess
import tempfile
import threading
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connections

from casework.identity import identity_passes
from casework.models import IdentityCheck, IdentityFact
from wallet.errors import PinLocked, WrongPin
from wallet.operations import wallet_pin_verify
from wallet.pin import pin_hash_check

THREAD_TIMEOUT_SECONDS = 60


def pin_is(wallet, pin: str) -> bool:
    """Whether `pin` is the wallet's PIN as stored now (reads the row again)."""
    wallet.refresh_from_db(fields=["pin_hash"])
    return pin_hash_check(wallet_id=wallet.pk, pin=pin, encoded=wallet.pin_hash).ok


def identity_checked(wallet, actor, *, facts=(IdentityFact.FULL_NAME, IdentityFact.INN)):
    """`actor` checked the caller of `wallet` just now (two facts right): the staff actions that hand a wallet to the
    caller (PIN unlock and reset, web lockout, block, refund request) accept this actor on this wallet for 15
    minutes. A set-up: the check's row only, without the audit entry identity_check_record writes with it, so that
    a test counting an action's audit entries counts that action's alone (tests/staff/test_casework.py tests the
    check itself). Returns `actor`, so that a set-up may read `actor=identity_checked(wallet, agent)`."""
    IdentityCheck.objects.create(
        wallet=wallet,
        actor=actor,
        full_name_ok=IdentityFact.FULL_NAME in facts,
        inn_ok=IdentityFact.INN in facts,
        last_top_up_ok=IdentityFact.LAST_TOP_UP in facts,
        passed=identity_passes(facts),
    )
    return actor


# ОсОО «Ала-Тоо Консалт», a company of the demo catalog and of СОЧИ's seed (sochi_seed): the account every test pays
# DosTek group for (DosTek's account rule is a 14-digit INN). Import it; do not declare it again.
DEMO_INN = "01503201010011"


def make_payment(
    *, wallet, service, amount: str, key: str, account: str = DEMO_INN, channel: str = "web", pin: str | None = None
):
    """A payment through payment_execute, the domain function every channel calls: on the web cabinet (no PIN) by
    default, on "ussd" or "app" with the holder's `pin`. Returns the payment as payment_execute does (COMMITTED,
    ABORTED or RESERVED, depending on the provider the test set up)."""
    from services.payments import payment_execute

    return payment_execute(
        wallet=wallet,
        service=service,
        account=account,
        amount=Decimal(amount),
        idempotency_key=key,
        channel=channel,
        pin=pin,
    )


def lock_pin(wallet, *, wrong_pin: str = "9999") -> None:
    """Three wrong PINs, as a holder types them (WrongPin twice, then PinLocked): the PIN stays locked until the
    call-centre unlocks it. Reads the wallet's PIN fields again and fails the test if the PIN is not locked."""
    for _attempt in range(3):
        with pytest.raises((WrongPin, PinLocked)):
            wallet_pin_verify(wallet=wallet, pin=wrong_pin)
    wallet.refresh_from_db(fields=["pin_failed_attempts", "pin_locked_at"])
    assert wallet.is_pin_locked, (wallet.pin_failed_attempts, wallet.pin_locked_at)


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


def pdf_pages(data: bytes) -> list[str]:
    """What each page of a PDF says, as poppler's pdftotext reads it (pages split on its form feeds; the empty
    string after the last one dropped). Needs poppler-utils (.ci/run installs it)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.pdf"
        path.write_bytes(data)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
        ).stdout.decode()
    return text.split("\f")[:-1]
