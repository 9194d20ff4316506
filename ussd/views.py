import hmac
import ipaddress

from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from ussd.engine import Reply, ussd_handle
from ussd.forms import GatewayForm
from ussd.screens import MSG_OPERATOR
from wallet.phone import InvalidPhone, PhoneMalformed, phone_parse


def _plain(text: str, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def gateway_caller_allowed(request) -> bool:
    """Production: a shared secret in a header, or a caller address on the list. Demo/development without
    either configured: open (the phone simulator posts here)."""
    secret = settings.USSD_GATEWAY_SECRET
    networks = settings.USSD_GATEWAY_ALLOWED_NETWORKS
    if not secret and not networks:
        return settings.DEBUG or settings.DEMO_MODE
    # Bytes, not str: compare_digest refuses non-ASCII str, and a header may carry anything.
    sent = request.headers.get("X-USSD-Secret", "").encode("utf-8", "surrogateescape")
    if secret and hmac.compare_digest(sent, secret.encode()):
        return True
    if networks:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        return any(address in ipaddress.ip_network(network, strict=False) for network in networks)
    return False


@csrf_exempt  # a server-to-server callback; callers are checked by secret or address instead
@sensitive_post_parameters("text")  # it repeats the PIN: never in error reports
@require_POST
def gateway(request):
    if not gateway_caller_allowed(request):
        return _plain("caller not allowed", status=403)
    form = GatewayForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(form.reasons(), content_type="text/plain; charset=utf-8")
    data = form.cleaned_data
    try:
        phone = phone_parse(data["phoneNumber"])
    except PhoneMalformed:
        return HttpResponseBadRequest("phoneNumber: not a phone number", content_type="text/plain; charset=utf-8")
    except InvalidPhone:
        # A real number of another country or operator: the subscriber gets a screen, not an error.
        return _plain(str(Reply(str(MSG_OPERATOR), ends=True)))
    return _plain(str(ussd_handle(session_id=data["sessionId"], phone=phone, text=data["text"])))
