"""Domain functions that change wallets. Each is one atomic unit; channels call these and nothing else."""

import re
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.money import MSG_AMOUNT_NOT_POSITIVE, InvalidAmount, format_som, som
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind
from ledger.posting import Leg, ledger_account_get_or_create, ledger_post_in_transaction
from sms.models import SmsKind
from sms.outbox import sms_queue
from wallet.errors import (
    MSG_CASH_IN_CHANNEL,
    MSG_CASH_IN_LIMIT,
    MSG_NAME_LENGTH,
    MSG_NAME_LETTERS,
    MSG_NAME_REQUIRED,
    MSG_PIN_FORMAT,
    MSG_PIN_LOCKED,
    MSG_PIN_MISMATCH,
    MSG_PIN_SAME,
    MSG_PIN_TRIVIAL,
    MSG_PIN_WRONG,
    MSG_WALLET_BLOCKED,
    MSG_WALLET_EXISTS,
    MSG_WALLET_NOT_FOUND,
    InvalidCashIn,
    InvalidName,
    InvalidPin,
    PinLocked,
    WalletBlocked,
    WalletExists,
    WalletNotFound,
    WrongPin,
)
from wallet.inn import inn_parse_personal
from wallet.models import Language, OpenedChannel, Wallet, WalletStatus
from wallet.phone import phone_parse

PIN_MAX_ATTEMPTS = 3
NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")

CASH_IN_CHANNELS = {
    "kicb-branch": gettext_lazy("KICB, отделение банка"),
    "kicb-terminal": gettext_lazy("KICB, терминал"),
    "mobilnik": gettext_lazy("Мобильник, терминал"),
    "qiwi": gettext_lazy("QIWI, терминал"),
}


def name_parse(raw: str) -> tuple[str, str]:
    """'Айгуль Асанова' -> ('Айгуль', 'Асанова'). Two or more words of letters; the first is the name."""
    words = (raw or "").split()
    if len(words) < 2:
        raise InvalidName(MSG_NAME_REQUIRED)
    if not all(NAME_WORD_RE.fullmatch(word) for word in words):
        raise InvalidName(MSG_NAME_LETTERS)
    first, last = words[0], " ".join(words[1:])
    if not (2 <= len(first) <= 60 and 2 <= len(last) <= 60):
        raise InvalidName(MSG_NAME_LENGTH)
    return first, last


def pin_is_trivial(pin: str) -> bool:
    """0000, 1111, 1234, 4321, 7890 ...: repeated digits or a run along the keypad, the PINs a thief tries first."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return len(steps) == 1 and steps.pop() in (0, 1, 9)


def pin_validate_new(pin: str) -> str:
    if not re.fullmatch(r"[0-9]{4}", pin or "", re.ASCII):
        raise InvalidPin(MSG_PIN_FORMAT)
    if pin_is_trivial(pin):
        raise InvalidPin(MSG_PIN_TRIVIAL)
    return pin


def pin_generate() -> str:
    while True:
        pin = f"{secrets.randbelow(10_000):04d}"
        if not pin_is_trivial(pin):
            return pin


def wallet_get(*, phone: str) -> Wallet:
    """The wallet of a typed number; raises InvalidPhone or WalletNotFound."""
    number = phone_parse(phone)
    wallet = Wallet.objects.select_related("ledger_account").filter(phone=number.e164).first()
    if wallet is None:
        raise WalletNotFound(MSG_WALLET_NOT_FOUND, phone=number.national)
    return wallet


def wallet_ensure_active(wallet: Wallet) -> None:
    if wallet.status != WalletStatus.ACTIVE:
        raise WalletBlocked(MSG_WALLET_BLOCKED, phone=settings.CALL_CENTRE_PHONE)


@transaction.atomic
def wallet_register(
    *,
    phone: str,
    full_name: str,
    inn: str,
    channel: str,
    language: str = Language.RU,
    pin: str | None = None,
) -> tuple[Wallet, str]:
    """Open a wallet and queue the SMS with its PIN. Returns the wallet and the PIN (to show nowhere else)."""
    number = phone_parse(phone)
    first_name, last_name = name_parse(full_name)
    personal_inn = inn_parse_personal(inn)
    pin = pin_validate_new(pin) if pin is not None else pin_generate()
    if channel not in OpenedChannel.values:
        raise ValueError(f"unknown channel {channel!r}")
    if language not in Language.values:
        raise ValueError(f"unknown language {language!r}")
    if Wallet.objects.filter(phone=number.e164).exists():
        raise WalletExists(MSG_WALLET_EXISTS)
    account = LedgerAccount.objects.create(
        code=f"wallet:{number.e164}", kind=AccountKind.WALLET, name=f"{first_name} {last_name}", may_go_negative=False
    )
    try:
        with transaction.atomic():
            wallet = Wallet.objects.create(
                phone=number.e164,
                first_name=first_name,
                last_name=last_name,
                inn=personal_inn,
                operator=number.operator,
                language=language,
                pin_hash=make_password(pin),
                opened_channel=channel,
                ledger_account=account,
            )
    except IntegrityError as exc:  # opened at the same moment through another channel
        raise WalletExists(MSG_WALLET_EXISTS) from exc
    with translation.override(language):
        text = _("Кошелек ЭЛСОМ %(phone)s открыт. Ваш PIN: %(pin)s. Смените его: *900# -> 8 -> 3.") % {
            "phone": number.national,
            "pin": pin,
        }
    sms_queue(phone=number.e164, text=text, kind=SmsKind.WALLET_OPENED)
    return wallet, pin


def wallet_pin_verify(*, wallet: Wallet, pin: str) -> None:
    """Check the PIN or raise WrongPin (with the attempts left) / PinLocked / WalletBlocked. A wrong PIN is
    counted across sessions and channels and committed before the error is raised; the third one locks the
    PIN until the call-centre unlocks it."""
    error = _pin_check_and_count(wallet=wallet, pin=pin)
    if error is not None:
        raise error


@transaction.atomic(durable=True)
def _pin_check_and_count(*, wallet: Wallet, pin: str) -> WrongPin | PinLocked | None:
    # durable: the failed-attempt counter must commit even though the caller gets an error.
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    wallet_ensure_active(locked)
    if locked.pin_locked_at is not None:
        raise PinLocked(MSG_PIN_LOCKED, phone=settings.CALL_CENTRE_PHONE)
    if check_password(pin or "", locked.pin_hash):
        if locked.pin_failed_attempts:
            locked.pin_failed_attempts = 0
            locked.save(update_fields=["pin_failed_attempts", "updated_at"])
        wallet.pin_failed_attempts = 0
        return None
    locked.pin_failed_attempts += 1
    left = PIN_MAX_ATTEMPTS - locked.pin_failed_attempts
    if left <= 0:
        locked.pin_locked_at = timezone.now()
    locked.save(update_fields=["pin_failed_attempts", "pin_locked_at", "updated_at"])
    wallet.pin_failed_attempts, wallet.pin_locked_at = locked.pin_failed_attempts, locked.pin_locked_at
    if left <= 0:
        return PinLocked(MSG_PIN_LOCKED, phone=settings.CALL_CENTRE_PHONE)
    return WrongPin(MSG_PIN_WRONG, left=left)


def wallet_pin_change(*, wallet: Wallet, current_pin: str, new_pin: str, new_pin_repeat: str | None = None) -> None:
    """*900# -> 8 -> 3: the holder replaces the PIN; an SMS confirms the change."""
    pin_validate_new(new_pin)
    if new_pin_repeat is not None and new_pin_repeat != new_pin:
        raise InvalidPin(MSG_PIN_MISMATCH)
    wallet_pin_verify(wallet=wallet, pin=current_pin)
    if new_pin == current_pin:
        raise InvalidPin(MSG_PIN_SAME)
    _pin_store(wallet=wallet, new_pin=new_pin)


