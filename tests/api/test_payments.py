"""Catalog, quote, pay (idempotency), payment by code, history paging and favourites, with their errors."""

from datetime import timedelta

import pytest
from django.utils import timezone

from audit.operations import SYSTEM
from ledger.models import Posting
from services.models import Payment
from tests.api.conftest import COMPANY_INN, ApiClient, assert_error

pytestmark = pytest.mark.django_db


def pay(app, dostek, *, key="key-1", amount="100", pin="2580", account=COMPANY_INN):
    body = {"service_id": dostek.pk, "account": account, "amount": amount, "pin": pin}
    return app.post("/payments", body, headers={"Idempotency-Key": key} if key is not None else None)


def test_catalog_has_dostek_under_drugie_with_its_label_rule_and_limits(app, device, dostek):
    categories = app.get("/catalog").json()["categories"]
    other = next(c for c in categories if c["name"] == "Другие")
    service = next(s for s in other["services"] if s["id"] == dostek.pk)
    assert service["name"] == "DosTek group" and service["account_label"] == "ИНН компании"
    assert service["account_rule"] == dostek.account_rule and service["min_amount"] == "10.00"
    assert service["provider"] == "dostek"
    app.language = "en"
    english = app.get("/catalog").json()["categories"]
    assert next(s for c in english for s in c["services"] if s["id"] == dostek.pk)["account_label"] != "ИНН компании"


def test_quote_prices_and_changes_nothing(app, device, dostek):
    quote = app.post("/payments/quote", {"service_id": dostek.pk, "account": COMPANY_INN, "amount": "100,5"})
    assert quote.status_code == 200
    assert quote.json() == {
        "service_id": dostek.pk,
        "service_name": "DosTek group",
        "account": COMPANY_INN,
        "account_holder": "",
        "amount": "100.50",
        "commission": "0.00",
        "total": "100.50",
        "balance": "1000.00",
    }
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"account": "123", "amount": "100"}, 400, "invalid_account"),
        ({"account": COMPANY_INN, "amount": "1"}, 400, "amount_out_of_range"),
        ({"account": COMPANY_INN, "amount": "5000"}, 400, "insufficient_funds"),
        ({"account": COMPANY_INN, "amount": "abc"}, 400, "invalid_amount"),
        ({"account": COMPANY_INN, "amount": "1" * 39}, 400, "invalid_amount"),
        ({"account": COMPANY_INN, "amount": 100}, 422, "invalid_request"),
        ({"account": COMPANY_INN}, 422, "invalid_request"),
    ],
)
def test_quote_errors(app, device, dostek, body, status, code):
    assert_error(app.post("/payments/quote", {"service_id": dostek.pk, **body}), status, code)


def test_quote_unknown_service_is_404(app, device):
    assert_error(
        app.post("/payments/quote", {"service_id": 99999, "account": "1", "amount": "1"}), 404, "service_not_found"
    )


def test_pay_then_the_same_key_returns_the_same_payment_and_another_body_is_409(app, device, dostek, wallet):
    first = pay(app, dostek)
    assert first.status_code == 201
    payment = first.json()
    assert payment["status"] == "committed" and payment["channel"] == "app" and payment["total"] == "100.00"
    assert payment["created_at"].endswith("+06:00") and payment["completed_at"]
    # who to call about it: DosTek group's call-centre (the web's done page and receipt name it too)
    assert (payment["provider_name"], payment["provider_call_centre"]) == ("DosTek group", "0312 960 888")
    again = pay(app, dostek)
    assert again.status_code == 200 and again.json()["code"] == payment["code"]
    assert_error(pay(app, dostek, amount="101"), 409, "idempotency_conflict")
    stored = Payment.objects.get()
    assert stored.channel == "app" and stored.idempotency_key == f"app:{wallet.pk}:key-1"
    assert app.get("/me").json()["balance"] == "900.00"


