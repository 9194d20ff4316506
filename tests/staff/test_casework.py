"""Case work in the console (issue 17 part 5): the caller's identity is checked before a PIN, the web lockout, a
block or a refund request is touched (in the domain: any channel, the admin included); cases go to the shift
supervisor and come back closed; notes stay on the customer's card. Every step leaves its audit entry."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.operations import web_sign_in_unlock
from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM, NotAllowed
from casework.identity import IdentityNotVerified, identity_check_record, identity_verified_recently
from casework.models import CaseNote, Escalation, EscalationStatus, IdentityCheck, IdentityFact
from casework.operations import EscalationRefused, case_note_add, escalation_close, escalation_open
from services.models import RefundRequest
from services.refunds import refund_request
from tests.helpers import identity_checked, lock_pin
from tests.staff.conftest import confirm, number
from tests.staff.test_query_counts import CONSOLE_PAGE, CUSTOMER_PAGE, statements
from wallet.models import Wallet, WalletStatus
from wallet.operations import wallet_pin_reset, wallet_pin_unlock, wallet_set_status

pytestmark = pytest.mark.django_db
REASON = "клиент позвонил, личность проверена"
F = IdentityFact

GATED = {
    "pin unlock": lambda c, actor: wallet_pin_unlock(wallet=c, actor=actor, reason=REASON),
    "new PIN": lambda c, actor: wallet_pin_reset(wallet=c, actor=actor, reason=REASON),
    "web lockout": lambda c, actor: web_sign_in_unlock(wallet=c, actor=actor, reason=REASON),
    "block": lambda c, actor: wallet_set_status(wallet=c, status=WalletStatus.BLOCKED, actor=actor, reason=REASON),
    "refund request": lambda c, actor: refund_request(payment=c.committed, actor=actor, reason=REASON),
}


# --- the identity check ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "passed"),
    [((), False), ((F.INN,), False), ((F.INN, F.LAST_TOP_UP), True), ((F.FULL_NAME, F.INN, F.LAST_TOP_UP), True)],
)
def test_two_facts_of_three_pass_the_check_and_every_check_is_audited(customer, make_staff, facts, passed):
    agent = make_staff("agent")
    check = identity_check_record(wallet=customer, actor=agent, facts=facts)
    assert check.passed is passed and check.facts_count == len(facts)
    entry = AuditEntry.objects.get(action=StaffAction.IDENTITY_CHECK)
    assert (entry.actor, entry.wallet_id, entry.after["passed"]) == (agent, customer.pk, passed)
    assert identity_verified_recently(wallet=customer, actor=agent) is passed


def test_a_check_needs_the_console_role(customer, make_staff):
    with pytest.raises(NotAllowed):
        identity_check_record(wallet=customer, actor=make_staff("cashier"), facts=[F.INN, F.FULL_NAME])
    assert not IdentityCheck.objects.exists() and not AuditEntry.objects.exists()


@pytest.mark.parametrize("name", list(GATED))
def test_an_action_without_a_check_is_refused_and_changes_nothing(customer, make_staff, name):
    # given an agent who has not checked the caller
    agent = make_staff("agent")
    lock_pin(customer)
    # when / then
    with pytest.raises(IdentityNotVerified, match="Сначала проверьте личность звонящего"):
        GATED[name](customer, agent)
    assert not AuditEntry.objects.exists() and not RefundRequest.objects.exists()
    assert Wallet.objects.get(pk=customer.pk).status == WalletStatus.ACTIVE


@pytest.mark.parametrize("name", list(GATED))
def test_an_action_with_the_actors_own_recent_check_is_taken(customer, make_staff, name):
    agent = identity_checked(customer, make_staff("agent"))
    lock_pin(customer)
    GATED[name](customer, agent)
    assert AuditEntry.objects.filter(actor=agent).count() == 1


@pytest.mark.parametrize("name", list(GATED))
def test_an_old_check_a_failed_one_or_another_agents_does_not_count(customer, make_staff, name):
    agent, colleague = make_staff("agent"), make_staff("agent")
    identity_checked(customer, colleague)  # another agent's check
    identity_checked(customer, agent, facts=(F.INN,))  # one fact: failed
    old = identity_checked(customer, agent)
    IdentityCheck.objects.filter(actor=old, passed=True).update(
        created_at=IdentityCheck.objects.get(actor=old, passed=True).created_at - timedelta(minutes=16)
    )
    lock_pin(customer)
    with pytest.raises(IdentityNotVerified):
        GATED[name](customer, agent)
    assert not AuditEntry.objects.exists()


def test_a_check_of_another_wallet_does_not_count(customer, make_staff, make_wallet):
    agent = identity_checked(make_wallet(), make_staff("agent"))
    with pytest.raises(IdentityNotVerified):
        wallet_set_status(wallet=customer, status=WalletStatus.BLOCKED, actor=agent, reason=REASON)


@pytest.mark.parametrize("name", [name for name in GATED if name != "refund request"])
def test_the_system_is_exempt(customer, name):
    """Demo data, training's set-up and resets act as SYSTEM: nobody is on the phone. (A refund request is always
    a staff member's: the request names its requester.)"""
    lock_pin(customer)
    GATED[name](customer, SYSTEM)
    assert AuditEntry.objects.filter(actor__isnull=True).count() == 1


