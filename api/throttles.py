"""The app channel's attempt limits (core/throttle.py: counted in the database before the work they guard), as
429 errors with the seconds to wait. The payment limit is a setting (API_PAY_PER_MINUTE): a load test lifts it."""

import math
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from api.errors import MSG_THROTTLED, Throttled
from core.models import Throttle
from core.throttle import throttle_take

# name -> (limit, window seconds); settings.API_THROTTLES overrides single entries.
DEFAULT_LIMITS = {
    "code-request-address": (30, 600),  # /auth/code per client address: each one sends an SMS (to any number)
    # Code guesses per number AND address, over all the number's challenges, spent only on a guess at a live code
    # (api/signin.py). Keyed by the number alone, a stranger's ten guesses locked the holder out of the app for an
    # hour; keyed by both, a stranger spends only their own budget.
    "code-check-phone": (10, 3600),
    "code-check-address": (100, 3600),
}


def _limit(name: str) -> tuple[int, timedelta]:
    if name == "pay-token":  # payments per device token
        return settings.API_PAY_PER_MINUTE, timedelta(minutes=1)
    if name == "pay-wallet":  # payments per wallet, over all its devices
        return 2 * settings.API_PAY_PER_MINUTE, timedelta(minutes=1)
    limit, seconds = DEFAULT_LIMITS[name]
    return limit, timedelta(seconds=seconds)


def api_throttle(name: str, subject: str) -> None:
    """Count one attempt of `name` for `subject` (a number, an address, a token id); raise Throttled (429) with
    the seconds until the window ends when the limit is reached."""
    limit, window = _limit(name)
    key = f"api:{name}:{subject}"
    if throttle_take(key=key, limit=limit, window=window):
        return
    started = Throttle.objects.filter(key=key).values_list("window_started_at", flat=True).first()
    wait = window.total_seconds() if started is None else (started + window - timezone.now()).total_seconds()
    retry_after = max(1, math.ceil(wait))
    raise Throttled(MSG_THROTTLED, retry_after=retry_after)
