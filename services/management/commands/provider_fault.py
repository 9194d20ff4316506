import re

from django.core.management.base import BaseCommand, CommandError

from services.models import Provider
from services.osmp import ACCOUNT_ALL, OsmpClient, OsmpError

MODES = ["normal", "down", "slow", "timeout", "refuse-account", "temporary", "answer-lost"]
ACCOUNT_RE = re.compile(r"[0-9]{14}", re.ASCII)


class Command(BaseCommand):
    help = (
        "Training: make a provider misbehave the way real outages do, at the provider's side (СОЧИ's fault switch, "
        "over its authenticated /osmp/faults/ endpoint; only a demo СОЧИ has it). Modes: normal; down (every "
        "connection is dropped, nothing credited); slow (answers after --delay seconds); timeout (no answer "
        "within our timeout, nothing credited); refuse-account (result 5); temporary (result 1); answer-lost (the "
        "company is credited, the answer never arrives). --count N: only for the next N calls. --account INN: only "
        "that company's check, pay and status calls (the provider-wide switch is left alone; mode normal clears the "
        f"company's fault; --account {ACCOUNT_ALL} with normal clears every per-company fault). --hold (with "
        "--account): no count, until released: the first status call about the company's payments (the agent's "
        "«Спросить поставщика») is answered truthfully and ends it. "
        "--ttl S (with --account): the fault ends after S seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument("provider", help="provider code, e.g. dostek")
        parser.add_argument("mode", choices=MODES)
        parser.add_argument("--count", type=int, help="the fault applies to the next N calls, then back to normal")
        parser.add_argument("--delay", type=float, help="seconds, for slow and timeout")
        parser.add_argument(
            "--account",
            help=f"a company's INN (14 digits): the fault is that company's only; {ACCOUNT_ALL} (with normal): "
            "clear every per-company fault",
        )
        parser.add_argument("--hold", action="store_true", help="with --account: until released (not with --count)")
        parser.add_argument("--ttl", type=int, help="with --account: the fault ends after this many seconds")

    def handle(self, *args, **options):
        code, mode, account = options["provider"], options["mode"], options["account"]
        if not Provider.objects.filter(code=code).exists():
            raise CommandError(
                f"unknown provider {code!r}; known: {', '.join(Provider.objects.values_list('code', flat=True))}"
            )
        if options["count"] is not None and options["count"] < 1:
            raise CommandError("--count must be 1 or more")
        if options["delay"] is not None and not 0 <= options["delay"] <= 3600:
            raise CommandError("--delay must be between 0 and 3600 seconds")
        self._check_account(mode, account, options)
        try:
            state = OsmpClient.for_provider(code).set_fault(
                mode=mode,
                count=options["count"],
                delay=options["delay"],
                account=account,
                hold=options["hold"],
                ttl=options["ttl"],
            )
        except OsmpError as exc:
            raise CommandError(f"{code}: {exc}") from exc
        if account == ACCOUNT_ALL:
            self.stdout.write(f"{code}: per-company faults cleared: {state.get('cleared')}")
            return
        count = state.get("count")
        self.stdout.write(
            f"{code}: fault {state.get('mode')}"
            + (f" for account {account}" if account else "")
            + (f" for the next {count} call(s)" if count else "")
            + (f", delay {state.get('delay')} s" if state.get("delay") else "")
            + (", held until released" if state.get("hold") else "")
            + (f", until {state['expires_at']}" if state.get("expires_at") else "")
        )

    @staticmethod
    def _check_account(mode: str, account: str | None, options: dict) -> None:
        if account is None:
            if options["hold"] or options["ttl"] is not None:
                raise CommandError("--hold and --ttl need --account INN")
            return
        if account == ACCOUNT_ALL:
            if mode != "normal" or options["hold"] or options["ttl"] is not None or options["count"] is not None:
                raise CommandError(
                    f"--account {ACCOUNT_ALL} only clears every per-company fault: use mode normal alone"
                )
            return
        if not ACCOUNT_RE.fullmatch(account):
            raise CommandError(f"--account must be a company INN of 14 digits (or {ACCOUNT_ALL}), not {account!r}")
        if options["hold"] and options["count"] is not None:
            raise CommandError("--hold and --count do not go together: a held fault lasts until released")
        if options["ttl"] is not None and not 1 <= options["ttl"] <= 7 * 24 * 60 * 60:
            raise CommandError("--ttl must be between 1 and 604800 seconds")
        if mode == "normal" and (options["hold"] or options["ttl"] is not None):
            raise CommandError("--hold and --ttl make no sense with mode normal")