def test_unblocking_needs_no_check_it_is_the_supervisors_decision(customer, make_staff):
    wallet_set_status(wallet=customer, status=WalletStatus.BLOCKED, actor=SYSTEM, reason=REASON)
    wallet_set_status(wallet=customer, status=WalletStatus.ACTIVE, actor=make_staff("supervisor"), reason=REASON)
    assert Wallet.objects.get(pk=customer.pk).status == WalletStatus.ACTIVE


# --- escalations and notes ----------------------------------------------------------------------------------------


def test_an_agent_escalates_and_a_supervisor_closes(customer, make_staff):
    agent, supervisor = make_staff("agent"), make_staff("supervisor")
    escalation = escalation_open(
        wallet=customer, actor=agent, note="клиент требует возврат, СОЧИ молчит", payment=customer.committed
    )
    assert escalation.status == EscalationStatus.OPEN and escalation.created_by == agent
    with pytest.raises(NotAllowed):
        escalation_close(escalation=escalation, actor=make_staff("agent"), resolution="закрываю")
    closed = escalation_close(escalation=escalation, actor=supervisor, resolution="перезвонили, вопрос решен")
    assert (closed.status, closed.closed_by, closed.resolution) == (
        EscalationStatus.CLOSED,
        supervisor,
        "перезвонили, вопрос решен",
    )
    assert closed.closed_at is not None
    with pytest.raises(EscalationRefused):
        escalation_close(escalation=escalation, actor=supervisor, resolution="еще раз")
    entries = list(AuditEntry.objects.order_by("pk").values_list("action", "actor", "wallet_id", "payment_id"))
    assert entries == [
        (StaffAction.ESCALATE, agent.pk, customer.pk, customer.committed.pk),
        (StaffAction.ESCALATION_CLOSE, supervisor.pk, customer.pk, customer.committed.pk),
    ]


def test_a_cashier_cannot_escalate_or_note(customer, make_staff):
    cashier = make_staff("cashier")
    with pytest.raises(NotAllowed):
        escalation_open(wallet=customer, actor=cashier, note="что-то")
    with pytest.raises(NotAllowed):
        case_note_add(wallet=customer, actor=cashier, text="что-то")
    assert not Escalation.objects.exists() and not CaseNote.objects.exists() and not AuditEntry.objects.exists()


def test_a_note_is_kept_and_audited(customer, make_staff):
    agent = make_staff("agent")
    note = case_note_add(wallet=customer, actor=agent, text="  перезвонит   завтра  ")
    assert note.text == "перезвонит завтра" and note.author == agent
    assert AuditEntry.objects.get().action == StaffAction.CASE_NOTE


# --- the pages -----------------------------------------------------------------------------------------------------


def test_the_action_page_says_what_is_missing_and_links_to_the_check(console, customer):
    agent = console("agent")
    url = reverse("staff:wallet_action", args=[number(customer), "block"])
    page = agent.get(url).content.decode()
    assert 'data-testid="identity-required"' in page and "#identity" in page and 'data-testid="next"' not in page
    # a posted reason does not reach the confirm step either, and a forged confirmation is refused by the domain
    assert 'data-step="reason"' in agent.post(url, {"reason": REASON}).content.decode()
    card = reverse("staff:customer", args=[number(customer)])
    response = agent.post(reverse("staff:identity_check", args=[number(customer)]), {"facts": ["full_name", "inn"]})
    assert response.status_code == 302 and response["Location"] == card + "#identity"
    page = agent.get(url).content.decode()
    assert 'data-testid="identity-required"' not in page and 'data-testid="next"' in page
    confirm(agent, url, "клиент сообщил о краже телефона")
    assert Wallet.objects.get(pk=customer.pk).status == WalletStatus.BLOCKED


