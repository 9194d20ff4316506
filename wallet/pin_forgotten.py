"""A forgotten PIN, by the holder on the website or in the app: number -> SMS code -> personal INN -> a new PIN by SMS.

The code is a PhoneCode flow of purpose PIN_RESET (accounts/codes.py: its limits per flow, per number and address,
per address); the INN is the second factor, checked only after a right code and paid for with the code's own
guesses. A reset also lifts a PIN lock (3 wrong PINs): the holder proved both the phone and the INN, which is what
the call-centre asks before it unlocks. The console's timeline shows the reset (audit entry PIN_SELF_RESET, actor
empty, channel in `after`): the holder's own action, recorded where the call-centre looks for PIN events."""

from collections.abc import Callable

from django.db import transaction
from django.utils.crypto import constant_time_compare

from accounts.codes import phone_code_claim_guess, phone_code_consume, phone_code_issue, phone_code_verify
from accounts.models import CodePurpose, PhoneCode
from audit.models import StaffAction
from audit.operations import audit_record
from wallet.errors import MSG_INN_WRONG, MSG_INN_WRONG_LAST, MSG_WALLET_NOT_FOUND, WalletNotFound, WrongInn
from wallet.inn import inn_parse_personal
from wallet.models import Language, Wallet, WalletStatus
from wallet.phone import phone_parse
from wallet.pin_operations import pin_renew
from wallet.status import wallet_ensure_active

PIN_SELF_RESET_REASON = "Клиент сам: SMS-код на номер кошелька и личный ИНН"


def pin_reset_code_send(*, challenge: PhoneCode, client_ip: str, language: str = Language.RU) -> None:
    """Send the code of a forgotten-PIN flow (accounts/codes.py: its limits per flow, per number and address, per
    address). A number without a wallet, or a blocked wallet's, is answered alike, limits included, but its phone
    gets no code: whoever typed the number learns nothing about it (and a blocked wallet, maybe a stolen phone,
    gets no new PIN by this road: the call-centre and a supervisor decide)."""
    if challenge.purpose != CodePurpose.PIN_RESET:
        raise ValueError("not a forgotten-PIN flow")
    wallet = Wallet.objects.filter(phone=challenge.phone).first()
    active = wallet is not None and wallet.status == WalletStatus.ACTIVE
    phone_code_issue(challenge=challenge, wallet=wallet, client_ip=client_ip, language=language, deliver=active)


def wallet_pin_forgotten_reset(
    *,
    challenge: PhoneCode,
    code: str,
    inn: str,
    channel: str,
    before_guess: Callable[[], None] | None = None,
) -> Wallet:
    """The holder forgot the PIN: the code sent to the wallet's number, then the holder's personal INN; a new PIN
    goes by SMS (a secret kind: masked at rest once delivered), the PIN's lock (3 wrong PINs) is lifted too, and
    the console's timeline gets an entry (actor empty, `channel` web or app).

    The INN is compared only after a right code (no oracle for it without the phone), constant-time; a wrong INN
    spends one of the code's guesses (phone_code_claim_guess), so code and INN together get CODE_MAX_GUESSES
    tries per code and the code's limits per number and address bound both. Raises InvalidInn (malformed: checked
    before the code, costs nothing), the code's CodeRejected, WrongInn (params: left), WalletNotFound /
    WalletBlocked (only ever after a right code, and such a phone was never sent one)."""
    if challenge.purpose != CodePurpose.PIN_RESET:
        raise ValueError("not a forgotten-PIN flow")
    typed_inn = inn_parse_personal(inn)
    phone_code_verify(challenge=challenge, code=code, before_guess=before_guess, consume=False)
    wallet = Wallet.objects.filter(phone=challenge.phone).first()
    if wallet is None:
        raise WalletNotFound(MSG_WALLET_NOT_FOUND, phone=phone_parse(challenge.phone).national)
    wallet_ensure_active(wallet)
    left = phone_code_claim_guess(challenge=challenge)  # counted before it is compared, as a code is
    if not constant_time_compare(wallet.inn, typed_inn):
        raise WrongInn(MSG_INN_WRONG if left else MSG_INN_WRONG_LAST, left=left)
    _pin_self_reset(wallet=wallet, challenge=challenge, channel=channel)
    return wallet


@transaction.atomic(durable=True)
def _pin_self_reset(*, wallet: Wallet, challenge: PhoneCode, channel: str) -> None:
    # The code is used up in the PIN's transaction: a concurrent second request with the same code finds it used
    # (CodeMissing) and sends no second PIN.
    phone_code_consume(challenge=challenge)
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    wallet_ensure_active(locked)
    before = pin_renew(wallet=wallet, locked=locked)
    audit_record(
        actor=None,
        action=StaffAction.PIN_SELF_RESET,
        wallet=wallet,
        reason=PIN_SELF_RESET_REASON,
        before=before,
        after={"pin_failed_attempts": 0, "pin_locked": False, "sms": "pin_reset", "channel": channel},
    )
