"""The real СОЧИ server (`sochi_serve` in a subprocess with sochi_site.settings and its own database), seen from a
real HTTP client: a smoke test of the protocol and every fault mode as the wallet will meet it."""

import base64
import socket
import time
from decimal import Decimal

import httpx
import pytest
from defusedxml import ElementTree

from sochi.testing import SochiServer
from tests.sochi.conftest import BISHKEK_TRADE, NARYN, SADYKOV, parse_answer

# Each test pays its own txn_ids: the server and its database live for the whole session.
_txn_ids = iter(range(int(time.time()) * 1000, 10**15))

CLIENT_TIMEOUT = 0.6


def txn_id() -> str:
    return str(next(_txn_ids))


def pay(server, txn: str, account: str = NARYN, amount: str = "10.00", timeout: float = 5) -> dict:
    response = server.osmp(
        command="pay", txn_id=txn, account=account, sum=amount, txn_date="20260115103000", timeout=timeout
    )
    assert response.status_code == 200, response.text
    return parse_answer(response.content)


def status(server, txn: str) -> dict:
    return parse_answer(server.osmp(command="status", txn_id=txn).content)


def balance(server, inn: str = NARYN) -> Decimal:
    return Decimal(server.balance(inn)["balance"])


def test_the_server_answers_the_protocol_and_shows_the_credit(sochi_server):
    """check, pay, status and the report over real HTTP; `sochi_balance --json` shows the credit with txn_id and
    prv_txn."""
    # given
    txn = txn_id()
    before = balance(sochi_server, SADYKOV)
    # when
    check = parse_answer(sochi_server.osmp(command="check", txn_id=txn, account=SADYKOV, sum="20").content)
    paid = pay(sochi_server, txn, account=SADYKOV, amount="20.00")
    found = status(sochi_server, txn)
    report = httpx.get(
        f"{sochi_server.url}report/", params={"date": found["credited_at"][:10]}, auth=sochi_server.auth, timeout=5
    )
    shown = sochi_server.balance(SADYKOV)
    # then
    assert check["result"] == "0"
    assert check["fields"] == {"name": "ИП Садыков Б."}
    assert paid["result"] == "0"
    assert found["found"] == "1"
    assert found["prv_txn"] == paid["prv_txn"]
    assert Decimal(shown["balance"]) == before + Decimal("20.00")
    assert {"txn_id": txn, "prv_txn": paid["prv_txn"], "sum": "20.00"}.items() <= shown["credits"][0].items()
    rows = ElementTree.fromstring(report.content).findall("payment")
    assert txn in {row.get("txn_id") for row in rows}


def test_the_server_log_has_request_lines_but_no_credentials(sochi_server):
    """Every request line is logged; the Authorization header (and so the password) never is."""
    # given
    txn = txn_id()
    # when
    status(sochi_server, txn)
    # then
    log = sochi_server.log_text()
    assert f"GET /osmp/?command=status&txn_id={txn}" in log
    assert sochi_server.password not in log
    assert _basic(sochi_server).decode() not in log


def test_the_server_refuses_bad_credentials(sochi_server):
    # when
    response = httpx.get(sochi_server.url, params={"command": "status", "txn_id": "1"}, auth=("elsom", "x"), timeout=5)
    # then
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Basic realm="osmp"'