def test_the_customer_card_shows_the_check_escalations_and_notes(console, customer):
    agent = console("agent")
    n = number(customer)
    card = reverse("staff:customer", args=[n])
    page = agent.get(card).content.decode()
    assert 'data-testid="identity-missing"' in page and "Проверок личности еще не было" in page
    agent.post(reverse("staff:identity_check", args=[n]), {"facts": ["inn"]})
    page = agent.get(card).content.decode()
    assert "не пройдена" in page and 'data-testid="identity-missing"' in page
    agent.post(reverse("staff:identity_check", args=[n]), {"facts": ["inn", "last_top_up"]})
    page = agent.get(card).content.decode()
    assert 'data-testid="identity-valid"' in page and "пройдена" in page
    agent.post(reverse("staff:escalate", args=[n]), {"note": "клиент настаивает на возврате"})
    agent.post(reverse("staff:case_note", args=[n]), {"text": "просил перезвонить после 18:00"})
    page = agent.get(card).content.decode()
    assert 'data-testid="escalation-open"' in page and "клиент настаивает на возврате" in page
    assert 'data-testid="note"' in page and "просил перезвонить после 18:00" in page
    # an empty note is shown back with its error, nothing saved
    page = agent.post(reverse("staff:case_note", args=[n]), {"text": " "})
    assert page.status_code == 200 and "не короче 3 символов" in page.content.decode()
    assert CaseNote.objects.count() == 1


def test_the_escalation_queue_is_the_supervisors(console, customer, make_staff):
    escalation = escalation_open(wallet=customer, actor=make_staff("agent"), note="двойное списание?")
    assert console("agent").get(reverse("staff:escalations")).status_code == 403
    assert console("agent").get(reverse("staff:escalation_close", args=[escalation.pk])).status_code == 403
    supervisor = console("supervisor")
    queue = supervisor.get(reverse("staff:escalations")).content.decode()
    assert 'data-testid="escalation-row"' in queue and "двойное списание?" in queue
    url = reverse("staff:escalation_close", args=[escalation.pk])
    assert supervisor.get(url).status_code == 200
    response = supervisor.post(url, {"resolution": "проверено: списание одно"})
    assert response["Location"] == reverse("staff:escalations")
    queue = supervisor.get(reverse("staff:escalations")).content.decode()
    assert 'data-testid="escalation-queue-empty"' in queue and "проверено: списание одно" in queue
    assert Escalation.objects.get().status == EscalationStatus.CLOSED


def test_case_posts_need_their_permission(console, customer):
    cashier = console("cashier")
    n = number(customer)
    for name, data in [
        ("identity_check", {"facts": ["inn", "full_name"]}),
        ("escalate", {"note": "x-x-x"}),
        ("case_note", {"text": "x-x-x"}),
    ]:
        assert cashier.post(reverse(f"staff:{name}", args=[n]), data).status_code == 403
    assert not AuditEntry.objects.exists()


def test_the_pages_cost_a_fixed_number_of_statements(console, customer, make_staff):
    """The customer's card with the case work and the escalation queue, whatever their length."""
    agent, supervisor = console("agent"), console("supervisor")
    card = reverse("staff:customer", args=[number(customer)])
    agent.get(card)
    supervisor.get(reverse("staff:escalations"))

    def costs():
        return statements(agent, card), statements(supervisor, reverse("staff:escalations"))

    identity_check_record(wallet=customer, actor=make_staff("agent"), facts=[F.INN, F.FULL_NAME])
    escalation_open(wallet=customer, actor=make_staff("agent"), note="первое обращение")
    case_note_add(wallet=customer, actor=make_staff("agent"), text="первая заметка")
    short = costs()
    for i in range(12):
        escalation_open(wallet=customer, actor=make_staff("agent"), note=f"обращение {i}")
        case_note_add(wallet=customer, actor=make_staff("agent"), text=f"заметка {i}")
    long = costs()
    # the queue costs the same; the card stays within its budget (its timeline's page now holds other kinds)
    assert long[1] == short[1] <= CONSOLE_PAGE and max(short[0], long[0]) <= CUSTOMER_PAGE
