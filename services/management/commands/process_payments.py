import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from services.bulkhead import worker_patience
from services.models import Payment, PaymentStatus
from services.payments import payment_attempt

BATCH = 100


class Command(BaseCommand):
    help = (
        "Finish payments in progress (RESERVED): ask the provider again with the same transaction id, with growing "
        "delays between attempts, and commit, refund or wait again by its answer; after DOSTEK_GIVE_UP_AFTER the "
        "money goes back to the wallet. Several of these (and the task worker) may run at once: each payment is "
        "claimed by one at a time. Also the sweeper for retries whose task was lost."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="Try every payment in progress now, ignoring the schedule (for trainers and tests)",
        )
        parser.add_argument("--loop", action="store_true", help="Keep going until stopped (Ctrl+C or SIGTERM)")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between rounds with --loop (5)")

    def handle(self, *args, **options):
        if options["interval"] <= 0:
            self.stderr.write("--interval must be a positive number of seconds")
            raise SystemExit(2)
        self._stop = False
        if not options["loop"]:
            self._round(options)
            return
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
        due = Payment.objects.filter(status=PaymentStatus.RESERVED)
        if not options["all"]:
            due = due.filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
        done = {"committed": 0, "aborted": 0, "reserved": 0, "skipped": 0}
        for payment_id in ids:
            with worker_patience():  # a sweeper, not a request: the provider's full timeout
                payment = payment_attempt(payment_id=payment_id, ignore_schedule=options["all"])
            if payment is None:
                done["skipped"] += 1
                continue
            done[payment.status if payment.status in done else "reserved"] += 1
            self.stdout.write(f"payment {payment.code}: {payment.status}", ending="\n")
        if ids or not options["loop"]:
            left = Payment.objects.filter(status=PaymentStatus.RESERVED).count()
            self.stdout.write(
                f"payments: {done['committed']} committed, {done['aborted']} refunded, {done['reserved']} still "
                f"waiting for the provider, {done['skipped']} left to another worker; {left} in progress"
            )

    def _request_stop(self, signum, frame):
        self._stop = True
