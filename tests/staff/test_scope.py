"""Issue 17 part 4: a trainee's console finds only their own sandbox (search, customer, payment and action pages
answer 404 for anything else), trainers and everyone without a scope see all, and every staff action's domain
function refuses a wallet outside the actor's scope (audit.models.StaffScope, checked by staff_require)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from accounts.operations import web_sign_in_unlock
from api.devices import device_revoke_all_by_staff, device_revoke_by_staff, device_token_issue
from audit.models import AuditEntry, StaffScope
from audit.operations import MSG_OUT_OF_SCOPE, NotAllowed, staff_require
from audit.roles import StaffPermission
from audit.selectors import staff_scope_allows
from casework.identity import identity_check_record
from casework.models import IdentityFact
from casework.operations import case_note_add, escalation_close, escalation_open
from services.payments import payment_provider_query
from services.refunds import refund_request
from sms.models import SmsMessage
from sms.outbox import sms_requeue, sms_resend_payment
from tests.helpers import identity_checked, make_payment
from tests.staff.conftest import number
from training.classes import training_class_create
from training.models import Trainee
from wallet.models import WalletStatus
from wallet.operations import wallet_pin_reset, wallet_pin_unlock, wallet_set_status

pytestmark = pytest.mark.django_db
REASON = "клиент позвонил, личность проверена"


@pytest.fixture
def classroom(make_staff):
    """Two trainees of one class (sandbox blocks 1 and 2), each signed in to a client of their own."""
    trainer = make_staff("trainer")
    _class, made = training_class_create(name="Группа 1", trainees=2, actor=trainer)
    clients = []
    for row in made:
        client = Client()
        client.user = get_user_model().objects.get(username=row.username)
        client.force_login(client.user)
        clients.append(client)
    return clients


@pytest.fixture
def sandboxes(classroom, make_wallet, dostek):
    """A customer with a committed payment in each trainee's sandbox (Megacom number 00 of the block)."""
    wallets = []
    for client in classroom:
        trainee = Trainee.objects.get(user=client.user)
        wallet = make_wallet(balance="1000", phone=trainee.sandbox_phone("megacom", 0))
        wallet.committed = make_payment(wallet=wallet, service=dostek, amount="100", key=f"scope-{wallet.phone}")
        wallets.append(wallet)
    return wallets


def test_a_new_trainee_gets_the_scope_of_their_sandbox_block(classroom):
    first, second = (Trainee.objects.get(user=client.user) for client in classroom)
    assert StaffScope.objects.get(user=first.user).prefixes == ["+9965559001", "+9967709001", "+9967009001"]
    assert staff_scope_allows(actor=first.user, phone=first.sandbox_phone("o", 42))
    assert not staff_scope_allows(actor=first.user, phone=second.sandbox_phone("megacom", 0))
    assert not staff_scope_allows(actor=first.user, phone="+996555123456")


def test_no_scope_row_is_no_limit(make_staff):
    agent = make_staff("agent")
    assert staff_scope_allows(actor=agent, phone="+996555123456")


def test_the_trainee_finds_and_opens_only_their_own_customers_and_payments(classroom, sandboxes):
    mine, other = sandboxes
    client = classroom[0]
    home = reverse("staff:home")
    for query in (mine.phone, mine.committed.code, "Айгуль Асанова", mine.inn):
        found = client.get(home, {"q": query}).content.decode()
        assert reverse("staff:customer", args=[number(mine)]) in found, query
        assert reverse("staff:customer", args=[number(other)]) not in found, query
    assert "no-results" in client.get(home, {"q": other.phone}).content.decode()
    assert "no-results" in client.get(home, {"q": other.committed.code}).content.decode()
    assert client.get(reverse("staff:customer", args=[number(mine)])).status_code == 200
    assert client.get(reverse("staff:payment", args=[mine.committed.code])).status_code == 200
    for url in (
        reverse("staff:customer", args=[number(other)]),
        reverse("staff:payment", args=[other.committed.code]),
        reverse("staff:wallet_action", args=[number(other), "block"]),
        reverse("staff:payment_action", args=[other.committed.code, "refund-request"]),
    ):
        assert client.get(url).status_code == 404, url
    for name in ("identity_check", "escalate", "case_note"):
        url = reverse(f"staff:{name}", args=[number(other)])
        assert client.post(url, {"facts": [IdentityFact.INN], "note": REASON, "text": REASON}).status_code == 404
    assert not AuditEntry.objects.filter(wallet=other).exclude(actor=None).exists()


def test_a_customer_outside_every_sandbox_is_404_for_a_trainee(classroom, customer):
    client = classroom[0]
    assert client.get(reverse("staff:customer", args=[number(customer)])).status_code == 404
    assert client.get(reverse("staff:payment", args=[customer.committed.code])).status_code == 404


@pytest.mark.parametrize("role", ["trainer", "supervisor", "agent"])
def test_staff_without_a_scope_see_every_sandbox(console, sandboxes, customer, role):
    client = console(role)
    for wallet in (*sandboxes, customer):
        assert client.get(reverse("staff:customer", args=[number(wallet)])).status_code == 200
        assert client.get(reverse("staff:payment", args=[wallet.committed.code])).status_code == 200
        assert (
            reverse("staff:customer", args=[number(wallet)])
            in client.get(reverse("staff:home"), {"q": wallet.phone}).content.decode()
        )


