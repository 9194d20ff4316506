"""A phone-sized Chromium (390x844) with service workers allowed, against pytest-django's live_server."""

from urllib.parse import urlsplit

import pytest

PHONE = {"width": 390, "height": 844}
# What the browser logs on purpose here: the loads of a page opened offline, an answer the test cuts off, the 400
# of a wrong PIN, and the 404 of /auth/token that tells a holder who proved the number that it has no wallet yet
# (issue 18; matched with the address the browser logs it at, so that no other 404 passes).
EXPECTED_ERRORS = (
    "ERR_INTERNET_DISCONNECTED",
    "ERR_CONNECTION_RESET",
    "Failed to fetch",
    "status of 400",
    "status of 404 (Not Found) at /api/v1/auth/token",
    "status of 422 (Unprocessable Entity) at /api/v1/auth/token",  # the fields test's own refusal (issue 19)
)


def _logged(message) -> str:
    path = urlsplit(message.location.get("url") or "").path
    return f"{message.text} at {path}" if path else message.text


@pytest.fixture
def phone(browser):
    """(context, page) of a phone-sized browser in Russian. Console errors (a CSP violation, a script error)
    fail the test, except EXPECTED_ERRORS."""
    contexts = []
    errors: list[str] = []

    def make(locale: str = "ru-RU"):
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale=locale, service_workers="allow"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: errors.append(_logged(message)) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return context, page

    yield make
    for context in contexts:
        context.close()
    unexpected = [error for error in errors if not any(expected in error for expected in EXPECTED_ERRORS)]
    assert unexpected == [], unexpected
