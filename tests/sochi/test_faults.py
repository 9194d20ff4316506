"""The fault switch in-process: its HTTP endpoint and command, which calls each mode acts on, counting down, and the
WSGI wrapper's connection reset (on a real socket pair). The modes as a client sees them are in test_server.py."""

import errno
import json
import socket
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sochi import osmp_views
from sochi.faults import DROP_KEY, ConnectionDropped, FaultInjectingApplication, fault_set, fault_state, fault_take
from sochi.models import FaultMode, FaultSwitch, Payment
from tests.sochi.conftest import ALA_TOO, AUTH, SOCHI_URLS, balance, pay_params

pytestmark = [SOCHI_URLS, pytest.mark.usefixtures("seeded")]


@pytest.fixture
def no_sleep(monkeypatch):
    """Record the delays the view would sleep instead of sleeping them."""
    slept: list[float] = []
    monkeypatch.setattr(osmp_views, "sleep", slept.append)
    return slept


def post_fault(client, auth=AUTH, **fields):
    return client.post("/osmp/faults/", fields, HTTP_AUTHORIZATION=auth)


# --- the endpoint and the command -----------------------------------------------------------------------------------


def test_the_fault_endpoint_sets_and_shows_the_switch(client):
    """POST mode/count/delay switches it and answers the state as JSON; GET shows the same."""
    # when
    response = post_fault(client, mode="slow", count="3", delay="0.5")
    shown = client.get("/osmp/faults/", HTTP_AUTHORIZATION=AUTH)
    # then
    assert response.status_code == 200
    state = response.json()
    assert state["mode"] == "slow"
    assert state["count"] == 3
    assert state["delay"] == 0.5
    assert state["set_at"].endswith("+06:00")
    assert shown.json() == state
    assert response["Cache-Control"] == "no-store"


def test_the_defaults_are_normal_and_the_documented_delays(client):
    """Before anything is set the switch is normal; timeout waits 120 s and slow 5 s unless told otherwise."""
    # when
    before = client.get("/osmp/faults/", HTTP_AUTHORIZATION=AUTH).json()
    timeout = post_fault(client, mode="timeout").json()
    slow = post_fault(client, mode="slow").json()
    # then
    assert before == {"mode": "normal", "count": None, "delay": None, "set_at": None}
    assert timeout["delay"] == 120
    assert slow["delay"] == 5


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({}, "mode"),
        ({"mode": "broken"}, "mode"),
        ({"mode": "down", "count": "0"}, "count"),
        ({"mode": "down", "count": "-1"}, "count"),
        ({"mode": "down", "count": "two"}, "count"),
        ({"mode": "down", "count": "١"}, "count"),
        ({"mode": "down", "count": "99999999999"}, "count"),
        ({"mode": "slow", "delay": "-1"}, "delay"),
        ({"mode": "slow", "delay": "601"}, "delay"),
        ({"mode": "slow", "delay": "NaN"}, "delay"),
        ({"mode": "slow", "delay": "soon"}, "delay"),
        ({"mode": "slow", "delay": "0.0001"}, "delay"),
        ({"mode": "down", "delay": "3"}, "delay"),
        ({"mode": "normal", "count": "2"}, "count"),
    ],
)
def test_a_bad_mode_count_or_delay_is_400_and_changes_nothing(client, fields, error):
    # given
    post_fault(client, mode="temporary", count="2")
    # when
    response = post_fault(client, **fields)
    # then
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert fault_state()["mode"] == "temporary"
    assert fault_state()["count"] == 2


def test_the_fault_endpoint_needs_the_protocol_credentials(client):
    # when
    response = post_fault(client, auth="Basic eDp5", mode="down")
    # then
    assert response.status_code == 401
    assert fault_state()["mode"] == "normal"


def test_with_faults_disabled_the_endpoint_is_404_and_no_fault_applies(client, osmp, settings):
    """SOCHI_FAULTS_ENABLED off (production): the endpoint does not exist and a switch left set does nothing."""
    # given
    fault_set(mode=FaultMode.TEMPORARY)
    settings.SOCHI_FAULTS_ENABLED = False
    # when
    get = client.get("/osmp/faults/", HTTP_AUTHORIZATION=AUTH)
    post = post_fault(client, mode="down")
    reply = osmp(command="status", txn_id="1")
    # then
    assert get.status_code == post.status_code == 404
    assert reply.result == 0