def test_my_cases_is_in_the_header_of_trainees_only(classroom, sandboxes, console, settings):
    settings.DEMO_MODE = True
    assert 'data-testid="my-cases"' in classroom[0].get(reverse("staff:home")).content.decode()
    for role in ("agent", "trainer"):
        assert 'data-testid="my-cases"' not in console(role).get(reverse("staff:home")).content.decode()


# --- the domain refuses ------------------------------------------------------------------------------------------


@pytest.fixture
def outsider(make_staff):
    """A shift supervisor limited to trainee block 1 (a scope on any role limits it): every staff action is open
    to them by permission, so that only the scope refuses."""
    user = make_staff("supervisor")
    StaffScope.objects.create(user=user, prefixes=["+9965559001", "+9967709001", "+9967009001"])
    return get_user_model().objects.get(pk=user.pk)


def _actions(wallet, payment, actor):
    """Every staff action of the console on `wallet` / `payment`, as its domain function is called."""
    message = SmsMessage.objects.filter(phone=wallet.phone, payment=payment).first()
    device, _secret = device_token_issue(wallet=wallet, name="Pixel")
    escalation = escalation_open(wallet=wallet, actor=identity_checked(wallet, wallet.staff), note=REASON)
    return {
        "pin unlock": lambda: wallet_pin_unlock(wallet=wallet, actor=actor, reason=REASON),
        "new pin": lambda: wallet_pin_reset(wallet=wallet, actor=actor, reason=REASON),
        "block": lambda: wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED, actor=actor, reason=REASON),
        "unblock": lambda: wallet_set_status(wallet=wallet, status=WalletStatus.ACTIVE, actor=actor, reason=REASON),
        "web unlock": lambda: web_sign_in_unlock(wallet=wallet, actor=actor, reason=REASON),
        "refund request": lambda: refund_request(payment=payment, actor=actor, reason=REASON),
        "resend sms": lambda: sms_resend_payment(wallet=wallet, actor=actor, reason=REASON),
        "requeue sms": lambda: sms_requeue(message=message, actor=actor, reason=REASON),
        "escalate": lambda: escalation_open(wallet=wallet, actor=actor, note=REASON),
        "close escalation": lambda: escalation_close(escalation=escalation, actor=actor, resolution=REASON),
        "note": lambda: case_note_add(wallet=wallet, actor=actor, text=REASON),
        "identity check": lambda: identity_check_record(
            wallet=wallet, actor=actor, facts=[IdentityFact.INN, IdentityFact.FULL_NAME]
        ),
        "provider query": lambda: payment_provider_query(payment=payment, actor=actor, reason=REASON),
        "revoke device": lambda: device_revoke_by_staff(device=device, actor=actor, reason=REASON),
        "revoke all devices": lambda: device_revoke_all_by_staff(wallet=wallet, actor=actor, reason=REASON),
    }


def test_every_staff_action_outside_the_scope_is_refused_by_the_domain(outsider, customer, make_staff):
    customer.staff = make_staff("supervisor")
    identity_checked(customer, outsider)  # the caller checked: only the scope stands in the way
    for name, act in _actions(customer, customer.committed, outsider).items():
        entries = AuditEntry.objects.count()
        with pytest.raises(NotAllowed) as refused:
            act()
        assert str(refused.value) == str(MSG_OUT_OF_SCOPE), name
        assert AuditEntry.objects.count() == entries, name


def test_inside_the_scope_the_same_actions_go_through(outsider, make_wallet, dostek, make_staff):
    wallet = make_wallet(balance="1000", phone="+996555900107")
    wallet.staff = make_staff("supervisor")
    payment = make_payment(wallet=wallet, service=dostek, amount="100", key="scope-inside")
    identity_checked(wallet, outsider)
    actions = _actions(wallet, payment, outsider)
    for name in ("pin unlock", "block", "unblock", "web unlock", "refund request", "note", "close escalation"):
        actions[name]()  # no NotAllowed
    assert AuditEntry.objects.filter(actor=outsider, wallet=wallet).count() == 7


def test_staff_require_reads_the_number_only_for_an_actor_with_a_scope(make_staff, customer, django_assert_num_queries):
    agent = make_staff("agent")
    agent.has_perm(StaffPermission.UNLOCK_PIN)  # the permissions' own cache, warmed
    with django_assert_num_queries(1):  # the scope row, none: no limit (cached on the user from then on)
        staff_require(agent, StaffPermission.UNLOCK_PIN, wallet_id=customer.pk)
    with django_assert_num_queries(0):
        staff_require(agent, StaffPermission.UNLOCK_PIN, wallet_id=customer.pk)


def test_the_admin_is_closed_to_a_trainee_and_open_to_the_trainer(classroom, console):
    assert classroom[0].get("/admin/wallet/wallet/").status_code == 302  # to the admin's sign-in
    assert console("trainer").get("/admin/wallet/wallet/").status_code == 200
