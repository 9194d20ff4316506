"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright against pytest-django's live server."""

from pathlib import Path

import pytest

SCREENSHOTS = Path(__file__).resolve().parents[2] / "e2e" / "screenshots" / "ussd"


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
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
