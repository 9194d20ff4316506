"""Cases assigned into trainees' sandboxes (training_assign, `manage.py training_assign`), against the real СОЧИ:
each trainee's own customer wallet and company, faults for that company only, held until the agent asks."""

import json
from io import StringIO

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError

from accounts.models import User
from audit.models import AuditEntry, StaffAction
from audit.operations import NotAllowed
from casework.identity import identity_check_record
from casework.models import IdentityFact
from services.models import Payment, PaymentStatus
from services.osmp import OsmpClient
from services.payments.console import payment_provider_query
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage, SmsStatus
from tests.helpers import make_payment
from tests.sochi.conftest import BISHKEK_TRADE
from training.assignments import ASSIGN_REASON, training_assign
from training.classes import training_class_create
from training.errors import ScenarioUnavailable
from training.models import SANDBOX_PREFIXES, RunStatus, ScenarioRun, Trainee
from training.scenarios import SCENARIOS
from wallet.models import Wallet, WalletStatus
from wallet.phone import Operator

pytestmark = pytest.mark.django_db


def make_class(trainer, trainees: int, name: str = "Группа А"):
    training_class, _made = training_class_create(name=name, trainees=trainees, actor=trainer)
    return training_class, list(Trainee.objects.filter(training_class=training_class).order_by("user__username"))


def block(trainee: Trainee, operator: str = Operator.MEGACOM) -> str:
    return f"+996{SANDBOX_PREFIXES[operator]}{trainee.sandbox:03d}"


def payment(run: ScenarioRun) -> Payment:
    return Payment.objects.get(pk=run.payment_id)


def credited(sochi, inn: str, txn_id: str) -> int:
    return sum(1 for row in sochi.balance(inn)["credits"] if row["txn_id"] == txn_id)


def staged_reasons(runs) -> list[str]:
    """Every audit reason written since the class was made about the runs' wallets, or with no wallet at all."""
    wallets = [run.wallet_id for run in runs]
    entries = AuditEntry.objects.exclude(action=StaffAction.CLASS_CREATE)
    return [entry.reason for entry in entries if entry.wallet_id is None or entry.wallet_id in wallets]


def test_two_trainees_get_wallets_of_their_own_blocks_and_companies_of_their_own(dostek_osmp, trainer):
    # given
    training_class, (first, second) = make_class(trainer, 2)
    # when
    runs = training_assign(training_class=training_class, scenario="answer-lost", actor=trainer)
    again = training_assign(training_class=training_class, scenario="answer-lost", trainee=first, actor=trainer)
    # then
    one, two = runs
    assert [run.trainee for run in runs] == [first, second]
    assert one.wallet.phone == first.sandbox_phone(Operator.MEGACOM, 0)
    assert two.wallet.phone == second.sandbox_phone(Operator.MEGACOM, 0)
    assert again[0].wallet.phone == first.sandbox_phone(Operator.MEGACOM, 1)  # the next free number
    inns = {run.facts["company_inn"] for run in [*runs, *again]}
    assert len(inns) == 3
    for run in runs:
        run.refresh_from_db()
        assert run.status == RunStatus.ASSIGNED and run.error == ""
        assert run.time_limit == SCENARIOS["answer-lost"].time_limit == 600
        assert run.started_by == trainer
        assert run.wallet.opened_channel == "branch"
        assert run.facts["caller_phone"] == run.wallet.phone
        assert run.facts["caller_words"].startswith("«Я заплатил DosTek group 1 200 сом")
        made = payment(run)
        assert (made.status, made.account, made.channel) == (PaymentStatus.RESERVED, run.facts["company_inn"], "web")
        assert made.account_holder == run.facts["company_name"]
        assert credited(dostek_osmp, run.facts["company_inn"], made.code) == 1  # at СОЧИ, the answer lost
    # the companies are registered at СОЧИ under the names the wallet gave
    client = OsmpClient.for_provider("dostek")
    for run in runs:
        check = client.check(txn_id="1", account=run.facts["company_inn"], amount=payment(run).amount)
        assert check.account_holder == run.facts["company_name"]
    assigned = AuditEntry.objects.filter(action=StaffAction.RUN_ASSIGN).order_by("id")
    assert [(e.actor, e.reason, e.wallet_id) for e in assigned] == [(trainer, ASSIGN_REASON, None)] * 3
    assert [e.after["run"] for e in assigned] == [one.pk, two.pk, again[0].pk]