@transaction.atomic(durable=True)
def _pin_store(*, wallet: Wallet, new_pin: str) -> None:
    wallet.pin_hash = make_password(new_pin)
    wallet.pin_failed_attempts = 0
    wallet.save(update_fields=["pin_hash", "pin_failed_attempts", "updated_at"])
    with translation.override(wallet.language):
        text = _("PIN кошелька ЭЛСОМ изменен. Если это были не вы, звоните в call-центр: %(phone)s.") % {
            "phone": settings.CALL_CENTRE_PHONE
        }
    sms_queue(phone=wallet.phone, text=text, kind=SmsKind.PIN_CHANGED)


@transaction.atomic
def wallet_pin_unlock(*, wallet: Wallet) -> None:
    """Call-centre: lift a PIN lock after the holder proved who they are."""
    wallet.pin_failed_attempts = 0
    wallet.pin_locked_at = None
    wallet.save(update_fields=["pin_failed_attempts", "pin_locked_at", "updated_at"])


@transaction.atomic
def wallet_set_status(*, wallet: Wallet, status: str) -> None:
    if status not in WalletStatus.values:
        raise ValueError(f"unknown status {status!r}")
    wallet.status = status
    wallet.save(update_fields=["status", "updated_at"])


def cash_in_account(channel: str) -> LedgerAccount:
    if channel not in CASH_IN_CHANNELS:
        raise InvalidCashIn(MSG_CASH_IN_CHANNEL, channel=channel)
    return ledger_account_get_or_create(
        code=f"cashin:{channel}", kind=AccountKind.CASH_IN, name=str(CASH_IN_CHANNELS[channel])
    )


@transaction.atomic
def cash_in(*, wallet: Wallet, amount: Decimal, channel: str, idempotency_key: str | None = None) -> Posting:
    """Money handed in at a KICB branch or a terminal lands on the wallet; the holder gets an SMS.
    The same idempotency key (the terminal's receipt number) credits once."""
    if channel not in CASH_IN_CHANNELS:
        raise InvalidCashIn(MSG_CASH_IN_CHANNEL, channel=channel)
    amount = som(amount)
    if amount <= 0:
        raise InvalidAmount(MSG_AMOUNT_NOT_POSITIVE)
    limit = som(settings.CASH_IN_LIMITS[channel])
    if amount > limit:
        raise InvalidCashIn(MSG_CASH_IN_LIMIT, channel=channel, limit=format_som(limit))
    wallet_ensure_active(wallet)
    key = idempotency_key or f"cash-in:{uuid.uuid4().hex}"
    posting, created = ledger_post_in_transaction(
        idempotency_key=key,
        kind=PostingKind.CASH_IN,
        legs=[
            Leg(debit=cash_in_account(channel), credit=wallet.ledger_account, amount=amount, kind=PostingKind.CASH_IN)
        ],
        reference=f"wallet:{wallet.phone}",
    )
    if created:  # the wallet's account object now holds the new balance (set by the posting under its lock)
        with translation.override(wallet.language):
            text = _("Пополнение %(amount)s сом (%(channel)s). Баланс: %(balance)s сом. ЭЛСОМ") % {
                "amount": format_som(amount),
                "channel": CASH_IN_CHANNELS[channel],
                "balance": format_som(wallet.ledger_account.balance),
            }
        sms_queue(phone=wallet.phone, text=text, kind=SmsKind.CASH_IN)
    return posting
