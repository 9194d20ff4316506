"""What every СОЧИ command shares: a domain error becomes a clear message and a non-zero exit."""

from django.core.management.base import BaseCommand, CommandError

from sochi.errors import SochiError


class SochiCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except SochiError as exc:
            raise CommandError(str(exc)) from exc
