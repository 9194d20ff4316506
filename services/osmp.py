"""The wallet's side of the OSMP/QIWI provider protocol, spoken with DosTek group's СОЧИ.

`GET /osmp/?command=check|pay|status&txn_id=…&account=…&sum=…[&txn_date=YYYYMMDDHHMMSS]`, HTTP Basic auth, an XML
`<response>` with a result code. The answer is untrusted input: parsed with defusedxml, and anything unexpected
(a timeout, a refused connection, HTML, a broken document, an unknown code) is an *unknown* outcome, never an
exception for the caller and never a "failure" that would return money the provider may have credited.

Every call is written to ProviderExchange (without the password), so that support sees what was asked and
answered for each payment."""

import logging
import os
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import IntEnum
from typing import Any

import httpx
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.conf import settings
from django.utils import timezone

from services.bulkhead import (
    DEFAULT_REQUEST_TIMEOUT,
    GateLimits,
    GateTicket,
    call_timeout,
    gate_call,
    in_worker,
    provider_gate,
)

logger = logging.getLogger(__name__)
MAX_ANSWER_BYTES = 64 * 1024
USER_AGENT = "elsom-portal-osmp/1"


class OsmpResult(IntEnum):
    OK = 0
    TEMPORARY = 1
    BAD_ACCOUNT_FORMAT = 4
    ACCOUNT_NOT_FOUND = 5
    PAYMENT_FORBIDDEN = 7
    ACCOUNT_INACTIVE = 79
    NOT_FINISHED = 90
    SUM_TOO_SMALL = 241
    SUM_TOO_LARGE = 242
    OTHER = 300


# "Try again": the same txn_id is asked again later. Every other code is the provider's final word.
RETRY_RESULTS = {OsmpResult.TEMPORARY, OsmpResult.NOT_FINISHED}


class Outcome:
    ACCEPTED, REFUSED, UNKNOWN = "accepted", "refused", "unknown"


@dataclass
class OsmpAnswer:
    """What one call brought back. `outcome` is ACCEPTED / REFUSED (final, `result` says why) / UNKNOWN."""

    command: str
    outcome: str
    result: int | None = None
    comment: str = ""
    prv_txn: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    http_status: int | None = None
    error: str = ""
    duration_ms: int = 0
    request: dict[str, str] = field(default_factory=dict)

    @property
    def account_holder(self) -> str:
        return self.fields.get("name", "")


def osmp_sum(amount: Decimal) -> str:
    return f"{amount:.2f}"


