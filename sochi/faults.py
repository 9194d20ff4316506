"""Injected faults for call-centre training: what СОЧИ does wrong on purpose, and the WSGI wrapper that drops
connections.

The switch is one database row, so every server thread and process sees the same fault. `count` limits it to the
next N /osmp/ calls it acts on (then the switch turns itself back to normal); it is decremented under the row's
lock. Which calls a mode acts on:

    down, timeout, slow, temporary   every authenticated /osmp/ protocol call (check, pay, status, malformed ones)
    refuse-account                   valid check and pay calls
    answer-lost                      valid pay calls (check and status answer normally)

The report endpoint, the fault endpoint and the company pages are never affected.
"""

import errno
import logging
import socket
import struct
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from sochi import conf
from sochi.errors import InvalidInput
from sochi.models import FaultMode, FaultSwitch

logger = logging.getLogger("sochi.faults")

DEFAULT_DELAY_SECONDS = {FaultMode.SLOW: Decimal(5), FaultMode.TIMEOUT: Decimal(120)}
MAX_DELAY_SECONDS = Decimal(600)
MAX_COUNT = 1_000_000

MSG_DISABLED = "Faults are disabled (SOCHI_FAULTS_ENABLED is off)."

EVERY_CALL = {FaultMode.DOWN, FaultMode.TIMEOUT, FaultMode.SLOW, FaultMode.TEMPORARY}


@dataclass(frozen=True)
class Fault:
    mode: str
    delay: Decimal | None = None


NO_FAULT = Fault(mode=FaultMode.NORMAL)


class FaultsDisabled(Exception):
    pass


def fault_state(switch: FaultSwitch | None = None) -> dict:
    """The switch as the fault endpoint shows it (delay in seconds, set_at in ISO 8601 with the offset)."""
    if switch is None:
        switch = FaultSwitch.objects.filter(pk=FaultSwitch.SINGLETON_PK).first()
    if switch is None:
        return {"mode": FaultMode.NORMAL.value, "count": None, "delay": None, "set_at": None}
    delay = None if switch.delay_ms is None else float(Decimal(switch.delay_ms) / 1000)
    return {
        "mode": switch.mode,
        "count": switch.count,
        "delay": delay,
        "set_at": timezone.localtime(switch.set_at).isoformat(),
    }


def parse_fault(*, mode: str | None, count: str | int | None = None, delay: str | Decimal | None = None) -> Fault:
    """Check a requested fault (from a form or the command line); returns the mode and delay with defaults and
    raises InvalidInput with an English message naming the bad part."""
    if mode not in FaultMode.values:
        raise InvalidInput(f"mode must be one of: {', '.join(FaultMode.values)}")
    count_value = _parse_count(count)
    if mode == FaultMode.NORMAL and count_value is not None:
        raise InvalidInput("count makes no sense with mode normal")
    delay_value = _parse_delay(delay)
    if delay_value is not None and mode not in DEFAULT_DELAY_SECONDS:
        raise InvalidInput("delay applies only to the slow and timeout modes")
    if delay_value is None:
        delay_value = DEFAULT_DELAY_SECONDS.get(mode)
    return Fault(mode=mode, delay=delay_value)


def _parse_count(count: str | int | None) -> int | None:
    if count is None or count == "":
        return None
    text = str(count).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_COUNT:
        raise InvalidInput(f"count must be a whole number from 1 to {MAX_COUNT}")
    return int(text)


