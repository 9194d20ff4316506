"""A trainee's cases as the trainee meets them: the list of their assigned runs and the caller's card, which shows
only what the caller says and the number calling (never the scenario's title, checks or resolution). Opening the
card the first time starts the clock: ASSIGNED -> IN_PROGRESS with opened_at (`run_open`)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise

from audit.operations import MSG_NOT_ALLOWED, NotAllowed, staff_require
from audit.roles import StaffPermission
from training.models import RunStatus, ScenarioRun, Trainee
from training.scenarios import SCENARIOS

# What a trainee's list shows: the cases handed to them (a case that could not be staged, a reset one or a board
# run is none of theirs).
CASE_STATUSES = (
    RunStatus.ASSIGNED,
    RunStatus.IN_PROGRESS,
    RunStatus.RESOLVED,
    RunStatus.FAILED,
    RunStatus.TIMED_OUT,
)


@dataclass(frozen=True)
class CallerCard:
    """What the trainee may know of a case: the caller's words, the number calling, the clock."""

    run: ScenarioRun
    customer: Promise | str
    caller_phone: str
    opened_at: datetime | None
    elapsed: timedelta | None
    left: timedelta | None

    @property
    def elapsed_minutes(self) -> int | None:
        return None if self.elapsed is None else int(self.elapsed.total_seconds() // 60)

    @property
    def left_minutes(self) -> int | None:
        return None if self.left is None else int(-(-self.left.total_seconds() // 60))

    @property
    def number(self) -> str:
        """The console's URL key of the caller's wallet (E.164 without the +)."""
        return self.caller_phone.removeprefix("+")


def trainee_of(user) -> Trainee | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return Trainee.objects.filter(user_id=user.pk).first()


def trainee_cases(*, trainee: Trainee) -> QuerySet[ScenarioRun]:
    """The trainee's cases, newest first (one statement)."""
    return (
        ScenarioRun.objects.filter(trainee=trainee, status__in=CASE_STATUSES)
        .select_related("wallet")
        .order_by("-started_at", "-id")
    )


def trainee_case_get(*, trainee: Trainee, pk: int) -> ScenarioRun | None:
    """One of the trainee's own cases, or None (another trainee's, a board run, none at all)."""
    return trainee_cases(trainee=trainee).filter(pk=pk).first()


def caller_phone(run: ScenarioRun) -> str:
    return str(run.facts.get("caller_phone") or run.wallet.phone)


def caller_card(run: ScenarioRun, *, now: datetime | None = None) -> CallerCard:
    now = now or timezone.now()
    scenario = SCENARIOS.get(run.scenario)
    words = scenario.customer_words(run.variant) if scenario else ""
    elapsed = left = None
    if run.opened_at is not None:
        end = run.finished_at or now
        elapsed = max(end - run.opened_at, timedelta(0))
        left = max(timedelta(seconds=run.time_limit) - elapsed, timedelta(0))
    return CallerCard(
        run=run, customer=words, caller_phone=caller_phone(run), opened_at=run.opened_at, elapsed=elapsed, left=left
    )


@transaction.atomic
def run_open(*, run: ScenarioRun, actor) -> bool:
    """The trainee opens the caller's card: the first time, the case goes ASSIGNED -> IN_PROGRESS and its clock
    starts (opened_at). A conditional update: two tabs opening it at once open it once. Returns whether this call
    opened it. Only the run's own trainee opens it (NotAllowed otherwise)."""
    staff_require(actor, StaffPermission.USE_CONSOLE, wallet_id=run.wallet_id)
    if run.trainee_id is None or not Trainee.objects.filter(pk=run.trainee_id, user_id=actor.pk).exists():
        raise NotAllowed(MSG_NOT_ALLOWED)
    if run.status != RunStatus.ASSIGNED:
        return False
    now = timezone.now()
    opened = ScenarioRun.objects.filter(pk=run.pk, status=RunStatus.ASSIGNED).update(
        status=RunStatus.IN_PROGRESS, opened_at=now
    )
    if opened:
        run.status, run.opened_at = RunStatus.IN_PROGRESS, now
    return bool(opened)
