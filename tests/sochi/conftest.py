"""Fixtures for СОЧИ's tests.

Two kinds of tests live here:
- in-process (fast): the wallet's test settings also install the `sochi` app, so its tables are in the test database,
  and the views are reached with Django's test client through `sochi_site.urls` (`pytestmark = SOCHI_URLS`);
- against a real server (`sochi_server`): `sochi_serve` in a subprocess with `sochi_site.settings` and a database of
  its own (sochi/testing.py), for what only a real socket shows: dropped connections, timeouts, restarts.
"""

import base64
import os
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO

import pytest
from defusedxml import ElementTree
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from sochi.testing import SochiServer
from tests.helpers import DEMO_INN

SOCHI_URLS = pytest.mark.urls("sochi_site.urls")
OSMP_USER = "elsom"
OSMP_PASSWORD = "elsom-test-osmp"
AUTH = "Basic " + base64.b64encode(f"{OSMP_USER}:{OSMP_PASSWORD}".encode()).decode()

ALA_TOO = DEMO_INN  # ОсОО «Ала-Тоо Консалт»: the company the wallet's tests pay DosTek group for
BISHKEK_TRADE = "02106201510234"
NARYN = "00908199910058"
SADYKOV = "21204198800345"
CLOSED = "01812201300077"
NO_PAYMENTS = "01204201700123"
UNKNOWN = "01111201111111"


@pytest.fixture(scope="session", autouse=True)
def _sochi_translations():
    """СОЧИ's catalogues live in sochi/locale, which the wallet's compile_translations does not see."""
    call_command("sochi_compile_translations", stdout=StringIO())


@dataclass
class Reply:
    """An /osmp/ answer: the HTTP response and its <response> children as {tag: text} (empty elements -> '')."""

    response: object
    xml: dict

    @property
    def result(self) -> int:
        return int(self.xml["result"])

    def __getitem__(self, tag: str) -> str:
        return self.xml[tag]


def parse_answer(content: bytes) -> dict:
    """Parse with defusedxml (what a careful client does); fails the test on anything but a <response>."""
    assert content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), content[:80]
    root = ElementTree.fromstring(content)
    assert root.tag == "response", root.tag
    answer = {child.tag: child.text or "" for child in root if child.tag != "fields"}
    fields = root.find("fields")
    if fields is not None:
        answer["fields"] = {field.get("name"): field.text or "" for field in fields}
    return answer


@pytest.fixture
def osmp(client):
    """Call /osmp/ in-process: osmp(command="check", txn_id="1", ...) -> Reply. `auth=None` sends no credentials,
    `method="POST"` sends the parameters as a form body, `query="..."` sends a raw query string instead."""

    def call(*, method: str = "GET", auth: str | None = AUTH, query: str | None = None, **params) -> Reply:
        headers = {"HTTP_AUTHORIZATION": auth} if auth is not None else {}
        if query is not None:
            response = client.generic(method, f"/osmp/?{query}", **headers)
        elif method == "GET":
            response = client.get("/osmp/", params, **headers)
        elif method == "POST":
            response = client.post("/osmp/", params, **headers)
        else:
            response = client.generic(method, "/osmp/", **headers)
        assert response.status_code != 500
        return Reply(response=response, xml=parse_answer(response.content))

    return call


@pytest.fixture
def seeded(db):
    """The demo companies of `sochi_seed` (reports awaiting payment, users with PINs 123456 / 654321)."""
    call_command("sochi_seed", stdout=StringIO())


def balance(inn: str) -> Decimal:
    from sochi.models import Company

    return Company.objects.get(inn=inn).balance


def pay_params(txn_id: str, account: str = ALA_TOO, amount: str = "100.00", txn_date: str = "20260115103000") -> dict:
    return {"command": "pay", "txn_id": txn_id, "account": account, "sum": amount, "txn_date": txn_date}


# --- the real server ------------------------------------------------------------------------------------------------


def _server_database_url() -> str | None:
    """PostgreSQL for СОЧИ too when the suite runs on PostgreSQL (or SOCHI_TEST_DATABASE_URL says so)."""
    explicit = os.environ.get("SOCHI_TEST_DATABASE_URL")
    if explicit:
        return explicit
    default = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        user = default.get("USER") or "postgres"
        password = f":{default['PASSWORD']}" if default.get("PASSWORD") else ""
        host = default.get("HOST") or "127.0.0.1"
        port = default.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{default['NAME']}"
    return None


@pytest.fixture(scope="session")
def sochi_server_session():
    """One СОЧИ server for the whole run (started on first use, well under 5 s): seeded demo data, faults enabled."""
    server = SochiServer(database_url=_server_database_url(), user=OSMP_USER, password=OSMP_PASSWORD)
    server.start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def sochi_server(sochi_server_session):
    """The running СОЧИ server (sochi.testing.SochiServer), with the fault switch back at normal (and no
    per-account fault) for this test and the process restarted should an earlier test have stopped it."""
    if sochi_server_session.process is None or sochi_server_session.process.poll() is not None:
        sochi_server_session.restart()
    sochi_server_session.set_fault("normal")
    sochi_server_session.set_fault("normal", account="all")
    return sochi_server_session
