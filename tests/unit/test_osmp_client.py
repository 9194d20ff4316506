"""The OSMP client keeps one httpx client per endpoint and process (no SSL context and connection per call)."""

import os

import httpx

from services import osmp
from services.osmp import OsmpClient

ENDPOINT = {"url": "http://127.0.0.1:9/osmp/", "user": "elsom", "password": "secret", "timeout": 1.0}


def test_calls_to_one_endpoint_share_a_client_and_other_settings_do_not():
    first, second = OsmpClient(**ENDPOINT, connect_timeout=0.5), OsmpClient(**ENDPOINT, connect_timeout=0.5)
    other = OsmpClient(**{**ENDPOINT, "password": "other"}, connect_timeout=0.5)
    with first._client() as a, second._client() as b, other._client() as c:
        assert a is b and a is not c
    with first._client() as again:
        assert again is a and not again.is_closed  # kept open after the call


def test_a_forked_process_builds_its_own_client(monkeypatch):
    client = OsmpClient(**ENDPOINT, connect_timeout=0.5)
    with client._client() as parent:
        pass
    child_pid = os.getpid() + 1
    monkeypatch.setattr(osmp.os, "getpid", lambda: child_pid)
    with client._client() as child:
        assert child is not parent


def test_a_test_transport_gets_a_client_of_its_own_closed_after_the_call():
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text="<response><result>0</result></response>"))
    client = OsmpClient(**ENDPOINT, connect_timeout=0.5, transport=transport)
    with client._client() as used:
        pass
    assert used.is_closed
