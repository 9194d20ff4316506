"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server."""

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
SCREENSHOTS = Path(__file__).resolve().parents[2] / "e2e" / "screenshots" / "ussd"


@pytest.fixture
def chromium(monkeypatch):
    """A browser per test, started after the test's database set-up. While Playwright's sync API runs, this
    thread has a running event loop, and Django then keeps database connections per async context instead of
    per thread: a session-wide browser would make later tests set up (and restore the serialized catalog on)
    a connection they never use."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test still calls the ORM between page steps.
    # Set for these tests only: in the whole session it would reach subprocesses (`manage.py check --deploy`
    # warns about it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            connections.close_all()  # the connections the test opened inside Playwright's loop
            browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert errors == [], f"browser errors: {errors}"


@pytest.fixture
def shot(request, page):
    """shot("name") saves a screenshot of the page under tests/e2e/screenshots/ussd/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 1000))

    def save(name: str) -> None:
        page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}-{next(counter):02d}-{name}.png"), full_page=True)

    return save
