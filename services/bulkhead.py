"""Bulkheads around a provider: a provider that hangs slows only its own payments, never the portal.

Three parts, all per provider endpoint and per process (every gunicorn worker and every task worker keeps its own;
nothing here touches the database, so no lock of ours waits for another company's system):

* a concurrency limit: at most CONCURRENCY calls to one provider at a time. A call that finds no free slot is not
  sent at all; the caller gets «no answer» at once (a payment stays «в обработке» for the worker, a check says the
  provider is not answering). Threads that wait on a hanging provider can then never be more than that many.
* a circuit breaker: after BREAKER_FAILURES calls in a row that waited in vain (timeouts, refused connections), no
  call is sent for BREAKER_COOLDOWN seconds; then one trial call goes out (half-open) and its answer closes the
  breaker again, or opens it for another cooldown. Any answer counts as one, a refusal included, and so does a
  connection the provider drops (a lost answer: it cost no waiting, and training stages it per company on purpose).
* a budget: inside a request, the holder waits at most REQUEST_TIMEOUT for an answer (a USSD screen, a web page,
  an app call); the task worker and the sweeper, which nobody waits for on a screen, wait the endpoint's full
  TIMEOUT and bypass the gate (`worker_patience`): their backoff (payments/schedule.py) is their breaker.

Why not a shared breaker (cache or database): each process finds out for itself within BREAKER_FAILURES short
calls, which costs a few seconds per process; a shared one would put a row or a network call in every payment's
path again. Why the contextvar for the budget: the adapters' interface (`check`, `pay`, `status`) stays what every
provider and test stand-in implements, and the one thing that differs between a request and the worker is how
long it may wait — a deadline that travels with the call, as deadlines do in RPC systems."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from enum import StrEnum

# Defaults for an endpoint that does not say (settings.OSMP_ENDPOINTS may set each one).
DEFAULT_CONCURRENCY = 4
DEFAULT_REQUEST_TIMEOUT = 3.0
DEFAULT_BREAKER_FAILURES = 3
DEFAULT_BREAKER_COOLDOWN = 30.0


class BreakerState(StrEnum):
    CLOSED = "closed"  # calls go out
    OPEN = "open"  # no call goes out until the cooldown ends
    HALF_OPEN = "half_open"  # one trial call is out; the others are refused until it answers


class NotSent(StrEnum):
    """Why a call was not sent (written to the exchange, so support sees that nothing reached the provider)."""

    BREAKER_OPEN = "not sent: the provider has not answered the last calls (circuit open)"
    BUSY = "not sent: too many calls to this provider are waiting already"


@dataclass(frozen=True)
class GateLimits:
    concurrency: int = DEFAULT_CONCURRENCY
    breaker_failures: int = DEFAULT_BREAKER_FAILURES
    breaker_cooldown: float = DEFAULT_BREAKER_COOLDOWN


@dataclass
class ProviderGate:
    """One provider endpoint's slots and breaker in this process."""

    limits: GateLimits
    slots: threading.BoundedSemaphore = field(init=False)
    lock: threading.Lock = field(default_factory=threading.Lock)
    failures: int = 0  # calls in a row without an answer
    open_until: float = 0.0  # monotonic time; 0 when closed
    trial_out: bool = False

    def __post_init__(self) -> None:
        self.slots = threading.BoundedSemaphore(self.limits.concurrency)

    @property
    def state(self) -> BreakerState:
        with self.lock:
            if self.open_until == 0.0:
                return BreakerState.CLOSED
            if self.trial_out or time.monotonic() >= self.open_until:
                return BreakerState.HALF_OPEN  # a trial is out, or the next call will be one
            return BreakerState.OPEN

    def _admit(self) -> tuple[NotSent | None, bool]:
        """(why not, whether this call is the half-open trial)."""
        with self.lock:
            now = time.monotonic()
            if self.open_until == 0.0:
                return None, False
            if now < self.open_until or self.trial_out:
                return NotSent.BREAKER_OPEN, False
            self.trial_out = True  # the cooldown is over: this call is the one trial
            return None, True

    def _record(self, *, answered: bool, trial: bool) -> None:
        with self.lock:
            if trial:
                self.trial_out = False
            if answered:
                self.failures, self.open_until = 0, 0.0
                return
            self.failures += 1
            if trial or self.failures >= self.limits.breaker_failures:
                self.open_until = time.monotonic() + self.limits.breaker_cooldown


_gates: dict[str, ProviderGate] = {}
_gates_lock = threading.Lock()
# True inside worker_patience: the endpoint's full timeout, and no gate (the worker's backoff is its breaker).
_in_worker: ContextVar[bool] = ContextVar("provider_in_worker", default=False)


def provider_gate(key: str, limits: GateLimits) -> ProviderGate:
    """This process's gate for one provider (`key`: its code). Other limits than the gate's make a new gate."""
    gate = _gates.get(key)
    if gate is None or gate.limits != limits:
        with _gates_lock:
            gate = _gates.get(key)
            if gate is None or gate.limits != limits:
                gate = _gates[key] = ProviderGate(limits=limits)
    return gate


def provider_breaker_open(key: str) -> bool:
    """Whether calls to this provider are stopped in this process now (its breaker open, the cooldown running).
    Never in the worker, which does not use the gate."""
    gate = _gates.get(key)
    return not _in_worker.get() and gate is not None and gate.state == BreakerState.OPEN


def provider_gates_reset() -> None:
    """Forget every gate (tests; a process that changed its endpoints)."""
    with _gates_lock:
        _gates.clear()


@contextmanager
def worker_patience() -> Iterator[None]:
    """Provider calls in this block wait the endpoint's full timeout: the task worker and the sweeper, which
    nobody is waiting for on a screen."""
    token = _in_worker.set(True)
    try:
        yield
    finally:
        _in_worker.reset(token)


def in_worker() -> bool:
    """Inside worker_patience: calls wait the full timeout and bypass the gate."""
    return _in_worker.get()


def call_timeout(*, full: float, request: float) -> float:
    """How long this call may wait for an answer: `full` in the worker, `request` (never more than full) elsewhere."""
    return full if _in_worker.get() else min(full, request)


@contextmanager
def gate_call(gate: ProviderGate) -> Iterator["GateTicket"]:
    """One call through the gate. The ticket says whether the call may go out (`ticket.refused` is why not); the
    caller reports with `ticket.answered()` / leaves it unreported for «no answer». A refused call takes no slot
    and costs nothing."""
    refused, trial = gate._admit()
    if refused is not None:
        yield GateTicket(refused=refused)
        return
    if not gate.slots.acquire(blocking=False):
        if trial:
            with gate.lock:
                gate.trial_out = False  # the trial never went out: the next call may try
        yield GateTicket(refused=NotSent.BUSY)
        return
    ticket = GateTicket(refused=None)
    try:
        yield ticket
    finally:
        gate.slots.release()
        gate._record(answered=ticket.got_answer, trial=trial)


@dataclass
class GateTicket:
    refused: NotSent | None
    got_answer: bool = False

    def answered(self) -> None:
        self.got_answer = True
