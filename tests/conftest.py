"""Shared fixtures: wallets, funded wallets, the DosTek service, a paid payment and the SMS outbox (the plain
helpers they are built on, DEMO_INN, make_payment, lock_pin and the thread runner, are in tests/helpers.py)."""

import itertools
import os
from decimal import Decimal

import pytest
from django.urls import reverse

from core.chromium import CHROMIUM, CHROMIUM_ARGS  # must run in CI, never skip: .ci/run installs it
from sms.backends import locmem

_phone_numbers = itertools.count(1000)


def next_phone() -> str:
    """A fresh Megacom number (+996 555 XXXXXX) for each wallet a test opens."""
    return f"+996555{next(_phone_numbers):06d}"


@pytest.fixture
def make_wallet(db):
    from wallet.operations import cash_in, wallet_register

    def make(*, balance: Decimal | str = "0", phone: str | None = None, pin: str = "2580", language: str = "ru"):
        wallet, _pin = wallet_register(
            phone=phone or next_phone(),
            full_name="Айгуль Асанова",
            inn="12505199000123",
            channel="branch",
            pin=pin,
            language=language,
        )
        if Decimal(balance) > 0:
            cash_in(wallet=wallet, amount=Decimal(balance), channel="kicb-branch")
        wallet.ledger_account.refresh_from_db()
        return wallet

    return make


@pytest.fixture
def dostek(db):
    from services.models import Service

    return Service.objects.select_related("provider__settlement_account", "category").get(slug="dostek")


@pytest.fixture
def paid_payment(make_wallet, dostek):
    """A committed DosTek payment of 100 som to DEMO_INN, made on the web from a wallet funded with 1000 som (900
    left): every kind of money record exists once. `paid_payment.wallet` is that wallet."""
    from services.models import PaymentStatus
    from tests.helpers import make_payment

    payment = make_payment(wallet=make_wallet(balance="1000"), service=dostek, amount="100", key="paid")
    assert payment.status == PaymentStatus.COMMITTED, payment.status
    return payment


@pytest.fixture
def sms_outbox(db):
    """Every SMS queued in the outbox, newest first (like allauth's mailoutbox for codes)."""
    from sms.models import SmsMessage

    class Outbox:
        def all(self, phone: str | None = None):
            messages = SmsMessage.objects.order_by("-id")
            return list(messages.filter(phone=phone) if phone else messages)

        def last(self, phone: str | None = None):
            messages = self.all(phone)
            return messages[0] if messages else None

    return Outbox()


@pytest.fixture(autouse=True)
def _clear_cache():
    """The catalog, system accounts and throttles live in the cache; every test starts without them (a test's
    database is rolled back or flushed, so cached ids and counters would point at rows that are gone)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _provider_gates_closed():
    """A provider's breaker and slots live in the process (services/bulkhead.py): every test starts with them closed
    and free, whatever timeouts an earlier test staged."""
    from services.bulkhead import provider_gates_reset

    provider_gates_reset()
    yield
    provider_gates_reset()


@pytest.fixture(autouse=True)
def _default_language():
    """A request in Kyrgyz or English leaves that language active in the test's thread (LocaleMiddleware activates
    it, nothing deactivates it): every test starts and ends in the default language, whatever ran before it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _clear_locmem_sms():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


def pytest_configure(config):
    """Compile the translations so that a plain `pytest` on a fresh checkout has them (make does it too)."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    # СОЧИ's own catalogues (sochi/locale), before any test activates a language: Django reads a language's
    # catalogues once per process.
    call_command("sochi_compile_translations", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def browser(monkeypatch, e2e_catalog):
    """One browser per test, started after the test's database set-up and stopped at its end: while Playwright's
    sync API runs, this thread has a running event loop and Django keeps connections per async context, so a
    browser outliving the test would hand later tests other connections (and break their set-up)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # The test calls the ORM between page steps, inside Playwright's loop. Only for these tests: set for the
    # whole session it would reach subprocesses (`manage.py check --deploy` refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            connections.close_all()
            browser.close()


@pytest.fixture
def e2e_catalog(live_server):
    """The catalog (DosTek group etc.) comes from a data migration, which a transactional test's flush deletes.
    serialized_rollback restores it; should that copy be missing (another browser test left a connection of its
    own behind), the migration's own seed function puts the catalog back."""
    import importlib

    from django.apps import apps

    from services.models import Service

    if not Service.objects.filter(slug="dostek").exists():
        importlib.import_module("services.migrations.0002_seed_catalog").seed(apps, None)


PASSWORD = "Kara-Suu-Lake-2026"  # the web password of the `holder` fixture


@pytest.fixture
def holder(make_wallet):
    """A funded wallet (1000 som) with a web account, not signed in."""
    from accounts.operations import web_account_create

    wallet = make_wallet(balance="1000")
    web_account_create(wallet=wallet, email=f"{wallet.phone[1:]}@example.kg", password=PASSWORD)
    return wallet


@pytest.fixture
def signed_in(client, holder):
    """The holder's client after «Войти» and the password page (so the real sign-in path is exercised)."""
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    response = client.post(reverse("cabinet:password"), {"password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def dial(client):
    """Post to the gateway as Africa's Talking does; returns the reply text (CON/END ...)."""

    def post(session_id: str, phone: str, *inputs: str, expect_status: int = 200) -> str:
        response = client.post(
            "/ussd/gateway/",
            {"sessionId": session_id, "serviceCode": "*900#", "phoneNumber": phone, "text": "*".join(inputs)},
        )
        assert response.status_code == expect_status, response.content
        assert response["Content-Type"].startswith("text/plain")
        return response.content.decode()

    return post
