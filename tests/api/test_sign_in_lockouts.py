"""Issue 18 in the app: a stranger's code requests and wrong guesses never lock the holder out of the app, and
/auth/code answers every number alike: an active wallet's, a blocked one's and one without a wallet (whether a
number has a wallet is told only after its code)."""

import pytest
from django.test import Client

from api import throttles
from audit.operations import SYSTEM
from tests.api.conftest import ApiClient, assert_error, sms_code

pytestmark = pytest.mark.django_db


def _app(address: str) -> ApiClient:
    return ApiClient(Client(REMOTE_ADDR=address))


def _wrong(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_a_code_request_and_ten_wrong_guesses_elsewhere_do_not_lock_the_holder(wallet, sms_outbox):
    """The red team's case: one code request and ten wrong guesses (three at the live code, seven at the void one)
    from any address used to lock the number out of the app for an hour."""
    # given a stranger at address A who asks for a code and guesses ten times
    stranger = _app("10.80.0.1")
    challenge = stranger.post("/auth/code", {"phone": wallet.phone}).json()["challenge"]
    wrong = _wrong(sms_code(sms_outbox, wallet.phone))
    for _ in range(10):
        stranger.post("/auth/token", {"challenge": challenge, "code": wrong})
    # when the holder asks for a code at address B and types it
    holder = _app("10.80.0.2")
    started = holder.post("/auth/code", {"phone": wallet.phone})
    assert started.status_code == 202
    signed = holder.post(
        "/auth/token", {"challenge": started.json()["challenge"], "code": sms_code(sms_outbox, wallet.phone)}
    )
    # then the holder is signed in
    assert signed.status_code == 201, signed.content


def test_a_strangers_live_guesses_spend_only_the_strangers_budget(wallet, sms_outbox):
    """Five codes asked from A and every guess at them: the holder at B still signs in."""
    stranger = _app("10.81.0.1")
    for _ in range(5):
        challenge = stranger.post("/auth/code", {"phone": wallet.phone}).json()["challenge"]
        wrong = _wrong(sms_code(sms_outbox, wallet.phone))
        for _ in range(3):
            stranger.post("/auth/token", {"challenge": challenge, "code": wrong})
    holder = _app("10.81.0.2")
    challenge = holder.post("/auth/code", {"phone": wallet.phone}).json()["challenge"]
    response = holder.post("/auth/token", {"challenge": challenge, "code": sms_code(sms_outbox, wallet.phone)})
    assert response.status_code == 201, response.content


def test_guesses_at_a_void_code_spend_nothing(wallet, sms_outbox, monkeypatch):
    """The number's budget (here 3) is spent on guesses at a live code only: after guessing on at a void code,
    the same requester's next code still gets its guesses."""
    monkeypatch.setitem(throttles.DEFAULT_LIMITS, "code-check-phone", (3, 3600))
    app = _app("10.82.0.1")
    challenge = app.post("/auth/code", {"phone": wallet.phone}).json()["challenge"]
    first_wrong = _wrong(sms_code(sms_outbox, wallet.phone))
    statuses = [app.post("/auth/token", {"challenge": challenge, "code": first_wrong}) for _ in range(3)]
    assert_error(statuses[-1], 400, "code_void")
    # guesses at the void code: refused as void, not as throttled, and not counted
    for _ in range(5):
        assert_error(app.post("/auth/token", {"challenge": challenge, "code": first_wrong}), 400, "code_void")
    from accounts.models import PhoneCode

    PhoneCode.objects.update(last_sent_at=None)  # the next code may go at once
    resend = app.post("/auth/code/resend", {"challenge": challenge})
    assert resend.status_code == 202
    # the budget (3) was spent at the live code: a fourth live guess is throttled, not a void one
    assert_error(app.post("/auth/token", {"challenge": challenge, "code": "000000"}), 429, "throttled")


def test_three_addresses_asking_five_codes_each_leave_the_holder_codes(wallet, sms_outbox):
    for address in ("10.83.0.1", "10.83.0.2", "10.83.0.3"):
        app = _app(address)
        for _ in range(5):
            assert app.post("/auth/code", {"phone": wallet.phone}).status_code == 202
    holder = _app("10.83.0.4")
    started = holder.post("/auth/code", {"phone": wallet.phone})
    assert started.status_code == 202, started.content
    signed = holder.post(
        "/auth/token", {"challenge": started.json()["challenge"], "code": sms_code(sms_outbox, wallet.phone)}
    )
    assert signed.status_code == 201


# --- /auth/code tells nobody whether a number has a wallet, or that it is blocked ---------------------------------


def _shape(response) -> tuple:
    body = response.json()
    return response.status_code, sorted(body), body["resend_after"], type(body["challenge"]), len(body["phone"])


def test_auth_code_answers_every_number_alike(make_wallet, sms_outbox):
    from wallet.operations import wallet_set_status

    active, blocked = make_wallet(), make_wallet()
    wallet_set_status(wallet=blocked, status="blocked", actor=SYSTEM, reason="test block")
    app = _app("10.84.0.1")
    # when a stranger asks for codes for both numbers and for a number without a wallet
    to_active = app.post("/auth/code", {"phone": active.phone})
    to_blocked = app.post("/auth/code", {"phone": blocked.phone})
    to_unknown = app.post("/auth/code", {"phone": "0555 40 40 40"})
    # then all three get the same status and fields, and none of them says whether the number has a wallet
    assert _shape(to_active) == _shape(to_blocked) == _shape(to_unknown)
    for started in (to_active, to_blocked, to_unknown):
        assert started.status_code == 202 and set(started.json()) == {"challenge", "phone", "resend_after"}
    # and only the active wallet's phone and the new number's get a code
    assert sms_outbox.last(active.phone).kind == "code"
    assert sms_outbox.last(to_unknown.json()["phone"]).kind == "code"
    assert not [m for m in sms_outbox.all(blocked.phone) if m.kind == "code"]
    # and what follows looks alike too: a resend waits a minute, a guess is «wrong code», not «blocked» nor «no
    # wallet», word for word
    wrong_answers = []
    for started in (to_active, to_blocked, to_unknown):
        challenge = started.json()["challenge"]
        assert_error(app.post("/auth/code/resend", {"challenge": challenge}), 429, "code_resend_wait")
        body = assert_error(app.post("/auth/token", {"challenge": challenge, "code": "123456"}), 400, "wrong_code")
        wrong_answers.append(body)
    assert wrong_answers[0] == wrong_answers[1] == wrong_answers[2]
    assert wrong_answers[0]["params"]["attempts_left"] == 2


def test_wallets_tells_a_wrong_code_nothing_about_the_number(make_wallet, sms_outbox):
    """POST /wallets with a known number's challenge and a wrong code: «wrong code», as for a number without a
    wallet; 409 wallet_exists only after the right code."""
    holder = make_wallet()
    app = _app("10.85.0.1")
    form = {"full_name": "Айгуль Токтосунова", "inn": "12505199000123", "offer_accepted": True}
    answers = []
    for phone in (holder.phone, "0555 40 40 41"):
        started = app.post("/auth/code", {"phone": phone}).json()
        right = sms_code(sms_outbox, started["phone"])
        body = assert_error(
            app.post("/wallets", {**form, "challenge": started["challenge"], "code": _wrong(right)}), 400, "wrong_code"
        )
        answers.append(body)
    assert answers[0] == answers[1]
