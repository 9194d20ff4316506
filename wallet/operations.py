"""Domain functions that open and find wallets. Each is one atomic unit; channels call these and nothing else.

The wallet's other operations have modules of their own: wallet/pin_operations.py (the PIN), wallet/status.py
(blocking), wallet/cash_in.py (top-ups), wallet/balance.py (the balance), wallet/selectors.py (reads). Their
functions are importable from here too, as the channels have always imported them."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from ledger.models import AccountKind, LedgerAccount
from sms.models import SmsKind
from sms.outbox import sms_queue
from wallet.balance import wallet_balance, wallet_balance_adjust
from wallet.cash_in import cash_in, cash_in_account, cash_in_in_transaction
from wallet.errors import (
    MSG_NAME_LENGTH,
    MSG_NAME_LETTERS,
    MSG_NAME_REQUIRED,
    MSG_WALLET_EXISTS,
    MSG_WALLET_NOT_FOUND,
    InvalidName,
    WalletExists,
    WalletNotFound,
)
from wallet.inn import inn_parse_personal
from wallet.models import Language, OpenedChannel, Wallet
from wallet.phone import phone_parse
from wallet.pin import pin_hash_make
from wallet.pin_operations import (
    PIN_MAX_ATTEMPTS,
    pin_generate,
    pin_is_trivial,
    pin_sms_wallet_opened,
    pin_validate_new,
    wallet_pin_change,
    wallet_pin_check_in_transaction,
    wallet_pin_is,
    wallet_pin_reset,
    wallet_pin_set,
    wallet_pin_unlock,
    wallet_pin_verify,
)
from wallet.status import wallet_ensure_active, wallet_lock_active, wallet_set_status

__all__ = [
    "PIN_MAX_ATTEMPTS",
    "cash_in",
    "cash_in_account",
    "cash_in_in_transaction",
    "name_parse",
    "pin_generate",
    "pin_is_trivial",
    "pin_validate_new",
    "wallet_balance",
    "wallet_balance_adjust",
    "wallet_ensure_active",
    "wallet_get",
    "wallet_lock_active",
    "wallet_pin_change",
    "wallet_pin_check_in_transaction",
    "wallet_pin_is",
    "wallet_pin_reset",
    "wallet_pin_set",
    "wallet_pin_unlock",
    "wallet_pin_verify",
    "wallet_register",
    "wallet_set_status",
]

NAME_WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")


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


def wallet_get(*, phone: str) -> Wallet:
    """The wallet of a typed number; raises InvalidPhone or WalletNotFound."""
    number = phone_parse(phone)
    wallet = Wallet.objects.select_related("ledger_account").filter(phone=number.e164).first()
    if wallet is None:
        raise WalletNotFound(MSG_WALLET_NOT_FOUND, phone=number.national)
    return wallet


@transaction.atomic
def wallet_register(
    *,
    phone: str,
    full_name: str,
    inn: str,
    channel: str,
    language: str = Language.RU,
    pin: str | None = None,
    offer_version: str = "",
) -> tuple[Wallet, str]:
    """Open a wallet and queue the SMS with its PIN. Returns the wallet and the PIN (to show nowhere else).
    `offer_version`: the public offer the holder accepted on this channel (the website and the app ask for it)."""
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
                pin_hash="",  # bound to the wallet's id, known once the row exists
                opened_channel=channel,
                offer_version=offer_version,
                offer_accepted_at=timezone.now() if offer_version else None,
                ledger_account=account,
            )
    except IntegrityError as exc:  # opened at the same moment through another channel
        raise WalletExists(MSG_WALLET_EXISTS) from exc
    wallet.pin_hash = pin_hash_make(wallet_id=wallet.pk, pin=pin)
    Wallet.objects.filter(pk=wallet.pk).update(pin_hash=wallet.pin_hash)
    with translation.override(language):
        text = pin_sms_wallet_opened(operator=number.operator, phone=number.national, pin=pin)
    sms_queue(phone=number.e164, text=text, kind=SmsKind.WALLET_OPENED, secret=pin)
    return wallet, pin