def test_keys_are_scoped_per_wallet(client, app, device, dostek, make_wallet, sms_outbox):
    other = ApiClient(client)
    other.sign_in(make_wallet(balance="500").phone, sms_outbox)
    assert pay(app, dostek, key="same").status_code == 201
    assert pay(other, dostek, key="same").status_code == 201
    assert Payment.objects.count() == 2


@pytest.mark.parametrize("key", [None, "", "x" * 65, "кириллица", "a b"])
def test_pay_needs_a_well_formed_idempotency_key(app, device, dostek, key):
    assert_error(pay(app, dostek, key=key), 400, "idempotency_key_required")
    assert not Payment.objects.exists()


def test_wrong_pin_counts_down_then_locks(app, device, dostek):
    body = assert_error(pay(app, dostek, key="p1", pin="0000"), 400, "wrong_pin")
    assert body["params"]["attempts_left"] == 2
    assert_error(pay(app, dostek, key="p2", pin="0000"), 400, "wrong_pin")
    assert_error(pay(app, dostek, key="p3", pin="0000"), 403, "pin_locked")
    assert_error(pay(app, dostek, key="p4"), 403, "pin_locked")
    assert app.get("/me").json()["pin_locked"] is True
    assert not Payment.objects.exists()


def test_blocked_wallet_cannot_pay(app, device, dostek, wallet):
    from wallet.operations import wallet_set_status

    wallet_set_status(wallet=wallet, status="blocked", actor=SYSTEM, reason="test block")
    assert_error(pay(app, dostek), 403, "wallet_blocked")
    assert app.get("/me").json()["status"] == "blocked"


def test_insufficient_funds_on_pay(app, device, dostek):
    body = assert_error(pay(app, dostek, amount="1000.01"), 400, "insufficient_funds")
    assert body["params"]["balance"]


def test_pay_is_throttled_per_token(app, device, dostek, settings):
    settings.API_PAY_PER_MINUTE = 2
    assert pay(app, dostek, key="t1").status_code == 201
    assert pay(app, dostek, key="t2").status_code == 201
    response = pay(app, dostek, key="t3")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0 and Payment.objects.count() == 2


def test_payment_by_code_and_another_holders_code_is_404(client, app, device, dostek, make_wallet, sms_outbox):
    code = pay(app, dostek).json()["code"]
    mine = app.get(f"/payments/{code}")
    assert mine.status_code == 200 and mine.json()["code"] == code and mine.json()["status_label"] == "проведен"
    stranger = ApiClient(client)
    stranger.sign_in(make_wallet().phone, sms_outbox)
    response = assert_error(stranger.get(f"/payments/{code}"), 404, "payment_not_found")
    assert code not in response.content.decode() if hasattr(response, "content") else True
    assert_error(stranger.get("/payments/000000000000"), 404, "payment_not_found")
    assert_error(app.get("/payments/abc"), 404, "payment_not_found")
    assert stranger.get("/payments").json() == {"items": [], "next_cursor": None}


