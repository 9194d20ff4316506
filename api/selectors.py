"""Reads for the app: a holder's payments (by code, history pages with an opaque keyset cursor) and the catalog
service a request names. Nothing here writes."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q

from api.errors import (
    MSG_BAD_CURSOR,
    MSG_BAD_DATES,
    MSG_PAYMENT_NOT_FOUND,
    MSG_SERVICE_NOT_FOUND,
    BadRequest,
    NotFound,
)
from services.catalog import catalog
from services.history import wallet_payment_get as history_payment_get
from services.history import wallet_payments
from services.models import Payment, Service
from wallet.models import Wallet

HISTORY_MAX_LIMIT = 50


def service_get(*, service_id: int) -> Service:
    """An active service of the catalog (as every channel sees it), or NotFound."""
    service = catalog().service(pk=service_id)
    if service is None:
        raise NotFound(MSG_SERVICE_NOT_FOUND, code="service_not_found")
    return service


def wallet_payment_get(*, wallet: Wallet, code: str) -> Payment:
    """A payment of this wallet by its code. Another holder's code is not found, exactly like an unknown one
    (and so is anything that is not a payment code, before it reaches the database)."""
    payment = history_payment_get(wallet=wallet, code=code)
    if payment is None:
        raise NotFound(MSG_PAYMENT_NOT_FOUND, code="payment_not_found")
    return payment


@dataclass(frozen=True)
class HistoryPage:
    items: list[Payment]
    next_cursor: str | None


def _cursor_encode(payment: Payment) -> str:
    raw = json.dumps([payment.created_at.isoformat(), payment.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _cursor_decode(cursor: str) -> tuple[datetime, int]:
    """(created_at, id) of the last row of the previous page; BadRequest for anything this API did not write."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, pk = json.loads(raw)
        at = datetime.fromisoformat(created_at)
        if at.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool) or not 0 < pk < 2**63:
            raise ValueError(cursor)
    except (binascii.Error, ValueError, TypeError, UnicodeError, OverflowError) as exc:
        raise BadRequest(MSG_BAD_CURSOR, code="invalid_cursor") from exc
    return at, pk


def wallet_history(
    *, wallet: Wallet, date_from: date | None, date_to: date | None, cursor: str | None, limit: int
) -> HistoryPage:
    """The wallet's payments newest first, within the days given (both inclusive, Bishkek days), `limit` at a
    time: a keyset page on (created_at, id), so a page costs the same at any depth and a payment made meanwhile
    neither repeats nor skips a row."""
    if date_from and date_to and date_from > date_to:
        raise BadRequest(MSG_BAD_DATES, code="invalid_dates")
    payments = wallet_payments(wallet=wallet, date_from=date_from, date_to=date_to)
    if cursor:
        at, pk = _cursor_decode(cursor)
        payments = payments.filter(Q(created_at__lt=at) | Q(created_at=at, pk__lt=pk))
    limit = max(1, min(limit, HISTORY_MAX_LIMIT))
    rows = list(payments.order_by("-created_at", "-id")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return HistoryPage(items=rows, next_cursor=_cursor_encode(rows[-1]) if more else None)