def test_a_class_of_three_held_until_one_agent_asks_the_provider(dostek_osmp, trainer, agent):
    """The worker's repeats get no answer (the fault is held for each company); «Спросить поставщика» on one
    trainee's payment commits that one only."""
    # given
    training_class, _trainees = make_class(trainer, 3)
    runs = training_assign(training_class=training_class, scenario="answer-lost", actor=trainer)
    # when: the worker, twice
    call_command("process_payments", all=True, stdout=StringIO())
    call_command("process_payments", all=True, stdout=StringIO())
    # then
    for run in runs:
        held = payment(run)
        assert held.status == PaymentStatus.RESERVED
        assert held.exchanges.filter(command="pay").count() >= 2  # the worker did repeat it
    # when: the first trainee's agent checks the caller and asks the provider
    chosen = runs[0]
    identity_check_record(wallet=chosen.wallet, actor=agent, facts=[IdentityFact.FULL_NAME, IdentityFact.INN])
    query = payment_provider_query(payment=payment(chosen), actor=agent, reason="клиент: баланс в СОЧИ не пополнился")
    call_command("process_payments", all=True, stdout=StringIO())
    # then
    assert query.payment.status == PaymentStatus.COMMITTED
    assert credited(dostek_osmp, chosen.facts["company_inn"], query.payment.code) == 1
    assert [payment(run).status for run in runs[1:]] == [PaymentStatus.RESERVED] * 2
    assert books_violations() == []
    call_command("check_ledger", stdout=StringIO())


def test_two_scenarios_in_two_sandboxes_at_once_do_not_disturb_each_other(dostek_osmp, trainer, make_wallet, dostek):
    # given
    training_class, (first, second) = make_class(trainer, 2)
    # when
    (lost,) = training_assign(training_class=training_class, scenario="answer-lost", trainee=first, actor=trainer)
    (refused,) = training_assign(training_class=training_class, scenario="refused", trainee=second, actor=trainer)
    call_command("process_payments", all=True, stdout=StringIO())
    elsewhere = make_wallet(balance="1000")
    bystander = make_payment(wallet=elsewhere, service=dostek, amount="100", key="bystander", account=BISHKEK_TRADE)
    # then
    assert payment(lost).status == PaymentStatus.RESERVED
    assert payment(refused).status == PaymentStatus.ABORTED
    assert payment(refused).exchanges.filter(command="pay", result=5).count() == 1
    assert bystander.status == PaymentStatus.COMMITTED  # other companies' payments go through
    shown = dostek_osmp.fault()
    assert shown["mode"] == "normal"  # the provider-wide switch was never touched
    assert [row["account"] for row in shown["accounts"]] == [lost.facts["company_inn"]]  # the refusal is used up
    assert shown["accounts"][0]["hold"] is True and shown["accounts"][0]["expires_at"]
    assert books_violations() == []


def test_every_scenario_is_assignable_and_nothing_shown_names_it(dostek_osmp, failing_sms, trainer):
    # given
    training_class, (trainee,) = make_class(trainer, 1)
    # when
    runs = {slug: training_assign(training_class=training_class, scenario=slug, actor=trainer)[0] for slug in SCENARIOS}
    # then
    for run in runs.values():
        run.refresh_from_db()
        assert (run.status, run.error) == (RunStatus.ASSIGNED, "")
        operator = Operator.O if run.scenario == "ussd-o" else Operator.MEGACOM
        assert run.wallet.phone.startswith(block(trainee, operator))
    assert payment(runs["answer-lost"]).status == PaymentStatus.RESERVED
    assert payment(runs["refused"]).status == PaymentStatus.ABORTED
    sms_lost = payment(runs["sms-lost"])
    assert sms_lost.status == PaymentStatus.COMMITTED
    assert SmsMessage.objects.get(payment=sms_lost, kind=SmsKind.PAYMENT).status == SmsStatus.FAILED
    assert Wallet.objects.get(pk=runs["pin-locked"].wallet_id).pin_locked_at is not None
    assert not User.objects.filter(wallet_id=runs["web-registration"].wallet_id).exists()
    wrong = payment(runs["wrong-inn"])
    assert (wrong.status, wrong.account) == (PaymentStatus.COMMITTED, BISHKEK_TRADE)
    assert runs["wrong-inn"].facts["intended_account"] == runs["wrong-inn"].facts["company_inn"]
    assert runs["refused"].facts["caller_words"] == (
        f"«Я платил 800 сом за {runs['refused'].facts['company_name']}, а пришло SMS, что платеж отменен. "
        "Деньги с меня списали?»"
    )
    blocked = Wallet.objects.get(pk=runs["wallet-blocked"].wallet_id)
    assert blocked.status == WalletStatus.BLOCKED
    block_entry = AuditEntry.objects.get(wallet=blocked, action=StaffAction.WALLET_BLOCK)
    assert block_entry.actor is None and block_entry.reason.startswith("Заблокирован системой безопасности")
    # nothing the customers' cards show was written by staff, or names a scenario or a fault
    shown = AuditEntry.objects.filter(wallet_id__in=[run.wallet_id for run in runs.values()])
    assert all(entry.actor is None for entry in shown)
    assert not shown.filter(action=StaffAction.PROVIDER_FAULT).exists()
    for reason in staged_reasons(runs.values()):
        assert "Учебный сценарий" not in reason
        assert not any(slug in reason for slug in SCENARIOS), reason
    assert books_violations() == []
    call_command("check_ledger", stdout=StringIO())


