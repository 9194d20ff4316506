"""The phone simulator of the demo (`/demo/phone/`): a drawn feature phone that dials *900# through the same
gateway as the operators do, and the SMS inbox of the number it dials from.

Demo mode only: every view answers 404 otherwise. The inbox is the demo's virtual phone, so it shows PINs and
codes in clear; that is what call-centre trainees need to see."""

import logging
from functools import wraps

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from sms.models import SmsMessage, SmsStatus
from sms.outbox import sms_dispatch
from sms.selectors import sms_inbox
from ussd.engine import SESSION_TIMEOUT
from wallet.models import Wallet
from wallet.phone import InvalidPhone, phone_parse

logger = logging.getLogger(__name__)
VIRTUAL_PHONE_BACKEND = "sms.backends.virtual.VirtualPhoneBackend"
PICKER_WALLETS = 50
INBOX_MESSAGES = 50


def demo_only(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEMO_MODE:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@demo_only
def phone(request):
    wallets = Wallet.objects.order_by("-created_at", "-id")[:PICKER_WALLETS]
    return render(
        request,
        "ussd/phone.html",
        {
            "wallets": wallets,
            "service_code": settings.USSD_SERVICE_CODE,
            "session_timeout": int(SESSION_TIMEOUT.total_seconds()),
        },
    )


def _deliver_virtual_sms() -> None:
    """With the virtual phone network, the inbox delivers what is due itself, so that the simulator works
    even when no `send_sms --loop` runs. The cheap check first keeps idle polls from taking a write lock."""
    if settings.SMS_BACKEND != VIRTUAL_PHONE_BACKEND:
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
                    "text": message.text,
                    "kind": message.kind,
                    "kind_label": message.get_kind_display(),
                    "sent_at": timezone.localtime(message.sent_at).isoformat() if message.sent_at else None,
                }
                for message in messages
            ],
        }
    )
