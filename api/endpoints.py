"""The endpoints: each parses its input, calls the domain, and renders (api/presenters.py). Balances, funds and
PINs are the domain's business (services/payments/, wallet/operations.py)."""

import re
from datetime import date

from django.core.cache import cache
from django.utils import timezone
from ninja import Header, Query, Status

from api import presenters
from api.api import api
from api.devices import device_list, device_revoke
from api.errors import MSG_BAD_DATE, MSG_IDEMPOTENCY_KEY_REQUIRED, ApiError, BadRequest
from api.favourites import favourite_create, favourite_delete, favourite_get, favourite_list
from api.pin import app_pin_reset, app_pin_reset_code_request, app_pin_reset_code_resend
from api.schemas import (
    CatalogOut,
    ChallengeOut,
    CodeRequest,
    DbId,
    DevicesOut,
    Error,
    FavouriteOut,
    FavouritePayRequest,
    FavouriteRequest,
    FavouritesOut,
    PaymentOut,
    PaymentsPage,
    PayRequest,
    PinChangeRequest,
    PinResetCodeRequest,
    PinResetOut,
    PinResetRequest,
    ProfileOut,
    QuoteOut,
    QuoteRequest,
    ResendRequest,
    SignedInOut,
    TokenRequest,
    WalletOpenRequest,
)
from api.selectors import HISTORY_MAX_LIMIT, service_get, wallet_history, wallet_payment_get
from api.signin import Challenge, SignedIn, app_code_request, app_code_resend, app_sign_in, app_wallet_open
from api.throttles import api_throttle
from core.errors import DomainError
from core.idempotency import idempotency_key_app
from core.money import parse_amount
from core.net import client_ip
from services.account_rules import account_parse
from services.catalog import catalog
from services.models import Channel, Service
from services.payments import payment_execute, payment_quote
from services.receipts import receipt_pdf_response
from wallet.operations import wallet_pin_change
from wallet.phone import phone_parse

IDEMPOTENCY_KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)
# The company name the provider's check returned at the quote, kept for the receipt of the payment that follows.
HOLDER_CACHE_SECONDS = 15 * 60

ERRORS_PUBLIC = {400: Error, 403: Error, 404: Error, 409: Error, 422: Error, 429: Error}
ERRORS = {**ERRORS_PUBLIC, 401: Error}


def _challenge(result: Challenge) -> dict:
    return {
        "challenge": result.token,
        "phone": result.phone,
        "resend_after": result.resend_after,
    }


def _signed_in(result: SignedIn) -> dict:
    wallet = result.device.wallet
    return {
        "token": result.secret,
        "device": presenters.device(result.device, current=result.device),
        "profile": presenters.profile(wallet),
    }


# --- sign-in and wallet opening --------------------------------------------------------------------------------


@api.post("/auth/code", auth=None, response={202: ChallengeOut, **ERRORS_PUBLIC}, tags=["sign-in"])
def auth_code(request, payload: CodeRequest):
    """Send an SMS code to the number. The answer is the same for every number, with a wallet or without (and
    a blocked wallet's phone gets no code): POST /auth/token tells, after a right code, whether it has a wallet."""
    return Status(202, _challenge(app_code_request(phone=payload.phone, client_ip=client_ip(request))))


@api.post("/auth/code/resend", auth=None, response={202: ChallengeOut, **ERRORS_PUBLIC}, tags=["sign-in"])
def auth_code_resend(request, payload: ResendRequest):
    return Status(202, _challenge(app_code_resend(challenge=payload.challenge, client_ip=client_ip(request))))


@api.post("/auth/token", auth=None, response={201: SignedInOut, **ERRORS_PUBLIC}, tags=["sign-in"])
def auth_token(request, payload: TokenRequest):
    """The SMS code -> a device token (shown once). A right code for a number without a wallet: 404
    wallet_not_found, and the code stays usable: POST /wallets with the same challenge and code opens one."""
    result = app_sign_in(
        challenge=payload.challenge, code=payload.code, device_name=payload.device_name, client_ip=client_ip(request)
    )
    return Status(201, _signed_in(result))


@api.post("/wallets", auth=None, response={201: SignedInOut, **ERRORS_PUBLIC}, tags=["sign-in"])
def wallet_open(request, payload: WalletOpenRequest):
    """Open a wallet for the challenge's number (any Kyrgyz mobile number); the PIN arrives by SMS. A right code
    for a number that has a wallet: 409 wallet_exists, and the code stays usable for POST /auth/token."""
    result = app_wallet_open(
        challenge=payload.challenge,
        code=payload.code,
        full_name=payload.full_name,
        inn=payload.inn,
        offer_accepted=payload.offer_accepted,
        language=payload.language,
        device_name=payload.device_name,
        client_ip=client_ip(request),
    )
    return Status(201, _signed_in(result))