def test_a_relative_with_the_email_is_a_wallet_of_the_same_sandbox(trainer):
    training_class, (trainee,) = make_class(trainer, 1)
    (run,) = training_assign(
        training_class=training_class, scenario="web-registration", variant="email_taken", actor=trainer
    )
    assert run.status == RunStatus.ASSIGNED
    assert run.facts["other_wallet"] == trainee.sandbox_phone(Operator.MEGACOM, 1)


def test_the_cases_that_need_sochi_say_so_when_it_cannot_be_reached(dostek_osmp, trainer, settings):
    # given
    training_class, _trainees = make_class(trainer, 2)
    settings.OSMP_ENDPOINTS = {"dostek": {**settings.OSMP_ENDPOINTS["dostek"], "URL": "http://127.0.0.1:9/osmp/"}}
    # when
    with pytest.raises(ScenarioUnavailable, match="СОЧИ недоступен"):
        training_assign(training_class=training_class, scenario="answer-lost", actor=trainer)
    # then
    assert not ScenarioRun.objects.exists()
    assert not Wallet.objects.filter(phone__startswith="+9965559").exists()


def test_without_sochi_the_sochi_cases_are_unavailable_and_the_others_go(trainer):
    training_class, (trainee,) = make_class(trainer, 1)
    with pytest.raises(ScenarioUnavailable, match="настоящий СОЧИ"):
        training_assign(training_class=training_class, scenario="refused", actor=trainer)
    (run,) = training_assign(training_class=training_class, scenario="wrong-inn", actor=trainer)
    assert payment(run).status == PaymentStatus.COMMITTED and run.facts["company_inn"]


def test_a_trainee_of_another_class_or_an_unknown_scenario_is_refused(trainer, agent):
    training_class, _trainees = make_class(trainer, 1)
    _other_class, (stranger,) = make_class(trainer, 1, name="Группа Б")
    with pytest.raises(ScenarioUnavailable, match="не из группы"):
        training_assign(training_class=training_class, scenario="wallet-blocked", trainee=stranger, actor=trainer)
    with pytest.raises(ScenarioUnavailable):
        training_assign(training_class=training_class, scenario="no-such-case", actor=trainer)
    with pytest.raises(NotAllowed):
        training_assign(training_class=training_class, scenario="wallet-blocked", actor=agent)
    assert not ScenarioRun.objects.exists()


# --- the command ----------------------------------------------------------------------------------------------------


def test_the_command_prints_the_runs_as_json_and_as_a_table(trainer):
    # given
    training_class, trainees = make_class(trainer, 2)
    out, table = StringIO(), StringIO()
    # when
    call_command("training_assign", "--class", "Группа А", "--scenario", "wallet-blocked", "--json", stdout=out)
    call_command(
        "training_assign",
        "--class",
        "группа а",
        "--scenario",
        "pin-locked",
        "--trainee",
        trainees[1].user.username,
        "--actor",
        trainer.username,
        stdout=table,
    )
    # then
    rows = json.loads(out.getvalue())
    assert rows == [
        {"run": run.pk, "trainee": run.trainee.user.username, "customer_phone": run.wallet.phone}
        for run in ScenarioRun.objects.filter(scenario="wallet-blocked").order_by("trainee__user__username")
    ]
    assert [row["customer_phone"] for row in rows] == [t.sandbox_phone(Operator.MEGACOM, 0) for t in trainees]
    assert trainees[1].sandbox_phone(Operator.MEGACOM, 1) in table.getvalue()
    assert "назначен" in table.getvalue()
    assert ScenarioRun.objects.get(scenario="pin-locked").started_by == trainer


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--class", "Нет такой", "--scenario", "wallet-blocked"], "Нет такой"),
        (["--class", "Группа А", "--scenario", "no-such-case"], "unknown scenario"),
        (["--class", "Группа А", "--scenario", "wallet-blocked", "--trainee", "nobody"], "no trainee"),
    ],
)
def test_the_command_refuses_unknown_classes_scenarios_and_trainees(trainer, args, message):
    make_class(trainer, 1)
    with pytest.raises(CommandError, match=message):
        call_command("training_assign", *args, stdout=StringIO())
    assert not ScenarioRun.objects.exists()


def test_the_command_has_help():
    text = load_command_class("training", "training_assign").create_parser("manage.py", "training_assign").format_help()
    assert "--class" in text and "--scenario" in text and "--trainee" in text and "--json" in text
