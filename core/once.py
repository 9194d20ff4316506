"""One-time tokens claimed atomically: the database's unique key decides which of several simultaneous requests
holding the same token acts (a session, read by each request before either writes it back, cannot)."""

from django.db import IntegrityError, transaction

from core.models import OnceClaim


def once_claim(key: str) -> bool:
    """True for the first claim of `key`, False for every other, concurrent or later."""
    try:
        with transaction.atomic():
            OnceClaim.objects.create(key=key)
    except IntegrityError:
        return False
    return True
