"""The PIN from the app (issue 19): a change with the device token (wallet_pin_change, as *900# -> 8 -> 3) and a
forgotten PIN without one: number -> SMS code -> personal INN -> a new PIN by SMS (wallet/pin_forgotten.py).

A forgotten-PIN challenge is a PhoneCode flow of purpose PIN_RESET handed to the app as an opaque signed id (its
own salt: a sign-in challenge is no PIN-reset challenge, nor the other way round). Every number is answered alike
when a code is asked for; the code's guesses are counted per address and per number AND address, as sign-in's
(api/signin.py), and a wrong INN spends one of them."""

from django.utils import translation

from accounts.codes import phone_code_start
from accounts.models import CodePurpose, PhoneCode
from api.signin import Challenge, challenge_flow, challenge_token, code_refusals_say_when, code_sent
from api.throttles import api_throttle
from services.models import Channel
from wallet.models import Language, Wallet
from wallet.phone import phone_parse
from wallet.pin_forgotten import pin_reset_code_send, wallet_pin_forgotten_reset

PIN_CHALLENGE_SALT = "api.pin-reset.challenge"


def _token(flow: PhoneCode) -> str:
    return challenge_token(flow, salt=PIN_CHALLENGE_SALT)


def _flow(token: str) -> PhoneCode:
    return challenge_flow(token, salt=PIN_CHALLENGE_SALT, purpose=CodePurpose.PIN_RESET)


def _send(flow: PhoneCode, client_ip: str) -> Challenge:
    """Send the flow's code; its refusals say when the app may ask again (retry_after), as sign-in's do."""
    with code_refusals_say_when():
        language = (translation.get_language() or Language.RU)[:2]
        pin_reset_code_send(challenge=flow, client_ip=client_ip, language=language)
    return code_sent(flow, _token(flow))


def app_pin_reset_code_request(*, phone: str, client_ip: str) -> Challenge:
    number = phone_parse(phone)
    api_throttle("code-request-address", client_ip)
    return _send(phone_code_start(purpose=CodePurpose.PIN_RESET, phone=number.e164), client_ip)


def app_pin_reset_code_resend(*, challenge: str, client_ip: str) -> Challenge:
    return _send(_flow(challenge), client_ip)


def app_pin_reset(*, challenge: str, code: str, inn: str, client_ip: str) -> Wallet:
    """The code and the INN: a new PIN goes by SMS to the wallet's number (and a PIN lock is lifted)."""
    flow = _flow(challenge)
    api_throttle("code-check-address", client_ip)
    return wallet_pin_forgotten_reset(
        challenge=flow,
        code=code,
        inn=inn,
        channel=Channel.APP,
        before_guess=lambda: api_throttle("code-check-phone", f"{flow.phone}:{client_ip}"),
    )
