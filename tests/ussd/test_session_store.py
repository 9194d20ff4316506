"""The stored session: the last screen's text and whether it ended the session (`ended`), which a repeated request
is answered from; nothing is read back out of the text."""

import pytest

from ussd.models import UssdSession

pytestmark = pytest.mark.django_db


def test_the_last_screen_is_stored_as_text_with_its_ended_flag(dial, make_wallet):
    wallet = make_wallet(balance="100")
    assert dial("store", wallet.phone).startswith("CON ")
    session = UssdSession.objects.get(session_id="store")
    assert not session.ended and session.last_response.startswith("ЭЛСОМ")
    reply = dial("store", wallet.phone, "8", "1", "2580")
    assert reply.startswith("END ")
    session.refresh_from_db()
    assert session.ended and session.last_response == reply.removeprefix("END ")


def test_a_repeated_request_is_answered_from_the_stored_flag(dial, make_wallet):
    wallet = make_wallet(balance="100")
    for typed in range(3):
        dial("again", wallet.phone, *["8", "1", "2580"][:typed])
    first = dial("again", wallet.phone, "8", "1", "2580")
    # The flag, not the text, says the session ended: a screen that ends is told so even if its text says nothing.
    UssdSession.objects.filter(session_id="again").update(last_response="Баланс: 100.00 сом")
    assert first.startswith("END ")
    assert dial("again", wallet.phone, "8", "1", "2580") == "END Баланс: 100.00 сом"
