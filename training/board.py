"""What the trainer's live board of a class and `training_runs` show: each trainee's cases, judged first
(training.judging.runs_refresh), in a fixed number of queries for the class plus what judging the open cases reads."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch

from training.judging import OPEN, Verdict, runs_refresh
from training.models import ScenarioRun, Trainee, TrainingClass
from training.rubrics import rubric_for
from training.scenarios import SCENARIOS


@dataclass(frozen=True)
class RunRow:
    run: ScenarioRun
    verdict: Verdict

    @property
    def scenario(self):
        return SCENARIOS.get(self.run.scenario)

    @property
    def elapsed(self) -> str:
        """«12:05»: minutes and seconds since the trainee opened the case (or since it was assigned)."""
        minutes, seconds = divmod(self.verdict.seconds, 60)
        return f"{minutes}:{seconds:02d}"

    @property
    def steps_total(self) -> int:
        rubric = rubric_for(self.run.scenario)
        return len(rubric.steps) if rubric else 0


@dataclass(frozen=True)
class TraineeRow:
    trainee: Trainee
    runs: list[RunRow]


def _runs():
    return ScenarioRun.objects.select_related("trainee__user", "payment", "wallet").order_by("started_at", "id")


def class_runs(*, training_class: TrainingClass, now: datetime) -> list[RunRow]:
    """Every case of the class's trainees, judged: by trainee (username), then oldest first."""
    runs = _runs().filter(trainee__training_class=training_class).order_by("trainee__user__username", "started_at")
    return [RunRow(run, verdict) for run, verdict in runs_refresh(runs=runs, now=now)]


def class_board(*, training_class: TrainingClass, now: datetime) -> list[TraineeRow]:
    """The board: every trainee of the class (those without a case too), each with their judged cases."""
    trainees = list(
        Trainee.objects.filter(training_class=training_class)
        .select_related("user")
        .prefetch_related(Prefetch("runs", queryset=_runs()))
        .order_by("user__username")
    )
    judged = {
        run.pk: verdict for run, verdict in runs_refresh(runs=[run for t in trainees for run in t.runs.all()], now=now)
    }
    return [TraineeRow(t, [RunRow(run, judged[run.pk]) for run in t.runs.all()]) for t in trainees]


def open_runs_refresh(*, now: datetime) -> int:
    """Judge every open trainee's case; returns how many changed status."""
    runs = list(_runs().filter(status__in=OPEN, trainee__isnull=False))
    before = {run.pk: run.status for run in runs}
    return sum(1 for run, _verdict in runs_refresh(runs=runs, now=now) if run.status != before[run.pk])
