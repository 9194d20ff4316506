"""Attempt limits that hold under concurrency and across processes: counters in the database, each attempt
taken by one atomic statement before the work it guards (a password check, a code comparison, a look-up), so
ten simultaneous guesses against a limit of three get three through, not ten.

    if not throttle_take(key=f"signin:{phone}", limit=5, window=timedelta(minutes=15)):
        ... refuse ...
"""

from datetime import timedelta

from django.db import connection
from django.db.models import F
from django.utils import timezone

from core.models import Throttle

# One statement (PostgreSQL and SQLite >= 3.35 both have upserts with RETURNING): the first attempt inserts the
# row; a later one counts up if the window still has room, or starts a new window if the old one is over; a full
# window leaves the row alone and returns nothing.
TAKE_SQL = f"""
INSERT INTO {Throttle._meta.db_table} (key, hits, window_started_at) VALUES (%s, 1, %s)
ON CONFLICT (key) DO UPDATE SET
    hits = CASE WHEN {Throttle._meta.db_table}.window_started_at < %s THEN 1
                ELSE {Throttle._meta.db_table}.hits + 1 END,
    window_started_at = CASE WHEN {Throttle._meta.db_table}.window_started_at < %s THEN excluded.window_started_at
                             ELSE {Throttle._meta.db_table}.window_started_at END
WHERE {Throttle._meta.db_table}.window_started_at < %s OR {Throttle._meta.db_table}.hits < %s
RETURNING hits
"""


def throttle_take(*, key: str, limit: int, window: timedelta) -> bool:
    """Count one attempt under `key` if fewer than `limit` were made in the current window (which starts at the
    first attempt and lasts `window`). False: the limit is reached and nothing was counted."""
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    cutoff = adapt(now - window)
    with connection.cursor() as cursor:
        cursor.execute(TAKE_SQL, [key, adapt(now), cutoff, cutoff, cutoff, limit])
        return cursor.fetchone() is not None


def throttle_blocked(*, key: str, limit: int, window: timedelta) -> bool:
    """Whether the next attempt would be refused (reads only)."""
    return Throttle.objects.filter(key=key, hits__gte=limit, window_started_at__gte=timezone.now() - window).exists()


def throttle_give_back(*, key: str) -> None:
    """An attempt that turned out fine does not count (a successful sign-in among failures)."""
    Throttle.objects.filter(key=key, hits__gt=0).update(hits=F("hits") - 1)


def throttle_reset(*, key: str) -> None:
    Throttle.objects.filter(key=key).delete()
