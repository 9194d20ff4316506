"""App API fixtures: a JSON client, the SMS code of a number, and a signed-in device of a funded wallet."""

import json
import re

import pytest

API = "/api/v1"
COMPANY_INN = "01234567891234"


def sms_code(outbox, phone) -> str:
    message = outbox.last(phone)
    assert message is not None and message.kind == "code", message
    return re.search(r"\b(\d{6})\b", message.text).group(1)


class ApiClient:
    """The Django test client speaking JSON to /api/v1/, with an optional device token and language."""

    def __init__(self, client, token: str | None = None, language: str = "ru"):
        self.client, self.token, self.language = client, token, language

    def headers(self, extra: dict | None = None) -> dict:
        headers = {"Accept-Language": self.language}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return {**headers, **(extra or {})}

    def call(self, method: str, path: str, body=None, *, headers: dict | None = None, raw: bytes | None = None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs = {"content_type": "application/json"} if data is not None else {}
        return getattr(self.client, method)(f"{API}{path}", data, headers=self.headers(headers), **kwargs)

    def get(self, path, **kwargs):
        return self.client.get(
            f"{API}{path}", kwargs.pop("params", None), headers=self.headers(kwargs.pop("headers", None))
        )

    def post(self, path, body=None, **kwargs):
        return self.call("post", path, body, **kwargs)

    def delete(self, path, **kwargs):
        return self.call("delete", path, **kwargs)

    def sign_in(self, phone: str, outbox, device_name: str = "Pixel 8") -> dict:
        started = self.post("/auth/code", {"phone": phone})
        assert started.status_code == 202, started.content
        signed = self.post(
            "/auth/token",
            {"challenge": started.json()["challenge"], "code": sms_code(outbox, phone), "device_name": device_name},
        )
        assert signed.status_code == 201, signed.content
        self.token = signed.json()["token"]
        return signed.json()


@pytest.fixture
def app(client):
    return ApiClient(client)


@pytest.fixture
def wallet(make_wallet):
    return make_wallet(balance="1000")


@pytest.fixture
def device(app, wallet, sms_outbox):
    """`app` signed in on `wallet` (1000 som, PIN 2580) through the real sign-in."""
    return app.sign_in(wallet.phone, sms_outbox)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "message", "params"}, body
    assert body["code"] == code, body
    assert body["message"], body
    return body
