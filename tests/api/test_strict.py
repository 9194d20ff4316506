"""What the production red-team sent the API: consent as "yes" (only JSON true counts) and bodies over
DATA_UPLOAD_MAX_MEMORY_SIZE (a 413 in the API's error shape, not a 500), anonymous and signed in."""

import json

import pytest
from django.conf import settings

from tests.api.conftest import assert_error, sms_code
from wallet.models import Wallet

pytestmark = pytest.mark.django_db
O_NUMBER = "0700 123 456"
PERSONAL_INN = "12505199000123"


def oversized_json() -> bytes:
    return json.dumps({"phone": "1" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}).encode()


@pytest.fixture
def opening_form(app, sms_outbox) -> dict:
    started = app.post("/auth/code", {"phone": O_NUMBER}).json()
    return {
        "challenge": started["challenge"],
        "code": sms_code(sms_outbox, started["phone"]),
        "full_name": "Айгуль Токтосунова",
        "inn": PERSONAL_INN,
        "language": "ky",
        "device_name": "iPhone",
    }


@pytest.mark.parametrize("accepted", ["yes", "true", "on", 1, "1", None, [True], {"value": True}])
def test_the_offer_is_accepted_only_by_json_true(app, opening_form, accepted):
    """Anything but true/false is a 422 naming the field; no wallet is opened."""
    # when
    response = app.post("/wallets", {**opening_form, "offer_accepted": accepted})

    # then
    body = assert_error(response, 422, "invalid_request")
    assert body["params"]["fields"] == ["offer_accepted"]
    assert not Wallet.objects.filter(phone="+996700123456").exists()


def test_json_false_is_still_the_domain_refusal_and_true_opens(app, opening_form):
    assert_error(app.post("/wallets", {**opening_form, "offer_accepted": False}), 400, "offer_not_accepted")
    assert app.post("/wallets", {**opening_form, "offer_accepted": True}).status_code == 201


def test_every_request_bool_of_the_api_is_strict():
    """No request schema takes a lax bool (the response schemas' bools are ours)."""
    from ninja import Schema

    from api import schemas

    for name in dir(schemas):
        schema = getattr(schemas, name)
        if not (isinstance(schema, type) and issubclass(schema, Schema)) or not name.endswith("Request"):
            continue
        for field_name, field in schema.model_fields.items():
            if field.annotation is bool:
                assert any(getattr(meta, "strict", False) for meta in field.metadata), f"{name}.{field_name}"


@pytest.mark.parametrize("path", ["/auth/code", "/auth/token", "/wallets"])
def test_an_oversized_body_is_a_413_for_an_anonymous_client(app, path):
    # when
    response = app.post(path, raw=oversized_json())

    # then
    body = assert_error(response, 413, "request_too_large")
    assert body["params"] == {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE}


@pytest.mark.parametrize("path", ["/payments/quote", "/payments", "/favourites"])
def test_an_oversized_body_is_a_413_for_a_signed_in_device(app, device, path):
    response = app.post(path, raw=oversized_json(), headers={"Idempotency-Key": "big-1"})
    assert_error(response, 413, "request_too_large")
    assert response["Content-Language"] == "ru"


def test_the_413_answers_in_the_clients_language(app):
    app.language = "ky"
    response = app.post("/auth/code", raw=oversized_json())
    assert_error(response, 413, "request_too_large")
    assert response["Content-Language"] == "ky"


def test_request_data_too_big_raised_inside_an_endpoint_is_a_413_not_a_500(rf):
    """Should Django raise RequestDataTooBig past the middleware (a body it counts otherwise), ninja's handler
    answers 413 in the API's shape, not its catch-all 500."""
    from django.core.exceptions import RequestDataTooBig

    from api.api import api

    # when
    handler = api._lookup_exception_handler(RequestDataTooBig("too big"))
    response = handler(rf.post("/api/v1/auth/code"), RequestDataTooBig("too big"))

    # then
    assert response.status_code == 413
    assert json.loads(response.content)["code"] == "request_too_large"
