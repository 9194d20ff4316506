"""The language of the portal's pages (the cabinet, the staff console, the phone simulator).

elsom.kg speaks Russian unless the visitor picks another language. Django's LocaleMiddleware would follow the
browser's Accept-Language to English, and most computers and phones in Kyrgyzstan send en-US whatever their user
reads: the whole site, and the SMS of a wallet opened there (the wallet keeps the page's language), would turn
English. So the browser may only choose between the two languages of the country, and English comes only from the
switcher (Django's set_language, remembered in its cookie). The app's API answers in the language the app sends
(api.middleware), which is the holder's choice in the app, and USSD in the wallet's."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation.trans_real import parse_accept_lang_header

DEFAULT_LANGUAGE = "ru"
# What a browser's Accept-Language may choose on its own. Its first one of these wins (ky-KG before ru: Kyrgyz).
BROWSER_LANGUAGES = ("ru", "ky")
ACCEPT_LANGUAGE_MAX_CHARS = 500  # a header longer than any browser's is read no further


def browser_language(header: str) -> str:
    """The first of Russian and Kyrgyz in the browser's order of preference (q values); Russian otherwise."""
    for tag, _quality in parse_accept_lang_header(header[:ACCEPT_LANGUAGE_MAX_CHARS]):
        language = tag.split("-")[0].lower()
        if language in BROWSER_LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


def chosen_language(request) -> str | None:
    """The language picked with the switcher (set_language's cookie), if it is one of the site's."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if not chosen:
        return None
    try:
        return translation.get_supported_language_variant(chosen)
    except LookupError:
        return None


def page_language(request) -> str:
    return chosen_language(request) or browser_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))


class PortalLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware with the portal's rule for which language a request gets (page_language); its response
    side (Content-Language, Vary: Accept-Language) unchanged. The site has no language prefixes in its URLs."""

    def process_request(self, request):
        translation.activate(page_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        # The cookie chooses too: a shared cache must not give one visitor's English page to another.
        patch_vary_headers(response, ("Cookie",))
        return response
