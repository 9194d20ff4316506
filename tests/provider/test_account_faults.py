"""Faults for one company at the real СОЧИ, set from the wallet's side (OsmpClient.set_fault(account=...),
provider_fault_set, `provider_fault --account`): payments to that INN suffer, payments to another commit."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from audit.models import AuditEntry, StaffAction
from services.faults import provider_fault_clear_accounts, provider_fault_set
from services.models import Payment, PaymentStatus, Provider
from services.osmp import OsmpClient
from services.payments.console import payment_provider_query
from tests.helpers import make_payment
from tests.sochi.conftest import ALA_TOO, BISHKEK_TRADE, NARYN

pytestmark = pytest.mark.django_db
REASON = "сценарий «оплатил, баланс не пополнился» для одного стажера"


def credited(sochi, inn, txn_id) -> int:
    return sum(1 for row in sochi.balance(inn)["credits"] if row["txn_id"] == txn_id)


def work():
    call_command("process_payments", all=True)


@pytest.fixture
def trainer(django_user_model):
    user = django_user_model.objects.create_user("trainer-faults", password="Trainer-Password-1", is_staff=True)
    user.groups.add(Group.objects.get(name="Тренер"))
    return user


def test_answer_lost_for_one_company_leaves_payments_to_another_committing(dostek_osmp, make_wallet, dostek):
    """Two trainees' cases: ALA_TOO's answer is lost (credited there, in progress here; the worker's repeat too)
    while BISHKEK_TRADE's payment commits at once; cleared, the worker's next repeat commits it, credited once."""
    # given
    wallet = make_wallet(balance="5000")
    state = OsmpClient.for_provider("dostek").set_fault(mode="answer-lost", account=ALA_TOO)
    # when
    fine = make_payment(wallet=wallet, service=dostek, amount="200", key="fine", account=BISHKEK_TRADE)
    lost = make_payment(wallet=wallet, service=dostek, amount="300", key="lost", account=ALA_TOO)
    # then
    assert (state["account"], state["mode"]) == (ALA_TOO, "answer-lost")
    assert fine.status == PaymentStatus.COMMITTED
    assert lost.status == PaymentStatus.RESERVED
    assert credited(dostek_osmp, ALA_TOO, lost.code) == 1
    assert dostek_osmp.fault()["mode"] == "normal"  # the provider-wide switch is untouched
    work()
    assert Payment.objects.get(pk=lost.pk).status == PaymentStatus.RESERVED
    dostek_osmp.set_fault("normal", account=ALA_TOO)
    work()
    assert Payment.objects.get(pk=lost.pk).status == PaymentStatus.COMMITTED
    assert credited(dostek_osmp, ALA_TOO, lost.code) == 1


def test_a_held_answer_lost_lasts_until_the_agent_asks_the_provider(dostek_osmp, make_wallet, dostek, trainer):
    """hold: the worker's repeats get no answer either; «Спросить поставщика» (a status call) is answered, commits
    the payment and releases the fault."""
    # given
    wallet = make_wallet(balance="5000")
    dostek_osmp.set_fault("answer-lost", account=ALA_TOO, hold=True)
    lost = make_payment(wallet=wallet, service=dostek, amount="300", key="held", account=ALA_TOO)
    work()
    held = Payment.objects.get(pk=lost.pk).status
    # when
    query = payment_provider_query(payment=lost, actor=trainer, reason=REASON)
    # then
    assert lost.status == held == PaymentStatus.RESERVED
    assert query.payment.status == PaymentStatus.COMMITTED
    assert credited(dostek_osmp, ALA_TOO, lost.code) == 1
    assert "accounts" not in dostek_osmp.fault()


def test_a_counted_refusal_for_one_company_is_used_up_by_its_payment(dostek_osmp, make_wallet, dostek):
    # given
    wallet = make_wallet(balance="5000")
    dostek_osmp.set_fault("refuse-account", count=1, account=NARYN)
    # when
    other = make_payment(wallet=wallet, service=dostek, amount="100", key="other", account=ALA_TOO)
    refused = make_payment(wallet=wallet, service=dostek, amount="800", key="refused", account=NARYN)
    again = make_payment(wallet=wallet, service=dostek, amount="800", key="again", account=NARYN)
    # then
    assert other.status == PaymentStatus.COMMITTED
    assert refused.status == PaymentStatus.ABORTED
    assert again.status == PaymentStatus.COMMITTED
    assert "accounts" not in dostek_osmp.fault()


def test_the_global_switch_still_reaches_every_company_beside_an_account_fault(dostek_osmp, make_wallet, dostek):
    # given
    wallet = make_wallet(balance="5000")
    dostek_osmp.set_fault("refuse-account", account=NARYN)
    dostek_osmp.set_fault("down")
    # when
    payment = make_payment(wallet=wallet, service=dostek, amount="100", key="down", account=BISHKEK_TRADE)
    # then
    assert payment.status == PaymentStatus.RESERVED
    assert [row["account"] for row in dostek_osmp.fault()["accounts"]] == [NARYN]


# --- provider_fault_set and provider_fault_clear_accounts -----------------------------------------------------------


def test_provider_fault_set_for_an_account_is_audited_with_the_account(dostek_osmp, trainer):
    # when
    state = provider_fault_set(
        provider=Provider.objects.get(code="dostek"),
        mode="answer-lost",
        count=None,
        delay=None,
        actor=trainer,
        reason=REASON,
        account=ALA_TOO,
        hold=True,
        ttl=900,
    )
    # then
    assert (state["account"], state["mode"], state["hold"]) == (ALA_TOO, "answer-lost", True)
    entry = AuditEntry.objects.get(action=StaffAction.PROVIDER_FAULT)
    assert entry.actor == trainer and entry.reason == REASON
    assert entry.after["account"] == ALA_TOO and entry.after["mode"] == "answer-lost"
    assert entry.after["hold"] is True and entry.after["ttl"] == 900
    assert entry.after["state"]["expires_at"]
    assert dostek_osmp.fault()["accounts"][0]["account"] == ALA_TOO


def test_provider_fault_clear_accounts_clears_them_all_and_is_audited(dostek_osmp, trainer):
    # given
    dostek_osmp.set_fault("answer-lost", account=ALA_TOO)
    dostek_osmp.set_fault("refuse-account", account=NARYN)
    dostek_osmp.set_fault("temporary")
    # when
    state = provider_fault_clear_accounts(provider=Provider.objects.get(code="dostek"), actor=trainer, reason=REASON)
    # then
    assert state == {"account": "all", "mode": "normal", "cleared": 2}
    shown = dostek_osmp.fault()
    assert "accounts" not in shown and shown["mode"] == "temporary"  # the provider-wide switch stays
    entry = AuditEntry.objects.get(action=StaffAction.PROVIDER_FAULT)
    assert entry.after["account"] == "all" and entry.after["state"]["cleared"] == 2


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"mode": "down", "account": "123"}, "14 digits"),
        ({"mode": "down", "account": "all"}, "14 digits"),
        ({"mode": "answer-lost", "hold": True}, "one account"),
    ],
)
def test_provider_fault_set_refuses_a_bad_account_before_calling_sochi(dostek_osmp, trainer, fault, message):
    # when
    with pytest.raises(ValueError, match=message):
        provider_fault_set(
            provider=Provider.objects.get(code="dostek"), count=None, delay=None, actor=trainer, reason=REASON, **fault
        )
    # then
    assert not AuditEntry.objects.filter(action=StaffAction.PROVIDER_FAULT).exists()
    assert "accounts" not in dostek_osmp.fault()


# --- provider_fault --account ---------------------------------------------------------------------------------------


def test_provider_fault_command_sets_and_clears_a_company_fault(dostek_osmp):
    # when
    out = StringIO()
    call_command("provider_fault", "dostek", "refuse-account", "--account", NARYN, "--count", "2", stdout=out)
    held = StringIO()
    call_command("provider_fault", "dostek", "answer-lost", "--account", ALA_TOO, "--hold", "--ttl", "600", stdout=held)
    listed = [row["account"] for row in dostek_osmp.fault()["accounts"]]
    one = StringIO()
    call_command("provider_fault", "dostek", "normal", "--account", NARYN, stdout=one)
    after_one = [row["account"] for row in dostek_osmp.fault()["accounts"]]
    cleared = StringIO()
    call_command("provider_fault", "dostek", "normal", "--account", "all", stdout=cleared)
    # then
    assert out.getvalue().strip() == f"dostek: fault refuse-account for account {NARYN} for the next 2 call(s)"
    assert held.getvalue().startswith(f"dostek: fault answer-lost for account {ALA_TOO}, held until released, until ")
    assert listed == sorted([ALA_TOO, NARYN])
    assert one.getvalue().strip() == f"dostek: fault normal for account {NARYN}"
    assert after_one == [ALA_TOO]
    assert cleared.getvalue().strip() == "dostek: per-company faults cleared: 1"
    assert dostek_osmp.fault() == {
        "mode": "normal",
        "count": None,
        "delay": None,
        "set_at": dostek_osmp.fault()["set_at"],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dostek", "down", "--account", "12345"], "14 digits"),
        (["dostek", "down", "--account", "all"], "mode normal alone"),
        (["dostek", "normal", "--account", "all", "--count", "1"], "mode normal alone"),
        (["dostek", "answer-lost", "--hold"], "--account"),
        (["dostek", "answer-lost", "--ttl", "60"], "--account"),
        (["dostek", "answer-lost", "--account", ALA_TOO, "--hold", "--count", "1"], "--hold and --count"),
        (["dostek", "answer-lost", "--account", ALA_TOO, "--ttl", "0"], "--ttl"),
        (["dostek", "normal", "--account", ALA_TOO, "--hold"], "normal"),
    ],
)
def test_provider_fault_command_refuses_a_bad_account_fault(dostek_osmp, args, message):
    # when
    with pytest.raises(CommandError, match=message):
        call_command("provider_fault", *args, stdout=StringIO())
    # then
    assert "accounts" not in dostek_osmp.fault()


def test_provider_fault_command_help_names_the_account_option():
    # when
    usage = load_command_class("services", "provider_fault").create_parser("manage.py", "provider_fault").format_help()
    # then
    assert "--account" in usage and "--hold" in usage and "--ttl" in usage
