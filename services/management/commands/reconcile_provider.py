import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from services.models import Provider
from services.osmp import OsmpError
from services.reconciliation import reconcile


class Command(BaseCommand):
    help = (
        "Compare a day's payments to a provider (ours: committed, in progress, refunded) with what the provider "
        "credited (its daily report over the protocol). Prints each payment's class and each mismatch; exits 0 only "
        "when everything matches, 1 when something needs attention, 2 when the provider's report cannot be had."
    )

    def add_arguments(self, parser):
        parser.add_argument("provider", help="provider code, e.g. dostek")
        parser.add_argument("--date", help="YYYY-MM-DD, a Bishkek calendar day (default: today)")
        parser.add_argument("--json", action="store_true", help="one JSON document instead of lines")

    def handle(self, *args, **options):
        code = options["provider"]
        if not Provider.objects.filter(code=code).exists():
            raise CommandError(f"unknown provider {code!r}")
        try:
            day = date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: {options['date']!r} is not a date like 2026-12-01") from exc
        try:
            result = reconcile(provider_code=code, day=day)
        except OsmpError as exc:
            raise CommandError(f"{code}: the provider's report is not available: {exc}", returncode=2) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            for line in result.lines:
                self.stdout.write(
                    f"{line.match:<34} {line.txn_id:<12} {line.status:<9} {line.account:<14} {line.amount:>10}"
                    f"  {line.explanation}"
                )
            counts = ", ".join(f"{name} {n}" for name, n in sorted(result.counts().items())) or "no payments"
            self.stdout.write(f"{code} {day}: {'all match' if result.consistent else 'MISMATCH'} ({counts})")
        if not result.consistent:
            raise SystemExit(1)
