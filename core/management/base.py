"""What every domain command shares: a DomainError becomes a clear message and a non-zero exit."""

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError


class DomainCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
