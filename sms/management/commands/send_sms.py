import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from sms.outbox import sms_dispatch


class Command(BaseCommand):
    help = (
        "Deliver queued SMS through SMS_BACKEND. Failed deliveries are retried with growing delays; a message is "
        "never sent twice, even with two dispatchers running."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep running and deliver new messages as they come")
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between rounds with --loop (default 1)"
        )

    def handle(self, *args, **options):
        self._stop = False
        if not options["loop"]:
            self._round(options)
            return
        # Only the long-running dispatcher handles SIGTERM (finish the round, then stop); restored afterwards.
        previous = signal.signal(signal.SIGTERM, self._request_stop)
        try:
            while not self._stop:
                self._round(options)
                close_old_connections()
                try:
                    time.sleep(options["interval"])
                except KeyboardInterrupt:
                    return
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _round(self, options) -> None:
        counts = sms_dispatch()
        if any(counts.values()) or not options["loop"]:
            self.stdout.write(f"sms: sent {counts['sent']}, retry later {counts['retry']}, failed {counts['failed']}")

    def _request_stop(self, signum, frame):
        self._stop = True
