"""The one error shape for every failure, no 500 for any input, and the schema and docs served offline."""

import json

import pytest
from django.contrib.staticfiles import finders
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.models import Payment
from tests.api.conftest import COMPANY_INN, assert_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (b"{not json", "invalid_json"),
        (b"\xff\xfe\x00{", "invalid_json"),
        ('{"phone": "caf\xe9"}'.encode("latin-1"), "invalid_json"),
        (b"[1, 2]", "invalid_json"),
        (b'"text"', "invalid_json"),
        (b'{"phone": "0555\\u0000123456"}', "invalid_characters"),
    ],
)
def test_bad_bodies_are_400_in_the_error_shape(app, raw, code):
    assert_error(app.post("/auth/code", raw=raw), 400, code)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"phone": 555123456},
        {"phone": None},
        {"phone": ["0555"]},
        {"phone": {"a": 1}},
        {"phone": "1" * 41},
    ],
)
def test_wrong_types_are_422_with_the_fields(app, body):
    response = assert_error(app.post("/auth/code", body), 422, "invalid_request")
    assert response["params"]["fields"] == ["phone"]


def test_unknown_routes_and_methods(app, device):
    assert_error(app.get("/nowhere"), 404, "not_found")
    assert_error(app.client.get("/api/v2/me"), 404, "not_found")
    response = app.call("put", "/me")
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_openapi_schema_and_offline_docs(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {"/api/v1/auth/code", "/api/v1/payments", "/api/v1/favourites/{favourite_id}/pay"} <= set(paths)
    assert "Idempotency-Key" in json.dumps(paths["/api/v1/payments"]["post"]["parameters"])
    docs = client.get("/api/v1/docs")
    html = docs.content.decode()
    assert docs.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    for name in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(name), name


JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=60),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(service_id=JUNK, account=JUNK, amount=JUNK, pin=JUNK, key=st.text(max_size=80))
def test_junk_never_makes_a_500_nor_a_payment(app, device, dostek, service_id, account, amount, pin, key):
    for path in ("/payments/quote", "/payments"):
        body = {"service_id": service_id, "account": account, "amount": amount, "pin": pin}
        try:
            headers = {"Idempotency-Key": key.encode("latin-1").decode("latin-1")}
        except UnicodeEncodeError:
            headers = {}
        response = app.post(path, body, headers=headers)
        assert response.status_code < 500, response.content
        assert set(response.json()) == {"code", "message", "params"}
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"service_id": 10**30, "account": COMPANY_INN, "amount": "100", "pin": "2580"},
        {"service_id": -1, "account": COMPANY_INN, "amount": "100", "pin": "2580"},
        {"service_id": 1, "account": COMPANY_INN, "amount": "9" * 39, "pin": "2580"},
        {"service_id": 1, "account": COMPANY_INN, "amount": "1e400", "pin": "2580"},
        {"service_id": 1, "account": COMPANY_INN, "amount": "NaN", "pin": "2580"},
        {"service_id": 1, "account": COMPANY_INN, "amount": "-5", "pin": "2580"},
        {"service_id": 1, "account": "٠١٢٣٤٥٦٧٨٩١٢٣٤", "amount": "100", "pin": "2580"},
        {"service_id": 1, "account": COMPANY_INN, "amount": "100", "pin": "x" * 13},
        {"service_id": True, "account": COMPANY_INN, "amount": "100", "pin": "2580"},
    ],
)
def test_huge_and_odd_values_are_refused_cleanly(app, device, body):
    response = app.post("/payments", body, headers={"Idempotency-Key": "odd"})
    assert 400 <= response.status_code < 500 and set(response.json()) == {"code", "message", "params"}
    assert not Payment.objects.exists()


def test_nul_in_query_and_path(app, device):
    assert app.get("/payments", params={"cursor": "a\x00b"}).status_code == 400
    assert app.get("/payments/12345678901\x00").status_code == 404
    assert app.get("/payments", params={"date_from": "\x00"}).status_code in (400, 422)
