"""Headless Debian Chromium through Playwright for Python, against pytest-django's live_server."""

from pathlib import Path

import pytest

# Git-ignored (/tests/e2e/screenshots/ in .gitignore); kept as training material.
SCREENSHOTS = Path(__file__).resolve().parents[2] / "e2e" / "screenshots" / "cabinet"


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
