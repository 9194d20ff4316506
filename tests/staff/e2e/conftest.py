"""Headless Chromium against the live server: the browser fixtures of tests/conftest.py and tests/cabinet/e2e."""

from pathlib import Path

import pytest

from tests.cabinet.e2e.conftest import make_page  # noqa: F401  (a page per context; console errors fail the test)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "e2e" / "screenshots" / "staff"


@pytest.fixture
def shot(request):
    """shot(page, "01-search") saves tests/e2e/screenshots/staff/<test>/01-search.png (git-ignored)."""
    folder = SCREENSHOTS / request.node.name
    folder.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return save
