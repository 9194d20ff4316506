"""Web accounts for wallet holders (email + password on top of an existing wallet) and their SMS codes."""

import secrets
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.errors import (
    MSG_ACCOUNT_EXISTS,
    MSG_CODE_TOO_MANY,
    MSG_EMAIL_TAKEN,
    CodeRateLimited,
    WebAccountExists,
)
from accounts.models import User
from sms.models import SmsKind, SmsMessage
from sms.outbox import sms_queue
from wallet.models import Wallet

OFFER_VERSION = "2024-01"
CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
# Anyone can type any number, so codes to one phone are limited whoever asks (several sessions, several rooms).
CODE_MAX_PER_PHONE_PER_HOUR = 5


@transaction.atomic
def web_account_create(*, wallet: Wallet, email: str, password: str, offer_version: str = OFFER_VERSION) -> User:
    """The wallet holder's web cabinet login: username is the wallet number; the offer acceptance is recorded."""
    return web_account_register(
        wallet=wallet,
        email=email,
        password_hash=make_password(password),
        offer_version=offer_version,
        offer_accepted_at=timezone.now(),
    )


@transaction.atomic
def web_account_register(
    *, wallet: Wallet, email: str, password_hash: str, offer_version: str, offer_accepted_at: datetime
) -> User:
    """Finish a web registration whose phone code was confirmed. The password arrives already hashed: between
    the form and the code it waited in the server-side session, never in clear.
    Raises WebAccountExists when the wallet or the email got an account meanwhile."""
    email = email.strip().lower()
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
        offer_version=offer_version,
        offer_accepted_at=offer_accepted_at,
        password=password_hash,
    )
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # registered at the same moment in another tab
        raise WebAccountExists(MSG_ACCOUNT_EXISTS) from exc
    return user


def web_code_generate() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


@transaction.atomic
def web_code_send(*, wallet: Wallet, purpose: str) -> str:
    """Queue an SMS with a fresh one-time code for the wallet's phone and return the code (the caller keeps only
    a hash of it). Refuses (CodeRateLimited) after CODE_MAX_PER_PHONE_PER_HOUR codes to this phone in an hour."""
    since = timezone.now() - timedelta(hours=1)
    sent = SmsMessage.objects.filter(phone=wallet.phone, kind=SmsKind.CODE, created_at__gte=since).count()
    if sent >= CODE_MAX_PER_PHONE_PER_HOUR:
        raise CodeRateLimited(MSG_CODE_TOO_MANY)
    code = web_code_generate()
    with translation.override(wallet.language):
        if purpose == "reset":
            text = _("Код для смены пароля ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.")
        else:
            text = _("Код регистрации на сайте ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.")
        text = text % {"code": code}
    sms_queue(phone=wallet.phone, text=text, kind=SmsKind.CODE)
    return code


@transaction.atomic
def web_password_set(*, user: User, password: str) -> None:
    """A new password for the holder (changed in the cabinet or reset by an SMS code). The password was
    already checked by the form against AUTH_PASSWORD_VALIDATORS."""
    user.set_password(password)
    user.save(update_fields=["password"])
