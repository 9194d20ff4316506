"""Web accounts for wallet holders (email + password on top of an existing wallet) and their SMS codes."""

from dataclasses import dataclass
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.errors import MSG_ACCOUNT_EXISTS, MSG_EMAIL_TAKEN, WebAccountExists
from accounts.models import User
from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from casework.identity import identity_require
from core.models import Throttle
from wallet.models import Wallet

OFFER_VERSION = "2024-01"


@dataclass(frozen=True)
class WebRegistration:
    """A web registration waiting for its phone code. The password is hashed already: between the form and the
    code it waits in the server-side session, never in clear."""

    phone: str
    email: str
    password_hash: str
    offer_version: str
    offer_accepted_at: datetime


def web_registration_start(
    *, wallet: Wallet, email: str, password: str, offer_version: str = OFFER_VERSION
) -> WebRegistration:
    """The registration form's data, the offer accepted now. Nothing is saved until web_account_register."""
    return WebRegistration(
        phone=wallet.phone,
        email=email,
        password_hash=make_password(password),
        offer_version=offer_version,
        offer_accepted_at=timezone.now(),
    )


# No transaction of its own: web_account_register's is the one write, and a second would only add a savepoint.
def web_account_create(*, wallet: Wallet, email: str, password: str, offer_version: str = OFFER_VERSION) -> User:
    """The wallet holder's web cabinet login: username is the wallet number; the offer acceptance is recorded.
    Raises WebAccountExists."""
    registration = web_registration_start(wallet=wallet, email=email, password=password, offer_version=offer_version)
    return web_account_register(wallet=wallet, registration=registration)


@transaction.atomic
def web_account_register(*, wallet: Wallet, registration: WebRegistration) -> User:
    """Finish a web registration (its phone code confirmed, or the wallet opened with one a moment ago).
    Raises WebAccountExists when the wallet or the email got an account meanwhile."""
    email = registration.email.strip().lower()
    if User.objects.filter(wallet=wallet).exists() or User.objects.filter(username=wallet.phone).exists():
        raise WebAccountExists(MSG_ACCOUNT_EXISTS)
    if User.objects.filter(email__iexact=email).exists():
        raise WebAccountExists(MSG_EMAIL_TAKEN)
    user = User(
        username=wallet.phone,
        email=email,
        first_name=wallet.first_name,
        last_name=wallet.last_name,
        wallet=wallet,
        offer_version=registration.offer_version,
        offer_accepted_at=registration.offer_accepted_at,
        password=registration.password_hash,
    )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # registered at the same moment in another tab
        raise WebAccountExists(MSG_ACCOUNT_EXISTS) from exc
    return user


@transaction.atomic
def web_password_set(*, user: User, password: str) -> None:
    """A new password for the holder (changed in the cabinet or reset by an SMS code). The password was
    already checked by the form against AUTH_PASSWORD_VALIDATORS."""
    user.set_password(password)
    user.save(update_fields=["password"])


def sign_in_key(phone: str, address: str = "") -> str:
    """The cabinet's counter of password attempts for a number from one client address (cabinet/throttles.py);
    without the address, the prefix that all of the number's counters start with."""
    return f"signin:{phone}:{address}"


@transaction.atomic
def web_sign_in_unlock(*, wallet: Wallet, actor, reason: str) -> None:
    """Call-centre: lift the web sign-in lockouts of a number (5 wrong passwords in 15 minutes from one address)
    after checking who calls — both the cabinet's own counters and django-axes' record, so that neither keeps the
    holder out."""
    staff_require(actor, StaffPermission.UNLOCK_SIGN_IN, wallet=wallet)
    identity_require(wallet_id=wallet.pk, actor=actor)
    reason = audit_reason(reason)
    counters = Throttle.objects.filter(key__startswith=sign_in_key(wallet.phone))  # one per client address
    hits = counters.aggregate(n=Sum("hits"))["n"] or 0
    failures = AccessAttempt.objects.filter(username=wallet.phone).aggregate(n=Sum("failures_since_start"))["n"] or 0
    counters.delete()
    axes_reset(username=wallet.phone)
    audit_record(
        actor=actor,
        action=StaffAction.SIGN_IN_UNLOCK,
        wallet=wallet,
        reason=reason,
        before={"sign_in_attempts": hits, "axes_failures": failures},
        after={"sign_in_attempts": 0, "axes_failures": 0},
    )
