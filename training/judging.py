"""The judge of a trainee's case: what the trainee did (the audit log: their own entries on the run's wallet or
payment after they opened the case), what came of it (the scenario's check: the books, СОЧИ's register, the SMS
outbox), scored by the scenario's rubric (training/rubrics.py), and the status the run should have.

`run_judge` only reads. `runs_refresh` stores what changed, with a conditional update: only a run still ASSIGNED
or IN_PROGRESS (and as it was read) is written, so a finished run never changes again and a run the trainee opens
meanwhile is judged on the next pass. The board of a class, `training_runs` and `training_judge [--loop]` call it:
the runs switch «by themselves» as long as one of them runs (`make run` starts `training_judge --loop`).

Times: a step's time is its audit entry's. The outcome's is the time the judge first saw it hold (kept on the run
once stored), or, when the judge sees it late, the newest staff entry on the case — close enough for a training
report. Whatever happened after the run's end (its time limit, its first automatic fail) is not counted."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import translation
from django.utils.dateparse import parse_datetime

from audit.models import AuditEntry, StaffAction
from audit.roles import StaffPermission
from services.models import Payment, PaymentStatus
from training.models import RUN_FINISHED, RunStatus, ScenarioRun
from training.rubrics import (
    FAIL_LABELS,
    FAIL_PIN_WITHOUT_IDENTITY,
    FAIL_REFUND_CREDITED,
    FAIL_REFUND_IN_PROGRESS,
    FAIL_SECOND_PAYMENT,
    FAIL_UNBLOCK_WITHOUT_RIGHT,
    Rubric,
    Step,
    rubric_for,
)
from training.scenarios import SCENARIOS

OPEN = (RunStatus.ASSIGNED, RunStatus.IN_PROGRESS)
IDENTITY_VALID_FOR = timedelta(minutes=15)  # casework.identity.IDENTITY_CHECK_VALID_FOR


@dataclass(frozen=True)
class Done:
    step: str
    label: str
    points: int
    at: datetime

    def as_json(self) -> dict:
        return {"step": self.step, "label": self.label, "points": self.points, "at": self.at.isoformat()}


@dataclass(frozen=True)
class Fail:
    fail: str
    label: str
    at: datetime

    def as_json(self) -> dict:
        return {"fail": self.fail, "label": self.label, "at": self.at.isoformat()}


@dataclass
class Verdict:
    status: str
    score: int | None
    steps: list[Done] = field(default_factory=list)
    auto_fail: list[Fail] = field(default_factory=list)
    seconds: int = 0
    finished_at: datetime | None = None

    @property
    def steps_json(self) -> list[dict]:
        return [done.as_json() for done in self.steps]

    @property
    def auto_fail_json(self) -> list[dict]:
        return [fail.as_json() for fail in self.auto_fail]


@dataclass
class _Evidence:
    """What one run's judge reads besides the run: the audit entries on its wallet or payment (by anyone, since
    it was opened) and the wallet's other payments since then."""

    entries: list[AuditEntry]
    other_payments: list[Payment]


def _ru(text) -> str:
    with translation.override("ru"):
        return str(text)


def _base(run: ScenarioRun) -> datetime:
    return run.opened_at or run.started_at


def _deadline(run: ScenarioRun) -> datetime:
    return _base(run) + timedelta(seconds=run.time_limit)


def _seconds(run: ScenarioRun, end: datetime) -> int:
    return max(0, int((end - _base(run)).total_seconds()))


def _when(value) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def _stored(run: ScenarioRun) -> Verdict:
    """A finished run (or one without a rubric, or a trainer's own): as stored."""
    steps = [
        Done(row["step"], row["label"], row["points"], at)
        for row in run.steps or []
        if (at := _when(row.get("at"))) is not None
    ]
    fails = [
        Fail(row["fail"], row["label"], at) for row in run.auto_fail or [] if (at := _when(row.get("at"))) is not None
    ]
    end = run.finished_at or run.started_at
    return Verdict(run.status, run.score, steps, fails, _seconds(run, end), run.finished_at)


