"""/osmp/: the provider protocol (check, pay, status), the daily report, the fault switch and the training
companies (the last two only on demo installations).

Server-to-server: no CSRF, no caching, HTTP Basic auth (optionally only from SOCHI_OSMP_ALLOWED_NETWORKS). Whatever
a peer sends gets a protocol answer, never an HTTP 500: unreadable requests get result 300, database trouble result 1
(or 90 for a pay, which the aggregator must then repeat with the same txn_id).
"""

import base64
import binascii
import hmac
import ipaddress
import json
import logging
import re
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import SuspiciousOperation
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from sochi import conf
from sochi.companies import DEMO_PINS, company_save, company_user_set_pin
from sochi.errors import InvalidInput
from sochi.faults import DROP_KEY, FaultMode, fault_set, fault_state, fault_take
from sochi.osmp import (
    COMMENT_ALREADY_PAID,
    COMMENT_AUTH,
    COMMENT_FORBIDDEN_ADDRESS,
    COMMENT_INTERNAL,
    COMMENT_METHOD,
    COMMENT_TOO_LONG,
    COMMENT_TXN_ID_REUSED,
    COMMENT_UNAVAILABLE,
    COMMENT_UNREADABLE,
    COMMENTS,
    CONTENT_TYPE,
    PARAMETERS,
    Answer,
    OsmpRequest,
    Result,
    format_sum,
    parse_request,
    render_report,
)
from sochi.payments import account_check, payment_accept, payment_find, payments_credited_between

logger = logging.getLogger("sochi.osmp")

BISHKEK = ZoneInfo("Asia/Bishkek")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
LOGGED_PATH_LENGTH = 300
# A real check or pay is about 120 bytes. Anything this long is refused unread (HTTP 413, result 300), so a
# 100 KB request can never carry a valid payment in among its junk.
MAX_PARAMETER_BYTES = 8 * 1024
# Everything Django raises while reading a hostile query string or body (too many fields, too big, a broken
# multipart body, a client gone mid-body, undecodable bytes).
UNREADABLE_REQUEST_ERRORS = (SuspiciousOperation, MultiPartParserError, UnreadablePostError, UnicodeError, ValueError)

# Tests replace it; the real thing holds one server thread, not a database transaction.
sleep = time.sleep


def _xml(body: bytes, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _json(data: dict, *, status: int = 200) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False), content_type="application/json", status=status)
    response["Cache-Control"] = "no-store"
    return response


def _basic_auth_ok(header: str) -> bool:
    expected_user, expected_password = conf.osmp_credentials()
    if not expected_user or not expected_password:
        return False
    try:
        # WSGI hands headers over as latin-1 text; back to the bytes the client sent.
        raw = header.encode("latin-1")
    except UnicodeError:
        return False
    scheme, _space, token = raw.strip().partition(b" ")
    if scheme.lower() != b"basic":
        return False
    try:
        decoded = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    user, colon, password = decoded.partition(b":")
    if not colon:
        return False
    # Both comparisons always run, so the time taken says nothing about which half was wrong.
    user_ok = hmac.compare_digest(user, expected_user)
    password_ok = hmac.compare_digest(password, expected_password)
    return user_ok and password_ok


def _address_allowed(request: HttpRequest) -> bool:
    networks = conf.osmp_allowed_networks()
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in networks)


def _refusal(request: HttpRequest) -> HttpResponse | None:
    """401/403 with an XML answer, or None when the caller may go on."""
    if not _address_allowed(request):
        logger.warning("osmp refused address %s", request.META.get("REMOTE_ADDR"))
        return _xml(Answer(result=Result.OTHER, comment=COMMENT_FORBIDDEN_ADDRESS).render(), status=403)
    if not _basic_auth_ok(request.META.get("HTTP_AUTHORIZATION", "")):
        response = _xml(Answer(result=Result.OTHER, comment=COMMENT_AUTH).render(), status=401)
        response["WWW-Authenticate"] = 'Basic realm="osmp"'
        return response
    return None


def _request_line(request: HttpRequest) -> str:
    """Method and path as sent (percent-encoded, so printable), cut short; never a header."""
    path = request.get_full_path()
    if len(path) > LOGGED_PATH_LENGTH:
        path = f"{path[:LOGGED_PATH_LENGTH]}...({len(path)} chars)"
    return f"{request.method} {path}"


def _too_long(request: HttpRequest) -> bool:
    try:
        body_length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return len(request.META.get("QUERY_STRING", "")) > MAX_PARAMETER_BYTES or body_length > MAX_PARAMETER_BYTES


def _read_params(request: HttpRequest) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    sources = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for source in sources:
        for name in PARAMETERS:
            values = source.getlist(name)
            if values:
                params.setdefault(name, []).extend(values)
    return params