@api.post("/auth/sign-out", response={204: None, **ERRORS}, tags=["sign-in"])
def sign_out(request):
    device_revoke(wallet=request.auth.wallet, device_id=request.auth.pk)
    return Status(204, None)


# --- a forgotten PIN --------------------------------------------------------------------------------------------


@api.post("/auth/pin-reset/code", auth=None, response={202: ChallengeOut, **ERRORS_PUBLIC}, tags=["pin"])
def pin_reset_code(request, payload: PinResetCodeRequest):
    """A forgotten PIN, step 1: an SMS code to the wallet's number. Answered alike for every number (one without
    a wallet, or a blocked wallet's, gets no code)."""
    return Status(202, _challenge(app_pin_reset_code_request(phone=payload.phone, client_ip=client_ip(request))))


@api.post("/auth/pin-reset/code/resend", auth=None, response={202: ChallengeOut, **ERRORS_PUBLIC}, tags=["pin"])
def pin_reset_code_resend(request, payload: ResendRequest):
    return Status(202, _challenge(app_pin_reset_code_resend(challenge=payload.challenge, client_ip=client_ip(request))))


@api.post("/auth/pin-reset", auth=None, response={200: PinResetOut, **ERRORS_PUBLIC}, tags=["pin"])
def pin_reset(request, payload: PinResetRequest):
    """A forgotten PIN, step 2: the code and the holder's personal INN; a new PIN goes by SMS (a PIN lock is lifted
    too). A wrong INN (400 wrong_inn, attempts_left) spends one of the code's tries."""
    wallet = app_pin_reset(
        challenge=payload.challenge, code=payload.code, inn=payload.inn, client_ip=client_ip(request)
    )
    return {"phone": wallet.phone, "phone_display": phone_parse(wallet.phone).national}


# --- the holder ------------------------------------------------------------------------------------------------


@api.get("/me", response={200: ProfileOut, **ERRORS}, tags=["holder"])
def me(request):
    """The holder's profile and balance (read with the token, in the same query)."""
    return presenters.profile(request.auth.wallet)


@api.post("/me/pin", response={204: None, **ERRORS}, tags=["pin"])
def me_pin(request, payload: PinChangeRequest):
    """Change the PIN (as *900# -> 8 -> 3): a wrong current PIN is 400 wrong_pin with attempts_left, the third
    locks it (403 pin_locked); a new PIN too easy to guess or not repeated is 400 invalid_pin. An SMS confirms."""
    wallet_pin_change(
        wallet=request.auth.wallet,
        current_pin=payload.current_pin,
        new_pin=payload.new_pin,
        new_pin_repeat=payload.new_pin_repeat,
    )
    return Status(204, None)


@api.get("/devices", response={200: DevicesOut, **ERRORS}, tags=["holder"])
def devices(request):
    rows = device_list(wallet=request.auth.wallet)
    return {"items": [presenters.device(row, current=request.auth) for row in rows]}


@api.delete("/devices/{device_id}", response={204: None, **ERRORS}, tags=["holder"])
def device_delete(request, device_id: DbId):
    device_revoke(wallet=request.auth.wallet, device_id=device_id)
    return Status(204, None)


# --- catalog and payments --------------------------------------------------------------------------------------


@api.get("/catalog", response={200: CatalogOut, **ERRORS}, tags=["payments"])
def catalog_get(request):
    """The categories and services, as the web and USSD menus show them (DosTek group: «Другие»)."""
    return {"categories": presenters.catalog_tree(catalog())}


def _holder_key(wallet_id: int, service_id: int, account: str) -> str:
    return f"api:account-holder:{wallet_id}:{service_id}:{account}"


@api.post("/payments/quote", response={200: QuoteOut, 503: Error, **ERRORS}, tags=["payments"])
def quote(request, payload: QuoteRequest):
    """Account checked, commission and total, and the company name from the provider's check. Changes nothing."""
    wallet = request.auth.wallet
    service = service_get(service_id=payload.service_id)
    result = payment_quote(wallet=wallet, service=service, account=payload.account, amount=parse_amount(payload.amount))
    cache.set(_holder_key(wallet.pk, service.pk, result.account), result.account_holder, HOLDER_CACHE_SECONDS)
    return presenters.quote(result, wallet=wallet)


def _normalized(service: Service, account: str) -> str:
    """The account as the quote cached it; a malformed one is refused by payment_execute itself."""
    try:
        return account_parse(
            rule=service.account_rule,
            raw=account,
            min_length=service.account_min_length,
            max_length=service.account_max_length,
        )
    except DomainError:
        return ""


