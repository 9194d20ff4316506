"""Injected faults for call-centre training: what СОЧИ does wrong on purpose, and the WSGI wrapper that drops
connections.

The switch is one database row, so every server thread and process sees the same fault. `count` limits it to the
next N /osmp/ calls it acts on (then the switch turns itself back to normal); it is decremented under the row's
lock. Which calls a mode acts on:

    down, timeout, slow, temporary   every authenticated /osmp/ protocol call (check, pay, status, malformed ones)
    refuse-account                   valid check and pay calls
    answer-lost                      valid pay calls (check and status answer normally)

The report endpoint, the fault endpoint and the company pages are never affected.

Beside the global switch (a whole-provider outage) a fault can be set for one company: AccountFault, one row per
account (the 14-digit INN), so that two trainees staging different cases do not break each other's. It acts only on
valid calls for that account — check and pay name it, a status call's account is the one СОЧИ's own register has
for its txn_id (no fault for a txn_id it never credited) — with the same modes and the same calls as above, except
that malformed calls are never touched. Its `count` is its own (the row is deleted when used up). Two extras:

    hold     "until released": no count; the fault acts on every matching call for the account (an answer-lost:
             every pay, repeats included, is credited once and never answered, so the wallet's worker cannot settle
             it) until the first status call about one of the account's payments — the agent's «Спросить
             поставщика» — which is answered truthfully and releases the fault (deletes it), or until it is
             cleared (mode normal for the account) or expires. Status calls are never faulted by a held fault.
    ttl      seconds: the case's time limit, after which the fault no longer applies.

Unheld, answer-lost per account is the global one: its pay calls are dropped, check and status answer truthfully.

When the global switch acts on a call it wins and the account's count is not spent. Clearing the global switch
(mode normal) leaves the per-account faults alone; account "all" with mode normal deletes every one of them.
"""

import errno
import logging
import socket
import struct
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from sochi import conf
from sochi.errors import InvalidInput
from sochi.models import AccountFault, FaultMode, FaultSwitch, Payment
from sochi.osmp import ACCOUNT_RE

logger = logging.getLogger("sochi.faults")

DEFAULT_DELAY_SECONDS = {FaultMode.SLOW: Decimal(5), FaultMode.TIMEOUT: Decimal(120)}
MAX_DELAY_SECONDS = Decimal(600)
MAX_COUNT = 1_000_000
MAX_TTL_SECONDS = 7 * 24 * 60 * 60
# The account that means every per-account fault (only to clear them all).
ALL_ACCOUNTS = "all"

MSG_DISABLED = "Faults are disabled (SOCHI_FAULTS_ENABLED is off)."

EVERY_CALL = {FaultMode.DOWN, FaultMode.TIMEOUT, FaultMode.SLOW, FaultMode.TEMPORARY}


@dataclass(frozen=True)
class Fault:
    mode: str
    delay: Decimal | None = None
    # Set when the fault is one company's (AccountFault), None for the global switch.
    account: str | None = None


NO_FAULT = Fault(mode=FaultMode.NORMAL)


class FaultsDisabled(Exception):
    pass


def fault_state(switch: FaultSwitch | None = None) -> dict:
    """The switch as the fault endpoint shows it (delay in seconds, set_at in ISO 8601 with the offset), and under
    "accounts" the per-account faults in force (the key is there only when there is one)."""
    if switch is None:
        switch = FaultSwitch.objects.filter(pk=FaultSwitch.SINGLETON_PK).first()
    if switch is None:
        state: dict = {"mode": FaultMode.NORMAL.value, "count": None, "delay": None, "set_at": None}
    else:
        state = {
            "mode": switch.mode,
            "count": switch.count,
            "delay": _seconds(switch.delay_ms),
            "set_at": timezone.localtime(switch.set_at).isoformat(),
        }
    accounts = account_faults()
    if accounts:
        state["accounts"] = accounts
    return state


def _seconds(delay_ms: int | None) -> float | None:
    return None if delay_ms is None else float(Decimal(delay_ms) / 1000)


