"""The cabinet's attempt limits, counted in the database (core/throttle.py): per number AND address for passwords,
per address beside it (far higher: behind a carrier's NAT many holders share one), per session and address for the
«Войти» look-ups, each of which tells whether a number has a wallet, and per address and number-and-address for
registrations, before their password is hashed.

Why passwords are not counted per number alone (issue 18): a per-number lock is a lock anyone anywhere can put on
a holder (five wrong passwords from any address), and a higher per-number ceiling is the same lever, only longer.
So the lock is per number and address: «с вашего адреса» on the lock page is true, and the holder elsewhere (or
after 15 minutes, or with the SMS reset, whose codes are limited per requester too) always gets in. Distributed
guessing is bounded by the per-address limits (5 per number, SIGN_IN_ATTEMPTS_PER_ADDRESS over all numbers),
and each guess is against a password of 12+ characters that passed AUTH_PASSWORD_VALIDATORS, hashed with Argon2.
"""

from datetime import timedelta

from django.conf import settings

from accounts.operations import sign_in_key
from core.models import Throttle
from core.net import client_ip
from core.throttle import throttle_blocked, throttle_give_back, throttle_reset, throttle_take

SIGN_IN_WINDOW = timedelta(minutes=15)
LOOKUP_WINDOW = timedelta(minutes=10)
REGISTRATION_WINDOW = timedelta(hours=1)


def _number_key(request, phone: str) -> str:
    return sign_in_key(phone, client_ip(request))


def _address_key(request) -> str:
    return f"signin-address:{client_ip(request)}"


def sign_in_blocked(request, phone: str) -> bool:
    return throttle_blocked(
        key=_number_key(request, phone), limit=settings.SIGN_IN_FAILURES_PER_NUMBER, window=SIGN_IN_WINDOW
    )


def sign_in_attempt(request, phone: str) -> bool:
    """Count one password attempt for this number from this address, and one for this address, before the
    password is checked."""
    number_key = _number_key(request, phone)
    if not throttle_take(key=number_key, limit=settings.SIGN_IN_FAILURES_PER_NUMBER, window=SIGN_IN_WINDOW):
        return False
    if not throttle_take(key=_address_key(request), limit=settings.SIGN_IN_ATTEMPTS_PER_ADDRESS, window=SIGN_IN_WINDOW):
        throttle_give_back(key=number_key)
        return False
    return True


def sign_in_succeeded(request, phone: str) -> None:
    """The right password: the number's failures from this address are forgotten. The address keeps counting
    every attempt (its limit is set for a shared address: SIGN_IN_ATTEMPTS_PER_ADDRESS)."""
    throttle_reset(key=_number_key(request, phone))


def sign_in_reset(phone: str) -> None:
    """The holder proved the phone is theirs (a reset code): the number's failures from every address go."""
    Throttle.objects.filter(key__startswith=sign_in_key(phone)).delete()


def registration_allowed(request, phone: str) -> bool:
    """Count one registration (a valid form, whose password is about to be hashed with Argon2: 120-170 ms of a
    core) for this address and for this number from this address. Not per number alone: that would let a
    stranger keep the holder from registering."""
    address = client_ip(request)
    return throttle_take(
        key=f"register-address:{address}", limit=settings.REGISTRATIONS_PER_ADDRESS, window=REGISTRATION_WINDOW
    ) and throttle_take(
        key=f"register:{phone}:{address}",
        limit=settings.REGISTRATIONS_PER_NUMBER_AND_ADDRESS,
        window=REGISTRATION_WINDOW,
    )


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
