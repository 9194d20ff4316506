"""The phone simulator of the demo (`/demo/phone/`): a drawn feature phone that dials *900# through the same
gateway as the operators do, and the SMS inbox of the number it dials from.

Demo mode only: every view answers 404 otherwise. The inbox is the demo's virtual phone, so it shows PINs and
codes in clear, from the phone's own store (sms.models.DemoInbox); that is what call-centre trainees need to see.
A message delivered by another backend shows as the outbox keeps it, PIN and code starred."""

import logging
from functools import wraps
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sms.backends.failing import delegate_path
from sms.models import SmsMessage, SmsStatus
from sms.outbox import sms_dispatch
from sms.selectors import sms_inbox
from ussd.engine import SESSION_TIMEOUT
from wallet.models import Wallet, WalletStatus
from wallet.phone import InvalidPhone, phone_parse

logger = logging.getLogger(__name__)
VIRTUAL_PHONE_BACKEND = "sms.backends.virtual.VirtualPhoneBackend"
FAILING_NUMBERS_BACKEND = "sms.backends.failing.FailingNumbersBackend"
PICKER_WALLETS = 50
INBOX_MESSAGES = 50
# The phone shows the time of the network it is on, whatever the trainee's computer says.
BISHKEK = ZoneInfo("Asia/Bishkek")
PREFILL_MAX_CHARS = 32


def demo_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEMO_MODE:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _picker_wallets() -> list[dict]:
    """The newest demo wallets, each marked when it cannot pay (blocked, PIN locked): the trainee sees the state."""
    wallets = Wallet.objects.order_by("-created_at", "-id")[:PICKER_WALLETS]
    picked = []
    for wallet in wallets:
        marks = [wallet.get_operator_display()]
        if wallet.status == WalletStatus.BLOCKED:
            marks.append(str(_("заблокирован")))
        if wallet.pin_locked_at is not None:
            marks.append(str(_("PIN заблокирован")))
        picked.append(
            {
                "phone": wallet.phone,
                "label": f"{wallet.phone} · {wallet.full_name} · {' · '.join(marks)}",
                "blocked": wallet.status == WalletStatus.BLOCKED,
                "pin_locked": wallet.pin_locked_at is not None,
            }
        )
    return picked


def _prefill(raw: str) -> tuple[str, str]:
    """`?phone=…`: the number to open the phone with (E.164), or the text as typed and why it is refused."""
    raw = raw[:PREFILL_MAX_CHARS].replace("\x00", "")
    if not raw.strip():
        return "", ""
    try:
        return phone_parse(raw).e164, ""
    except InvalidPhone as error:
        return raw, str(error)


@require_GET
@demo_only
def phone(request):
    number, number_error = _prefill(request.GET.get("phone", ""))
    return render(
        request,
        "ussd/phone.html",
        {
            "wallets": _picker_wallets(),
            "number": number,
            "number_error": number_error,
            "service_code": settings.USSD_SERVICE_CODE,
            "session_timeout": int(SESSION_TIMEOUT.total_seconds()),
        },
    )


@never_cache
@require_GET
@demo_only
def wallets(request):
    """The picker's list again, after a registration or a PIN lock on the phone."""
    return JsonResponse({"wallets": _picker_wallets()})


def _virtual_phone_network() -> bool:
    if settings.SMS_BACKEND == VIRTUAL_PHONE_BACKEND:
        return True
    return settings.SMS_BACKEND == FAILING_NUMBERS_BACKEND and delegate_path() == VIRTUAL_PHONE_BACKEND


def _deliver_virtual_sms() -> None:
    """With the virtual phone network, the inbox delivers what is due itself, so that the simulator works
    even when no `send_sms --loop` runs. The cheap check first keeps idle polls from taking a write lock."""
    if not _virtual_phone_network():
        return
    due = SmsMessage.objects.filter(status=SmsStatus.QUEUED, next_attempt_at__lte=timezone.now())
    if due.exists():
        try:
            sms_dispatch()
        except DatabaseError:  # e.g. the dispatcher holds the lock; the next poll (2 s) tries again
            logger.warning("phone simulator: SMS delivery deferred", exc_info=True)


@never_cache
@require_GET
@demo_only
def inbox(request):
    try:
        number = phone_parse(request.GET.get("phone", ""))
    except InvalidPhone as error:
        return JsonResponse({"error": str(error)}, status=400)
    _deliver_virtual_sms()
    messages = sms_inbox(phone=number.e164)[:INBOX_MESSAGES]
    return JsonResponse(
        {
            "phone": number.e164,
            "messages": [
                {
                    "id": message.pk,
                    "text": message.received_text,
                    "kind": message.kind,
                    "kind_label": message.get_kind_display(),
                    "sent_at": timezone.localtime(message.sent_at, BISHKEK).isoformat() if message.sent_at else None,
                    "sent_at_display": (
                        timezone.localtime(message.sent_at, BISHKEK).strftime("%d.%m.%Y %H:%M:%S")
                        if message.sent_at
                        else ""
                    ),
                }
                for message in messages
            ],
        }
    )
