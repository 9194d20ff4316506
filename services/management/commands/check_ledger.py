from django.core.management.base import BaseCommand, CommandError

from core.money import format_som
from services.verify import books_summary, books_violations


class Command(BaseCommand):
    help = (
        "Verify every ledger invariant: balances sum to zero; each cached balance equals credits minus debits; "
        "no wallet below zero; each committed payment has exactly one transfer set and one SMS; no idempotency "
        "key used twice. Exit 0 with a one-line summary when all hold, 1 with the violations otherwise."
    )

    def handle(self, *args, **options):
        violations = books_violations()
        if violations:
            for violation in violations:
                self.stderr.write(f"VIOLATION: {violation}")
            raise CommandError(f"{len(violations)} ledger invariant violation(s)", returncode=1)
        s = books_summary()
        self.stdout.write(
            f"ledger OK: {s['accounts']} accounts, {s['postings']} postings, {s['transfers']} transfers, "
            f"{s['payments']} committed payments, wallets hold {format_som(s['wallet_total'])} som"
        )
