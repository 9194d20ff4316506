import json

from django.conf import settings
from django.core.management.base import CommandParser

from core.management.base import DomainCommand
from training.classes import (
    TRAINEES_MAX,
    TRAINEES_MIN,
    training_class_create,
    training_class_delete,
    training_class_get,
    training_classes_list,
)
from training.management.actor import ACTOR_HELP, actor_from_options


class Command(DomainCommand):
    help = (
        "Classes of trainees. `create NAME --trainees N` makes the class and N staff users of the «Стажер» role "
        "(<class-slug>-01 …, each with a sandbox block of wallet numbers) and prints their usernames and, in demo "
        "mode, their passwords (shown this once, stored only hashed); `list` shows the classes and trainees; "
        "`delete NAME` deactivates the class's users and removes the class. Audited (CLASS_CREATE / CLASS_DELETE)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{create,list,delete}")
        create = actions.add_parser("create", help="Make a class of N trainees")
        create.add_argument("name", help="The class's name (unique)")
        create.add_argument(
            "--trainees", type=int, required=True, help=f"How many trainees ({TRAINEES_MIN}..{TRAINEES_MAX})"
        )
        create.add_argument("--json", action="store_true", help='{"class": NAME, "trainees": [{username, password}]}')
        listing = actions.add_parser("list", help="The classes and their trainees")
        listing.add_argument("--json", action="store_true", help='[{"class", "trainees": [{username, sandbox}]}]')
        delete = actions.add_parser("delete", help="Deactivate the class's trainees and remove the class")
        delete.add_argument("name", help="The class's name")
        for sub in (create, listing, delete):
            sub.add_argument("--actor", default=None, help=ACTOR_HELP)

    def handle(self, *args, **options):
        getattr(self, f"_{options['action']}")(options)

    def _create(self, options) -> None:
        training_class, made = training_class_create(
            name=options["name"], trainees=options["trainees"], actor=actor_from_options(options)
        )
        shown = settings.DEMO_MODE
        if options["json"]:
            rows = [{"username": row.username, "password": row.password if shown else None} for row in made]
            self.stdout.write(json.dumps({"class": training_class.name, "trainees": rows}, ensure_ascii=False))
            return
        self.stdout.write(f"class {training_class.name!r}: {len(made)} trainee(s)")
        for row in made:
            self.stdout.write(f"  {row.username}\t{row.password}" if shown else f"  {row.username}")
        if not shown:
            self.stdout.write("passwords are printed in demo mode only: set them with `manage.py changepassword`")

    def _list(self, options) -> None:
        classes = list(training_classes_list())
        if options["json"]:
            data = [
                {
                    "class": c.name,
                    "trainees": [{"username": t.user.get_username(), "sandbox": t.sandbox} for t in c.trainees.all()],
                }
                for c in classes
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        if not classes:
            self.stdout.write("no classes")
        for c in classes:
            trainees = c.trainees.all()
            self.stdout.write(f"{c.name} ({len(trainees)} trainee(s), created {c.created_at:%Y-%m-%d %H:%M})")
            for t in trainees:
                self.stdout.write(f"  {t.user.get_username()}\tsandbox {t.sandbox_range}")

    def _delete(self, options) -> None:
        actor = actor_from_options(options)
        training_class = training_class_get(name=options["name"])
        count = training_class.trainees.count()
        training_class_delete(training_class=training_class, actor=actor)
        self.stdout.write(f"class {training_class.name!r} deleted, {count} trainee(s) deactivated")
