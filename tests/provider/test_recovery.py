"""Crashes anywhere on the way: a process dies (SIGKILL, no cleanup) after the reserve, during the provider call,
after the provider's yes and before our commit, or holding its claim; a restarted worker finishes every payment
exactly once. Afterwards: no payment stuck, the company credited once at СОЧИ, no money lost (check_ledger),
and reconciliation says all match."""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from services.models import Payment, PaymentStatus
from services.reconciliation import Match
from services.verify import books_violations
from tests.helpers import make_payment
from tests.provider.conftest import CONNECT_TIMEOUT, TIMEOUT, reconciled
from tests.sochi.conftest import ALA_TOO

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CLAIM_SECONDS = 1


def database_url() -> str:
    """The test database, for the worker processes (they must see what this test wrote)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker(sochi, *, crash_at: str = "", wait: bool = True, code: str | None = None) -> subprocess.Popen:
    """`manage.py process_payments --all` as its own process, as the deployment runs it."""
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")},
        "DJANGO_SETTINGS_MODULE": "elsom_portal.settings",
        "DEBUG": "1",
        "DEMO_MODE": "1",
        "DATABASE_URL": database_url(),
        "DOSTEK_OSMP_URL": sochi.url,
        "DOSTEK_OSMP_USER": sochi.user,
        "DOSTEK_OSMP_PASSWORD": sochi.password,
        "DOSTEK_OSMP_TIMEOUT": str(TIMEOUT * 4),
        "DOSTEK_OSMP_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "PAYMENT_CLAIM_SECONDS": str(CLAIM_SECONDS),
        "ELSOM_CRASH_POINT": crash_at,
    }
    command = [sys.executable, "manage.py", "process_payments", "--all"]
    if code is not None:
        command = [sys.executable, "manage.py", "shell", "-c", code]
    process = subprocess.Popen(
        command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    if wait:
        process.wait(timeout=60)
    return process


def reserved_payment(sochi, make_wallet, dostek, key="r1"):
    """A payment in progress: the provider was down when it was made."""
    wallet = make_wallet(balance="1000")
    sochi.set_fault("down")
    payment = make_payment(wallet=wallet, service=dostek, amount="100", key=key)
    sochi.set_fault("normal")
    assert payment.status == PaymentStatus.RESERVED
    return payment


def assert_finished_once(sochi, payment):
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMMITTED
    credits = [row for row in sochi.balance(ALA_TOO)["credits"] if row["txn_id"] == payment.code]
    assert len(credits) == 1 and credits[0]["prv_txn"] == payment.provider_txn_id
    assert books_violations() == []
    assert reconciled(payment) == Match.MATCHED
    assert not Payment.objects.filter(status=PaymentStatus.RESERVED).exists()


def test_a_crash_between_the_reserve_and_the_provider_call(dostek_osmp, make_wallet, dostek):
    """The request reserved the money and died before asking СОЧИ: the worker asks and commits."""
    wallet = make_wallet(balance="1000")
    code = (
        "from decimal import Decimal; from services.models import Service; from services.payments import "
        "payment_execute; from wallet.models import Wallet; "
        f"payment_execute(wallet=Wallet.objects.select_related('ledger_account').get(pk={wallet.pk}), "
        "service=Service.objects.select_related('category', 'provider__settlement_account').get(slug='dostek'), "
        f"account='{ALA_TOO}', amount=Decimal('100'), idempotency_key='crash-1', channel='web')"
    )
    died = worker(dostek_osmp, crash_at="after_reserve", code=code)
    assert died.returncode == -signal.SIGKILL, died.stderr
    payment = Payment.objects.get(idempotency_key="crash-1")
    assert payment.status == PaymentStatus.RESERVED and not payment.exchanges.exists()
    assert worker(dostek_osmp).returncode == 0
    assert_finished_once(dostek_osmp, payment)


def test_a_crash_after_the_providers_yes_and_before_our_commit(dostek_osmp, make_wallet, dostek):
    """СОЧИ credited the company; the worker died before writing it down. The next worker's pay (same txn_id)
    gets the same prv_txn: committed here, credited once there."""
    payment = reserved_payment(dostek_osmp, make_wallet, dostek)
    died = worker(dostek_osmp, crash_at="after_provider_answer")
    assert died.returncode == -signal.SIGKILL, died.stderr
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.RESERVED
    assert len([r for r in dostek_osmp.balance(ALA_TOO)["credits"] if r["txn_id"] == payment.code]) == 1
    time.sleep(CLAIM_SECONDS + 0.2)  # the dead worker's claim runs out
    assert worker(dostek_osmp).returncode == 0
    assert_finished_once(dostek_osmp, payment)


def test_a_crash_during_the_provider_call(dostek_osmp, make_wallet, dostek):
    """The worker is killed while СОЧИ is still working on its pay (slow): СОЧИ finishes and credits; the next
    worker finds it credited (same prv_txn)."""
    payment = reserved_payment(dostek_osmp, make_wallet, dostek)
    dostek_osmp.set_fault("slow", delay=2, count=1)
    running = worker(dostek_osmp, wait=False)
    time.sleep(1.0)
    running.send_signal(signal.SIGKILL)
    running.wait(timeout=10)
    time.sleep(1.5)  # СОЧИ completes the slow pay after its delay
    time.sleep(CLAIM_SECONDS)
    assert worker(dostek_osmp).returncode == 0
    assert_finished_once(dostek_osmp, payment)


def test_a_crash_holding_the_claim(dostek_osmp, make_wallet, dostek):
    """A worker died right after claiming a payment: once the claim runs out, another finishes it."""
    payment = reserved_payment(dostek_osmp, make_wallet, dostek)
    died = worker(dostek_osmp, crash_at="after_claim")
    assert died.returncode == -signal.SIGKILL, died.stderr
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.RESERVED and payment.claimed_until is not None
    assert worker(dostek_osmp).returncode == 0
    payment.refresh_from_db()
    if payment.status == PaymentStatus.RESERVED:  # the claim had not run out yet: left alone, as it should be
        time.sleep(CLAIM_SECONDS + 0.2)
        assert worker(dostek_osmp).returncode == 0
    assert_finished_once(dostek_osmp, payment)
