import json

from django.core.management.base import CommandParser
from django.utils import timezone

from core.management.base import DomainCommand
from training.board import class_runs
from training.classes import training_class_get


class Command(DomainCommand):
    help = (
        "The cases of a class's trainees and how they are going: judges the open ones first (training.judging: "
        "steps from the audit log, the outcome from the books and СОЧИ, automatic fails, the time limit), then "
        'prints them. --json: [{"run", "trainee", "scenario", "status", "score", "seconds", "auto_fail", "steps"}], '
        "status assigned / in_progress / resolved / failed / timed_out."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--class", dest="class_name", required=True, metavar="NAME", help="The class's name")
        parser.add_argument("--json", action="store_true", help="Machine-readable output (the classroom contract)")

    def handle(self, *args, **options):
        training_class = training_class_get(name=options["class_name"])
        rows = class_runs(training_class=training_class, now=timezone.now())
        data: list[dict] = [
            {
                "run": row.run.pk,
                "trainee": row.run.trainee.user.get_username() if row.run.trainee else "",
                "scenario": row.run.scenario,
                "status": row.verdict.status,
                "score": row.verdict.score,
                "seconds": row.verdict.seconds,
                "auto_fail": row.verdict.auto_fail_json,
                "steps": row.verdict.steps_json,
            }
            for row in rows
        ]
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        if not data:
            self.stdout.write(f"class {training_class.name!r}: no runs")
        for item in data:
            score = "-" if item["score"] is None else item["score"]
            fails = ", ".join(fail["fail"] for fail in item["auto_fail"])
            steps = ", ".join(step["step"] for step in item["steps"]) or "-"
            self.stdout.write(
                f"{item['run']}\t{item['trainee']}\t{item['scenario']}\t{item['status']}\t{score}\t"
                f"{item['seconds']}s\tsteps: {steps}" + (f"\tFAILED: {fails}" if fails else "")
            )
