"""The app channel: a versioned JSON API (django-ninja; OpenAPI at /api/v1/openapi.json, Swagger UI from our own
static files at /api/v1/docs).

Every error is one shape, {"code", "message", "params"}, in the request's language: the domain's errors by their
code, the schema's (422 invalid_request with the fields), bad JSON, bodies over DATA_UPLOAD_MAX_MEMORY_SIZE (413),
unknown routes and methods, throttles (429 with Retry-After) and, should it happen, a server error."""

import json
import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.security import HttpBearer

from api.devices import device_token_authenticate
from api.errors import (
    MSG_BAD_CHARACTERS,
    MSG_INVALID_JSON,
    MSG_INVALID_REQUEST,
    MSG_METHOD_NOT_ALLOWED,
    MSG_REQUEST_TOO_LARGE,
    MSG_ROUTE_NOT_FOUND,
    MSG_SERVER_ERROR,
    MSG_TOKEN_INVALID,
    MSG_TOKEN_REQUIRED,
    PARAM_NAMES,
    error_status,
)
from core.errors import DomainError
from wallet.phone import InvalidPhone

logger = logging.getLogger(__name__)


class BadCharacters(ValueError):
    """A string of the request holds a NUL: no column may store it (PostgreSQL refuses it in text)."""


def _refuse_nul(value) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise BadCharacters
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key)
            _refuse_nul(item)
    elif isinstance(value, list):
        for item in value:
            _refuse_nul(item)


class StrictJsonParser(Parser):
    """JSON in UTF-8, an object, no NUL anywhere; ninja turns what this raises into a 400 (handled below)."""

    def parse_body(self, request: HttpRequest):
        data = json.loads(request.body.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        _refuse_nul(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul(result)
        return result


class Utf8JsonRenderer(JSONRenderer):
    """Cyrillic as it is, not as \\u escapes: the bodies stay readable in curl and logs (JSON is UTF-8 anyway)."""

    json_dumps_params = {"ensure_ascii": False}


class DeviceTokenAuth(HttpBearer):
    """Authorization: Bearer <device token>. request.auth is the DeviceToken, its wallet loaded."""

    openapi_description = "The device token from POST /auth/token or POST /wallets."

    def authenticate(self, request: HttpRequest, token: str):
        if not token or len(token) > 200 or "\x00" in token:
            raise AuthenticationError
        return device_token_authenticate(secret=token)


api = NinjaAPI(
    title="ELSOM App API",
    version="1",
    description=__doc__,
    urls_namespace="api-v1",
    parser=StrictJsonParser(),
    renderer=Utf8JsonRenderer(),
    auth=DeviceTokenAuth(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _json_safe(value):
    if isinstance(value, bool | int | float) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_json_safe(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    return str(value)


def error_response(request, *, status: int, code: str, message, params: dict | None = None) -> HttpResponse:
    params = {PARAM_NAMES.get(key, key): _json_safe(value) for key, value in (params or {}).items()}
    response = api.create_response(request, {"code": code, "message": str(message), "params": params}, status=status)
    if status == 429 and "retry_after" in params:
        response["Retry-After"] = str(params["retry_after"])
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    code = "invalid_phone" if isinstance(exc, InvalidPhone) else exc.code
    params = {**exc.params, "reason": exc.code} if isinstance(exc, InvalidPhone) else exc.params
    return error_response(request, status=error_status(exc), code=code, message=exc, params=params)


@api.exception_handler(ValidationError)
def validation_error(request, exc: ValidationError):
    fields = []
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ())]
        # ("body", "payload", "amount") -> "amount"; ("header", "idempotency-key") -> "idempotency-key"
        name = ".".join(location[2:] if location[:1] == ["body"] else location[1:]) or ".".join(location)
        if name not in fields:
            fields.append(name)
    return error_response(
        request, status=422, code="invalid_request", message=MSG_INVALID_REQUEST, params={"fields": fields}
    )


@api.exception_handler(AuthenticationError)
def authentication_error(request, exc):
    missing = not request.headers.get("Authorization", "").strip()
    if missing:
        return error_response(request, status=401, code="token_required", message=MSG_TOKEN_REQUIRED)
    return error_response(request, status=401, code="token_invalid", message=MSG_TOKEN_INVALID)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if exc.status_code == 400 and isinstance(exc.__cause__, BadCharacters):
        return error_response(request, status=400, code="invalid_characters", message=MSG_BAD_CHARACTERS)
    if exc.status_code == 400:  # ninja could not read the body (the parser above raised)
        return error_response(request, status=400, code="invalid_json", message=MSG_INVALID_JSON)
    return error_response(request, status=exc.status_code, code="http_error", message=str(exc))


@api.exception_handler(BadCharacters)
def bad_characters(request, exc):
    return error_response(request, status=400, code="invalid_characters", message=MSG_BAD_CHARACTERS)


@api.exception_handler(RequestDataTooBig)
def request_too_big(request, exc):
    # ApiMiddleware answers first, by the Content-Length; this is for a body Django counts otherwise, which would
    # reach the catch-all below as a 500.
    return request_too_large(request)


def request_too_large(request) -> HttpResponse:
    return error_response(
        request,
        status=413,
        code="request_too_large",
        message=MSG_REQUEST_TOO_LARGE,
        params={"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return error_response(request, status=404, code="not_found", message=MSG_ROUTE_NOT_FOUND)


@api.exception_handler(Exception)
def server_error(request, exc):
    logger.exception("app API: unexpected error on %s %s", request.method, request.path)
    return error_response(request, status=500, code="server_error", message=MSG_SERVER_ERROR)


def route_not_found(request, *args, **kwargs) -> HttpResponse:
    """Every path under /api/v1/ that no endpoint has (urls.py's catch-all)."""
    return error_response(request, status=404, code="not_found", message=MSG_ROUTE_NOT_FOUND)


def method_not_allowed(request, allowed: str) -> HttpResponse:
    response = error_response(request, status=405, code="method_not_allowed", message=MSG_METHOD_NOT_ALLOWED)
    response["Allow"] = allowed
    return response


from api import endpoints  # noqa: E402,F401  (the endpoints register themselves on `api`)
