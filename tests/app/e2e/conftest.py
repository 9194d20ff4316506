"""A phone-sized Chromium (390x844) with service workers allowed, against pytest-django's live_server."""

import pytest

PHONE = {"width": 390, "height": 844}
# What the browser logs on purpose here: the loads of a page opened offline, an answer the test cuts off, and the
# 400 of a wrong PIN.
EXPECTED_ERRORS = ("ERR_INTERNET_DISCONNECTED", "ERR_CONNECTION_RESET", "Failed to fetch", "status of 400")


@pytest.fixture
def phone(browser):
    """(context, page) of a phone-sized browser in Russian. Console errors (a CSP violation, a script error)
    fail the test, except EXPECTED_ERRORS."""
    contexts = []
    errors: list[str] = []

    def make():
        context = browser.new_context(
            viewport=PHONE, is_mobile=True, has_touch=True, locale="ru-RU", service_workers="allow"
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        return context, page

    yield make
    for context in contexts:
        context.close()
    unexpected = [error for error in errors if not any(expected in error for expected in EXPECTED_ERRORS)]
    assert unexpected == [], unexpected