def account_fault_state(fault: AccountFault | None, account: str) -> dict:
    """One account's fault as the endpoint shows it; mode normal when there is none (or it expired)."""
    if fault is None or _expired(fault):
        return {
            "account": account,
            "mode": FaultMode.NORMAL.value,
            "count": None,
            "delay": None,
            "hold": False,
            "expires_at": None,
            "set_at": None,
        }
    return {
        "account": fault.account,
        "mode": fault.mode,
        "count": fault.count,
        "delay": _seconds(fault.delay_ms),
        "hold": fault.hold,
        "expires_at": None if fault.expires_at is None else timezone.localtime(fault.expires_at).isoformat(),
        "set_at": timezone.localtime(fault.set_at).isoformat(),
    }


def account_faults() -> list[dict]:
    """The per-account faults in force, by account."""
    live = AccountFault.objects.exclude(expires_at__lte=timezone.now()).order_by("account")
    return [account_fault_state(fault, fault.account) for fault in live]


def _expired(fault: AccountFault) -> bool:
    return fault.expires_at is not None and fault.expires_at <= timezone.now()


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


def _parse_hold(hold: str | bool | None) -> bool:
    if hold is None or hold is False or hold == "":
        return False
    if hold is True:
        return True
    text = str(hold).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise InvalidInput("hold must be 1 or 0 (true or false)")


def _parse_ttl(ttl: str | int | None) -> int | None:
    if ttl is None or ttl == "":
        return None
    text = str(ttl).strip()
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= MAX_TTL_SECONDS:
        raise InvalidInput(f"ttl must be a whole number of seconds from 1 to {MAX_TTL_SECONDS}")
    return int(text)


@transaction.atomic
def fault_set(
    *,
    mode: str | None,
    count: str | int | None = None,
    delay: str | Decimal | None = None,
    account: str | None = None,
    hold: str | bool | None = None,
    ttl: str | int | None = None,
) -> dict:
    """Switch the fault (mode normal switches it off). Returns the new state. With `account` (an INN): that
    company's fault only (see account_fault_set); without it the global switch, and hold and ttl are refused."""
    if not conf.faults_enabled():
        raise FaultsDisabled(MSG_DISABLED)
    if account is not None and account != "":
        return account_fault_set(account=account, mode=mode, count=count, delay=delay, hold=hold, ttl=ttl)
    if _parse_hold(hold) or _parse_ttl(ttl) is not None:
        raise InvalidInput("hold and ttl apply only to a fault for one account")
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


@transaction.atomic
def account_fault_set(
    *,
    account: str,
    mode: str | None,
    count: str | int | None = None,
    delay: str | Decimal | None = None,
    hold: str | bool | None = None,
    ttl: str | int | None = None,
) -> dict:
    """Set one company's fault (mode normal clears it), or with account "all" and mode normal clear every
    per-account fault ({"account": "all", "mode": "normal", "cleared": N}). Returns the account's new state."""
    if not conf.faults_enabled():
        raise FaultsDisabled(MSG_DISABLED)
    account = str(account).strip()
    fault = parse_fault(mode=mode, count=count, delay=delay)
    count_value = _parse_count(count)
    hold_value = _parse_hold(hold)
    ttl_value = _parse_ttl(ttl)
    if account == ALL_ACCOUNTS:
        if fault.mode != FaultMode.NORMAL or hold_value or ttl_value is not None:
            raise InvalidInput(f"account {ALL_ACCOUNTS} only clears every per-account fault (mode normal)")
        cleared, _rows = AccountFault.objects.all().delete()
        logger.info("every per-account fault cleared (%s)", cleared)
        return {"account": ALL_ACCOUNTS, "mode": FaultMode.NORMAL.value, "cleared": cleared}
    if not ACCOUNT_RE.fullmatch(account):
        raise InvalidInput(f"account must be a company INN of 14 digits (or {ALL_ACCOUNTS} with mode normal)")
    if fault.mode == FaultMode.NORMAL:
        if hold_value or ttl_value is not None:
            raise InvalidInput("hold and ttl make no sense with mode normal")
        AccountFault.objects.filter(account=account).delete()
        logger.info("fault for account %s cleared", account)
        return account_fault_state(None, account)
    if hold_value and count_value is not None:
        raise InvalidInput("count makes no sense with hold (a held fault lasts until released)")
    now = timezone.now()
    row, _created = AccountFault.objects.update_or_create(
        account=account,
        defaults={
            "mode": fault.mode,
            "count": count_value,
            "delay_ms": None if fault.delay is None else int(fault.delay * 1000),
            "hold": hold_value,
            "expires_at": None if ttl_value is None else now + timedelta(seconds=ttl_value),
            "set_at": now,
        },
    )
    logger.info(
        "fault for account %s switched to %s (count=%s, delay=%s, hold=%s, ttl=%s)",
        account,
        fault.mode,
        count_value,
        fault.delay,
        hold_value,
        ttl_value,
    )
    return account_fault_state(row, account)


