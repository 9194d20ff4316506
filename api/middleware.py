"""What the app API needs from the request/response cycle before and after django-ninja: the language from
Accept-Language only (ru, ky or en; not the website's language cookie, which a browser may send along), and the
one error shape for the 405s that ninja answers in plain text.

Also, for every path, a body over DATA_UPLOAD_MAX_MEMORY_SIZE is answered 413 here: this middleware stands before
the first that reads a body (CSRF reads a form's), and Django raises RequestDataTooBig only once the body is read,
from wherever that happens (a 400 page from a form's middleware, a 500 from ninja's catch-all)."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

# Loaded when Django builds its handler (the apps are ready by then), so the API's module can be imported here.
from api.api import method_not_allowed, request_too_large

API_PREFIX = "/api/"
LANGUAGES = ("ru", "ky", "en")
DEFAULT_LANGUAGE = "ru"
WALLET_URLCONF = "elsom_portal.urls"


def api_language(header: str) -> str:
    """The first of ru / ky / en the client accepts, in its order of preference (q values); ru otherwise."""
    for tag, _quality in parse_accept_lang_header(header[:500]):
        language = tag.split("-")[0].lower()
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def body_too_large(request) -> bool:
    """Whether Django would refuse the body once read: the same test as HttpRequest.body's, on the declared length
    (a server never hands over more than Content-Length)."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is not None and length > limit


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            # The wallet's pages only: СОЧИ's views, which the test suite reaches through this same stack with
            # sochi_site.urls, answer an oversized body in their own protocol (OSMP result 300).
            if body_too_large(request) and settings.ROOT_URLCONF == WALLET_URLCONF:
                return render(request, "413.html", status=413)
            return self.get_response(request)
        language = api_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = request_too_large(request) if body_too_large(request) else self.get_response(request)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
                response = method_not_allowed(request, response.get("Allow", ""))
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        return response
