"""One-time SMS codes that prove a phone is the holder's (web registration, password reset, app sign-in).

Limits, all counted in the database by conditional UPDATEs so that they hold under concurrency and across
processes:
- a flow (one PhoneCode row, one browser session) sends at most CODE_MAX_SENDS codes, one a minute;
- each code may be guessed CODE_MAX_GUESSES times; a guess is counted BEFORE it is compared;
- codes are limited per requester only: per (phone, client address) and per address. A stranger typing the
  holder's number from elsewhere uses up their own allowance, not the holder's. There is deliberately no cap per
  phone alone: whatever its size, a few addresses used it up and then the holder got no code from anywhere for an
  hour (the red team did it with 3 addresses x 5 requests). SMS bombing is bounded per address instead.
- a caller may put its own per-guess budget (`before_guess`) in front of the comparison; it is spent only on a
  guess against a live code, so guessing at a void, expired or missing code costs nobody anything.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.errors import (
    MSG_CODE_EXPIRED,
    MSG_CODE_NO_MORE,
    MSG_CODE_TOO_MANY,
    MSG_CODE_VOID,
    MSG_CODE_WAIT,
    MSG_CODE_WRONG,
    CodeExpired,
    CodeMissing,
    CodeRateLimited,
    CodesExhausted,
    CodeTooSoon,
    CodeVoid,
    CodeWrong,
)
from accounts.models import CodePurpose, PhoneCode
from core.throttle import throttle_take
from sms.models import SmsKind
from sms.outbox import sms_queue
from wallet.models import Language, Wallet

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=5)
CODE_MAX_SENDS = 3
CODE_RESEND_AFTER = timedelta(seconds=60)
CODE_MAX_GUESSES = 3
CODE_MAX_PER_PHONE_AND_ADDRESS = 5  # an hour
CODE_MAX_PER_ADDRESS = 30  # an hour, over all numbers: a carrier's NAT address is shared by many holders
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class SendAllowance:
    allowed: bool
    wait_seconds: int = 0  # > 0: the next code may be asked for in that many seconds
    exhausted: bool = False  # this flow sent its last code


def _code_hash(challenge: PhoneCode, code: str) -> str:
    message = f"{challenge.pk}|{challenge.purpose}|{challenge.phone}|{code}"
    return salted_hmac("accounts.phone-code", message, algorithm="sha256").hexdigest()


def phone_code_start(*, purpose: str, phone: str) -> PhoneCode:
    if purpose not in CodePurpose.values:
        raise ValueError(f"unknown code purpose {purpose!r}")
    return PhoneCode.objects.create(purpose=purpose, phone=phone)


def phone_code_allowance(challenge: PhoneCode) -> SendAllowance:
    """Whether the flow may send a code now (reads the row as loaded)."""
    if challenge.sends >= CODE_MAX_SENDS:
        return SendAllowance(allowed=False, exhausted=True)
    if challenge.last_sent_at is not None:
        wait = int((challenge.last_sent_at + CODE_RESEND_AFTER - timezone.now()).total_seconds()) + 1
        if wait > 0:
            return SendAllowance(allowed=False, wait_seconds=min(wait, int(CODE_RESEND_AFTER.total_seconds())))
    return SendAllowance(allowed=True)


def _refuse_unless_allowed(allowance: SendAllowance) -> None:
    if allowance.exhausted:
        raise CodesExhausted(MSG_CODE_NO_MORE)
    if not allowance.allowed:
        raise CodeTooSoon(MSG_CODE_WAIT, seconds=allowance.wait_seconds)


def phone_code_issue(
    *,
    challenge: PhoneCode,
    wallet: Wallet | None,
    client_ip: str,
    language: str = Language.RU,
    deliver: bool = True,
) -> None:
    """Send a fresh code for this flow by SMS; the previous code stops working. Raises CodeTooSoon (one a
    minute), CodesExhausted (the flow's last code went out), CodeRateLimited (the requester, or against bombing
    the phone, had too many codes this hour).

    `wallet` None: the number has no wallet yet and the code proves it before one is opened (the app and the
    website open wallets for any Kyrgyz mobile number); the SMS goes to the challenge's phone in `language`.

    `deliver` False: no SMS; everything else happens as for a code (the limits, a fresh code that nobody will ever
    see), so that the requester cannot tell the difference. The app answers a blocked wallet's number this way."""
    now = timezone.now()
    _refuse_unless_allowed(phone_code_allowance(challenge))
    claimed = PhoneCode.objects.filter(
        Q(pk=challenge.pk, sends__lt=CODE_MAX_SENDS, used_at__isnull=True)
        & (Q(last_sent_at__isnull=True) | Q(last_sent_at__lte=now - CODE_RESEND_AFTER))
    ).update(sends=F("sends") + 1, last_sent_at=now)
    if not claimed:  # a concurrent request of the same flow sent one just now
        challenge.refresh_from_db()
        _refuse_unless_allowed(phone_code_allowance(challenge))
        return
    phone = wallet.phone if wallet is not None else challenge.phone
    for key, limit in (
        (f"code:{phone}:{client_ip}", CODE_MAX_PER_PHONE_AND_ADDRESS),
        (f"code-address:{client_ip}", CODE_MAX_PER_ADDRESS),
    ):
        if not throttle_take(key=key, limit=limit, window=HOUR):
            PhoneCode.objects.filter(pk=challenge.pk).update(sends=F("sends") - 1)
            raise CodeRateLimited(MSG_CODE_TOO_MANY)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    PhoneCode.objects.filter(pk=challenge.pk).update(
        code_hash=_code_hash(challenge, code), expires_at=now + CODE_TTL, guesses=0
    )
    with translation.override(wallet.language if wallet is not None else language):
        if wallet is None:
            text = _("Код для открытия кошелька ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.")
        elif challenge.purpose == CodePurpose.RESET:
            text = _("Код для смены пароля ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.")
        elif challenge.purpose == CodePurpose.PIN_RESET:
            text = _("Код для восстановления PIN ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.")
        elif challenge.purpose == CodePurpose.APP_SIGN_IN:
            text = _("Код для входа в приложение ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.")
        else:
            text = _("Код регистрации на сайте ЭЛСОМ: %(code)s. Действует 5 минут. Никому его не сообщайте.")
    if deliver:
        sms_queue(phone=phone, text=text % {"code": code}, kind=SmsKind.CODE, secret=code)
    challenge.refresh_from_db()