def raw_get(server, target: bytes) -> tuple[bytes, bytes]:
    """GET target over a plain socket (bytes a client library would refuse to send); (status line, body)."""
    request = (
        b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " + _basic(server) + b"\r\n"
        b"Connection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(request)
        raw = b""
        while chunk := connection.recv(65536):
            raw += chunk
    head, _blank, body = raw.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


def _basic(server) -> bytes:
    return base64.b64encode(f"{server.user}:{server.password}".encode())


def test_a_100_kb_request_line_gets_a_protocol_answer_from_the_real_server(sochi_server):
    """The server itself accepts long request lines (http.server would stop at 64 KB with an HTML 414): the
    protocol answers 413 with result 300, and nothing is credited."""
    # given
    txn = txn_id()
    before = balance(sochi_server)
    target = f"/osmp/?command=pay&txn_id={txn}&account={NARYN}&sum=10&txn_date=20260115103000&junk={'x' * 100_000}"
    # when
    status_line, body = raw_get(sochi_server, target.encode())
    # then
    assert status_line.startswith(b"HTTP/1.1 413")
    assert parse_answer(body)["result"] == "300"
    assert status(sochi_server, txn)["found"] == "0"
    assert balance(sochi_server) == before


def test_nul_bytes_and_broken_utf8_in_the_request_line_are_answered(sochi_server):
    """Percent-encoded NUL bytes and invalid UTF-8 over a real socket: an XML answer, no 500."""
    # when
    status_line, body = raw_get(sochi_server, b"/osmp/?command=pay&txn_id=1%00&account=%FF%FE&sum=10&txn_date=x")
    # then
    assert status_line.startswith(b"HTTP/1.1 200")
    assert parse_answer(body)["result"] in ("4", "300")


# --- faults as a client sees them -----------------------------------------------------------------------------------


def test_down_resets_the_connection_and_credits_nothing(sochi_server):
    """down: the client gets a connection error at once; the pay was not processed."""
    # given
    sochi_server.set_fault("down")
    txn = txn_id()
    before = balance(sochi_server)
    # when
    started = time.monotonic()
    with pytest.raises(httpx.TransportError) as raised:
        pay(sochi_server, txn, timeout=5)
    elapsed = time.monotonic() - started
    sochi_server.set_fault("normal")
    # then
    assert isinstance(raised.value, httpx.ReadError | httpx.RemoteProtocolError | httpx.ConnectError)
    assert elapsed < 2
    assert status(sochi_server, txn)["found"] == "0"
    assert balance(sochi_server) == before


def test_slow_answers_after_the_delay(sochi_server):
    """slow --delay 0.5: the answer comes, correct, but not before half a second."""
    # given
    sochi_server.set_fault("slow", delay=0.5)
    txn = txn_id()
    # when
    started = time.monotonic()
    answer = pay(sochi_server, txn)
    elapsed = time.monotonic() - started
    # then
    assert elapsed >= 0.5
    assert answer["result"] == "0"


def test_timeout_makes_the_client_time_out_and_credits_nothing(sochi_server):
    """timeout --delay 1.5 against a 0.6 s client: a client timeout; after the delay the server drops the
    connection without having processed anything."""
    # given
    sochi_server.set_fault("timeout", delay=1.5)
    txn = txn_id()
    before = balance(sochi_server)
    # when
    with pytest.raises(httpx.TimeoutException):
        pay(sochi_server, txn, timeout=CLIENT_TIMEOUT)
    time.sleep(1.2)  # past the server's delay: it has dropped the request by now
    sochi_server.set_fault("normal")
    # then
    assert status(sochi_server, txn)["found"] == "0"
    assert balance(sochi_server) == before


def test_refuse_account_answers_5(sochi_server):
    # given
    sochi_server.set_fault("refuse-account")
    txn = txn_id()
    # when
    answer = pay(sochi_server, txn)
    # then
    assert answer["result"] == "5"
    assert status(sochi_server, txn)["found"] == "0"


def test_temporary_with_count_2_answers_1_1_then_0(sochi_server):
    """temporary --count 2: the same pay repeated answers 1, 1, 0 and credits once."""
    # given
    sochi_server.set_fault("temporary", count=2)
    txn = txn_id()
    before = balance(sochi_server)
    # when
    results = [pay(sochi_server, txn)["result"] for _ in range(3)]
    # then
    assert results == ["1", "1", "0"]
    assert balance(sochi_server) == before + Decimal("10.00")
    assert sochi_server.fault()["mode"] == "normal"


def test_answer_lost_credits_once_and_status_tells_the_truth(sochi_server):
    """answer-lost: the client gets an error, yet status shows found=1 and the balance grew exactly once; the
    aggregator's repeat of the pay then answers 0 with the same prv_txn and credits nothing more."""
    # given
    sochi_server.set_fault("answer-lost", count=1)
    txn = txn_id()
    before = balance(sochi_server)
    # when
    with pytest.raises(httpx.TransportError):
        pay(sochi_server, txn, amount="15.00")
    found = status(sochi_server, txn)
    repeat = pay(sochi_server, txn, amount="15.00")
    # then
    assert found["found"] == "1"
    assert repeat["result"] == "0"
    assert repeat["prv_txn"] == found["prv_txn"]
    assert balance(sochi_server) == before + Decimal("15.00")


def test_a_counted_fault_returns_to_normal_by_itself(sochi_server):
    """down --count 1: one call is dropped, the next is served, and the switch reads normal again."""
    # given
    sochi_server.set_fault("down", count=1)
    # when
    with pytest.raises(httpx.TransportError):
        status(sochi_server, "1")
    answer = status(sochi_server, "1")
    state = sochi_server.fault()
    # then
    assert answer["result"] == "0"
    assert (state["mode"], state["count"]) == ("normal", None)


def test_a_restart_keeps_the_database_and_the_port(sochi_server):
    """restart(): the same URL answers again and what was credited before is still there."""
    # given
    txn = txn_id()
    paid = pay(sochi_server, txn, account=BISHKEK_TRADE)
    url = sochi_server.url
    # when
    sochi_server.restart()
    # then
    assert sochi_server.url == url
    assert status(sochi_server, txn)["prv_txn"] == paid["prv_txn"]


def test_a_stopped_server_refuses_connections(sochi_server):
    """stop() ends the process (SIGTERM, exit 0); the port then refuses connections. The fixture restarts it."""
    # given
    process = sochi_server.process
    # when
    sochi_server.stop()
    # then
    assert process.returncode == 0
    with pytest.raises(httpx.ConnectError):
        status(sochi_server, "1")
    assert "sochi_serve: stopped" in sochi_server.log_text()


def test_a_fresh_server_creates_its_database_and_answers():
    """With no database yet, the server migrates and seeds its own (SQLite) and answers the protocol. (How long
    that takes is not asserted: timings belong in bench/, not in tests that a loaded CI machine makes flaky.)"""
    # when
    with SochiServer(database_url="") as server:
        answer = status(server, "1")
    # then
    assert answer["result"] == "0"


def test_the_server_publishes_bootstrap_and_its_own_css_only(sochi_server):
    """Static files come from the project's own Bootstrap copy and sochi/static; the wallet's files are not served."""
    # when
    bootstrap = httpx.get(f"{sochi_server.base_url}static/vendor/bootstrap/css/bootstrap.min.css", timeout=5)
    own = httpx.get(f"{sochi_server.base_url}static/sochi/sochi.css", timeout=5)
    wallet = httpx.get(f"{sochi_server.base_url}static/css/portal.css", timeout=5)
    # then
    assert bootstrap.status_code == 200
    assert own.status_code == 200
    assert wallet.status_code == 404


def test_the_company_sign_in_page_is_served_with_no_store_and_a_csp(sochi_server):
    # when
    page = httpx.get(f"{sochi_server.base_url}signin/", timeout=5)
    # then
    assert page.status_code == 200
    assert "ИНН организации" in page.text
    assert "no-store" in page.headers["cache-control"]
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "sochi_csrftoken" in page.headers["set-cookie"]
