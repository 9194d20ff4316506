from core.management.base import DomainCommand
from training.management.actor import ACTOR_HELP, actor_from_options
from training.reset import training_reset


class Command(DomainCommand):
    help = (
        "Put the demo data back as seed_demo made it: the seed's wallets with their balances (by new postings: the "
        "ledger is append-only), statuses, PIN and web passwords; wallets opened in training brought to zero and "
        "blocked; SMS and СОЧИ faults lifted, payments in progress asked about once more, pending refunds rejected, "
        "failed SMS queued again; one-time codes, USSD sessions, holders' web sessions and attempt counters deleted. "
        "check_ledger stays clean. DEMO_MODE or DEBUG only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reason", default="", help="Why (written to the audit log with the reset)")
        parser.add_argument("--actor", default=None, help=ACTOR_HELP)

    def handle(self, *args, **options):
        actor = actor_from_options(options)
        report = training_reset(actor=actor, reason=options["reason"])
        for line in report.done:
            self.stdout.write(f"  {line}")
        for line in report.warnings:
            self.stderr.write(f"  warning: {line}")
        self.stdout.write(report.seed_table)
        self.stdout.write(f"training_reset: done ({len(report.warnings)} warning(s))")
