"""Shared fixtures: wallets, funded wallets, the DosTek service and the SMS outbox."""

import itertools
import os
from decimal import Decimal

import pytest

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
def _clear_locmem_sms():
    locmem.outbox.clear()
    yield
    locmem.outbox.clear()


def pytest_configure(config):
    """Compile the translations so that a plain `pytest` on a fresh checkout has them (make does it too)."""
    from django.core.management import call_command

    call_command("compile_translations", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
