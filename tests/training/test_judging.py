"""The judge of a trainee's case (training.judging): steps from the trainee's own audit entries after they opened
the case, the outcome from the scenario's check, automatic fails, the time limit; and training_runs --json."""

import itertools
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM
from casework.identity import identity_check_record
from casework.models import IdentityFact
from services.errors import PaymentNotReversible
from services.models import PaymentStatus
from services.osmp import OsmpAnswer, Outcome
from services.payments import payment_provider_query
from services.providers import ProviderAccepted, ProviderUnknown
from services.refunds import refund_request
from tests.helpers import make_payment
from training.classes import training_class_create
from training.judging import run_judge, runs_refresh
from training.models import RunStatus, ScenarioRun, Trainee
from training.rubrics import FAIL_REFUND_IN_PROGRESS, RUBRICS

pytestmark = pytest.mark.django_db
REASON = "клиент: в СОЧИ не пришло"
TWO_FACTS = [IdentityFact.FULL_NAME, IdentityFact.INN]


def _answer(command, outcome, **fields):
    return OsmpAnswer(command=command, outcome=outcome, request={"txn_id": "1"}, **fields)


class AnswerLost:
    """СОЧИ credits the payment but its answer is lost; asked about it, it says it has it."""

    def __init__(self, provider):
        self.provider = provider

    def pay(self, *, payment):
        return ProviderUnknown(reason="read timeout", exchange=_answer("pay", Outcome.UNKNOWN, error="ReadTimeout"))

    def status(self, *, payment):
        answer = _answer("status", Outcome.ACCEPTED, result=0, prv_txn="SOCHI-1")
        return ProviderAccepted(provider_txn_id="SOCHI-1", exchange=answer)


@pytest.fixture
def trainees(db):
    training_class, _made = training_class_create(name="Группа Т", trainees=3, actor=SYSTEM)
    return training_class, list(Trainee.objects.filter(training_class=training_class).select_related("user"))


@pytest.fixture
def lost_answers(settings, monkeypatch):
    settings.PROVIDER_ADAPTERS = {"dostek": f"{__name__}.AnswerLost"}
    monkeypatch.setattr("training.scenarios.sochi_credits", lambda payment: 1)  # СОЧИ's register lists it once


_sandbox_index = itertools.count()


def answer_lost_run(trainee, make_wallet, dostek, *, opened_ago=timedelta(seconds=30), time_limit=900):
    """A case of scenario 1 as training_assign stages it: a wallet of the trainee's sandbox, its payment in progress
    (СОЧИ's answer lost), opened by the trainee `opened_ago`."""
    wallet = make_wallet(balance="5000", phone=trainee.sandbox_phone("megacom", next(_sandbox_index) % 100))
    payment = make_payment(wallet=wallet, service=dostek, amount="1200", key=f"judge-{wallet.phone}")
    assert payment.status == PaymentStatus.RESERVED
    return ScenarioRun.objects.create(
        scenario="answer-lost",
        wallet=wallet,
        payment=payment,
        trainee=trainee,
        status=RunStatus.IN_PROGRESS,
        opened_at=timezone.now() - opened_ago,
        time_limit=time_limit,
        facts={"company_inn": payment.account},
    )


def refresh(run):
    run = ScenarioRun.objects.select_related("trainee__user", "payment").get(pk=run.pk)
    [(judged, verdict)] = runs_refresh(runs=[run], now=timezone.now())
    stored = ScenarioRun.objects.get(pk=run.pk)
    return stored, verdict


def test_every_rubric_is_worth_100_and_reads_in_russian():
    assert {slug: rubric.total for slug, rubric in RUBRICS.items()} == dict.fromkeys(RUBRICS, 100)
    lines = RUBRICS["answer-lost"].describe(time_limit=900)
    assert lines[0] == "Шаги (всего 100 баллов):"
    assert "• Спросил поставщика о платеже — 40 б." in lines
    assert "• Запросил возврат платежа, который еще в обработке" in lines
    assert lines[-1] == "Время: 15 мин. с открытия случая; позже — «время вышло»."