def test_the_sochi_fault_command_sets_and_shows_the_switch():
    """`sochi_fault MODE [--count N] [--delay S]` sets the same row; without MODE it shows it."""
    # when
    out = StringIO()
    call_command("sochi_fault", "timeout", "--count", "2", "--delay", "1.5", stdout=out)
    shown = StringIO()
    call_command("sochi_fault", stdout=shown)
    # then
    state = json.loads(out.getvalue())
    assert (state["mode"], state["count"], state["delay"]) == ("timeout", 2, 1.5)
    assert json.loads(shown.getvalue()) == state


@pytest.mark.parametrize(
    "args",
    [["timeout", "--count", "0"], ["slow", "--delay", "x"], ["down", "--delay", "1"], ["--count", "2"]],
)
def test_the_sochi_fault_command_refuses_bad_input(args):
    # when
    with pytest.raises(CommandError):
        call_command("sochi_fault", *args, stdout=StringIO())
    # then
    assert fault_state()["mode"] == "normal"


def test_the_sochi_fault_command_refuses_when_faults_are_disabled(settings):
    # given
    settings.SOCHI_FAULTS_ENABLED = False
    # then
    with pytest.raises(CommandError, match="disabled"):
        call_command("sochi_fault", "down", stdout=StringIO())
    assert not FaultSwitch.objects.exists()


# --- what each mode does (in-process: the drop becomes the 503 fallback) --------------------------------------------


@pytest.mark.parametrize("mode", ["down", "timeout"])
def test_down_and_timeout_process_nothing(osmp, no_sleep, mode):
    """down and timeout ask for a drop and credit nothing; without a socket (test client, runserver) the answer is
    HTTP 503 with result 1. timeout first waits its delay."""
    # given
    fault_set(mode=mode, delay="2" if mode == "timeout" else None)
    # when
    reply = osmp(**pay_params("1"))
    # then
    assert reply.response.status_code == 503
    assert reply.result == 1
    assert reply.response.wsgi_request.META[DROP_KEY] == mode
    assert not Payment.objects.exists()
    assert no_sleep == ([2.0] if mode == "timeout" else [])


def test_slow_waits_then_answers_normally(osmp, no_sleep):
    # given
    fault_set(mode="slow", delay="0.25")
    # when
    reply = osmp(**pay_params("1"))
    # then
    assert reply.result == 0
    assert no_sleep == [0.25]
    assert balance(ALA_TOO) == 100


def test_refuse_account_answers_5_to_check_and_pay_only(osmp):
    """refuse-account: check and pay answer 5 and credit nothing; status answers normally."""
    # given
    fault_set(mode="refuse-account")
    # when
    check = osmp(command="check", txn_id="1", account=ALA_TOO, sum="10")
    pay = osmp(**pay_params("1"))
    status = osmp(command="status", txn_id="1")
    # then
    assert check.result == pay.result == 5
    assert status.result == 0
    assert not Payment.objects.exists()


def test_temporary_answers_1_to_every_call_for_count_calls(osmp):
    """temporary --count 2: result 1, 1, then the real answer; the switch is back at normal by itself."""
    # given
    fault_set(mode="temporary", count=2)
    # when
    results = [osmp(**pay_params("1")).result for _ in range(3)]
    # then
    assert results == [1, 1, 0]
    assert fault_state()["mode"] == "normal"
    assert balance(ALA_TOO) == 100


def test_answer_lost_credits_the_pay_but_drops_its_answer(osmp):
    """answer-lost: the pay is committed, then the drop is asked for; check and status answer normally."""
    # given
    fault_set(mode="answer-lost")
    # when
    check = osmp(command="check", txn_id="1", account=ALA_TOO, sum="100")
    pay = osmp(**pay_params("1"))
    status = osmp(command="status", txn_id="1")
    # then
    assert check.result == 0
    assert pay.response.status_code == 503
    assert pay.response.wsgi_request.META[DROP_KEY] == "answer-lost"
    assert status["found"] == "1"
    assert balance(ALA_TOO) == 100


