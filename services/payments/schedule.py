"""When the worker next looks at a payment in progress. Not in retry.py, which runs the attempts: the reserve and
the defer step (lifecycle.py) stamp these times, and retry.py imports lifecycle.py, not the other way round."""

from datetime import timedelta
from typing import Any

from django.conf import settings

from services.models import Service


def first_retry_delay(service: Service) -> timedelta:
    """The worker leaves a new payment alone while the request that made it may still be waiting for the provider
    (its timeouts), and a little longer."""
    endpoint: dict[str, Any] = settings.OSMP_ENDPOINTS.get(service.provider.code, {})
    waited = endpoint.get("TIMEOUT", 0) + endpoint.get("CONNECT_TIMEOUT", 0)
    return timedelta(seconds=waited + settings.PAYMENT_RETRY_BASE_SECONDS)


def retry_delay(attempts: int) -> timedelta:
    """10 s, 20 s, 40 s ... up to an hour between attempts (attempts = calls made so far)."""
    seconds = settings.PAYMENT_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.PAYMENT_RETRY_MAX_SECONDS))
