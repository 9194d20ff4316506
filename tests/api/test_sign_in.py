"""Sign-in by SMS code, wallet opening from the app (O! numbers too), devices, sign-out and the token's life."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import DeviceToken
from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM
from tests.api.conftest import ApiClient, assert_error, sms_code
from tests.staff.conftest import console, make_staff  # noqa: F401  (staff users for the console test)
from wallet.models import OpenedChannel, Wallet

pytestmark = pytest.mark.django_db
O_NUMBER = "0700 123 456"
PERSONAL_INN = "12505199000123"
CHALLENGE_KEYS = {"challenge", "phone", "resend_after"}  # the same for every number (issue 18)


def test_sign_in_gives_a_token_that_is_stored_only_as_a_hash(app, wallet, sms_outbox):
    started = app.post("/auth/code", {"phone": wallet.phone[4:]})
    assert started.status_code == 202
    body = started.json()
    assert set(body) == CHALLENGE_KEYS and body["phone"] == wallet.phone and body["resend_after"] == 60
    assert "Код для входа в приложение" in sms_outbox.last(wallet.phone).text
    signed = app.post(
        "/auth/token",
        {"challenge": body["challenge"], "code": sms_code(sms_outbox, wallet.phone), "device_name": "Pixel 8"},
    )
    assert signed.status_code == 201
    result = signed.json()
    assert result["device"]["name"] == "Pixel 8" and result["device"]["current"] is True
    assert result["profile"]["balance"] == "1000.00" and result["profile"]["currency"] == "KGS"
    stored = DeviceToken.objects.get(pk=result["device"]["id"])
    assert result["token"] not in stored.token_hash and len(stored.token_hash) == 64
    assert stored.expires_at > timezone.now() + timedelta(days=89)


def test_wrong_code_counts_down_then_the_code_is_void(app, wallet, sms_outbox):
    challenge = app.post("/auth/code", {"phone": wallet.phone}).json()["challenge"]
    right = sms_code(sms_outbox, wallet.phone)
    wrong = "000000" if right != "000000" else "111111"
    first = assert_error(app.post("/auth/token", {"challenge": challenge, "code": wrong}), 400, "wrong_code")
    assert first["params"]["attempts_left"] == 2
    app.post("/auth/token", {"challenge": challenge, "code": wrong})
    app.post("/auth/token", {"challenge": challenge, "code": wrong})
    assert_error(app.post("/auth/token", {"challenge": challenge, "code": right}), 400, "code_void")
    assert not DeviceToken.objects.exists()


def test_expired_code_and_forged_challenge(app, wallet, sms_outbox):
    from accounts.models import PhoneCode

    challenge = app.post("/auth/code", {"phone": wallet.phone}).json()["challenge"]
    PhoneCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    code = sms_code(sms_outbox, wallet.phone)
    assert_error(app.post("/auth/token", {"challenge": challenge, "code": code}), 400, "code_expired")
    assert_error(app.post("/auth/token", {"challenge": "1", "code": code}), 400, "invalid_challenge")
    assert_error(app.post("/auth/token", {"challenge": challenge + "x", "code": code}), 400, "invalid_challenge")


def test_resend_waits_a_minute(app, wallet):
    challenge = app.post("/auth/code", {"phone": wallet.phone}).json()["challenge"]
    response = app.post("/auth/code/resend", {"challenge": challenge})
    body = assert_error(response, 429, "code_resend_wait")
    assert 0 < body["params"]["retry_after"] <= 60 and response["Retry-After"] == str(body["params"]["retry_after"])


def test_invalid_and_foreign_numbers(app):
    body = assert_error(app.post("/auth/code", {"phone": "12345"}), 400, "invalid_phone")
    assert body["params"]["reason"] == "phone_malformed"
    assert_error(app.post("/auth/code", {"phone": "+7 912 345 67 89"}), 400, "invalid_phone")


def _wrong(right: str) -> str:
    return f"{(int(right) + 1) % 1_000_000:06d}"


def test_no_wallet_token_is_404_and_opening_one_works_for_an_o_number(app, sms_outbox):
    started = app.post("/auth/code", {"phone": O_NUMBER}).json()
    assert set(started) == CHALLENGE_KEYS
    phone = started["phone"]
    assert "Код для открытия кошелька" in sms_outbox.last(phone).text
    code = sms_code(sms_outbox, phone)
    # a wrong code is refused as for any number: nothing tells that the number has no wallet
    wrong = assert_error(
        app.post("/auth/token", {"challenge": started["challenge"], "code": _wrong(code)}), 400, "wrong_code"
    )
    assert wrong["params"]["attempts_left"] == 2
    # the right code: «no wallet», and the code stays usable (twice over: a right code spends no guess)
    for _ in range(2):
        token = app.post("/auth/token", {"challenge": started["challenge"], "code": code})
        assert_error(token, 404, "wallet_not_found")
    assert not DeviceToken.objects.exists()
    form = {
        "challenge": started["challenge"],
        "code": code,
        "full_name": "Айгуль Токтосунова",
        "inn": PERSONAL_INN,
        "offer_accepted": False,
        "language": "ky",
        "device_name": "iPhone",
    }
    assert_error(app.post("/wallets", form), 400, "offer_not_accepted")
    assert_error(app.post("/wallets", {**form, "offer_accepted": True, "inn": "123"}), 400, "invalid_inn")
    assert_error(app.post("/wallets", {**form, "offer_accepted": True, "full_name": "Айгуль"}), 400, "invalid_name")
    opened = app.post("/wallets", {**form, "offer_accepted": True})
    assert opened.status_code == 201, opened.content
    wallet = Wallet.objects.get(phone=phone)
    assert wallet.operator == "o" and wallet.opened_channel == OpenedChannel.APP and wallet.language == "ky"
    assert wallet.offer_version and wallet.offer_accepted_at is not None
    assert "PIN" in sms_outbox.last(phone).text
    assert opened.json()["profile"]["operator"] == "o"
    app.token = opened.json()["token"]
    assert app.get("/me").json()["phone"] == phone
    # The code is used up by the opening.
    assert_error(app.post("/auth/token", {"challenge": started["challenge"], "code": code}), 400, "code_void")
    # A second opening: the same answer to /auth/code; /wallets refuses a wrong code as «wrong code», not «exists»
    again = app.post("/auth/code", {"phone": phone}).json()
    assert set(again) == CHALLENGE_KEYS
    second = {**form, "challenge": again["challenge"], "offer_accepted": True}
    assert_error(app.post("/wallets", second), 400, "wrong_code")  # `code` is the first challenge's
    # after the right code: 409, and the code stays usable for signing in
    new_code = sms_code(sms_outbox, phone)
    assert_error(app.post("/wallets", {**second, "code": new_code}), 409, "wallet_exists")
    assert Wallet.objects.filter(phone=phone).count() == 1
    signed = app.post("/auth/token", {"challenge": again["challenge"], "code": new_code})
    assert signed.status_code == 201, signed.content


def test_a_right_code_after_two_wrong_ones_still_opens_the_wallet(app, sms_outbox):
    """Proving the phone at /auth/token gives its guess back: two typos, the right code (404), then /wallets
    with the same code opens the wallet instead of finding the code void."""
    started = app.post("/auth/code", {"phone": "0555 70 70 71"}).json()
    code = sms_code(sms_outbox, started["phone"])
    for left in (2, 1):
        typo = assert_error(
            app.post("/auth/token", {"challenge": started["challenge"], "code": _wrong(code)}), 400, "wrong_code"
        )
        assert typo["params"]["attempts_left"] == left
    assert_error(app.post("/auth/token", {"challenge": started["challenge"], "code": code}), 404, "wallet_not_found")
    form = {"full_name": "Айгуль Токтосунова", "inn": PERSONAL_INN, "offer_accepted": True}
    opened = app.post("/wallets", {**form, "challenge": started["challenge"], "code": code})
    assert opened.status_code == 201, opened.content
    assert Wallet.objects.get(phone=started["phone"]).opened_channel == OpenedChannel.APP


def test_the_schema_of_auth_code_tells_nothing_about_the_wallet(app):
    schemas = app.get("/openapi.json").json()["components"]["schemas"]
    assert set(schemas["ChallengeOut"]["properties"]) == CHALLENGE_KEYS
    assert set(schemas["ChallengeOut"]["required"]) == CHALLENGE_KEYS


def test_blocked_wallet_gets_no_code(app, wallet, sms_outbox):
    """No code for a blocked wallet; the answer is an active wallet's (issue 18: it must not tell a stranger that
    the wallet is blocked; tests/api/test_sign_in_lockouts.py compares the answers)."""
    from wallet.operations import wallet_set_status

    wallet_set_status(wallet=wallet, status="blocked", actor=SYSTEM, reason="test block")
    response = app.post("/auth/code", {"phone": wallet.phone})
    assert response.status_code == 202 and set(response.json()) == CHALLENGE_KEYS
    assert sms_outbox.last(wallet.phone) is None or sms_outbox.last(wallet.phone).kind != "code"


def test_code_guesses_are_throttled_per_number(app, wallet, sms_outbox, settings):
    from api import throttles

    throttles.DEFAULT_LIMITS["code-check-phone"], saved = (2, 3600), throttles.DEFAULT_LIMITS["code-check-phone"]
    try:
        challenge = app.post("/auth/code", {"phone": wallet.phone}).json()["challenge"]
        app.post("/auth/token", {"challenge": challenge, "code": "999999"})
        app.post("/auth/token", {"challenge": challenge, "code": "999998"})
        response = app.post("/auth/token", {"challenge": challenge, "code": sms_code(sms_outbox, wallet.phone)})
        body = assert_error(response, 429, "throttled")
        assert body["params"]["retry_after"] > 0 and int(response["Retry-After"]) > 0
    finally:
        throttles.DEFAULT_LIMITS["code-check-phone"] = saved


def test_me_devices_and_sign_out(client, app, wallet, device, sms_outbox):
    other = ApiClient(client)
    other.sign_in(wallet.phone, sms_outbox, device_name="Tablet")
    listed = app.get("/devices").json()["items"]
    assert [d["name"] for d in listed] == ["Tablet", "Pixel 8"]
    assert [d["current"] for d in listed] == [False, True]
    assert app.delete(f"/devices/{listed[0]['id']}").status_code == 204
    assert_error(other.get("/me"), 401, "token_revoked")
    assert other.post("/auth/sign-out").status_code == 401
    assert app.post("/auth/sign-out").status_code == 204
    assert_error(app.get("/me"), 401, "token_revoked")


def test_token_errors(app, wallet, device):
    assert app.get("/me").status_code == 200
    DeviceToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert_error(app.get("/me"), 401, "token_expired")
    app.token = "not-a-token"
    response = assert_error(app.get("/me"), 401, "token_invalid")
    app.token = None
    assert_error(app.get("/me"), 401, "token_required")
    assert_error(app.get("/me", headers={"Authorization": "Basic abc"}), 401, "token_invalid")
    del response


def test_another_holders_device_is_404(client, app, make_wallet, device, sms_outbox):
    stranger = ApiClient(client)
    stranger.sign_in(make_wallet().phone, sms_outbox)
    own_id = device["device"]["id"]
    assert_error(stranger.delete(f"/devices/{own_id}"), 404, "device_not_found")
    assert app.get("/me").status_code == 200
    assert_error(stranger.delete("/devices/99999999999999999999"), 422, "invalid_request")


def test_staff_revoke_writes_an_audit_entry(app, wallet, device, django_user_model):
    from api.devices import device_revoke_by_staff
    from audit.operations import NotAllowed

    row = DeviceToken.objects.get()
    agent = django_user_model.objects.create_user("agent", password="x", is_staff=True)
    with pytest.raises(NotAllowed):
        device_revoke_by_staff(device=row, actor=agent, reason="lost phone")
    from django.contrib.auth.models import Group

    agent.groups.add(Group.objects.get(name="Агент"))
    agent = django_user_model.objects.get(pk=agent.pk)
    assert device_revoke_by_staff(device=row, actor=agent, reason="потерял телефон, звонок в 10:15")
    entry = AuditEntry.objects.get(action=StaffAction.DEVICE_REVOKE)
    assert entry.actor == agent and entry.wallet_id == wallet.pk and entry.after["revoked"] is True
    assert_error(app.get("/me"), 401, "token_revoked")
    assert not device_revoke_by_staff(device=row, actor=agent, reason="again please")


def test_admin_lists_devices_and_revokes_with_a_reason(client, wallet, device, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x")
    client.force_login(admin)
    listing = client.get("/admin/api/devicetoken/")
    assert listing.status_code == 200 and "Pixel 8" in listing.content.decode()
    row = DeviceToken.objects.get()
    ask = client.post("/admin/api/devicetoken/", {"action": "revoke", "_selected_action": [row.pk]})
    assert ask.status_code == 200 and "reason" in ask.content.decode()
    done = client.post(
        "/admin/api/devicetoken/",
        {"action": "revoke", "_selected_action": [row.pk], "apply": "1", "reason": "телефон украден"},
    )
    assert done.status_code == 302
    row.refresh_from_db()
    assert row.revoked_by == admin and AuditEntry.objects.filter(action=StaffAction.DEVICE_REVOKE).count() == 1


def test_languages(app, wallet):
    app.language = "en"
    en = app.post("/auth/code", {"phone": "123"})
    app.language = "ky"
    ky = app.post("/auth/code", {"phone": "123"})
    app.language = "de, en;q=0.5"
    fallback = app.post("/auth/code", {"phone": "123"})
    app.language = "fr"
    ru = app.post("/auth/code", {"phone": "123"})
    messages = [r.json()["message"] for r in (en, ky, fallback, ru)]
    assert messages[0] == messages[2] and len(set(messages)) == 3
    assert en["Content-Language"] == "en" and ru["Content-Language"] == "ru"


def test_the_console_shows_the_devices_and_signs_them_all_out(client, app, wallet, device, sms_outbox, console):  # noqa: F811
    from django.urls import reverse

    from tests.staff.conftest import confirm, number

    ApiClient(client).sign_in(wallet.phone, sms_outbox, device_name="Tablet")
    agent = console("agent")
    card = agent.get(reverse("staff:customer", args=[number(wallet)])).content.decode()
    assert 'data-testid="app-devices">устройств со входом: 2' in card and 'data-action="sign-out-app"' in card
    done = confirm(agent, reverse("staff:wallet_action", args=[number(wallet), "sign-out-app"]), "телефон украден")
    assert done.status_code == 302
    assert_error(app.get("/me"), 401, "token_revoked")
    assert set(DeviceToken.objects.values_list("revoked_by", flat=True)) == {agent.user.pk}
    entry = AuditEntry.objects.get(action=StaffAction.DEVICE_REVOKE)
    assert entry.actor == agent.user and entry.wallet_id == wallet.pk and len(entry.after["revoked"]) == 2
    card = agent.get(reverse("staff:customer", args=[number(wallet)])).content.decode()
    assert "не входил" in card and 'data-action="sign-out-app"' not in card