@pytest.mark.parametrize(
    ("mode", "command", "valid", "acts"),
    [
        ("down", None, False, True),
        ("slow", "status", True, True),
        ("temporary", "check", False, True),
        ("refuse-account", "check", True, True),
        ("refuse-account", "pay", True, True),
        ("refuse-account", "status", True, False),
        ("refuse-account", "pay", False, False),
        ("answer-lost", "pay", True, True),
        ("answer-lost", "check", True, False),
        ("answer-lost", "status", True, False),
        ("answer-lost", "pay", False, False),
    ],
)
def test_a_counted_fault_is_spent_only_by_the_calls_it_acts_on(mode, command, valid, acts):
    """count=1 is used up by a call the mode acts on and kept by one it does not (a check does not spend an
    answer-lost meant for the next pay)."""
    # given
    fault_set(mode=mode, count=1, delay="0" if mode == "slow" else None)
    # when
    fault = fault_take(command=command, valid=valid)
    # then
    assert (fault.mode == mode) is acts
    assert fault_state()["mode"] == ("normal" if acts else mode)


def test_faults_leave_the_report_and_the_company_pages_alone(client):
    """Only /osmp/ protocol calls suffer: the report endpoint and the sign-in page answer as usual under down."""
    # given
    fault_set(mode="down", count=5)
    # when
    report = client.get("/osmp/report/", {"date": "2026-01-15"}, HTTP_AUTHORIZATION=AUTH)
    page = client.get("/signin/")
    # then
    assert report.status_code == 200
    assert page.status_code == 200
    assert fault_state()["count"] == 5


# --- the WSGI wrapper -----------------------------------------------------------------------------------------------


@pytest.fixture
def socket_pair():
    """A connected TCP pair on 127.0.0.1: (the client's end, the server's end)."""
    listener = socket.create_server(("127.0.0.1", 0))
    client_end = socket.create_connection(listener.getsockname())
    server_end, _address = listener.accept()
    listener.close()
    yield client_end, server_end
    client_end.close()
    server_end.close()


def fake_app(drop: str | None):
    def app(environ, start_response):
        if drop:
            environ[DROP_KEY] = drop
        start_response("503 Service Unavailable", [("Content-Type", "text/xml")])
        return [b"<response/>"]

    return app


def test_the_wrapper_resets_a_gunicorn_socket_instead_of_answering(socket_pair):
    """With gunicorn's socket in the environ: nothing is sent, the client sees a connection reset (RST), and the
    wrapper raises the reset error gunicorn treats as a client gone."""
    # given
    client_end, server_end = socket_pair
    started = []
    app = FaultInjectingApplication(fake_app("down"))
    # when
    with pytest.raises(ConnectionDropped):
        app({"gunicorn.socket": server_end}, lambda *args: started.append(args))
    # then
    assert started == []
    client_end.settimeout(2)
    with pytest.raises(ConnectionResetError) as raised:
        client_end.recv(100)
    assert raised.value.errno == errno.ECONNRESET


def test_the_wrapper_without_a_socket_lets_the_fallback_answer_out(caplog):
    """No socket (plain runserver): the view's 503 goes out, and a log line says why."""
    # given
    started = []
    app = FaultInjectingApplication(fake_app("answer-lost"))
    # when
    with caplog.at_level("WARNING", logger="sochi.faults"):
        body = app({}, lambda *args: started.append(args))
    # then
    assert started[0][0] == "503 Service Unavailable"
    assert list(body) == [b"<response/>"]
    assert "no client socket" in caplog.text


def test_the_wrapper_passes_normal_answers_through():
    # given
    started = []
    app = FaultInjectingApplication(fake_app(None))
    # when
    body = app({}, lambda *args: started.append(args))
    # then
    assert started == [("503 Service Unavailable", [("Content-Type", "text/xml")], None)]
    assert list(body) == [b"<response/>"]
