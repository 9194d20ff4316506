"""Domain functions that change wallets. Each is one atomic unit; channels call these and nothing else."""

import re
import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from core.errors import DomainError
from core.money import MSG_AMOUNT_NOT_POSITIVE, InvalidAmount, format_som, som
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind
from ledger.posting import Leg, ledger_account_get_or_create, ledger_balances, ledger_post_in_transaction
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
    MSG_WALLET_BLOCKED_STAFF,
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
from wallet.pin import pin_hash_check, pin_hash_make

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


def wallet_balance(*, wallet: Wallet):
    """The wallet's balance now (one query), into the wallet's account object too."""
    ledger_balances(wallet.ledger_account)
    return wallet.ledger_account.balance


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
        text = _("Кошелек ЭЛСОМ %(phone)s открыт. Ваш PIN: %(pin)s. Смените его: *900# -> 8 -> 3.") % {
            "phone": number.national,
            "pin": pin,
        }
    sms_queue(phone=number.e164, text=text, kind=SmsKind.WALLET_OPENED)
    return wallet, pin


def wallet_pin_verify(*, wallet: Wallet, pin: str) -> None:
    """Check the PIN or raise WrongPin (with the attempts left) / PinLocked / WalletBlocked. A wrong PIN is
    counted across sessions and channels and committed before the error is raised; the third one locks the
    PIN until the call-centre unlocks it (and the holder gets an SMS)."""
    error = _pin_verify_and_count(wallet=wallet, pin=pin)
    if error is not None:
        raise error


@transaction.atomic(durable=True)
def _pin_verify_and_count(*, wallet: Wallet, pin: str) -> DomainError | None:
    # durable: the failed-attempt counter must commit even though the caller gets an error.
    return wallet_pin_check_in_transaction(wallet=wallet, pin=pin)


def wallet_pin_check_in_transaction(*, wallet: Wallet, pin: str) -> WrongPin | PinLocked | None:
    """Inside the caller's transaction: check the PIN and lock the wallet's row for the rest of it.

    Returns None when the PIN is right (the failed attempts are reset); returns WrongPin / PinLocked when it is
    wrong: the counter has been written and the caller must COMMIT, then raise it. Raises WalletBlocked or
    PinLocked (nothing written) when the wallet cannot pay at all.

    The check runs against the hash the caller loaded (an HMAC: microseconds), then one conditional UPDATE both
    records the outcome and proves that the row still holds that hash and state; only if it changed meanwhile
    (a concurrent PIN change, lock or block) is the row locked and read again."""
    for _attempt in range(2):
        check = pin_hash_check(wallet_id=wallet.pk, pin=pin, encoded=wallet.pin_hash)
        if wallet.status == WalletStatus.ACTIVE and wallet.pin_locked_at is None:
            outcome = _pin_record(wallet=wallet, ok=check.ok, rehash=pin if check.needs_rehash else None)
            if outcome is not _STALE:
                return outcome
        fresh = Wallet.objects.select_for_update().get(pk=wallet.pk)
        wallet.status, wallet.pin_hash = fresh.status, fresh.pin_hash
        wallet.pin_failed_attempts, wallet.pin_locked_at = fresh.pin_failed_attempts, fresh.pin_locked_at
        wallet_ensure_active(wallet)
        if wallet.pin_locked_at is not None:
            raise PinLocked(MSG_PIN_LOCKED, phone=settings.CALL_CENTRE_PHONE)
    raise AssertionError("the locked wallet row changed under its lock")  # pragma: no cover


def wallet_lock_active(*, wallet: Wallet) -> None:
    """Inside the caller's transaction: lock the wallet's row for the rest of it (one payment of a wallet at a
    time) and make sure it is still active, in one statement. Raises WalletBlocked."""
    # Plain SQL: a statement of every payment, and the ORM's update() costs more Python than the UPDATE itself.
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Wallet._meta.db_table} SET updated_at = %s WHERE id = %s AND status = %s",
            [connection.ops.adapt_datetimefield_value(timezone.now()), wallet.pk, WalletStatus.ACTIVE],
        )
        updated = cursor.rowcount
    if updated != 1:
        wallet.status = WalletStatus.BLOCKED
        wallet_ensure_active(wallet)


