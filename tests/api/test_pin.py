"""The PIN in the API (issue 19): POST /me/pin changes it with the device token; POST /auth/pin-reset/code and
POST /auth/pin-reset bring a forgotten one back (SMS code + personal INN -> a new PIN by SMS). Errors in the API's
one shape; the operations are in the OpenAPI schema."""

import pytest

from audit.models import AuditEntry, StaffAction
from sms.models import SmsKind
from tests.api.conftest import assert_error, sms_code
from wallet.operations import wallet_pin_is
from wallet.phone import phone_parse

pytestmark = pytest.mark.django_db

INN = "12505199000123"  # make_wallet's
PIN = "2580"


def test_the_schema_lists_the_pin_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    pin_paths = {path for path in paths if "pin" in path}
    assert {"/api/v1/me/pin", "/api/v1/auth/pin-reset/code", "/api/v1/auth/pin-reset"} <= pin_paths
    assert "post" in paths["/api/v1/me/pin"]


def test_a_change_with_the_token(app, device, wallet, sms_outbox):
    response = app.post("/me/pin", {"current_pin": PIN, "new_pin": "4862", "new_pin_repeat": "4862"})
    assert response.status_code == 204, response.content
    wallet.refresh_from_db()
    assert wallet_pin_is(wallet=wallet, pin="4862")
    assert sms_outbox.last(wallet.phone).kind == SmsKind.PIN_CHANGED


def test_a_change_needs_a_token(app):
    assert_error(
        app.post("/me/pin", {"current_pin": PIN, "new_pin": "4862", "new_pin_repeat": "4862"}), 401, "token_required"
    )


def test_a_change_refuses_in_the_error_shape(app, device, wallet):
    body = {"current_pin": PIN, "new_pin": "1111", "new_pin_repeat": "1111"}
    assert_error(app.post("/me/pin", body), 400, "invalid_pin")
    body = {"current_pin": PIN, "new_pin": "4862", "new_pin_repeat": "4863"}
    assert_error(app.post("/me/pin", body), 400, "invalid_pin")
    wrong = {"current_pin": "1357", "new_pin": "4862", "new_pin_repeat": "4862"}
    assert assert_error(app.post("/me/pin", wrong), 400, "wrong_pin")["params"] == {"attempts_left": 2}
    assert_error(app.post("/me/pin", wrong), 400, "wrong_pin")
    assert_error(app.post("/me/pin", wrong), 403, "pin_locked")
    wallet.refresh_from_db()
    assert wallet.is_pin_locked


def test_a_forgotten_pin_by_code_and_inn(app, wallet, sms_outbox, monkeypatch):
    monkeypatch.setattr("wallet.pin_operations.pin_generate", lambda: "6341")
    started = app.post("/auth/pin-reset/code", {"phone": wallet.phone})
    assert started.status_code == 202, started.content
    challenge = started.json()["challenge"]
    code = sms_code(sms_outbox, wallet.phone)
    wrong = app.post("/auth/pin-reset", {"challenge": challenge, "code": code, "inn": "12505199000999"})
    assert assert_error(wrong, 400, "wrong_inn")["params"] == {"attempts_left": 2}
    done = app.post("/auth/pin-reset", {"challenge": challenge, "code": code, "inn": INN})
    assert done.status_code == 200, done.content
    assert done.json() == {"phone": wallet.phone, "phone_display": phone_parse(wallet.phone).national}
    assert "6341" not in done.content.decode()
    wallet.refresh_from_db()
    assert wallet_pin_is(wallet=wallet, pin="6341")
    assert sms_outbox.last(wallet.phone).kind == SmsKind.PIN_RESET
    assert AuditEntry.objects.get(wallet=wallet, action=StaffAction.PIN_SELF_RESET).after["channel"] == "app"
    again = app.post("/auth/pin-reset", {"challenge": challenge, "code": code, "inn": INN})
    assert_error(again, 400, "code_void")


def test_a_sign_in_challenge_is_no_pin_reset_challenge(app, wallet, sms_outbox):
    started = app.post("/auth/code", {"phone": wallet.phone})
    code = sms_code(sms_outbox, wallet.phone)
    body = {"challenge": started.json()["challenge"], "code": code, "inn": INN}
    assert_error(app.post("/auth/pin-reset", body), 400, "invalid_challenge")


def test_pin_reset_codes_are_limited_per_number_and_address(app, wallet, sms_outbox):
    for _ in range(5):
        assert app.post("/auth/pin-reset/code", {"phone": wallet.phone}).status_code == 202
    body = assert_error(app.post("/auth/pin-reset/code", {"phone": wallet.phone}), 429, "code_rate_limited")
    assert body["params"]["retry_after"] == 3600
    other = app.post("/auth/pin-reset/code", {"phone": wallet.phone}, headers={"X-Forwarded-For": "198.51.100.9"})
    assert other.status_code in (202, 429)  # whether the address header counts is core.net's (trusted proxies)


def test_a_number_without_a_wallet_is_answered_alike(app, sms_outbox):
    response = app.post("/auth/pin-reset/code", {"phone": "0555 00 09 99"})
    assert response.status_code == 202
    assert sms_outbox.last("+996555000999") is None
