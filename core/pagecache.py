"""Pages that are the same for every new visitor, rendered once per process and language.

The wallet's entry page is the first request of every web session (and of every scripted attack on it): for a
visitor who has no cookie of ours yet it is the same page for everyone, except for the CSRF token in its forms.
The decorator renders it once per language, keeps it in a process-local copy (core.memo: rebuilt when the shared
token changes or after MEMO_LOCAL_CACHE_SECONDS) with the token replaced by a marker, and serves each new visitor
the copy with a token of their own. Anyone with a session or pending messages, any query string and any method but
GET gets the view itself."""

import re
from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.translation import get_language

from core.memo import memo_get

TOKEN_MARKER = "\x00csrf-token\x00"  # a NUL never occurs in a page rendered from our templates without input
_TOKEN_VALUE = re.compile(r'(name="csrfmiddlewaretoken" value=")([^"]+)(")')
MESSAGES_COOKIE = "messages"  # django.contrib.messages' CookieStorage


def _new_visitor(request) -> bool:
    cookies = request.COOKIES
    return (
        request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in cookies
        and MESSAGES_COOKIE not in cookies
        and not request.user.is_authenticated
    )


def same_page_for_new_visitors(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _new_visitor(request):
            return view(request, *args, **kwargs)
        key = f"page:{view.__module__}.{view.__qualname__}:{get_language()}"
        rendered: list[HttpResponse] = []

        def build() -> tuple[str, str] | None:
            response = view(request, *args, **kwargs)
            rendered.append(response)
            if response.status_code != 200 or response.streaming or response.cookies:
                return None  # not a page to share
            html = _TOKEN_VALUE.sub(rf"\g<1>{TOKEN_MARKER}\g<3>", response.content.decode(response.charset))
            return html, response["Content-Type"]

        copy = memo_get(key, build)
        if rendered:  # this request built the copy: its own response is already a complete answer
            return rendered[0]
        if copy is None:
            return view(request, *args, **kwargs)
        html, content_type = copy
        return HttpResponse(html.replace(TOKEN_MARKER, get_token(request)), content_type=content_type)

    return wrapper