def phone_code_verify(
    *,
    challenge: PhoneCode,
    code: str,
    before_guess: Callable[[], None] | None = None,
    consume: bool = True,
) -> None:
    """The flow's code, used up now; or CodeWrong (guesses left), CodeExpired, CodeVoid (no guesses left) or
    CodeMissing (none sent, or used already). `before_guess` runs only when the code is live and may still be
    guessed, just before the guess is counted: the caller's own budget (it raises to refuse).

    `consume` False: a right code only proves the phone and stays live until it expires, for the action that
    follows to check it again (the app: a number without a wallet is told so only after its code, and the same
    code then opens the wallet). Its guess is given back, so that proving the phone costs none of the code's
    guesses; a wrong code is counted as ever."""
    challenge.refresh_from_db()
    if not challenge.code_hash or challenge.used_at is not None:
        raise CodeMissing(MSG_CODE_VOID)
    if challenge.expires_at is None or timezone.now() > challenge.expires_at:
        raise CodeExpired(MSG_CODE_EXPIRED)
    if challenge.guesses >= CODE_MAX_GUESSES:
        raise CodeVoid(MSG_CODE_VOID)
    if before_guess is not None:
        before_guess()
    # The guess is counted before it is compared: a burst of parallel guesses gets CODE_MAX_GUESSES, no more.
    if not PhoneCode.objects.filter(pk=challenge.pk, guesses__lt=CODE_MAX_GUESSES).update(guesses=F("guesses") + 1):
        raise CodeVoid(MSG_CODE_VOID)
    if constant_time_compare(challenge.code_hash, _code_hash(challenge, code)):
        live = PhoneCode.objects.filter(pk=challenge.pk, used_at__isnull=True)
        if consume:
            done = live.update(used_at=timezone.now())
        else:
            done = live.filter(guesses__gt=0).update(guesses=F("guesses") - 1)
        if done:
            return
        raise CodeMissing(MSG_CODE_VOID)  # used by a concurrent request a moment ago
    challenge.refresh_from_db()
    if challenge.guesses >= CODE_MAX_GUESSES:
        raise CodeVoid(MSG_CODE_VOID)
    raise CodeWrong(MSG_CODE_WRONG, left=phone_code_guesses_left(challenge))


def phone_code_claim_guess(*, challenge: PhoneCode) -> int:
    """Count one more guess against the flow's code without comparing anything: a check that follows a proved code
    (the personal INN of a forgotten PIN) spends the code's guesses as a wrong code would, so the code's limits
    are also the limits of that second secret. Counted before the caller compares (a burst gets no more than
    CODE_MAX_GUESSES). Returns the guesses left after this one; raises CodeVoid when none was left."""
    if not PhoneCode.objects.filter(pk=challenge.pk, guesses__lt=CODE_MAX_GUESSES, used_at__isnull=True).update(
        guesses=F("guesses") + 1
    ):
        raise CodeVoid(MSG_CODE_VOID)
    challenge.refresh_from_db()
    return phone_code_guesses_left(challenge)


def phone_code_consume(*, challenge: PhoneCode) -> None:
    """Use up a code proved with phone_code_verify(consume=False); CodeMissing if a concurrent request did."""
    if not PhoneCode.objects.filter(pk=challenge.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise CodeMissing(MSG_CODE_VOID)


def phone_code_guesses_left(challenge: PhoneCode) -> int:
    return max(CODE_MAX_GUESSES - challenge.guesses, 0)
