"""A staff confirmation confirms the reason its page showed: the reason travels back in the confirm form, and one
changed there (by a browser's tools, a replayed request) is refused with nothing done and nothing journalled."""

import re

import pytest
from django.urls import reverse

from audit.models import AuditEntry, StaffAction
from tests.helpers import identity_checked, lock_pin
from tests.staff.conftest import number
from wallet.models import Wallet

pytestmark = pytest.mark.django_db
SHOWN = "паспорт проверен, ИНН совпал"


def confirm_page(agent, url: str, reason: str) -> str:
    page = agent.post(url, {"reason": reason})
    assert 'data-step="confirm"' in page.content.decode()
    return re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)


@pytest.fixture
def unlock(console, customer):
    agent = console("agent")
    identity_checked(customer, agent.user)
    lock_pin(customer)
    return agent, reverse("staff:wallet_action", args=[number(customer), "unlock-pin"])


@pytest.mark.parametrize("posted", ["клиент сам попросил", SHOWN + " и ещё", "  " + SHOWN.upper()])
def test_a_confirmation_with_another_reason_than_the_one_shown_is_refused(unlock, customer, posted):
    # given
    agent, url = unlock
    token = confirm_page(agent, url, SHOWN)

    # when
    page = agent.post(url, {"reason": posted, "token": token, "confirm": "1"})

    # then
    assert page.status_code == 200 and 'data-step="reason"' in page.content.decode()
    assert "Причина отличается от показанной" in page.content.decode()
    assert Wallet.objects.get(pk=customer.pk).pin_locked_at is not None
    assert not AuditEntry.objects.exists()


def test_the_same_token_still_confirms_the_reason_it_showed(unlock, customer):
    """The refused attempt used nothing up: the page's own reason goes through, once, and is what is journalled."""
    agent, url = unlock
    token = confirm_page(agent, url, SHOWN)
    agent.post(url, {"reason": "другая причина", "token": token, "confirm": "1"})

    done = agent.post(url, {"reason": SHOWN, "token": token, "confirm": "1"})

    assert done.status_code == 302
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.reason) == (StaffAction.PIN_UNLOCK, SHOWN)


def test_a_reason_with_markup_and_quotes_survives_the_round_trip(unlock):
    """What the confirm page shows (escaped in its hidden field) comes back equal: no false refusals."""
    agent, url = unlock
    reason = 'звонок 10:15, "ИНН" <совпал> & дата рождения'
    token = confirm_page(agent, url, reason)
    page = agent.get(url)  # nothing in between changes the pending confirmation
    assert page.status_code == 200
    assert agent.post(url, {"reason": reason, "token": token, "confirm": "1"}).status_code == 302
    assert AuditEntry.objects.get().reason == reason


def test_a_token_of_another_reason_page_does_not_carry_over(unlock, customer):
    """Two confirm pages open: each token confirms only its own reason."""
    agent, url = unlock
    first = confirm_page(agent, url, SHOWN)
    confirm_page(agent, url, "вторая причина")
    page = agent.post(url, {"reason": "вторая причина", "token": first, "confirm": "1"})
    assert "Причина отличается от показанной" in page.content.decode()
    assert Wallet.objects.get(pk=customer.pk).pin_locked_at is not None