def test_history_pages_with_a_cursor_newest_first(app, device, dostek):
    codes = [pay(app, dostek, key=f"h{i}", amount=str(10 + i)).json()["code"] for i in range(5)]
    seen, cursor = [], None
    while True:
        page = app.get("/payments", params={"limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["code"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == codes[::-1]


def test_history_date_filter(app, device, dostek):
    old = pay(app, dostek, key="old").json()["code"]
    Payment.objects.filter(code=old).update(created_at=timezone.now() - timedelta(days=10))
    new = pay(app, dostek, key="new").json()["code"]
    today = timezone.localdate().isoformat()
    items = app.get("/payments", params={"date_from": today, "date_to": today}).json()["items"]
    assert [i["code"] for i in items] == [new]
    earlier = (timezone.localdate() - timedelta(days=10)).isoformat()
    items = app.get("/payments", params={"date_to": earlier}).json()["items"]
    assert [i["code"] for i in items] == [old]
    assert_error(app.get("/payments", params={"date_from": today, "date_to": earlier}), 400, "invalid_dates")
    assert_error(app.get("/payments", params={"date_from": "2026-13-01"}), 400, "invalid_dates")
    assert_error(app.get("/payments", params={"date_from": "0"}), 422, "invalid_request")


@pytest.mark.parametrize("cursor", ["junk", "!!!", "W10", "WyJ4IiwxXQ", "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwxXQ"])
def test_a_bad_cursor_is_400(app, device, cursor):
    assert_error(app.get("/payments", params={"cursor": cursor}), 400, "invalid_cursor")


def test_limit_is_bounded(app, device):
    assert_error(app.get("/payments", params={"limit": 0}), 422, "invalid_request")
    assert_error(app.get("/payments", params={"limit": 10**30}), 422, "invalid_request")


def test_favourites_save_list_pay_delete(client, app, device, dostek, make_wallet, sms_outbox):
    saved = app.post("/favourites", {"name": " Ромашка ", "service_id": dostek.pk, "account": COMPANY_INN})
    assert saved.status_code == 201
    favourite = saved.json()
    assert favourite["name"] == "Ромашка" and favourite["service_name"] == "DosTek group"
    assert_error(
        app.post("/favourites", {"name": "x", "service_id": dostek.pk, "account": COMPANY_INN}), 409, "favourite_exists"
    )
    assert_error(
        app.post("/favourites", {"name": "x", "service_id": dostek.pk, "account": "12"}), 400, "invalid_account"
    )
    assert_error(
        app.post("/favourites", {"name": "  ", "service_id": dostek.pk, "account": COMPANY_INN}), 400, "invalid_name"
    )
    assert [f["id"] for f in app.get("/favourites").json()["items"]] == [favourite["id"]]
    paid = app.post(
        f"/favourites/{favourite['id']}/pay", {"amount": "50", "pin": "2580"}, headers={"Idempotency-Key": "fav-1"}
    )
    assert paid.status_code == 201 and paid.json()["account"] == COMPANY_INN and paid.json()["amount"] == "50.00"
    repeat = app.post(
        f"/favourites/{favourite['id']}/pay", {"amount": "50", "pin": "2580"}, headers={"Idempotency-Key": "fav-1"}
    )
    assert repeat.status_code == 200 and repeat.json()["code"] == paid.json()["code"]

    stranger = ApiClient(client)
    stranger.sign_in(make_wallet(balance="100").phone, sms_outbox)
    assert stranger.get("/favourites").json() == {"items": []}
    assert_error(
        stranger.post(
            f"/favourites/{favourite['id']}/pay", {"amount": "50", "pin": "2580"}, headers={"Idempotency-Key": "x"}
        ),
        404,
        "favourite_not_found",
    )
    assert_error(stranger.delete(f"/favourites/{favourite['id']}"), 404, "favourite_not_found")
    assert app.delete(f"/favourites/{favourite['id']}").status_code == 204
    assert_error(app.delete(f"/favourites/{favourite['id']}"), 404, "favourite_not_found")
    assert Payment.objects.count() == 1 and Posting.objects.filter(kind="payment").count() == 1


def test_every_endpoint_needs_a_token(app):
    for method, path in [
        ("get", "/me"),
        ("get", "/devices"),
        ("get", "/catalog"),
        ("get", "/payments"),
        ("get", "/favourites"),
        ("post", "/payments/quote"),
        ("post", "/payments"),
        ("post", "/favourites"),
        ("post", "/auth/sign-out"),
        ("delete", "/devices/1"),
        ("delete", "/favourites/1"),
        ("post", "/favourites/1/pay"),
        ("get", "/payments/123456789012"),
    ]:
        response = getattr(app, method)(path) if method != "post" else app.post(path, {})
        assert_error(response, 401, "token_required")
        assert response["WWW-Authenticate"] == "Bearer"


def test_responses_are_not_cached(app, device):
    response = app.get("/me")
    assert "no-store" in response["Cache-Control"]
