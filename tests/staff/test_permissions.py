"""Each role sees and may do exactly its part of the console and the cash desk, by Django permissions: a table
over every URL and action. Plain staff without a role, wallet holders and cashiers (outside the cash desk) see
nothing; anonymous visitors are sent to the staff sign-in; a refused POST changes nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from audit.operations import SYSTEM
from services.models import Payment, RefundRequest
from services.refunds import refund_request
from sms.models import SmsMessage
from tests.helpers import identity_checked, make_payment
from tests.staff.conftest import number
from wallet.models import Wallet

pytestmark = pytest.mark.django_db

CONSOLE = {"agent", "supervisor", "trainer"}
SUPERVISORS = {"supervisor", "trainer"}
CASHIERS = {"cashier"}
ROLES = ["agent", "supervisor", "trainer", "cashier", "plain", "holder", "anonymous"]


@pytest.fixture
def world(customer, make_staff, settings):
    """A customer with a committed payment, a payment in progress and a pending refund request on the first."""
    settings.PROVIDER_ADAPTERS = {"dostek": "tests.integration.test_payment_lifecycle.SilentProvider"}
    in_progress = make_payment(
        wallet=customer, service=customer.committed.service, account="02106201510234", amount="50", key="perm-reserved"
    )
    settings.PROVIDER_ADAPTERS = {"dostek": "services.providers.AcceptAllProvider"}
    refund = refund_request(
        payment=customer.committed, actor=identity_checked(customer, make_staff("agent")), reason="ошибся ИНН"
    )
    return {"wallet": customer, "committed": customer.committed, "reserved": in_progress, "refund": refund}


def urls(world) -> list[tuple[str, str, set[str]]]:
    n, committed, reserved = number(world["wallet"]), world["committed"].code, world["reserved"].code
    refund = world["refund"].pk
    table = [
        ("search", reverse("staff:home") + "?q=0555", CONSOLE),
        ("customer", reverse("staff:customer", args=[n]), CONSOLE),
        ("payment", reverse("staff:payment", args=[committed]), CONSOLE),
        ("refund queue", reverse("staff:refunds"), SUPERVISORS),
        ("escalation queue", reverse("staff:escalations"), SUPERVISORS),
        ("cash desk", reverse("cashdesk:branch"), CASHIERS),
        ("cash desk find", reverse("cashdesk:branch") + f"?phone={n}", CASHIERS),
    ]
    for slug, roles in [
        ("unlock-pin", CONSOLE),
        ("new-pin", CONSOLE),
        ("unlock-sign-in", CONSOLE),
        ("resend-sms", CONSOLE),
        ("block", CONSOLE),
        ("unblock", SUPERVISORS),
    ]:
        table.append((f"wallet {slug}", reverse("staff:wallet_action", args=[n, slug]), roles))
    for slug, code in [("provider-query", reserved), ("refund-request", committed), ("resend-sms", committed)]:
        table.append((f"payment {slug}", reverse("staff:payment_action", args=[code, slug]), CONSOLE))
    for slug in ("approve", "reject"):
        table.append((f"refund {slug}", reverse("staff:refund_action", args=[refund, slug]), SUPERVISORS))
    return table


@pytest.fixture
def as_role(console, customer):
    def make(role: str) -> Client:
        if role == "anonymous":
            return Client()
        if role == "holder":
            client = Client()
            client.force_login(customer.web_account)
            return client
        return console(role)

    return make


def snapshot():
    return {
        "wallets": list(Wallet.objects.order_by("pk").values_list("status", "pin_locked_at", "pin_hash")),
        "payments": list(Payment.objects.order_by("pk").values_list("status", flat=True)),
        "refunds": list(RefundRequest.objects.order_by("pk").values_list("status", flat=True)),
        "sms": SmsMessage.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_console_page_and_action_is_open_exactly_to_its_roles(world, as_role, role):
    client = as_role(role)
    for name, url, allowed in urls(world):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and response["Location"].startswith(reverse("staff:login")), name
        elif role in allowed:
            assert response.status_code == 200, (name, response.status_code)
        else:
            assert response.status_code == 403, (name, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_a_refused_post_changes_nothing(world, as_role, role):
    """Posting an action (with its reason and a confirmation) without the permission: 403 or the sign-in page,
    and no wallet, payment, refund, SMS or audit row changes."""
    client = as_role(role)
    before = snapshot()
    for name, url, allowed in urls(world):
        if role in allowed:
            continue
        data = {"reason": "без права", "confirm": "1", "token": "0" * 32, "amount": "100", "receipt": "KB000000-000000"}
        data.update({"phone": world["wallet"].phone, "id_checked": "on"})
        response = client.post(url, data)
        assert response.status_code in (302, 403), (name, response.status_code)
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("staff:login")), name
    assert snapshot() == before


def test_a_cashier_lands_on_the_cash_desk_and_plain_staff_see_nothing(console):
    assert console("cashier").get(reverse("staff:home"))["Location"] == reverse("cashdesk:branch")
    page = console("plain").get(reverse("staff:home"))
    assert page.status_code == 403
    assert "Поиск клиента" not in page.content.decode()


def test_the_console_offers_only_the_actions_of_the_role(world, console):
    """An agent is not offered «Разблокировать кошелек»; a supervisor is, on a blocked wallet."""
    from wallet.models import WalletStatus
    from wallet.operations import wallet_set_status

    wallet = world["wallet"]
    wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="тест")
    url = reverse("staff:customer", args=[number(wallet)])
    agent_page = console("agent").get(url).content.decode()
    supervisor_page = console("supervisor").get(url).content.decode()
    assert 'data-action="unblock"' not in agent_page
    assert 'data-action="unblock"' in supervisor_page


def test_the_sign_in_page_refuses_a_holder_as_a_wrong_password(customer, client):
    """A wallet holder's web account cannot open a staff session, and is told nothing more than a wrong password."""
    response = client.post(
        reverse("staff:login"), {"username": customer.phone, "password": "Kara-Suu-Lake-2026"}, REMOTE_ADDR="10.0.0.9"
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_and_out(make_staff, client):
    make_staff("agent", username="agent-login")
    response = client.post(reverse("staff:login"), {"username": "agent-login", "password": "Staff-Password-2026"})
    assert response.status_code == 302 and response["Location"] == reverse("staff:home")
    assert client.get(reverse("staff:home")).status_code == 200
    assert client.post(reverse("staff:logout")).status_code == 302
    assert client.get(reverse("staff:home")).status_code == 302
