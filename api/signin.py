"""Signing in to the app and opening a wallet from it: number -> SMS code -> a device token.

A challenge is one PhoneCode flow (accounts/codes.py: its limits per flow, number and address), handed to the
app as an opaque signed id, so that nobody can step through other people's flows. When the number has no wallet
the same code opens one (wallet_register, channel app): any Kyrgyz mobile number, O! included.

Whether a number has a wallet (and whether it is blocked) is told only to whoever proved the phone with its code
(issue 18): a code is asked for and answered alike for every number, and a refused code (wrong, expired, void) is
refused alike whatever the number."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils import translation

from accounts.codes import CODE_RESEND_AFTER, phone_code_issue, phone_code_start, phone_code_verify
from accounts.errors import CodeRateLimited, CodesExhausted, CodeTooSoon
from accounts.models import CodePurpose, PhoneCode
from accounts.operations import OFFER_VERSION
from api.devices import device_token_issue
from api.errors import MSG_CHALLENGE_INVALID, MSG_OFFER_NOT_ACCEPTED, ApiError
from api.models import DeviceToken
from api.throttles import api_throttle
from wallet.errors import MSG_WALLET_EXISTS, MSG_WALLET_NOT_FOUND, WalletExists, WalletNotFound
from wallet.inn import inn_parse_personal
from wallet.models import Language, OpenedChannel, Wallet, WalletStatus
from wallet.operations import name_parse, wallet_ensure_active, wallet_register
from wallet.phone import phone_parse

CHALLENGE_SALT = "api.sign-in.challenge"
CHALLENGE_MAX_AGE = timedelta(minutes=30)


@dataclass(frozen=True)
class Challenge:
    token: str  # what the app sends back
    phone: str
    resend_after: int  # seconds until another code may be asked for


@dataclass(frozen=True)
class SignedIn:
    device: DeviceToken
    secret: str


def challenge_token(flow: PhoneCode, *, salt: str = CHALLENGE_SALT) -> str:
    """A code flow handed to the app as an opaque signed id; the salt names the kind of flow (sign-in, PIN reset),
    so that one is never taken for the other."""
    return signing.dumps(flow.pk, salt=salt, compress=False)


def challenge_flow(token: str, *, salt: str = CHALLENGE_SALT, purpose: str = CodePurpose.APP_SIGN_IN) -> PhoneCode:
    """The code flow of a challenge the app sent back; invalid_challenge when it is forged, expired or of another
    kind."""
    try:
        pk = signing.loads(token, salt=salt, max_age=CHALLENGE_MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise ApiError(MSG_CHALLENGE_INVALID, code="invalid_challenge") from exc
    flow = PhoneCode.objects.filter(pk=pk, purpose=purpose).first() if isinstance(pk, int) else None
    if flow is None:
        raise ApiError(MSG_CHALLENGE_INVALID, code="invalid_challenge")
    return flow


@contextmanager
def code_refusals_say_when() -> Iterator[None]:
    """A refused code request says when the app may ask again (Retry-After): the hourly limits in an hour, the
    one-a-minute limit when that minute is over. Sign-in's codes and the forgotten PIN's (api/pin.py) alike."""
    try:
        yield
    except (CodeRateLimited, CodesExhausted) as exc:
        exc.params.setdefault("retry_after", 3600)
        raise
    except CodeTooSoon as exc:
        exc.params.setdefault("retry_after", exc.params["seconds"])
        raise


def code_sent(flow: PhoneCode, token: str) -> Challenge:
    """The answer to a code sent: the flow's opaque token, its number and when the app may ask again."""
    return Challenge(token=token, phone=flow.phone, resend_after=int(CODE_RESEND_AFTER.total_seconds()))


def _send(flow: PhoneCode, wallet: Wallet | None, client_ip: str) -> Challenge:
    """Send the flow's code (its refusals say when to ask again)."""
    with code_refusals_say_when():
        # A number without a wallet gets the code in the language the app speaks.
        language = (translation.get_language() or Language.RU)[:2]
        phone_code_issue(
            challenge=flow,
            wallet=wallet,
            client_ip=client_ip,
            language=language,
            deliver=_deliverable(wallet),
        )
    return code_sent(flow, challenge_token(flow))


