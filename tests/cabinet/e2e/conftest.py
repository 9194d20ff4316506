"""Headless Debian Chromium through Playwright for Python, against pytest-django's live_server."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Git-ignored (/tests/e2e/screenshots/ in .gitignore); kept as training material.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "e2e" / "screenshots" / "cabinet"


@pytest.fixture
def browser(monkeypatch, _catalog):
    """One browser per test, started after the test's database set-up and stopped at its end: while Playwright's
    sync API runs, this thread has a running event loop and Django keeps connections per async context, so a
    browser outliving the test would hand later tests other connections (and break their set-up)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # The test calls the ORM between page steps, inside Playwright's loop. Only for these tests: set for the
    # whole session it would reach subprocesses (`manage.py check --deploy` refuses it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            connections.close_all()
            browser.close()


@pytest.fixture
def make_page(browser):
    """A page in a fresh context (ru-RU: Chromium would otherwise ask for English). Console errors, such as a
    Content-Security-Policy violation, fail the test."""
    contexts = []
    errors: list[str] = []

    def make(*, width: int = 1280, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="ru-RU")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return page

    yield make
    for context in contexts:
        context.close()
    # 429 of the lockout page is expected; the browser logs it as a failed resource load.
    unexpected = [error for error in errors if "429" not in error]
    assert unexpected == [], unexpected


@pytest.fixture
def shot(request):
    """shot(page, "01-entry") saves tests/e2e/screenshots/cabinet/<test>/01-entry.png."""
    folder = SCREENSHOTS / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return save


@pytest.fixture
def _catalog(live_server):
    """The catalog (DosTek group etc.) comes from a data migration, which a transactional test's flush deletes.
    serialized_rollback restores it; should that copy be missing (another browser test left a connection of its
    own behind), the migration's own seed function puts the catalog back."""
    import importlib

    from django.apps import apps

    from services.models import Service

    if not Service.objects.filter(slug="dostek").exists():
        importlib.import_module("services.migrations.0002_seed_catalog").seed(apps, None)
