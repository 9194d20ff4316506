"""The app client's shell (/app/), its service worker (/app/sw.js, so that its scope is /app/), the web app
manifest and the UI strings' catalogue. The screens themselves are plain JS modules under static/app/ that talk
to the JSON API (/api/v1/); nothing here reads or changes a wallet."""

import hashlib
import json

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_safe

from appclient.strings import APP_STRINGS
from wallet.models import Language

APP_MODULES = ["app/main.js", "app/api.js", "app/dom.js", "app/i18n.js", "app/screens.js"]
APP_FILES = [
    *APP_MODULES,
    "app/app.css",
    "app/icons/icon-192.png",
    "app/icons/icon-512.png",
    "vendor/bootstrap/css/bootstrap.min.css",
    "img/elsom-mark.svg",
]
CATALOGUE_MAX_AGE = 300  # the same for everyone (no personal data); short, so a deploy shows soon


def _precache() -> list[str]:
    """What the service worker keeps for offline use: the shell, the catalogues and our own static files, under
    the URL the shell links (hashed by the manifest storage) and the plain one (how modules import each other)."""
    urls = [reverse("appclient:shell")]
    urls += [reverse("appclient:catalogue", kwargs={"language": code}) for code in Language.values]
    for name in APP_FILES:
        urls += [static(name), _static_prefix() + name]
    return list(dict.fromkeys(urls))


def _static_prefix() -> str:
    return "/" + settings.STATIC_URL.strip("/") + "/"


@require_safe
def shell(request):
    context = {
        "simulator_url": reverse("simulator:phone") if settings.DEMO_MODE else "",
        "languages": Language.choices,
        "call_centre": settings.CALL_CENTRE_PHONE,
    }
    return render(request, "app/shell.html", context)


@require_safe
def service_worker(request):
    precache = _precache()
    config = {
        # A new version whenever the list changes (hashed names included): the old cache goes.
        "version": hashlib.sha256(json.dumps(precache).encode()).hexdigest()[:12],
        "shell": reverse("appclient:shell"),
        "static": _static_prefix(),
        "catalogues": reverse("appclient:catalogue", kwargs={"language": Language.RU}).rsplit("/", 1)[0] + "/",
        "precache": precache,
    }
    response = render(request, "app/sw.js", {"config": json.dumps(config)}, content_type="text/javascript")
    response["Service-Worker-Allowed"] = reverse("appclient:shell")
    patch_cache_control(response, no_cache=True)  # the browser checks for a new worker on every visit
    return response


@require_safe
def manifest(request):
    data = {
        "name": "ЭЛСОМ",
        "short_name": "ЭЛСОМ",
        "id": reverse("appclient:shell"),
        "start_url": reverse("appclient:shell"),
        "scope": reverse("appclient:shell"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f6f8f7",
        "theme_color": "#00995d",
        "lang": "ru",
        "icons": [
            {
                "src": static(f"app/icons/icon-{side}.png"),
                "sizes": f"{side}x{side}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for side in (192, 512)
        ],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=CATALOGUE_MAX_AGE)
    return response


@require_safe
def catalogue(request, language):
    """The app's UI strings in one language, {msgid: text}, from the same locale/*.po as the pages."""
    if language not in Language.values:
        raise Http404
    with translation.override(language):
        messages = {msgid: translation.gettext(msgid) for msgid in APP_STRINGS}
    response = JsonResponse({"language": language, "messages": messages}, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=CATALOGUE_MAX_AGE)
    return response
