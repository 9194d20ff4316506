from django.core.management.base import BaseCommand, CommandError

from services.models import Provider
from services.osmp import OsmpClient, OsmpError

MODES = ["normal", "down", "slow", "timeout", "refuse-account", "temporary", "answer-lost"]


class Command(BaseCommand):
    help = (
        "Training: make a provider misbehave the way real outages do, at the provider's side (СОЧИ's fault switch, "
        "over its authenticated /osmp/faults/ endpoint; only a demo СОЧИ has it). Modes: normal; down (every "
        "connection is dropped, nothing credited); slow (answers after --delay seconds); timeout (no answer "
        "within our timeout, nothing credited); refuse-account (result 5); temporary (result 1); answer-lost (the "
        "company is credited, the answer never arrives). --count N: only for the next N calls."
    )

    def add_arguments(self, parser):
        parser.add_argument("provider", help="provider code, e.g. dostek")
        parser.add_argument("mode", choices=MODES)
        parser.add_argument("--count", type=int, help="the fault applies to the next N calls, then back to normal")
        parser.add_argument("--delay", type=float, help="seconds, for slow and timeout")

    def handle(self, *args, **options):
        code = options["provider"]
        if not Provider.objects.filter(code=code).exists():
            raise CommandError(
                f"unknown provider {code!r}; known: {', '.join(Provider.objects.values_list('code', flat=True))}"
            )
        if options["count"] is not None and options["count"] < 1:
            raise CommandError("--count must be 1 or more")
        if options["delay"] is not None and not 0 <= options["delay"] <= 3600:
            raise CommandError("--delay must be between 0 and 3600 seconds")
        try:
            state = OsmpClient.for_provider(code).set_fault(
                mode=options["mode"], count=options["count"], delay=options["delay"]
            )
        except OsmpError as exc:
            raise CommandError(f"{code}: {exc}") from exc
        count = state.get("count")
        self.stdout.write(
            f"{code}: fault {state.get('mode')}"
            + (f" for the next {count} call(s)" if count else "")
            + (f", delay {state.get('delay')} s" if state.get("delay") else "")
        )
