"""The `--actor USERNAME` option of the training commands: who is doing it (the audit log names them), the system
when it is not given."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from audit.operations import SYSTEM

ACTOR_HELP = "Username of the staff member doing it (default: system)"


def actor_from_options(options: dict):
    username = options.get("actor")
    if not username:
        return SYSTEM
    actor = get_user_model().objects.filter(username=username).first()
    if actor is None:
        raise CommandError(f"no user {username!r}")
    return actor