def _matches(step: Step, entry: AuditEntry, run: ScenarioRun) -> bool:
    if entry.action not in step.actions or "refused" in (entry.after or {}):
        return False
    if step.on_payment and (run.payment_id is None or entry.payment_id != run.payment_id):
        return False
    return all((entry.after or {}).get(key) == value for key, value in step.when.items())


def _fails(run: ScenarioRun, rubric: Rubric, mine: list[AuditEntry], evidence: _Evidence) -> list[Fail]:
    found: list[Fail] = []
    assert run.trainee is not None
    trainee_user = run.trainee.user

    def add(slug: str, at: datetime) -> None:
        if slug in rubric.fails and all(fail.fail != slug for fail in found):
            found.append(Fail(slug, _ru(FAIL_LABELS[slug]), at))

    for entry in mine:
        after, before = entry.after or {}, entry.before or {}
        if entry.action == StaffAction.REFUND_REQUEST and run.payment_id and entry.payment_id == run.payment_id:
            if before.get("status") == PaymentStatus.RESERVED:
                add(FAIL_REFUND_IN_PROGRESS, entry.created_at)
            elif FAIL_REFUND_CREDITED in rubric.fails:
                add(FAIL_REFUND_CREDITED, entry.created_at)
        elif entry.action in (StaffAction.PIN_UNLOCK, StaffAction.PIN_RESET) and "refused" not in after:
            checked = any(
                other.action == StaffAction.IDENTITY_CHECK
                and (other.after or {}).get("passed") is True
                and entry.created_at - IDENTITY_VALID_FOR <= other.created_at <= entry.created_at
                for other in mine
            )
            if not checked:
                add(FAIL_PIN_WITHOUT_IDENTITY, entry.created_at)
        elif entry.action == StaffAction.WALLET_UNBLOCK:
            if "refused" in after or not trainee_user.has_perm(StaffPermission.UNBLOCK_WALLET):
                add(FAIL_UNBLOCK_WITHOUT_RIGHT, entry.created_at)
    payment = run.payment
    if payment is not None and run.opened_at is not None:
        settled = payment.committed_at or payment.aborted_at
        for other in evidence.other_payments:
            if other.created_at >= run.opened_at and (settled is None or other.created_at < settled):
                add(FAIL_SECOND_PAYMENT, other.created_at)
    return sorted(found, key=lambda fail: fail.at)


def _outcome_at(run: ScenarioRun, evidence: _Evidence, now: datetime) -> datetime:
    for row in run.steps or []:
        if row.get("step") == "outcome" and (at := _when(row.get("at"))) is not None:
            return at
    staff = [entry.created_at for entry in evidence.entries if entry.created_at <= now]
    return max(staff) if staff else now


def _judge(run: ScenarioRun, rubric: Rubric, evidence: _Evidence, now: datetime) -> Verdict:
    deadline = _deadline(run)
    if run.opened_at is None:  # not opened: nothing the trainee did counts yet
        if now >= deadline:
            return Verdict(RunStatus.TIMED_OUT, 0, [], [], _seconds(run, deadline), deadline)
        return Verdict(RunStatus.ASSIGNED, None, [], [], _seconds(run, now))
    horizon = min(now, deadline)
    assert run.trainee is not None
    mine = [
        entry
        for entry in evidence.entries
        if entry.actor_id == run.trainee.user_id and run.opened_at <= entry.created_at <= horizon
    ]
    fails = _fails(run, rubric, mine, evidence)
    end = fails[0].at if fails else horizon
    done: list[Done] = []
    for step in rubric.steps:
        if step.outcome:
            if SCENARIOS[run.scenario].verify(run).resolved:
                at = _outcome_at(run, evidence, now)
                if at <= end:
                    done.append(Done(step.slug, _ru(step.label), step.points, at))
            continue
        hit = next((entry for entry in mine if entry.created_at <= end and _matches(step, entry, run)), None)
        if hit is not None:
            done.append(Done(step.slug, _ru(step.label), step.points, hit.created_at))
    score = sum(item.points for item in done)
    if len(done) == len(rubric.steps):
        resolved_at = max(item.at for item in done)
        if not fails or resolved_at < fails[0].at:
            return Verdict(RunStatus.RESOLVED, score, done, [], _seconds(run, resolved_at), resolved_at)
    if fails:
        return Verdict(RunStatus.FAILED, 0, done, fails, _seconds(run, fails[0].at), fails[0].at)
    if now >= deadline:
        return Verdict(RunStatus.TIMED_OUT, score, done, [], _seconds(run, deadline), deadline)
    return Verdict(RunStatus.IN_PROGRESS, score, done, [], _seconds(run, now))


