from django.core.management.base import BaseCommand, CommandError

from sochi.models import BalanceEntry, Company, Payment
from sochi.payments import balance_verify


class Command(BaseCommand):
    help = "Check that every company's cached balance equals credits - debits over its entries (exit 0 when so)."

    def handle(self, *args, **options):
        problems = balance_verify()
        if problems:
            raise CommandError("balances disagree with their entries:\n" + "\n".join(problems))
        self.stdout.write(
            f"sochi OK: {Company.objects.count()} companies, {Payment.objects.count()} payments, "
            f"{BalanceEntry.objects.count()} balance entries; every balance = credits - debits"
        )
