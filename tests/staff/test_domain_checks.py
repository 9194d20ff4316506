"""Defence in depth: every staff action's domain function checks its actor itself, so a view (or an admin action,
a command, a script) that forgot the check still cannot act. A refused call changes nothing and records nothing."""

import pytest

from audit.models import AuditEntry
from audit.operations import SYSTEM, NotAllowed
from services.faults import provider_fault_set
from services.models import PaymentStatus, RefundStatus
from services.refunds import refund_approve, refund_request
from sms.models import SmsMessage
from sms.outbox import sms_requeue, sms_resend_payment
from tests.helpers import identity_checked
from training.faults import sms_gateway_fault_set
from training.operations import scenario_start
from wallet.models import WalletStatus
from wallet.operations import wallet_pin_reset, wallet_pin_unlock, wallet_set_status

pytestmark = pytest.mark.django_db
REASON = "личность проверена: ИНН и последний платеж"

# name -> the role that may NOT do it, and the call
ACTIONS = {
    "pin unlock": ("plain", lambda c, actor: wallet_pin_unlock(wallet=c, actor=actor, reason=REASON)),
    "new PIN": ("plain", lambda c, actor: wallet_pin_reset(wallet=c, actor=actor, reason=REASON)),
    "block": (
        "plain",
        lambda c, actor: wallet_set_status(wallet=c, status=WalletStatus.BLOCKED, actor=actor, reason=REASON),
    ),
    "unblock": (
        "agent",
        lambda c, actor: wallet_set_status(wallet=c, status=WalletStatus.ACTIVE, actor=actor, reason=REASON),
    ),
    "SMS resend": ("plain", lambda c, actor: sms_resend_payment(wallet=c, actor=actor, reason=REASON)),
    "SMS requeue": (
        "plain",
        lambda c, actor: sms_requeue(
            message=SmsMessage.objects.filter(phone=c.phone).first(), actor=actor, reason=REASON
        ),
    ),
    "refund request": ("plain", lambda c, actor: refund_request(payment=c.committed, actor=actor, reason=REASON)),
    "scenario start": ("supervisor", lambda c, actor: scenario_start(slug="wallet-blocked", actor=actor, wallet=c)),
    "SMS gateway fault": (
        "agent",
        lambda c, actor: sms_gateway_fault_set(phone=c.phone, actor=actor, reason=REASON),
    ),
    "provider fault": (
        "supervisor",
        lambda c, actor: provider_fault_set(
            provider=c.committed.service.provider, mode="down", count=1, delay=None, actor=actor, reason=REASON
        ),
    ),
}


@pytest.mark.parametrize("name", list(ACTIONS))
def test_a_staff_action_refuses_a_role_without_its_permission(customer, make_staff, name):
    # given a staff member whose role does not hold the action's permission
    role, act = ACTIONS[name]
    actor = make_staff(role)
    entries = AuditEntry.objects.count()
    # when the domain function is called directly, past any view
    with pytest.raises(NotAllowed):
        act(customer, actor)
    # then nothing was recorded (and so nothing was done: the record and the change share one transaction)
    assert AuditEntry.objects.count() == entries
    customer.refresh_from_db()
    assert customer.status == WalletStatus.ACTIVE


def test_a_refund_approval_by_an_agent_is_refused_in_the_domain(customer, make_staff):
    request = refund_request(
        payment=customer.committed, actor=identity_checked(customer, make_staff("agent")), reason=REASON
    )
    with pytest.raises(NotAllowed):
        refund_approve(request=request, actor=make_staff("agent"), reason=REASON)
    request.refresh_from_db()
    customer.committed.refresh_from_db()
    assert request.status == RefundStatus.PENDING
    assert customer.committed.status == PaymentStatus.COMMITTED


def test_no_actor_is_refused_and_the_system_may_act(customer):
    """An action with no actor at all is refused: the portal acting on its own says so with SYSTEM."""
    with pytest.raises(NotAllowed):
        wallet_set_status(wallet=customer, status=WalletStatus.BLOCKED, actor=None, reason=REASON)
    wallet_set_status(wallet=customer, status=WalletStatus.BLOCKED, actor=SYSTEM, reason=REASON)
    customer.refresh_from_db()
    assert customer.status == WalletStatus.BLOCKED
    assert AuditEntry.objects.get().actor is None
