import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from minimal.models import Balance


class Command(BaseCommand):
    help = "Create COUNT balance rows holding --amount tyiyn each; print their ids as a JSON list."

    def add_arguments(self, parser):
        parser.add_argument("count", type=int, help="How many balance rows (one per bench connection)")
        parser.add_argument("--amount", type=int, required=True, help="Tyiyn on each row")

    def handle(self, *args, **options):
        if options["count"] < 1 or options["amount"] < 0:
            raise CommandError("count must be >= 1 and --amount >= 0")
        with transaction.atomic():
            ids = [Balance.objects.create(amount=options["amount"]).pk for _ in range(options["count"])]
        self.stdout.write(json.dumps(ids))
