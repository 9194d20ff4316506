"""The app client's server side: the shell at /app/, its service worker (scope /app/), the manifest and icons,
and the UI catalogues built from locale/*.po."""

import json
import re
import struct
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

from appclient.strings import APP_STRINGS

ROOT = Path(settings.BASE_DIR)
APP_JS = sorted((ROOT / "static" / "app").glob("*.js"))


def test_the_shell_links_the_manifest_and_the_module_and_has_no_inline_script(client):
    response = client.get("/app/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<link rel="manifest" href="/app/manifest.webmanifest">' in html
    assert re.search(r'<script type="module" src="/static/app/main\.js"></script>', html)
    # CSP script-src 'self': every script is a file
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert 'data-api="/api/v1/"' in html


def test_the_shell_links_the_phone_simulator_only_in_demo_mode(client, settings):
    settings.DEMO_MODE = True
    assert 'data-simulator="/demo/phone/"' in client.get("/app/").content.decode()
    settings.DEMO_MODE = False
    assert 'data-simulator=""' in client.get("/app/").content.decode()


def test_the_service_worker_is_served_from_app_so_its_scope_is_the_app(client):
    response = client.get("/app/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/app/"
    assert "no-cache" in response["Cache-Control"]
    config = json.loads(re.search(r"const CONFIG = (\{.*\});", response.content.decode()).group(1))
    assert config["shell"] == "/app/"
    # the shell, the catalogues and our own static files, nothing of the API
    for url in [
        "/app/",
        "/app/i18n/ky.json",
        "/static/app/main.js",
        "/static/app/screens.js",
        "/static/app/app.css",
        "/static/app/icons/icon-192.png",
        "/static/vendor/bootstrap/css/bootstrap.min.css",
    ]:
        assert url in config["precache"], url
    assert not [url for url in config["precache"] if url.startswith("/api/") or "://" in url]
    for url in config["precache"]:
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url  # cache.addAll fails on any missing file


def test_every_module_the_app_imports_is_precached(client):
    body = client.get("/app/sw.js").content.decode()
    imported = []
    for path in APP_JS:
        text = path.read_text()
        found = re.findall(r'from "\./([\w.]+\.js)"', text)
        # the regex reads every import statement of the module (another syntax would leave it out unchecked)
        assert len(found) == len(re.findall(r"^import\b", text, re.MULTILINE)), (path.name, found)
        imported += found
    assert "main.js" in {path.name for path in APP_JS} and imported, "no module or no import found in static/app"
    for name in imported:
        assert f'"/static/app/{name}"' in body, name


def test_the_manifest_makes_it_installable(client):
    response = client.get("/app/manifest.webmanifest")
    data = json.loads(response.content)
    assert response["Content-Type"] == "application/manifest+json"
    assert (data["start_url"], data["scope"], data["display"]) == ("/app/", "/app/", "standalone")
    sizes = {icon["sizes"] for icon in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        png = Path(finders.find(icon["src"].removeprefix("/static/"))).read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png[16:24])
        assert f"{width}x{height}" == icon["sizes"]


def test_the_icons_are_what_the_generator_draws():
    from appclient.icons import FOLDER, png

    for side in (192, 512):
        assert (FOLDER / f"icon-{side}.png").read_bytes() == png(side)


@pytest.mark.parametrize("language,text", [("ru", "Получить код"), ("ky", "Код алуу"), ("en", "Get a code")])
def test_the_catalogue_speaks_each_language(client, language, text):
    response = client.get(reverse("appclient:catalogue", kwargs={"language": language}))
    data = response.json()
    assert data["language"] == language
    assert data["messages"]["Получить код"] == text
    assert set(data["messages"]) == set(APP_STRINGS)


def test_an_unknown_language_is_404(client):
    assert client.get("/app/i18n/xx.json").status_code == 404
    assert client.get("/app/i18n/ru%00.json").status_code == 404


def test_every_string_of_the_js_is_in_the_catalogue_and_translated():
    used = set()
    for path in APP_JS:
        used |= set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', path.read_text()))
    assert used - set(APP_STRINGS) == set()
    assert set(APP_STRINGS) - used == set()  # none left over
    for language in ("ky", "en"):
        catalogue = {e.msgid: e for e in polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))}
        missing = [m for m in APP_STRINGS if m not in catalogue or not catalogue[m].msgstr or catalogue[m].fuzzy]
        assert missing == [], (language, missing)


def test_no_cdn_in_the_app():
    for path in [*APP_JS, ROOT / "static" / "app" / "app.css", ROOT / "templates" / "app" / "shell.html"]:
        assert not re.search(r"https?://", path.read_text()), path