def _acts_on(mode: str, *, command: str | None, valid: bool) -> bool:
    if mode in EVERY_CALL:
        return True
    if mode == FaultMode.REFUSE_ACCOUNT:
        return valid and command in ("check", "pay")
    if mode == FaultMode.ANSWER_LOST:
        return valid and command == "pay"
    return False


def fault_take(*, command: str | None, valid: bool, account: str | None = None, txn_id: str | None = None) -> Fault:
    """The fault this /osmp/ call must suffer, counting it off the global switch, else off the account's fault
    (`account` of a check or pay; a status call's from the register by `txn_id`). Normal costs two reads, no lock."""
    if not conf.faults_enabled():
        return NO_FAULT
    fault = _global_take(command=command, valid=valid)
    if fault.mode != FaultMode.NORMAL or not valid:
        return fault
    return _account_take(command=command, account=account, txn_id=txn_id)


def _global_take(*, command: str | None, valid: bool) -> Fault:
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


def _account_acts_on(fault: AccountFault, *, command: str | None) -> bool:
    if fault.mode in EVERY_CALL:
        return command in ("check", "pay") or (command == "status" and not fault.hold)
    if fault.mode == FaultMode.REFUSE_ACCOUNT:
        return command in ("check", "pay")
    if fault.mode == FaultMode.ANSWER_LOST:
        return command == "pay"
    return False


def _releases(fault: AccountFault, *, command: str | None) -> bool:
    """A held fault ends with the first status call about the account's payments (the agent asked the provider)."""
    return fault.hold and command == "status"


def _account_take(*, command: str | None, account: str | None, txn_id: str | None) -> Fault:
    if command in ("check", "pay") and account:
        faults = AccountFault.objects.filter(account=account)
    elif command == "status" and txn_id:
        faults = AccountFault.objects.filter(account__in=Payment.objects.filter(txn_id=txn_id).values("account"))
    else:
        return NO_FAULT
    row = faults.first()
    if row is None or not (_releases(row, command=command) or _account_acts_on(row, command=command)):
        return NO_FAULT
    with transaction.atomic():
        # Again under the lock, as for the global switch.
        row = AccountFault.objects.select_for_update().filter(pk=row.pk).first()
        if row is None:
            return NO_FAULT
        if _expired(row):
            row.delete()
            logger.info("fault %s for account %s expired: removed", row.mode, row.account)
            return NO_FAULT
        if _releases(row, command=command):
            row.delete()
            logger.info("held fault %s for account %s released by a status call", row.mode, row.account)
            return NO_FAULT
        if not _account_acts_on(row, command=command):
            return NO_FAULT
        fault = Fault(
            mode=row.mode, delay=None if row.delay_ms is None else Decimal(row.delay_ms) / 1000, account=row.account
        )
        if row.count is not None:
            if row.count <= 1:
                row.delete()
                logger.info("fault %s for account %s used up: removed", fault.mode, fault.account)
            else:
                row.count -= 1
                row.save(update_fields=["count"])
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