def _evidence(runs: list[ScenarioRun]) -> dict[int, _Evidence]:
    """The audit entries and other payments of every run's case, in two queries for all the runs."""
    opened = [run for run in runs if run.opened_at is not None]
    found: dict[int, _Evidence] = {run.pk: _Evidence([], []) for run in runs}
    if not opened:
        return found
    since = min(run.opened_at for run in opened if run.opened_at is not None)
    wallets = {run.wallet_id for run in opened}
    payments = {run.payment_id for run in opened if run.payment_id is not None}
    entries = list(
        AuditEntry.objects.filter(Q(wallet_id__in=wallets) | Q(payment_id__in=payments), created_at__gte=since)
        .exclude(actor=None)
        .order_by("created_at", "id")
    )
    others: dict[int, list[Payment]] = defaultdict(list)
    if payments:
        for payment in Payment.objects.filter(wallet_id__in=wallets, created_at__gte=since).exclude(pk__in=payments):
            others[payment.wallet_id].append(payment)
    for run in opened:
        assert run.opened_at is not None
        found[run.pk] = _Evidence(
            [
                entry
                for entry in entries
                if entry.created_at >= run.opened_at
                and (entry.wallet_id == run.wallet_id or (run.payment_id and entry.payment_id == run.payment_id))
            ],
            others[run.wallet_id] if run.payment_id else [],
        )
    return found


def _judged(run: ScenarioRun, evidence: _Evidence, now: datetime) -> Verdict:
    rubric = rubric_for(run.scenario)
    if run.trainee_id is None or run.status not in OPEN or rubric is None or run.scenario not in SCENARIOS:
        return _stored(run)
    return _judge(run, rubric, evidence, now)


def run_judge(*, run: ScenarioRun, now: datetime) -> Verdict:
    """The verdict on one run now (read only). A finished run, a trainer's own run: as stored."""
    return _judged(run, _evidence([run])[run.pk], now)


def runs_refresh(*, runs: Iterable[ScenarioRun], now: datetime) -> list[tuple[ScenarioRun, Verdict]]:
    """Judge the open runs among `runs` (load them with select_related("trainee__user", "payment")) and store what
    changed; the runs come back updated in memory, each with its verdict, in the order given."""
    runs = list(runs)
    evidence = _evidence([run for run in runs if run.status in OPEN and run.trainee_id is not None])
    result: list[tuple[ScenarioRun, Verdict]] = []
    for run in runs:
        verdict = _judged(run, evidence.get(run.pk, _Evidence([], [])), now)
        if run.status in OPEN and run.trainee_id is not None:
            _store(run, verdict)
        result.append((run, verdict))
    return result


def _store(run: ScenarioRun, verdict: Verdict) -> None:
    fields = {
        "status": verdict.status,
        "score": verdict.score,
        "steps": verdict.steps_json,
        "auto_fail": verdict.auto_fail_json,
        "finished_at": verdict.finished_at if verdict.status in RUN_FINISHED else None,
    }
    if all(getattr(run, name) == value for name, value in fields.items()):
        return
    updated = ScenarioRun.objects.filter(
        pk=run.pk, status=run.status, opened_at=run.opened_at, finished_at__isnull=True
    ).update(**fields)
    if updated:
        for name, value in fields.items():
            setattr(run, name, value)