def _deliverable(wallet: Wallet | None) -> bool:
    """A blocked wallet's phone gets no code (nothing signs in to it), yet the app is answered as for an active
    wallet, limits included: whoever typed the number does not learn that the wallet is blocked."""
    return wallet is None or wallet.status == WalletStatus.ACTIVE


def _wallet_of(phone: str) -> Wallet | None:
    return Wallet.objects.select_related("ledger_account").filter(phone=phone).first()


def app_code_request(*, phone: str, client_ip: str) -> Challenge:
    """Start a sign-in (or a wallet opening) for a typed number and send the first code. Raises InvalidPhone,
    Throttled, CodeNotSent (CodeTooSoon, CodesExhausted, CodeRateLimited). Every number is answered alike, limits
    included: an active wallet's, a blocked one's (whose phone gets no code) and one without a wallet (whose phone
    gets the code that opens one), so that the answer tells a stranger nothing about the number."""
    number = phone_parse(phone)
    api_throttle("code-request-address", client_ip)
    wallet = _wallet_of(number.e164)
    flow = phone_code_start(purpose=CodePurpose.APP_SIGN_IN, phone=number.e164)
    return _send(flow, wallet, client_ip)


def app_code_resend(*, challenge: str, client_ip: str) -> Challenge:
    flow = challenge_flow(challenge)
    return _send(flow, _wallet_of(flow.phone), client_ip)


def _code_verify(flow: PhoneCode, code: str, client_ip: str, *, consume: bool) -> None:
    """The code of the flow, or its refusal (accounts.errors.CodeRejected); each guess is counted (per flow by
    accounts/codes.py, per address and per number AND address here) before it is compared. The number's budget
    is keyed by the requester's address too and spent only on a guess at a live code: a stranger's guesses, or
    guesses at a void code, never use up the holder's. `consume` False: a right code stays live (it proved the
    phone, and the action that follows checks it again)."""
    api_throttle("code-check-address", client_ip)
    phone_code_verify(
        challenge=flow,
        code=code,
        before_guess=lambda: api_throttle("code-check-phone", f"{flow.phone}:{client_ip}"),
        consume=consume,
    )


def app_sign_in(*, challenge: str, code: str, device_name: str, client_ip: str) -> SignedIn:
    """The code proves the number: a token for this device of its wallet. Raises the code's errors, then
    WalletNotFound (the code stays live: the same challenge and code open a wallet with app_wallet_open),
    WalletBlocked."""
    flow = challenge_flow(challenge)
    wallet = _wallet_of(flow.phone)
    # The code first: only someone who proved the phone is told that it has no wallet, or that its wallet is
    # blocked (a blocked wallet's phone gets no code, so a stranger with its challenge only ever hears «wrong
    # code», as for an active one or for a number without a wallet).
    _code_verify(flow, code, client_ip, consume=wallet is not None)
    if wallet is None:
        raise WalletNotFound(MSG_WALLET_NOT_FOUND, phone=phone_parse(flow.phone).national)
    wallet_ensure_active(wallet)
    device, secret = device_token_issue(wallet=wallet, name=device_name)
    return SignedIn(device=device, secret=secret)


def app_wallet_open(
    *,
    challenge: str,
    code: str,
    full_name: str,
    inn: str,
    offer_accepted: bool,
    language: str,
    device_name: str,
    client_ip: str,
) -> SignedIn:
    """Open a wallet for the challenge's number (the PIN goes by SMS) and sign this device in. Name, INN, offer
    and language are checked before the code, so that a typo does not use the code up. Raises WalletExists only
    after a right code (which then stays live: the same challenge and code sign in with app_sign_in)."""
    flow = challenge_flow(challenge)
    name_parse(full_name)
    inn_parse_personal(inn)
    if not offer_accepted:
        raise ApiError(MSG_OFFER_NOT_ACCEPTED, code="offer_not_accepted")
    if language not in Language.values:
        language = Language.RU
    exists = _wallet_of(flow.phone) is not None
    _code_verify(flow, code, client_ip, consume=not exists)
    if exists:
        raise WalletExists(MSG_WALLET_EXISTS)
    with transaction.atomic():
        wallet, _pin = wallet_register(
            phone=flow.phone,
            full_name=full_name,
            inn=inn,
            channel=OpenedChannel.APP,
            language=language,
            offer_version=OFFER_VERSION,
        )
        device, secret = device_token_issue(wallet=wallet, name=device_name)
    return SignedIn(device=device, secret=secret)
