"""Cabinet fixtures: a holder with a web account, a signed-in client, and a helper to read the SMS code."""

import re

import pytest
from django.urls import reverse

PASSWORD = "Kara-Suu-Lake-2026"


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


def sms_code(outbox, phone) -> str:
    message = outbox.last(phone)
    assert message is not None and message.kind == "code"
    return re.search(r"\b(\d{6})\b", message.text).group(1)
