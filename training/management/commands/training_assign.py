import json

from django.core.management.base import CommandError, CommandParser

from core.management.base import DomainCommand
from training.assignments import assigned_broken, training_assign
from training.classes import training_class_get
from training.management.actor import actor_from_options
from training.models import Trainee
from training.scenarios import SCENARIOS


class Command(DomainCommand):
    help = (
        "Assign a training case to every trainee of a class (or one): each gets it staged in their own sandbox — a "
        "customer wallet of their number block and, for the cases that pay DosTek group, the customer's own company "
        "at СОЧИ with its own faults. Prints the runs (run, trainee, customer_phone); audited (RUN_ASSIGN). "
        "Exits non-zero when the class, scenario or trainee is unknown, СОЧИ is needed and not reachable, or a case "
        "could not be staged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--class", dest="class_name", required=True, help="The class's name")
        parser.add_argument("--scenario", required=True, help=f"The case: {', '.join(SCENARIOS)}", metavar="SLUG")
        parser.add_argument("--variant", default="", help="The scenario's variant (web-registration: expired ...)")
        parser.add_argument("--trainee", default=None, metavar="USERNAME", help="Only this trainee of the class")
        parser.add_argument("--actor", default=None, help="Username of the trainer assigning (default: system)")
        parser.add_argument("--json", action="store_true", help='[{"run", "trainee", "customer_phone"}]')

    def handle(self, *args, **options):
        if options["scenario"] not in SCENARIOS:
            raise CommandError(f"unknown scenario {options['scenario']!r}: one of {', '.join(SCENARIOS)}")
        training_class = training_class_get(name=options["class_name"])
        trainee = None
        if options["trainee"]:
            trainee = Trainee.objects.select_related("user").filter(user__username=options["trainee"]).first()
            if trainee is None:
                raise CommandError(f"no trainee {options['trainee']!r}")
        runs = training_assign(
            training_class=training_class,
            scenario=options["scenario"],
            trainee=trainee,
            actor=actor_from_options(options),
            variant=options["variant"],
        )
        rows = [
            {"run": run.pk, "trainee": run.trainee.user.get_username(), "customer_phone": run.wallet.phone}
            for run in runs
            if run.trainee is not None
        ]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
        else:
            self.stdout.write(f"{'run':>6}  {'trainee':<20} {'customer_phone':<14} status")
            for run, row in zip(runs, rows, strict=True):
                self.stdout.write(
                    f"{row['run']:>6}  {row['trainee']:<20} {row['customer_phone']:<14} {run.get_status_display()}"
                )
        failed = assigned_broken(runs)
        if failed is not None:
            raise CommandError(str(failed))