def test_answer_lost_resolved_correctly_scores_100(trainees, lost_answers, make_wallet, dostek):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek)
    user = trainee.user
    # while open: in progress, nothing done yet
    run, verdict = refresh(run)
    assert (run.status, run.score, run.steps, run.finished_at) == (RunStatus.IN_PROGRESS, 0, [], None)
    # when: the trainee checks the caller and asks СОЧИ, which commits the payment
    identity_check_record(wallet=run.wallet, actor=user, facts=TWO_FACTS)
    assert payment_provider_query(payment=run.payment, actor=user, reason=REASON).payment.status == "committed"
    run, verdict = refresh(run)
    # then
    assert run.status == RunStatus.RESOLVED and run.score == 100 and run.auto_fail == []
    assert [(s["step"], s["points"]) for s in run.steps] == [("identity", 20), ("provider_query", 40), ("outcome", 40)]
    assert run.steps[0]["label"] == "Проверил личность"
    assert run.finished_at is not None and 30 <= verdict.seconds < 60


def test_another_staff_members_steps_do_not_count(trainees, lost_answers, make_wallet, dostek, agent):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek)
    identity_check_record(wallet=run.wallet, actor=agent, facts=TWO_FACTS)
    payment_provider_query(payment=run.payment, actor=agent, reason=REASON)
    run, _verdict = refresh(run)
    # the outcome holds, but the trainee did nothing: not resolved, only the outcome's points
    assert run.status == RunStatus.IN_PROGRESS and run.score == 40
    assert [s["step"] for s in run.steps] == ["outcome"]


def test_a_refund_attempt_on_the_payment_in_progress_fails_the_run(trainees, lost_answers, make_wallet, dostek):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek)
    user = trainee.user
    identity_check_record(wallet=run.wallet, actor=user, facts=TWO_FACTS)
    # when: the domain refuses the refund (the payment is in progress) ...
    with pytest.raises(PaymentNotReversible):
        refund_request(payment=run.payment, actor=user, reason="клиент просит вернуть деньги")
    # ... and records the attempt in a transaction of its own
    entry = AuditEntry.objects.get(action=StaffAction.REFUND_REQUEST)
    assert entry.actor == user and entry.payment_id == run.payment_id
    assert entry.after == {"refused": "payment_not_reversible", "status": PaymentStatus.RESERVED}
    assert not run.payment.refunds.exists()
    run, verdict = refresh(run)
    # then: failed, 0, the fail listed with its time, even after the case is resolved afterwards
    assert run.status == RunStatus.FAILED and run.score == 0
    assert [fail["fail"] for fail in run.auto_fail] == [FAIL_REFUND_IN_PROGRESS]
    assert run.auto_fail[0]["label"] == "Запросил возврат платежа, который еще в обработке"
    assert run.finished_at == entry.created_at
    payment_provider_query(payment=run.payment, actor=user, reason=REASON)
    again, _verdict = refresh(run)
    assert (again.status, again.score, again.auto_fail) == (RunStatus.FAILED, 0, run.auto_fail)


def test_nothing_done_past_the_time_limit_times_out(trainees, lost_answers, make_wallet, dostek):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek, opened_ago=timedelta(minutes=16))
    run, verdict = refresh(run)
    assert run.status == RunStatus.TIMED_OUT and run.score == 0 and run.steps == []
    assert run.finished_at == run.opened_at + timedelta(seconds=900) and verdict.seconds == 900


def test_never_opened_times_out_from_the_assignment(trainees, lost_answers, make_wallet, dostek):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek)
    ScenarioRun.objects.filter(pk=run.pk).update(status=RunStatus.ASSIGNED, opened_at=None)
    run.refresh_from_db()
    assert run_judge(run=run, now=timezone.now()).status == RunStatus.ASSIGNED
    late = run.started_at + timedelta(seconds=901)
    assert run_judge(run=run, now=late).status == RunStatus.TIMED_OUT