@csrf_exempt
def osmp(request: HttpRequest) -> HttpResponse:
    response = _refusal(request)
    if response is None:
        try:
            response = _protocol(request)
        except Exception:
            logger.exception("osmp: unexpected error for %s", _request_line(request))
            response = _xml(Answer(result=Result.OTHER, comment=COMMENT_INTERNAL).render())
    logger.info(
        'osmp "%s" from %s -> HTTP %s', _request_line(request), request.META.get("REMOTE_ADDR"), response.status_code
    )
    return response


def _protocol(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        response = _xml(Answer(result=Result.OTHER, comment=COMMENT_METHOD).render(), status=405)
        response["Allow"] = "GET, POST"
        return response
    if _too_long(request):
        return _xml(Answer(result=Result.OTHER, comment=COMMENT_TOO_LONG).render(), status=413)
    try:
        parsed = parse_request(_read_params(request))
    except UNREADABLE_REQUEST_ERRORS as exc:
        logger.info("osmp: unreadable request (%s)", type(exc).__name__)
        parsed = OsmpRequest(result=Result.OTHER, comment=COMMENT_UNREADABLE)
    try:
        fault = fault_take(command=parsed.command, valid=parsed.valid, account=parsed.account, txn_id=parsed.txn_id)
    except DatabaseError:
        logger.exception("osmp: the fault switch could not be read")
        return _xml(_echo(parsed, Result.TEMPORARY).render())
    if fault.mode == FaultMode.DOWN:
        return _drop(request, fault.mode)
    if fault.mode == FaultMode.TIMEOUT:
        sleep(float(fault.delay or 0))
        return _drop(request, fault.mode)
    if fault.mode == FaultMode.SLOW:
        sleep(float(fault.delay or 0))
    if fault.mode == FaultMode.TEMPORARY:
        return _xml(_echo(parsed, Result.TEMPORARY).render())
    if not parsed.valid:
        return _xml(_echo(parsed, parsed.result, parsed.comment).render())
    if fault.mode == FaultMode.REFUSE_ACCOUNT:
        return _xml(_echo(parsed, Result.ACCOUNT_NOT_FOUND).render())
    if parsed.command == "check":
        answer = _check(parsed)
    elif parsed.command == "pay":
        answer = _pay(parsed)
    else:
        answer = _status(parsed)
    logger.info(
        "osmp %s txn_id=%s account=%s sum=%s -> result %s prv_txn=%s",
        parsed.command,
        parsed.txn_id,
        parsed.account or "",
        parsed.sum_text,
        int(answer.result),
        answer.prv_txn or "",
    )
    if fault.mode == FaultMode.ANSWER_LOST:
        return _drop(request, fault.mode)
    return _xml(answer.render())


def _echo(parsed: OsmpRequest, result: Result, comment: str | None = None) -> Answer:
    return Answer(result=result, comment=comment, txn_id=parsed.txn_id, sum=parsed.sum_text)


def _drop(request: HttpRequest, mode: str) -> HttpResponse:
    """Ask the WSGI wrapper to reset the connection; this answer goes out only where it cannot (runserver)."""
    request.META[DROP_KEY] = mode
    response = _xml(Answer(result=Result.TEMPORARY, comment=COMMENT_UNAVAILABLE).render(), status=503)
    response._has_been_logged = (
        True  # an intended fault, logged by the wrapper: not Django's "Service Unavailable" error
    )
    return response


def _check(parsed: OsmpRequest) -> Answer:
    try:
        outcome = account_check(inn=parsed.account)
    except DatabaseError:
        logger.exception("osmp check: database error")
        return _echo(parsed, Result.TEMPORARY)
    answer = _echo(parsed, outcome.result)
    if outcome.company is not None:
        # Also for a closed or refusing company: the wallet can then tell the customer which company it is.
        answer.fields = [("name", outcome.company.name)]
    return answer


def _pay(parsed: OsmpRequest) -> Answer:
    try:
        outcome = payment_accept(
            txn_id=parsed.txn_id, inn=parsed.account, amount=parsed.amount, txn_date=parsed.txn_date
        )
    except Exception:
        # Not 300: the transaction may have committed before the failure. 90 makes the aggregator repeat the same
        # txn_id, which answers the truth either way.
        logger.exception("osmp pay txn_id=%s: not finished", parsed.txn_id)
        return _echo(parsed, Result.NOT_FINISHED)
    if outcome.conflict:
        return _echo(parsed, Result.OTHER, COMMENT_TXN_ID_REUSED)
    answer = _echo(parsed, outcome.result)
    if outcome.payment is not None:
        answer.prv_txn = outcome.payment.prv_txn
        if outcome.repeated:
            answer.comment = COMMENT_ALREADY_PAID
    return answer


def _status(parsed: OsmpRequest) -> Answer:
    try:
        payment = payment_find(txn_id=parsed.txn_id)
    except DatabaseError:
        logger.exception("osmp status: database error")
        return _echo(parsed, Result.TEMPORARY)
    if payment is None:
        return Answer(
            result=Result.OK,
            comment="Платеж не найден",
            txn_id=parsed.txn_id,
            extra=[("found", "0"), ("account", None), ("txn_date", None), ("credited_at", None)],
        )
    return Answer(
        result=Result.OK,
        comment=COMMENTS[Result.OK],
        txn_id=parsed.txn_id,
        prv_txn=payment.prv_txn,
        sum=format_sum(payment.amount),
        extra=[
            ("found", "1"),
            ("account", payment.account),
            ("txn_date", payment.txn_date),
            ("credited_at", _iso(payment.credited_at)),
        ],
    )


def _iso(moment: datetime) -> str:
    return moment.astimezone(BISHKEK).isoformat(timespec="seconds")


@csrf_exempt
def report(request: HttpRequest) -> HttpResponse:
    """GET /osmp/report/?date=YYYY-MM-DD: every payment credited on that Bishkek calendar day, oldest first."""
    response = _refusal(request)
    if response is not None:
        return response
    try:
        raw = request.GET.get("date", "")
    except UNREADABLE_REQUEST_ERRORS:
        raw = ""
    day = _parse_date(raw)
    if day is None:
        logger.info('osmp report "%s" -> bad date', _request_line(request))
        return _xml(Answer(result=Result.OTHER, comment="Неверная дата: нужна ГГГГ-ММ-ДД").render(), status=400)
    start = datetime.combine(day, datetime.min.time(), tzinfo=BISHKEK)
    try:
        payments = [
            {
                "txn_id": payment.txn_id,
                "prv_txn": payment.prv_txn,
                "account": payment.account,
                "sum": format_sum(payment.amount),
                "txn_date": payment.txn_date,
                "credited_at": _iso(payment.credited_at),
            }
            for payment in payments_credited_between(start=start, end=start + timedelta(days=1))
        ]
    except DatabaseError:
        logger.exception("osmp report: database error")
        return _xml(Answer(result=Result.TEMPORARY).render(), status=503)
    logger.info('osmp report "%s" -> %s payment(s)', _request_line(request), len(payments))
    return _xml(render_report(date=day.isoformat(), payments=payments))


def _parse_date(raw: str) -> date | None:
    if not DATE_RE.fullmatch(raw or ""):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@csrf_exempt
def faults(request: HttpRequest) -> HttpResponse:
    """GET: the current fault (the global switch, and the per-account faults under "accounts"); POST mode, count,
    delay: switch it; with account (an INN; "all" with mode normal clears them all), hold and ttl: one company's
    fault (sochi/faults.py). Only with SOCHI_FAULTS_ENABLED (else 404)."""
    if not conf.faults_enabled():
        # As if there were no such endpoint (a plain 404, not the site's HTML page).
        return HttpResponseNotFound("Not Found", content_type="text/plain; charset=utf-8")
    response = _refusal(request)
    if response is not None:
        return response
    if request.method == "GET":
        return _json(fault_state())
    if request.method != "POST":
        response = _json({"error": "use GET or POST"}, status=405)
        response["Allow"] = "GET, POST"
        return response
    try:
        fields = {name: request.POST.get(name) for name in ("mode", "count", "delay", "account", "hold", "ttl")}
    except UNREADABLE_REQUEST_ERRORS:
        return _json({"error": "unreadable request"}, status=400)
    try:
        state = fault_set(**fields)
    except InvalidInput as exc:
        return _json({"error": str(exc)}, status=400)
    return _json(state)


@csrf_exempt
def companies(request: HttpRequest) -> HttpResponse:
    """POST inn, name: register (or rename) a company, active and accepting payments — a call-centre trainee's own
    customer company, made by the wallet's training tools (services.osmp.OsmpClient.register_company). With DEBUG
    or DEMO_MODE a new company also gets the demo PINs (Руководитель 123456, Бухгалтер 654321). Guarded like the
    fault switch: only with SOCHI_FAULTS_ENABLED (else 404), the protocol's credentials and addresses."""
    if not conf.faults_enabled():
        return HttpResponseNotFound("Not Found", content_type="text/plain; charset=utf-8")
    response = _refusal(request)
    if response is not None:
        return response
    if request.method != "POST":
        response = _json({"error": "use POST"}, status=405)
        response["Allow"] = "POST"
        return response
    if _too_long(request):
        return _json({"error": "request too long"}, status=413)
    try:
        inn, name = request.POST.get("inn", ""), request.POST.get("name", "")
    except UNREADABLE_REQUEST_ERRORS:
        return _json({"error": "unreadable request"}, status=400)
    try:
        with transaction.atomic():
            company, created = company_save(inn=inn, name=name, closed=False, accepts_payments=True)
            if created and conf.demo_allowed():
                for role, pin in DEMO_PINS.items():
                    company_user_set_pin(company=company, role=role, pin=pin)
    except InvalidInput as exc:
        return _json({"error": str(exc)}, status=400)
    logger.info("osmp companies: %s %s (%s)", company.inn, company.name, "new" if created else "kept")
    return _json({"inn": company.inn, "name": company.name, "created": created})
