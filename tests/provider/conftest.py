"""DosTek group's СОЧИ as a real server on loopback (sochi/testing.py), one per test session, and the wallet's
settings pointed at it. Tests that use `dostek_osmp` pay over the OSMP protocol; every other test of the suite
keeps DosTek in process (settings_test.PROVIDER_ADAPTERS)."""

import pytest

from tests.sochi.conftest import sochi_server, sochi_server_session  # noqa: F401  (one СОЧИ for the whole run)

# Short timeouts, so that `timeout` and `down` faults cost a second, not the production eight.
TIMEOUT, CONNECT_TIMEOUT = 1.5, 1.0
OSMP = "services.providers.OsmpProvider"


@pytest.fixture
def sochi(sochi_server):  # noqa: F811
    """The session's СОЧИ with its fault switch back at normal (no per-account fault) before and after the test."""
    yield sochi_server
    sochi_server.set_fault("normal")
    sochi_server.set_fault("normal", account="all")


@pytest.fixture
def dostek_osmp(settings, sochi):
    """The wallet talks to the real СОЧИ for DosTek group."""
    settings.PROVIDER_ADAPTERS = {"dostek": OSMP}
    settings.OSMP_ENDPOINTS = {
        "dostek": {
            "URL": sochi.url,
            "USER": sochi.user,
            "PASSWORD": sochi.password,
            "TIMEOUT": TIMEOUT,
            "CONNECT_TIMEOUT": CONNECT_TIMEOUT,
            "GIVE_UP_AFTER": 24 * 60 * 60,
        }
    }
    settings.PAYMENT_RETRY_BASE_SECONDS = 1
    return sochi


def reconciled(payment) -> str:
    """The reconciliation class of this payment. СОЧИ's database lives for the whole run while the wallet's is
    rolled back after each test, so the other tests' payments show there as «unknown here»: only this one counts."""
    from django.utils import timezone

    from services.reconciliation import reconcile

    result = reconcile(provider_code="dostek", day=timezone.localdate(payment.created_at))
    return next(line.match for line in result.lines if line.txn_id == payment.code)