def osmp_txn_date(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S")


_shared_clients: dict[tuple, httpx.Client] = {}
_shared_clients_lock = threading.Lock()


class OsmpClient:
    """One provider endpoint. Explicit connect and read timeouts: a slow provider costs at most those seconds."""

    def __init__(
        self,
        *,
        url: str,
        user: str,
        password: str,
        timeout: float,
        connect_timeout: float,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        limits: GateLimits | None = None,
        gate_key: str = "",
        transport: httpx.BaseTransport | None = None,
    ):
        self.url = url
        self.auth = httpx.BasicAuth(user, password)
        self.timeout = httpx.Timeout(timeout, connect=connect_timeout)
        self.full_timeout, self.connect_timeout, self.request_timeout = timeout, connect_timeout, request_timeout
        self.transport = transport
        self._shared_key = (url, user, password, timeout, connect_timeout)
        # The provider's code (for_provider) names its gate; a client made by hand, its URL.
        self.gate = provider_gate(gate_key or url, limits or GateLimits())

    @classmethod
    def for_provider(cls, code: str) -> "OsmpClient":
        """The endpoint of a provider from OSMP_ENDPOINTS (settings; DosTek's from the DOSTEK_OSMP_* variables)."""
        try:
            endpoint: dict[str, Any] = settings.OSMP_ENDPOINTS[code]
        except KeyError as exc:
            raise OsmpError(f"no OSMP endpoint configured for provider {code!r}") from exc
        return cls(
            url=endpoint["URL"],
            user=endpoint["USER"],
            password=endpoint["PASSWORD"],
            timeout=endpoint["TIMEOUT"],
            connect_timeout=endpoint["CONNECT_TIMEOUT"],
            request_timeout=endpoint.get("REQUEST_TIMEOUT", DEFAULT_REQUEST_TIMEOUT),
            limits=GateLimits(
                **{name: endpoint[key] for name, key in GATE_SETTINGS.items() if endpoint.get(key) is not None}
            ),
            gate_key=code,
        )

    def _new_client(self) -> httpx.Client:
        return httpx.Client(
            auth=self.auth,
            timeout=self.timeout,
            transport=self.transport,
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    @contextmanager
    def _client(self):
        """One httpx client per endpoint and process, kept: a new client builds an SSL context (tens of ms under
        load, measured by bench/provider_bench.py) and opens a new connection. The process id is part of the key:
        a client inherited through fork would share its sockets with the parent. A test's transport gets a client
        of its own."""
        if self.transport is not None:
            with self._new_client() as client:
                yield client
            return
        key = (os.getpid(), *self._shared_key)
        shared = _shared_clients.get(key)
        if shared is None:
            with _shared_clients_lock:
                shared = _shared_clients.get(key) or _shared_clients.setdefault(key, self._new_client())
        yield shared

    def check(self, *, txn_id: str, account: str, amount: Decimal) -> OsmpAnswer:
        return self.call("check", {"txn_id": txn_id, "account": account, "sum": osmp_sum(amount)})

    def pay(self, *, txn_id: str, account: str, amount: Decimal, txn_date: datetime) -> OsmpAnswer:
        params = {"txn_id": txn_id, "account": account, "sum": osmp_sum(amount), "txn_date": osmp_txn_date(txn_date)}
        return self.call("pay", params)

    def status(self, *, txn_id: str) -> OsmpAnswer:
        return self.call("status", {"txn_id": txn_id})

    def call(self, command: str, params: dict[str, str]) -> OsmpAnswer:
        """One protocol call. In a request it goes through the provider's gate (services/bulkhead.py) and waits at
        most the request's budget; in the worker, the full timeout."""
        request = {"command": command, **params}
        if in_worker():
            return self._send(command, request, GateTicket(refused=None))
        with gate_call(self.gate) as ticket:
            if ticket.refused is not None:
                return self._unknown(command, request, time.monotonic(), ticket.refused.value)
            return self._send(command, request, ticket)

    def _send(self, command: str, request: dict[str, str], ticket: GateTicket) -> OsmpAnswer:
        read = call_timeout(full=self.full_timeout, request=self.request_timeout)
        timeout = httpx.Timeout(read, connect=min(self.connect_timeout, read))
        started = time.monotonic()
        try:
            with self._client() as client:
                response = client.get(self.url, params=request, timeout=timeout)
                body = response.content[: MAX_ANSWER_BYTES + 1]
        # Waited in vain, or nobody listens: what the breaker counts (the ticket stays unanswered).
        except httpx.TimeoutException as exc:
            return self._unknown(command, request, started, f"timeout: {type(exc).__name__}")
        except httpx.ConnectError as exc:
            return self._unknown(command, request, started, f"{type(exc).__name__}: {exc}"[:300])
        except httpx.HTTPError as exc:
            ticket.answered()  # a dropped connection: the provider is there, its answer lost on the way
            return self._unknown(command, request, started, f"{type(exc).__name__}: {exc}"[:300])
        ticket.answered()
        answer = parse_answer(command, response.status_code, body)
        answer.duration_ms = int((time.monotonic() - started) * 1000)
        answer.request = request
        return answer

    def _unknown(self, command, request, started, error) -> OsmpAnswer:
        return OsmpAnswer(
            command=command,
            outcome=Outcome.UNKNOWN,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
            request=request,
        )

    def report(self, *, day: date) -> list[dict[str, str]]:
        """The provider's list of payments credited on that (Bishkek) day, for reconciliation. Raises OsmpError when
        it cannot be had: a reconciliation without the other side's list must not say «all matches»."""
        report_url = self.url.rstrip("/") + "/report/"
        try:
            with self._client() as client:
                response = client.get(report_url, params={"date": day.isoformat()}, timeout=TOOLS_TIMEOUT)
        except httpx.HTTPError as exc:
            raise OsmpError(f"report for {day}: {type(exc).__name__}: {exc}") from exc
        if response.status_code != 200:
            raise OsmpError(f"report for {day}: HTTP {response.status_code}")
        try:
            root = ElementTree.fromstring(response.content[:MAX_REPORT_BYTES])
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            raise OsmpError(f"report for {day}: not an XML report ({exc})") from exc
        if root.tag != "report":
            raise OsmpError(f"report for {day}: <{root.tag}> instead of <report>")
        return [dict(element.attrib) for element in root.iter("payment")]

    def set_fault(
        self,
        *,
        mode: str,
        count: int | None = None,
        delay: float | None = None,
        account: str | None = None,
        hold: bool = False,
        ttl: int | None = None,
    ) -> dict:
        """Training: switch a fault on at the provider (its fault endpoint, enabled only on demo installations).
        Without `account` the provider-wide switch; with an account (a company's INN) that company's calls only
        (mode normal clears it; ACCOUNT_ALL with normal clears every per-account fault). `hold`: until released
        (no count: the first status call about the account's payments is answered truthfully and ends it); `ttl`:
        seconds until it ends. Answers the provider's state: the global switch (with "accounts"), or the account's
        fault."""
        data = {"mode": mode}
        if count is not None:
            data["count"] = str(count)
        if delay is not None:
            data["delay"] = str(delay)
        if account is not None:
            data["account"] = account
        if hold:
            data["hold"] = "1"
        if ttl is not None:
            data["ttl"] = str(ttl)
        try:
            with self._client() as client:
                response = client.post(self.url.rstrip("/") + "/faults/", data=data, timeout=TOOLS_TIMEOUT)
        except httpx.HTTPError as exc:
            raise OsmpError(f"fault switch: {type(exc).__name__}: {exc}") from exc
        try:
            payload = response.json()
        except ValueError as exc:
            raise OsmpError(f"fault switch: HTTP {response.status_code}, not JSON") from exc
        if response.status_code != 200:
            raise OsmpError(f"fault switch: {payload.get('error') or response.status_code}")
        return payload

    def register_company(self, *, inn: str, name: str) -> dict:
        """Training: register (or rename) a company at the provider, active and accepting payments — a trainee's
        own customer company (the provider's companies endpoint, enabled only on demo installations, like the fault
        switch). Answers {"inn", "name", "created"}; raises OsmpError when it cannot be had."""
        try:
            with self._client() as client:
                response = client.post(
                    self.url.rstrip("/") + "/companies/", data={"inn": inn, "name": name}, timeout=TOOLS_TIMEOUT
                )
        except httpx.HTTPError as exc:
            raise OsmpError(f"company register: {type(exc).__name__}: {exc}") from exc
        try:
            payload = response.json()
        except ValueError as exc:
            raise OsmpError(f"company register: HTTP {response.status_code}, not JSON") from exc
        if not isinstance(payload, dict):
            raise OsmpError(f"company register: HTTP {response.status_code}, not a JSON object")
        if response.status_code != 200:
            raise OsmpError(f"company register: {payload.get('error') or response.status_code}")
        return payload


MAX_REPORT_BYTES = 8 * 1024 * 1024
# The report, the fault switch and the company register are tools (reconciliation, training), not a payment's
# call: nobody's payment waits for them, and they do more work at the provider than a check; they get their own
# patience instead of the payment's timeouts.
TOOLS_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# GateLimits' fields and the OSMP_ENDPOINTS keys that set them.
GATE_SETTINGS = {
    "concurrency": "CONCURRENCY",
    "breaker_failures": "BREAKER_FAILURES",
    "breaker_cooldown": "BREAKER_COOLDOWN",
}
# set_fault(mode="normal", account=ACCOUNT_ALL): every per-account fault at the provider cleared.
ACCOUNT_ALL = "all"


class OsmpError(Exception):
    """The provider's report or fault switch could not be had (reconciliation and training tools only)."""


def parse_answer(command: str, http_status: int, body: bytes) -> OsmpAnswer:
    """An HTTP answer -> an outcome. Only a well-formed <response> with a known result code is an answer at all."""
    answer = OsmpAnswer(command=command, outcome=Outcome.UNKNOWN, http_status=http_status)
    if len(body) > MAX_ANSWER_BYTES:
        answer.error = "answer too long"
        return answer
    try:
        root = ElementTree.fromstring(body)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        answer.error = f"HTTP {http_status}, not an OSMP answer: {type(exc).__name__}"
        return answer
    if root.tag != "response":
        answer.error = f"HTTP {http_status}, <{root.tag}> instead of <response>"
        return answer

    def text(tag: str) -> str:
        element = root.find(tag)
        return (element.text or "").strip()[:255] if element is not None else ""

    try:
        result = OsmpResult(int(text("result")))
    except ValueError:
        answer.error = f"HTTP {http_status}, result {text('result')[:20]!r} is not an OSMP code"
        return answer
    answer.result = int(result)
    answer.comment = text("comment")
    answer.prv_txn = text("prv_txn")[:64]
    fields = root.find("fields")
    if fields is not None:
        answer.fields = {el.get("name", el.tag): (el.text or "").strip()[:200] for el in fields}
    for tag in ("found", "sum", "account", "txn_date", "credited_at"):
        if root.find(tag) is not None:
            answer.extra[tag] = text(tag)
    if result == OsmpResult.OK:
        if command == "pay" and not answer.prv_txn:
            answer.error = "result 0 without prv_txn"  # not a confirmation we can put on a receipt: ask again
            return answer
        answer.outcome = Outcome.ACCEPTED
    elif result in RETRY_RESULTS:
        answer.outcome = Outcome.UNKNOWN
    else:
        answer.outcome = Outcome.REFUSED
    return answer


def parse_osmp_sum(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value.quantize(Decimal("0.01")) if value.is_finite() else None
