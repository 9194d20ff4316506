"""Staff of each role, the training SMS gateway in front of the test outbox, and the real СОЧИ for the scenarios that
make it misbehave."""

import pytest
from django.contrib.auth.models import Group

from tests.provider.conftest import dostek_osmp, sochi  # noqa: F401  (the real СОЧИ, shared by the run)
from tests.sochi.conftest import sochi_server, sochi_server_session  # noqa: F401

STAFF_PASSWORD = "Staff-Password-2026"
FAILING_SMS = "sms.backends.failing.FailingNumbersBackend"


@pytest.fixture
def staff(django_user_model):
    def make(username: str, role: str | None):
        user = django_user_model.objects.create_user(username, password=STAFF_PASSWORD, is_staff=True)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def trainer(staff):
    return staff("trainer-t", "Тренер")


@pytest.fixture
def agent(staff):
    return staff("agent-t", "Агент")


@pytest.fixture
def supervisor(staff):
    return staff("supervisor-t", "Старший смены")


@pytest.fixture
def failing_sms(settings):
    """The demo's default: the training gateway, here in front of the in-memory test backend."""
    settings.SMS_BACKEND = FAILING_SMS
    settings.SMS_FAULTS_DELEGATE = "sms.backends.locmem.LocmemBackend"
