"""The provider's gate (services/bulkhead.py) as the OSMP client uses it: the breaker opens after timeouts in a row
and stops sending, half-opens on its own with one trial call, a dropped connection is an answer; at most
CONCURRENCY calls wait at once; a request waits the short budget, the worker the full timeout and no gate."""

import threading
import time

import httpx
import pytest

from services.bulkhead import BreakerState, GateLimits, NotSent, provider_gates_reset, worker_patience
from services.osmp import OsmpClient, Outcome

OK = "<response><result>0</result><comment>OK</comment></response>"


class Transport(httpx.BaseTransport):
    """Answers, times out or drops the connection as `mode` says; counts what reached it and the read timeout."""

    def __init__(self, mode: str = "ok") -> None:
        self.mode = mode
        self.sent = 0
        self.read_timeouts: list[float] = []
        self.release = threading.Event()
        self.inside = threading.Semaphore(0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        self.read_timeouts.append(request.extensions["timeout"]["read"])
        if self.mode == "timeout":
            raise httpx.ReadTimeout("no answer", request=request)
        if self.mode == "dropped":
            raise httpx.RemoteProtocolError("connection dropped", request=request)
        if self.mode == "hang":
            self.inside.release()
            self.release.wait(10)
        return httpx.Response(200, text=OK)


@pytest.fixture(autouse=True)
def _fresh_gates():
    provider_gates_reset()
    yield
    provider_gates_reset()


def client(transport: Transport, **limits) -> OsmpClient:
    return OsmpClient(
        url="http://127.0.0.1:9/osmp/",
        user="elsom",
        password="secret",
        timeout=8.0,
        connect_timeout=2.0,
        request_timeout=3.0,
        limits=GateLimits(**{"breaker_failures": 3, "breaker_cooldown": 30.0, **limits}),
        gate_key="dostek-test",
        transport=transport,
    )


def status(osmp: OsmpClient):
    return osmp.status(txn_id="100000000001")


def test_three_timeouts_in_a_row_open_the_breaker_and_nothing_more_is_sent():
    transport = Transport("timeout")
    osmp = client(transport)
    for _ in range(3):
        assert status(osmp).outcome == Outcome.UNKNOWN
    assert transport.sent == 3 and osmp.gate.state == BreakerState.OPEN

    answer = status(osmp)

    assert transport.sent == 3  # not sent: answered at once, and the exchange says why
    assert answer.outcome == Outcome.UNKNOWN and answer.error == NotSent.BREAKER_OPEN.value


def test_after_the_cooldown_one_trial_goes_out_and_an_answer_closes_the_breaker():
    transport = Transport("timeout")
    osmp = client(transport, breaker_cooldown=0.2)
    for _ in range(3):
        status(osmp)
    time.sleep(0.25)
    transport.mode = "ok"

    assert osmp.gate.state == BreakerState.HALF_OPEN
    assert status(osmp).outcome == Outcome.ACCEPTED
    assert osmp.gate.state == BreakerState.CLOSED and transport.sent == 4


def test_a_trial_that_times_out_opens_the_breaker_again_at_once():
    transport = Transport("timeout")
    osmp = client(transport, breaker_cooldown=0.2)
    for _ in range(3):
        status(osmp)
    time.sleep(0.25)

    status(osmp)  # the trial: one timeout is enough

    assert osmp.gate.state == BreakerState.OPEN and transport.sent == 4


def test_while_the_trial_is_out_other_calls_are_not_sent():
    transport = Transport("timeout")
    osmp = client(transport, breaker_cooldown=0.1)
    for _ in range(3):
        status(osmp)
    time.sleep(0.15)
    transport.mode = "hang"
    trial = threading.Thread(target=status, args=(osmp,))
    trial.start()
    assert transport.inside.acquire(timeout=5)  # the trial is waiting at the provider

    other = status(osmp)

    transport.release.set()
    trial.join()
    assert other.error == NotSent.BREAKER_OPEN.value and transport.sent == 4
    assert osmp.gate.state == BreakerState.CLOSED  # the trial's answer closed it


def test_a_dropped_connection_is_an_answer_lost_not_a_provider_down():
    # Training stages lost answers per company on purpose; they cost no waiting, so they never open the breaker.
    transport = Transport("dropped")
    osmp = client(transport)
    for _ in range(5):
        assert status(osmp).outcome == Outcome.UNKNOWN
    assert osmp.gate.state == BreakerState.CLOSED and transport.sent == 5


def test_an_answer_between_timeouts_starts_the_count_again():
    transport = Transport("timeout")
    osmp = client(transport)
    status(osmp), status(osmp)
    transport.mode = "ok"
    status(osmp)
    transport.mode = "timeout"
    status(osmp), status(osmp)
    assert osmp.gate.state == BreakerState.CLOSED


def test_no_more_than_the_limit_wait_on_the_provider_at_once():
    transport = Transport("hang")
    osmp = client(transport, concurrency=2)
    waiting = [threading.Thread(target=status, args=(osmp,)) for _ in range(2)]
    for thread in waiting:
        thread.start()
    for _ in waiting:
        assert transport.inside.acquire(timeout=5)

    started = time.monotonic()
    third = status(osmp)

    assert third.error == NotSent.BUSY.value and time.monotonic() - started < 1  # at once, not after the others
    transport.release.set()
    for thread in waiting:
        thread.join()
    assert transport.sent == 2
    assert status(osmp).outcome == Outcome.ACCEPTED  # the slots are free again


def test_a_request_waits_the_short_budget_and_the_worker_the_full_timeout():
    transport = Transport("ok")
    osmp = client(transport)
    status(osmp)
    with worker_patience():
        status(osmp)
    assert transport.read_timeouts == [3.0, 8.0]


def test_the_worker_goes_past_an_open_breaker():
    # The worker's backoff is its breaker: it asks again even while requests are not sending.
    transport = Transport("timeout")
    osmp = client(transport)
    for _ in range(3):
        status(osmp)
    transport.mode = "ok"
    with worker_patience():
        assert status(osmp).outcome == Outcome.ACCEPTED
    assert transport.sent == 4