def _pay(request, *, service: Service, account: str, amount: str, pin: str, idempotency_key: str):
    """201 and the new payment, or 200 and the one this key made before (the same body)."""
    if not IDEMPOTENCY_KEY_RE.fullmatch(idempotency_key or ""):
        raise ApiError(MSG_IDEMPOTENCY_KEY_REQUIRED, code="idempotency_key_required")
    device = request.auth
    wallet = device.wallet
    api_throttle("pay-token", str(device.pk))
    api_throttle("pay-wallet", str(wallet.pk))
    started = timezone.now()
    payment = payment_execute(
        wallet=wallet,
        service=service,
        account=account,
        amount=parse_amount(amount),
        # Keys are the client's: scoped to the wallet, so that two holders' apps can never share one.
        idempotency_key=idempotency_key_app(wallet_id=wallet.pk, client_key=idempotency_key),
        channel=Channel.APP,
        pin=pin,
        account_holder=cache.get(_holder_key(wallet.pk, service.pk, _normalized(service, account)), ""),
    )
    # A payment made before this request began is the earlier request's (two racing first requests may both
    # answer 201: one payment either way).
    return Status(201 if payment.created_at >= started else 200, presenters.payment(payment))


@api.post("/payments", response={200: PaymentOut, 201: PaymentOut, 503: Error, **ERRORS}, tags=["payments"])
def pay(request, payload: PayRequest, idempotency_key: str = Header("", alias="Idempotency-Key", max_length=200)):
    """Pay with the PIN. Idempotency-Key (1..64 of A-Za-z0-9_-) is required: the same key again returns the same
    payment (200); the same key with another body is a 409. "in_progress": the provider has not answered yet."""
    service = service_get(service_id=payload.service_id)
    return _pay(
        request,
        service=service,
        account=payload.account,
        amount=payload.amount,
        pin=payload.pin,
        idempotency_key=idempotency_key,
    )


DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"  # only YYYY-MM-DD: pydantic alone would take "0" as 1970-01-01


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError as exc:
        raise BadRequest(MSG_BAD_DATE, code="invalid_dates") from exc


@api.get("/payments", response={200: PaymentsPage, **ERRORS}, tags=["payments"])
def payments(
    request,
    date_from: str | None = Query(None, pattern=DATE_PATTERN, examples=["2026-12-01"]),
    date_to: str | None = Query(None, pattern=DATE_PATTERN, examples=["2026-12-02"]),
    cursor: str | None = Query(None, max_length=200),
    limit: int = Query(20, ge=1, le=HISTORY_MAX_LIMIT),
):
    """History, newest first; pass next_cursor back as cursor for the next page."""
    page = wallet_history(
        wallet=request.auth.wallet, date_from=_day(date_from), date_to=_day(date_to), cursor=cursor, limit=limit
    )
    return {"items": [presenters.payment(row) for row in page.items], "next_cursor": page.next_cursor}


@api.get("/payments/{code}", response={200: PaymentOut, **ERRORS}, tags=["payments"])
def payment_by_code(request, code: str):
    return presenters.payment(wallet_payment_get(wallet=request.auth.wallet, code=code))


@api.get(
    "/payments/{code}/pdf",
    response={200: None, 503: Error, **ERRORS},
    tags=["payments"],
    summary="The payment's receipt as a PDF",
    description="The A4 receipt of the holder's own payment, as it stands now. Another holder's code is a 404.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The receipt (attachment elsom-<code>.pdf)",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def payment_receipt_pdf(request, code: str):
    return receipt_pdf_response(payment=wallet_payment_get(wallet=request.auth.wallet, code=code))


# --- favourites ------------------------------------------------------------------------------------------------


@api.get("/favourites", response={200: FavouritesOut, **ERRORS}, tags=["favourites"])
def favourites(request):
    return {"items": [presenters.favourite(row) for row in favourite_list(wallet=request.auth.wallet)]}


@api.post("/favourites", response={201: FavouriteOut, **ERRORS}, tags=["favourites"])
def favourite_add(request, payload: FavouriteRequest):
    service = service_get(service_id=payload.service_id)
    row = favourite_create(wallet=request.auth.wallet, name=payload.name, service=service, account=payload.account)
    return Status(201, presenters.favourite(row))


@api.delete("/favourites/{favourite_id}", response={204: None, **ERRORS}, tags=["favourites"])
def favourite_remove(request, favourite_id: DbId):
    favourite_delete(wallet=request.auth.wallet, favourite_id=favourite_id)
    return Status(204, None)


@api.post(
    "/favourites/{favourite_id}/pay",
    response={200: PaymentOut, 201: PaymentOut, 503: Error, **ERRORS},
    tags=["favourites"],
)
def favourite_pay(
    request,
    favourite_id: DbId,
    payload: FavouritePayRequest,
    idempotency_key: str = Header("", alias="Idempotency-Key", max_length=200),
):
    """Pay the favourite's service and account again (as POST /payments)."""
    row = favourite_get(wallet=request.auth.wallet, favourite_id=favourite_id)
    service = service_get(service_id=row.service_id)
    return _pay(
        request,
        service=service,
        account=row.account,
        amount=payload.amount,
        pin=payload.pin,
        idempotency_key=idempotency_key,
    )
