"""What the app API needs from the request/response cycle before and after django-ninja: the language from
Accept-Language only (ru, ky or en; not the website's language cookie, which a browser may send along), and the
one error shape for the 405s that ninja answers in plain text."""

from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

# Loaded when Django builds its handler (the apps are ready by then), so the API's module can be imported here.
from api.api import method_not_allowed

API_PREFIX = "/api/"
LANGUAGES = ("ru", "ky", "en")
DEFAULT_LANGUAGE = "ru"


def api_language(header: str) -> str:
    """The first of ru / ky / en the client accepts, in its order of preference (q values); ru otherwise."""
    for tag, _quality in parse_accept_lang_header(header[:500]):
        language = tag.split("-")[0].lower()
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


class ApiMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        language = api_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = self.get_response(request)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
                response = method_not_allowed(request, response.get("Allow", ""))
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language", "Authorization"))
        return response