def _parse_delay(delay: str | Decimal | None) -> Decimal | None:
    if delay is None or delay == "":
        return None
    try:
        value = Decimal(str(delay).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= MAX_DELAY_SECONDS:
        raise InvalidInput(f"delay must be a number of seconds from 0 to {MAX_DELAY_SECONDS}")
    if value != value.quantize(Decimal("0.001")):
        raise InvalidInput("delay has at most 3 decimals (milliseconds)")
    return value


@transaction.atomic
def fault_set(*, mode: str | None, count: str | int | None = None, delay: str | Decimal | None = None) -> dict:
    """Switch the fault (mode normal switches it off). Returns the new state."""
    if not conf.faults_enabled():
        raise FaultsDisabled(MSG_DISABLED)
    fault = parse_fault(mode=mode, count=count, delay=delay)
    count_value = _parse_count(count)
    switch, _created = FaultSwitch.objects.update_or_create(
        pk=FaultSwitch.SINGLETON_PK,
        defaults={
            "mode": fault.mode,
            "count": count_value,
            "delay_ms": None if fault.delay is None else int(fault.delay * 1000),
            "set_at": timezone.now(),
        },
    )
    logger.info("fault switched to %s (count=%s, delay=%s)", fault.mode, count_value, fault.delay)
    return fault_state(switch)


def _acts_on(mode: str, *, command: str | None, valid: bool) -> bool:
    if mode in EVERY_CALL:
        return True
    if mode == FaultMode.REFUSE_ACCOUNT:
        return valid and command in ("check", "pay")
    if mode == FaultMode.ANSWER_LOST:
        return valid and command == "pay"
    return False


def fault_take(*, command: str | None, valid: bool) -> Fault:
    """The fault this /osmp/ call must suffer, counting it off the switch. Normal costs one read, no lock."""
    if not conf.faults_enabled():
        return NO_FAULT
    switch = FaultSwitch.objects.filter(pk=FaultSwitch.SINGLETON_PK).first()
    if switch is None or not _acts_on(switch.mode, command=command, valid=valid):
        return NO_FAULT
    with transaction.atomic():
        # Again under the lock: two calls racing for the last count must not both get the fault.
        switch = FaultSwitch.objects.select_for_update().filter(pk=FaultSwitch.SINGLETON_PK).first()
        if switch is None or not _acts_on(switch.mode, command=command, valid=valid):
            return NO_FAULT
        fault = Fault(mode=switch.mode, delay=None if switch.delay_ms is None else Decimal(switch.delay_ms) / 1000)
        if switch.count is not None:
            if switch.count <= 1:
                switch.mode, switch.count, switch.delay_ms, switch.set_at = FaultMode.NORMAL, None, None, timezone.now()
                logger.info("fault %s used up: back to normal", fault.mode)
            else:
                switch.count -= 1
            switch.save(update_fields=["mode", "count", "delay_ms", "set_at"])
    return fault


# --- dropping connections (WSGI) ------------------------------------------------------------------------------------

# The view asks for the drop by putting the mode here; the wrapper below does it once Django has finished the request
# (for answer-lost: after the payment's transaction committed).
DROP_KEY = "sochi.fault.drop"
# sochi_serve hands over a callable that resets the connection (its socket has a buffered reader attached, so only
# the server can really close it).
ABORT_KEY = "sochi.abort_connection"


class ConnectionDropped(ConnectionResetError):
    """Raised out of the WSGI app after the connection was reset: servers treat it as a client gone (wsgiref
    returns quietly, gunicorn logs 'Ignoring connection reset' at debug level) and write nothing."""


def reset_socket(sock: socket.socket) -> None:
    """Make the kernel answer with RST instead of FIN: SO_LINGER on with a zero timeout, then close."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _reset_connection(environ: dict) -> bool:
    abort = environ.get(ABORT_KEY)
    if abort is not None:
        abort()
        return True
    sock = environ.get("gunicorn.socket")
    if sock is not None:
        reset_socket(sock)
        return True
    return False


class FaultInjectingApplication:
    """Wraps Django's WSGI handler. Holds the answer back until Django is done; if the view asked for a drop,
    resets the connection instead of answering. Without a socket (plain runserver) the view's fallback answer, HTTP
    503 with result 1, goes out and a log line says why."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        pending: list = []

        def hold_start_response(status, headers, exc_info=None):
            pending[:] = [status, headers, exc_info]

            def write(data):  # pragma: no cover - Django never uses write()
                raise RuntimeError("the fault wrapper does not support the WSGI write() callable")

            return write

        result = self.app(environ, hold_start_response)
        mode = environ.get(DROP_KEY)
        if mode:
            if _reset_connection(environ):
                if hasattr(result, "close"):
                    result.close()
                logger.info("fault %s: connection reset, no answer sent", mode)
                raise ConnectionDropped(errno.ECONNRESET, f"connection dropped by the {mode} fault")
            logger.warning("fault %s: no client socket here (plain runserver?), answering HTTP 503 instead", mode)
        start_response(*pending)
        return result
