import json

from django.core.management.base import CommandError

from sochi.faults import FaultsDisabled, fault_set, fault_state
from sochi.management.base import SochiCommand
from sochi.models import FaultMode


class Command(SochiCommand):
    help = (
        "Switch the fault СОЧИ injects into /osmp/ calls, for call-centre training: normal, down, slow, timeout, "
        "refuse-account, temporary, answer-lost. --count N: only the next N calls; --delay S: seconds for slow "
        "(default 5) and timeout (default 120). Without MODE: show the current fault."
    )

    def add_arguments(self, parser):
        parser.add_argument("mode", nargs="?", choices=FaultMode.values)
        parser.add_argument("--count", help="the fault acts on the next N /osmp/ calls, then turns itself off")
        parser.add_argument("--delay", help="seconds (slow, timeout)")

    def handle(self, *args, mode, count, delay, **options):
        if mode is None:
            if count is not None or delay is not None:
                raise CommandError("--count and --delay need a MODE")
            state = fault_state()
        else:
            try:
                state = fault_set(mode=mode, count=count, delay=delay)
            except FaultsDisabled as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(state, ensure_ascii=False))