_STALE = object()


def _pin_record(*, wallet: Wallet, ok: bool, rehash: str | None):
    """One UPDATE ... WHERE <the state the check saw>: _STALE if that state is gone, else the outcome."""
    now = timezone.now()
    table = Wallet._meta.db_table
    seen = [wallet.pk, wallet.pin_hash, WalletStatus.ACTIVE]
    with connection.cursor() as cursor:
        if ok:
            new_hash = pin_hash_make(wallet_id=wallet.pk, pin=rehash) if rehash is not None else wallet.pin_hash
            cursor.execute(
                f"UPDATE {table} SET pin_failed_attempts = 0, pin_hash = %s, updated_at = %s"
                " WHERE id = %s AND pin_hash = %s AND status = %s AND pin_locked_at IS NULL",
                [new_hash, connection.ops.adapt_datetimefield_value(now), *seen],
            )
            if cursor.rowcount != 1:
                return _STALE
            wallet.pin_failed_attempts, wallet.pin_hash = 0, new_hash
            return None
        cursor.execute(
            f"UPDATE {table} SET pin_failed_attempts = pin_failed_attempts + 1,"
            " pin_locked_at = CASE WHEN pin_failed_attempts + 1 >= %s THEN %s ELSE NULL END, updated_at = %s"
            " WHERE id = %s AND pin_hash = %s AND status = %s AND pin_locked_at IS NULL RETURNING pin_failed_attempts",
            [
                PIN_MAX_ATTEMPTS,
                connection.ops.adapt_datetimefield_value(now),
                connection.ops.adapt_datetimefield_value(now),
                *seen,
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return _STALE
    wallet.pin_failed_attempts = row[0]
    left = PIN_MAX_ATTEMPTS - row[0]
    if left > 0:
        return WrongPin(MSG_PIN_WRONG, left=left)
    wallet.pin_locked_at = now
    with translation.override(wallet.language):
        text = _("PIN кошелька ЭЛСОМ заблокирован после 3 неверных вводов. Разблокировка: call-центр %(phone)s.") % {
            "phone": settings.CALL_CENTRE_PHONE
        }
    sms_queue(phone=wallet.phone, text=text, kind=SmsKind.PIN_LOCKED)
    return PinLocked(MSG_PIN_LOCKED, phone=settings.CALL_CENTRE_PHONE)


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
    wallet.pin_hash = pin_hash_make(wallet_id=wallet.pk, pin=new_pin)
    wallet.pin_failed_attempts = 0
    wallet.save(update_fields=["pin_hash", "pin_failed_attempts", "updated_at"])
    with translation.override(wallet.language):
        text = _("PIN кошелька ЭЛСОМ изменен. Если это были не вы, звоните в call-центр: %(phone)s.") % {
            "phone": settings.CALL_CENTRE_PHONE
        }
    sms_queue(phone=wallet.phone, text=text, kind=SmsKind.PIN_CHANGED)


@transaction.atomic
def wallet_pin_unlock(*, wallet: Wallet, actor, reason: str) -> None:
    """Call-centre: lift a PIN lock after the holder proved who they are (the reason says how)."""
    staff_require(actor, StaffPermission.UNLOCK_PIN)
    reason = audit_reason(reason)
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    before = {"pin_failed_attempts": locked.pin_failed_attempts, "pin_locked": locked.pin_locked_at is not None}
    Wallet.objects.filter(pk=wallet.pk).update(pin_failed_attempts=0, pin_locked_at=None, updated_at=timezone.now())
    wallet.pin_failed_attempts, wallet.pin_locked_at = 0, None
    audit_record(
        actor=actor,
        action=StaffAction.PIN_UNLOCK,
        wallet=wallet,
        reason=reason,
        before=before,
        after={"pin_failed_attempts": 0, "pin_locked": False},
    )


@transaction.atomic
def wallet_pin_reset(*, wallet: Wallet, actor, reason: str) -> None:
    """Call-centre: the holder forgot the PIN (or it is locked and they prefer a new one). A new PIN is drawn,
    stored as a keyed hash, the lock lifted, and the PIN sent by SMS to the wallet's number only: the agent never
    sees it (the SMS is of a secret kind, masked in every console)."""
    staff_require(actor, StaffPermission.SEND_NEW_PIN)
    reason = audit_reason(reason)
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    if locked.status != WalletStatus.ACTIVE:
        # A blocked wallet may be a stolen phone: no PIN goes to it until a supervisor has unblocked it.
        raise WalletBlocked(MSG_WALLET_BLOCKED_STAFF)
    before = {"pin_failed_attempts": locked.pin_failed_attempts, "pin_locked": locked.pin_locked_at is not None}
    pin = pin_generate()
    wallet.pin_hash = pin_hash_make(wallet_id=wallet.pk, pin=pin)
    Wallet.objects.filter(pk=wallet.pk).update(
        pin_hash=wallet.pin_hash, pin_failed_attempts=0, pin_locked_at=None, updated_at=timezone.now()
    )
    wallet.pin_failed_attempts, wallet.pin_locked_at = 0, None
    with translation.override(locked.language):
        text = _("Новый PIN кошелька ЭЛСОМ: %(pin)s. Смените его: *900# -> 8 -> 3. Call-центр: %(phone)s.") % {
            "pin": pin,
            "phone": settings.CALL_CENTRE_PHONE,
        }
    sms_queue(phone=locked.phone, text=text, kind=SmsKind.PIN_RESET)
    audit_record(
        actor=actor,
        action=StaffAction.PIN_RESET,
        wallet=wallet,
        reason=reason,
        before=before,
        after={"pin_failed_attempts": 0, "pin_locked": False, "sms": "pin_reset"},
    )


@transaction.atomic
def wallet_set_status(*, wallet: Wallet, status: str, actor, reason: str) -> None:
    """Block a wallet (no payment, top-up or sign-in) or unblock it; `actor` SYSTEM is the portal (demo data)."""
    if status not in WalletStatus.values:
        raise ValueError(f"unknown status {status!r}")
    staff_require(
        actor, StaffPermission.BLOCK_WALLET if status == WalletStatus.BLOCKED else StaffPermission.UNBLOCK_WALLET
    )
    reason = audit_reason(reason)
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    Wallet.objects.filter(pk=wallet.pk).update(status=status, updated_at=timezone.now())
    wallet.status = status
    audit_record(
        actor=actor,
        action=StaffAction.WALLET_BLOCK if status == WalletStatus.BLOCKED else StaffAction.WALLET_UNBLOCK,
        wallet=wallet,
        reason=reason,
        before={"status": locked.status},
        after={"status": status},
    )


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
    posting, _created = cash_in_in_transaction(
        wallet=wallet, amount=amount, channel=channel, idempotency_key=idempotency_key
    )
    return posting


def cash_in_in_transaction(
    *, wallet: Wallet, amount: Decimal, channel: str, idempotency_key: str | None = None
) -> tuple[Posting, bool]:
    """cash_in inside the caller's transaction, telling whether this call credited (False: the key was used
    before and nothing moved) — the cash desk writes its audit entry only for a credit it made."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("cash_in_in_transaction needs a transaction; use cash_in")
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
    if created:
        ledger_balances(wallet.ledger_account)  # the balance after this posting, under its row lock
        with translation.override(wallet.language):
            text = _("Пополнение %(amount)s сом (%(channel)s). Баланс: %(balance)s сом. ЭЛСОМ") % {
                "amount": format_som(amount),
                "channel": CASH_IN_CHANNELS[channel],
                "balance": format_som(wallet.ledger_account.balance),
            }
        sms_queue(phone=wallet.phone, text=text, kind=SmsKind.CASH_IN)
    return posting, created
