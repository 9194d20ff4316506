import json

from django.core.management.base import CommandError

from sochi.faults import FaultsDisabled, fault_set, fault_state
from sochi.management.base import SochiCommand
from sochi.models import FaultMode


class Command(SochiCommand):
    help = (
        "Switch the fault СОЧИ injects into /osmp/ calls, for call-centre training: normal, down, slow, timeout, "
        "refuse-account, temporary, answer-lost. --count N: only the next N calls; --delay S: seconds for slow "
        "(default 5) and timeout (default 120). --account INN: only for that company's check, pay and status calls "
        "(mode normal clears it; --account all with normal clears every per-account fault); --hold: held until "
        "released (no count: the first status call about the company's payments is answered and ends it); "
        "--ttl S: the fault ends after S seconds. Without MODE: show the current fault, the per-account ones "
        'under "accounts".'
    )

    def add_arguments(self, parser):
        parser.add_argument("mode", nargs="?", choices=FaultMode.values)
        parser.add_argument("--count", help="the fault acts on the next N /osmp/ calls, then turns itself off")
        parser.add_argument("--delay", help="seconds (slow, timeout)")
        parser.add_argument("--account", help="a company's INN (14 digits): the fault is that company's only; all")
        parser.add_argument("--hold", action="store_true", help="with --account: until released (no --count)")
        parser.add_argument("--ttl", help="with --account: the fault ends after this many seconds")

    def handle(self, *args, mode, count, delay, account, hold, ttl, **options):
        if mode is None:
            if count is not None or delay is not None or account is not None or hold or ttl is not None:
                raise CommandError("--count, --delay, --account, --hold and --ttl need a MODE")
            state = fault_state()
        else:
            if account is None and (hold or ttl is not None):
                raise CommandError("--hold and --ttl need --account INN")
            try:
                state = fault_set(mode=mode, count=count, delay=delay, account=account, hold=hold, ttl=ttl)
            except FaultsDisabled as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(state, ensure_ascii=False))
