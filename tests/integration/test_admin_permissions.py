"""Django's permissions decide what staff see and may do in the admin: plain is_staff opens nothing, and every
action of every admin page is refused (403, nothing changed) to a staff user without the permissions."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_queue
from tests.helpers import identity_checked, lock_pin
from wallet.models import Wallet, WalletStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_without_permissions(django_user_model):
    user = django_user_model.objects.create_user("plain-staff", password="Staff-Password-2026", is_staff=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def books(paid_payment):
    """A wallet with a locked PIN, a payment and a failed SMS: something for every action to change."""
    wallet = paid_payment.wallet
    lock_pin(wallet)
    failed = sms_queue(phone=wallet.phone, text="x", kind=SmsKind.CASH_IN)
    SmsMessage.objects.filter(pk=failed.pk).update(status=SmsStatus.FAILED)
    return wallet


def snapshot():
    from ledger.models import LedgerAccount, Posting
    from services.models import Category, Payment, Provider, Service

    return {
        "wallets": list(Wallet.objects.order_by("pk").values_list("status", "pin_locked_at", "pin_failed_attempts")),
        "sms": list(SmsMessage.objects.order_by("pk").values_list("status", "attempts")),
        "services": list(Service.objects.order_by("pk").values_list("is_active", "name")),
        "categories": list(Category.objects.order_by("pk").values_list("is_active", "name")),
        "providers": list(Provider.objects.order_by("pk").values_list("name", "adapter")),
        "payments": list(Payment.objects.order_by("pk").values_list("status", "amount")),
        "postings": Posting.objects.count(),
        "balances": list(LedgerAccount.objects.with_balance().order_by("pk").values_list("current_balance", flat=True)),
        "audit": AuditEntry.objects.count(),
    }


def every_admin():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def test_the_admin_index_shows_nothing_to_plain_staff(staff_without_permissions):
    response = staff_without_permissions.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.context["app_list"] == []


@pytest.mark.parametrize("model", [m for m, _a in every_admin()], ids=lambda m: m._meta.label)
def test_every_admin_page_and_action_is_refused_to_plain_staff(staff_without_permissions, books, model):
    model_admin = admin.site._registry[model]
    opts = model._meta
    before = snapshot()
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert staff_without_permissions.get(changelist).status_code == 403
    assert staff_without_permissions.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code == 403
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        for view in ("change", "delete", "history"):
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[obj.pk])
            assert staff_without_permissions.get(url).status_code == 403, url
            assert staff_without_permissions.post(url, {"post": "yes"}).status_code == 403, url
    actions = list(model_admin.actions or []) + ["delete_selected"]
    selected = list(model._default_manager.values_list("pk", flat=True)[:20])
    for action in actions:
        name = action if isinstance(action, str) else action.__name__
        data = {"action": name, "_selected_action": selected, "apply": "1", "reason": "no permission", "post": "yes"}
        assert staff_without_permissions.post(changelist, data).status_code == 403, name
    assert snapshot() == before


def test_an_agent_unlocks_a_pin_but_cannot_unblock_a_wallet(django_user_model, books):
    """The Агент role: the PIN unlock is offered and works; unblocking is a supervisor's, and is neither offered
    nor carried out when posted anyway."""
    agent = django_user_model.objects.create_user("an-agent", password="Agent-Password-2026", is_staff=True)
    agent.groups.add(Group.objects.get(name="Агент"))
    client = Client()
    client.force_login(agent)
    changelist = reverse("admin:wallet_wallet_changelist")
    page = client.get(changelist)
    assert page.status_code == 200
    offered = [choice[0] for choice in page.context["action_form"].fields["action"].choices]
    assert "unlock_pin" in offered and "block" in offered and "unblock" not in offered
    Wallet.objects.filter(pk=books.pk).update(status=WalletStatus.BLOCKED)
    data = {"action": "unblock", "_selected_action": [books.pk], "apply": "1", "reason": "no right to"}
    client.post(changelist, data)
    assert Wallet.objects.get(pk=books.pk).status == WalletStatus.BLOCKED
    identity_checked(books, agent)
    data = {"action": "unlock_pin", "_selected_action": [books.pk], "apply": "1", "reason": "паспорт проверен"}
    client.post(changelist, data)
    assert Wallet.objects.get(pk=books.pk).pin_locked_at is None
    assert AuditEntry.objects.get().actor == agent
