"""Idle (15 minutes) and absolute (12 hours) limits of a signed-in session.

Django's session expiry moves forward with every save, so it cannot enforce an absolute limit by itself: the
time of sign-in and of the last request are kept in the session and checked on every request."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext_lazy as _

from cabinet.session import AUTH_AT_KEY, LAST_SEEN_KEY

LAST_SEEN_RESOLUTION_SECONDS = 60
MSG_SESSION_EXPIRED = _("Сеанс завершен из-за неактивности или по времени. Войдите снова.")


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            auth_at = session.get(AUTH_AT_KEY)
            last_seen = session.get(LAST_SEEN_KEY)
            if auth_at is None:
                session[AUTH_AT_KEY] = auth_at = now
            idle = last_seen is not None and now - last_seen > settings.SESSION_IDLE_TIMEOUT_SECONDS
            too_old = now - auth_at > settings.SESSION_COOKIE_AGE
            if idle or too_old:
                logout(request)
                messages.info(request, MSG_SESSION_EXPIRED)
            elif last_seen is None or now - last_seen >= LAST_SEEN_RESOLUTION_SECONDS:
                # Not on every request: each change rewrites the session row. A minute's resolution is plenty
                # for a 15-minute idle limit.
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)