def test_a_finished_run_does_not_change(trainees, lost_answers, make_wallet, dostek):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek, opened_ago=timedelta(minutes=16))
    run, _verdict = refresh(run)
    assert run.status == RunStatus.TIMED_OUT
    finished = (run.status, run.score, run.steps, run.auto_fail, run.finished_at)
    # when: the trainee does everything right, too late
    identity_check_record(wallet=run.wallet, actor=trainee.user, facts=TWO_FACTS)
    payment_provider_query(payment=run.payment, actor=trainee.user, reason=REASON)
    run, verdict = refresh(run)
    assert (run.status, run.score, run.steps, run.auto_fail, run.finished_at) == finished
    assert verdict.status == RunStatus.TIMED_OUT


def test_steps_after_the_time_limit_do_not_count_even_if_judged_late(trainees, lost_answers, make_wallet, dostek):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek)
    identity_check_record(wallet=run.wallet, actor=trainee.user, facts=TWO_FACTS)
    run = ScenarioRun.objects.select_related("trainee__user", "payment").get(pk=run.pk)
    verdict = run_judge(run=run, now=timezone.now() + timedelta(hours=1))
    assert verdict.status == RunStatus.TIMED_OUT and verdict.score == 20


def test_training_runs_json(trainees, lost_answers, make_wallet, dostek):
    training_class, (first, second, _third) = trainees
    good = answer_lost_run(first, make_wallet, dostek)
    identity_check_record(wallet=good.wallet, actor=first.user, facts=TWO_FACTS)
    payment_provider_query(payment=good.payment, actor=first.user, reason=REASON)
    bad = answer_lost_run(second, make_wallet, dostek)
    identity_check_record(wallet=bad.wallet, actor=second.user, facts=TWO_FACTS)
    with pytest.raises(PaymentNotReversible):
        refund_request(payment=bad.payment, actor=second.user, reason="вернуть деньги")
    out = StringIO()
    call_command("training_runs", "--class", training_class.name, "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert [set(row) for row in rows] == [
        {"run", "trainee", "scenario", "status", "score", "seconds", "auto_fail", "steps"}
    ] * 2
    by_run = {row["run"]: row for row in rows}
    assert by_run[good.pk]["trainee"] == first.user.username and by_run[good.pk]["scenario"] == "answer-lost"
    assert (by_run[good.pk]["status"], by_run[good.pk]["score"]) == ("resolved", 100)
    assert set(by_run[good.pk]["steps"][0]) == {"step", "label", "points", "at"}
    assert (by_run[bad.pk]["status"], by_run[bad.pk]["score"]) == ("failed", 0)
    assert [set(fail) for fail in by_run[bad.pk]["auto_fail"]] == [{"fail", "label", "at"}]
    assert isinstance(by_run[bad.pk]["seconds"], int)
    # stored by the command (it refreshes first)
    assert ScenarioRun.objects.get(pk=good.pk).status == RunStatus.RESOLVED
    # the text form and the errors
    text = StringIO()
    call_command("training_runs", "--class", training_class.name, stdout=text)
    assert "resolved" in text.getvalue() and "FAILED: refund_in_progress" in text.getvalue()
    with pytest.raises(CommandError, match="Группы «Нет такой» нет"):
        call_command("training_runs", "--class", "Нет такой")


def test_training_judge_switches_open_runs(trainees, lost_answers, make_wallet, dostek):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek, opened_ago=timedelta(minutes=20))
    out = StringIO()
    call_command("training_judge", stdout=out)
    assert "judged: 1 run(s)" in out.getvalue()
    assert ScenarioRun.objects.get(pk=run.pk).status == RunStatus.TIMED_OUT


def test_a_role_without_the_refund_right_leaves_no_row(trainees, lost_answers, make_wallet, dostek, django_user_model):
    _class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek)
    plain = django_user_model.objects.create_user("plain-judge", password="x-Password-1", is_staff=True)
    from audit.operations import NotAllowed

    with pytest.raises(NotAllowed):
        refund_request(payment=run.payment, actor=plain, reason="вернуть деньги")
    assert not AuditEntry.objects.filter(action=StaffAction.REFUND_REQUEST).exists()
