"""What the cabinet's views share: the holder's guard, the number typed at «Войти», signing in, the demo's
phone simulator and the small formatting every page needs."""

import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language

from accounts.models import User
from cabinet.session import (
    AUTH_AT_KEY,
    LAST_SEEN_KEY,
    LOGIN_PHONE_KEY,
    OPENING_KEY,
    REGISTRATION_KEY,
    login_phone_get,
)
from wallet.models import Language, Wallet
from wallet.phone import phone_parse

NEXT_KEY = "cabinet_next"


def holder_required(view):
    """A signed-in wallet holder; anyone else goes to «Войти». Sets request.wallet."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or user.wallet_id is None:
            if request.method == "GET":
                request.session[NEXT_KEY] = request.get_full_path()
            return redirect("cabinet:entry")
        request.wallet = Wallet.objects.select_related("ledger_account").get(pk=user.wallet_id)
        return view(request, *args, **kwargs)

    return wrapped


def login_wallet(request) -> Wallet | None:
    """The wallet of the number typed at «Войти», if it has one."""
    phone = login_phone_get(request)
    if not phone:
        return None
    return Wallet.objects.select_related("ledger_account").filter(phone=phone).first()


def has_web_account(wallet: Wallet) -> bool:
    return User.objects.filter(wallet=wallet).exists()


def sign_in(request, user: User):
    """login() rotates the session key (no fixation); the idle and absolute clocks start now."""
    next_url = request.session.get(NEXT_KEY)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = int(time.time())
    request.session[AUTH_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    for key in (LOGIN_PHONE_KEY, REGISTRATION_KEY, OPENING_KEY, NEXT_KEY):
        request.session.pop(key, None)
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("cabinet:home")


def simulator_url() -> str | None:
    """The phone simulator (USSD *900#) when the demo has one."""
    if not settings.DEMO_MODE:
        return None
    for name in ("simulator:phone", "ussd:simulator"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def simulator_inbox_url(phone: str) -> str | None:
    """The phone simulator opened on this number (its inbox shows the number's SMS), in demo mode."""
    url = simulator_url()
    return f"{url}?{urlencode({'phone': '0' + phone[4:]})}" if url else None


def wallet_language() -> str:
    """The page's language as a wallet language (the SMS and the USSD menus of a new wallet speak it)."""
    language = (get_language() or "")[:2]
    return language if language in Language.values else Language.RU


def national(phone: str) -> str:
    return phone_parse(phone).national
