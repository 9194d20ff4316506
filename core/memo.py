"""Process-local copies of rarely changing data (the catalog, system ledger accounts), checked against a small token
in the shared cache: reading the catalog on every request then costs one cache get of a few bytes, not unpickling
the whole catalog, and an invalidation anywhere (a new token) makes every process rebuild its copy.

With the default local-memory cache each process has its own tokens, so an admin's edit in one process is seen by
the others only when their token expires: MEMO_LOCAL_CACHE_SECONDS (30 s). With CACHE_URL (Redis) the token is
shared and an edit shows everywhere on the next request."""

import secrets
import threading
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache

T = TypeVar("T")
_copies: dict[str, tuple[str, object]] = {}
_lock = threading.Lock()


def _token_timeout() -> int | None:
    shared = "locmem" not in settings.CACHES["default"]["BACKEND"].lower()
    return None if shared else settings.MEMO_LOCAL_CACHE_SECONDS


def memo_get(key: str, build: Callable[[], T]) -> T:
    token = cache.get(key)
    copy = _copies.get(key)
    if token is not None and copy is not None and copy[0] == token:
        return copy[1]  # type: ignore[return-value]
    value = build()
    if token is None:
        cache.add(key, secrets.token_hex(8), timeout=_token_timeout())
        token = cache.get(key)
    with _lock:
        _copies[key] = (token, value)
    return value


def memo_invalidate(key: str) -> None:
    cache.delete(key)
