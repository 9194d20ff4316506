import time

from django.core.management.base import CommandParser
from django.utils import timezone

from core.management.base import DomainCommand
from training.board import open_runs_refresh

LOOP_PAUSE_SECONDS = 5


class Command(DomainCommand):
    help = (
        "Judge every open trainee's case (assigned / in progress) and store its status, score, steps and automatic "
        "fails (training.judging.runs_refresh): a case resolves, fails or times out by itself. --loop: every 5 s "
        "(`make run` starts it next to the payments' worker)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep judging every 5 seconds until stopped")

    def handle(self, *args, **options):
        while True:
            changed = open_runs_refresh(now=timezone.now())
            if not options["loop"]:
                self.stdout.write(f"judged: {changed} run(s) finished or changed status")
                return
            time.sleep(LOOP_PAUSE_SECONDS)
