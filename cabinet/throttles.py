"""The cabinet's attempt limits, counted in the database (core/throttle.py): per number for passwords (wherever
the guesses come from), per address beside it (far higher: behind a carrier's NAT many holders share one), and
per session and address for the «Войти» look-ups, each of which tells whether a number has a wallet."""

from datetime import timedelta

from django.conf import settings

from core.net import client_ip
from core.throttle import throttle_blocked, throttle_give_back, throttle_reset, throttle_take

SIGN_IN_WINDOW = timedelta(minutes=15)
LOOKUP_WINDOW = timedelta(minutes=10)


def _number_key(phone: str) -> str:
    return f"signin:{phone}"


def _address_key(request) -> str:
    return f"signin-address:{client_ip(request)}"


def sign_in_blocked(request, phone: str) -> bool:
    return throttle_blocked(key=_number_key(phone), limit=settings.SIGN_IN_FAILURES_PER_NUMBER, window=SIGN_IN_WINDOW)


def sign_in_attempt(request, phone: str) -> bool:
    """Count one password attempt for this number and this address, before the password is checked."""
    if not throttle_take(key=_number_key(phone), limit=settings.SIGN_IN_FAILURES_PER_NUMBER, window=SIGN_IN_WINDOW):
        return False
    if not throttle_take(key=_address_key(request), limit=settings.SIGN_IN_ATTEMPTS_PER_ADDRESS, window=SIGN_IN_WINDOW):
        throttle_give_back(key=_number_key(phone))
        return False
    return True


def sign_in_succeeded(request, phone: str) -> None:
    """The right password: the number's failures are forgotten. The address keeps counting every attempt (its
    limit is set for a shared address: SIGN_IN_ATTEMPTS_PER_ADDRESS)."""
    throttle_reset(key=_number_key(phone))


def sign_in_reset(phone: str) -> None:
    """The holder proved the phone is theirs (a reset code)."""
    throttle_reset(key=_number_key(phone))


def lookup_allowed(request) -> bool:
    if request.session.session_key is None:
        request.session.save()
    return throttle_take(
        key=f"lookup-session:{request.session.session_key}",
        limit=settings.LOOKUPS_PER_SESSION,
        window=LOOKUP_WINDOW,
    ) and throttle_take(
        key=f"lookup-address:{client_ip(request)}", limit=settings.LOOKUPS_PER_ADDRESS, window=LOOKUP_WINDOW
    )
