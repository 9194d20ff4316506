"""Staff fixtures: one user per role (the groups of staff/migrations/0002_roles.py), signed-in clients, and a
customer with something of every kind in their history."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from tests.helpers import make_payment

ROLES = {"agent": "Агент", "supervisor": "Старший смены", "trainer": "Тренер", "cashier": "Кассир", "plain": None}


@pytest.fixture
def make_staff(django_user_model):
    """make_staff("agent") -> a staff user in the Агент group; "plain": is_staff without any role."""

    def make(role: str, username: str | None = None):
        user = django_user_model.objects.create_user(
            username or f"{role}-{django_user_model.objects.count()}",
            password="Staff-Password-2026",
            is_staff=True,
            first_name=role.capitalize(),
        )
        if ROLES[role]:
            user.groups.add(Group.objects.get(name=ROLES[role]))
        return user

    return make


@pytest.fixture
def console(make_staff):
    """console("agent") -> a test client signed in as a new user of that role (its `.user` is the user)."""

    def make(role: str):
        user = make_staff(role)
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return make


@pytest.fixture
def customer(holder, dostek):
    """A funded wallet with a committed DosTek payment and a web account: the `holder` (tests/conftest.py) after a
    payment of 100 som; `customer.committed` is that payment."""
    holder.committed = make_payment(wallet=holder, service=dostek, amount="100", key=f"staff-{holder.phone}")
    return holder


def number(wallet) -> str:
    return wallet.phone.removeprefix("+")


def confirm(client, url: str, reason: str = "личность проверена: ИНН и последний платеж"):
    """Reason -> «Далее» -> «Подтвердить», as an agent does; returns the final response."""
    import re

    page = client.post(url, {"reason": reason})
    assert page.status_code == 200, page.content.decode()[:1000]
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    return client.post(url, {"reason": reason, "token": token, "confirm": "1"})
