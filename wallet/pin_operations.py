"""A wallet's PIN: checked (every wrong one counted, across channels: the third locks it), changed by the holder,
unlocked or replaced by a new one by the call-centre, put back to the demo PIN by training. The hash is keyed
(wallet/pin.py); only these functions read or write it."""

import re
import secrets

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from casework.identity import identity_require
from core.errors import DomainError
from sms.models import SmsKind
from sms.outbox import sms_queue
from wallet.errors import (
    MSG_PIN_FORMAT,
    MSG_PIN_LOCKED,
    MSG_PIN_MISMATCH,
    MSG_PIN_SAME,
    MSG_PIN_TRIVIAL,
    MSG_PIN_WRONG,
    MSG_WALLET_BLOCKED_STAFF,
    InvalidPin,
    PinLocked,
    WalletBlocked,
    WrongPin,
)
from wallet.models import Wallet, WalletStatus
from wallet.phone import USSD_OPERATORS
from wallet.pin import pin_hash_check, pin_hash_make
from wallet.status import wallet_ensure_active

PIN_MAX_ATTEMPTS = 3


# --- the SMS that carry a PIN: they name the way to change it that works for the holder's operator ---------------


def pin_sms_wallet_opened(*, operator: str, phone: str, pin: str) -> str:
    """The SMS of a new wallet (in the language active now): its PIN and where to change it."""
    if operator in USSD_OPERATORS:
        text = _("Кошелек ЭЛСОМ %(phone)s открыт. Ваш PIN: %(pin)s. Смените его: *900# -> 8 -> 3.")
    else:  # O!: *900# answers «USSD недоступен для вашего оператора»
        text = _(
            "Кошелек ЭЛСОМ %(phone)s открыт. Ваш PIN: %(pin)s. Смените его на сайте elsom.kg или в приложении "
            "ЭЛСОМ, раздел «PIN»."
        )
    return text % {"phone": phone, "pin": pin}


def pin_sms_new_queue(*, wallet: Wallet, pin: str) -> None:
    """Queue the SMS with a new PIN (a reset by the call-centre or by the holder), in the holder's language."""
    with translation.override(wallet.language):
        if wallet.operator in USSD_OPERATORS:
            text = _("Новый PIN кошелька ЭЛСОМ: %(pin)s. Смените его: *900# -> 8 -> 3. Call-центр: %(phone)s.")
        else:
            text = _(
                "Новый PIN кошелька ЭЛСОМ: %(pin)s. Смените его на сайте elsom.kg или в приложении ЭЛСОМ, "
                "раздел «PIN». Call-центр: %(phone)s."
            )
    text %= {"pin": pin, "phone": settings.CALL_CENTRE_PHONE}
    sms_queue(phone=wallet.phone, text=text, kind=SmsKind.PIN_RESET, secret=pin)


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


_STALE = object()


def _pin_record(*, wallet: Wallet, ok: bool, rehash: str | None):
    """One UPDATE ... WHERE <the state the check saw>: _STALE if that state is gone, else the outcome."""
    now = timezone.now()
    table = Wallet._meta.db_table
    seen: list = [wallet.pk, wallet.pin_hash, WalletStatus.ACTIVE]
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
    """Call-centre: lift a PIN lock after the holder proved who they are (an identity check by the same actor in
    the last 15 minutes: casework/identity.py; the reason says why)."""
    staff_require(actor, StaffPermission.UNLOCK_PIN, wallet=wallet)
    identity_require(wallet_id=wallet.pk, actor=actor)
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
    staff_require(actor, StaffPermission.SEND_NEW_PIN, wallet=wallet)
    identity_require(wallet_id=wallet.pk, actor=actor)
    reason = audit_reason(reason)
    locked = Wallet.objects.select_for_update().get(pk=wallet.pk)
    if locked.status != WalletStatus.ACTIVE:
        # A blocked wallet may be a stolen phone: no PIN goes to it until a supervisor has unblocked it.
        raise WalletBlocked(MSG_WALLET_BLOCKED_STAFF)
    before = pin_renew(wallet=wallet, locked=locked)
    audit_record(
        actor=actor,
        action=StaffAction.PIN_RESET,
        wallet=wallet,
        reason=reason,
        before=before,
        after={"pin_failed_attempts": 0, "pin_locked": False, "sms": "pin_reset"},
    )


def pin_renew(*, wallet: Wallet, locked: Wallet) -> dict:
    """A new PIN drawn, stored as a keyed hash, the lock lifted and the PIN sent by SMS to the wallet's number only
    (a secret kind: masked at rest once delivered). Inside the caller's transaction, with `locked` the wallet's row
    taken FOR UPDATE; returns the state before, for the caller's audit row (the call-centre's reset, the holder's
    own by SMS code and INN)."""
    before = {"pin_failed_attempts": locked.pin_failed_attempts, "pin_locked": locked.pin_locked_at is not None}
    pin = pin_generate()
    wallet.pin_hash = pin_hash_make(wallet_id=wallet.pk, pin=pin)
    Wallet.objects.filter(pk=wallet.pk).update(
        pin_hash=wallet.pin_hash, pin_failed_attempts=0, pin_locked_at=None, updated_at=timezone.now()
    )
    wallet.pin_failed_attempts, wallet.pin_locked_at = 0, None
    pin_sms_new_queue(wallet=locked, pin=pin)
    return before


def wallet_pin_is(*, wallet: Wallet, pin: str) -> bool:
    """Whether `pin` is the wallet's PIN, against the hash as loaded on `wallet` (no query, no attempt counted): for
    checks of the state (training's board), never for a PIN a holder typed (that is wallet_pin_verify)."""
    return pin_hash_check(wallet_id=wallet.pk, pin=pin, encoded=wallet.pin_hash).ok


@transaction.atomic
def wallet_pin_set(*, wallet: Wallet, pin: str, locked: bool = False, actor, reason: str) -> frozenset[str]:
    """Training: put a known PIN on the wallet (the demo PIN), locked after 3 wrong entries or not, without an SMS
    (a restore, not an event for the holder). Outside training nobody chooses a holder's PIN: only SYSTEM and
    trainers may (RUN_TRAINING). Returns the fields it changed (none: nothing written, no audit entry)."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    reason = audit_reason(reason)
    current = Wallet.objects.select_for_update().get(pk=wallet.pk)
    updates: dict = {}
    if not wallet_pin_is(wallet=current, pin=pin):
        updates["pin_hash"] = pin_hash_make(wallet_id=current.pk, pin=pin)
    attempts = PIN_MAX_ATTEMPTS if locked else 0
    if current.pin_failed_attempts != attempts:
        updates["pin_failed_attempts"] = attempts
    if locked != (current.pin_locked_at is not None):
        updates["pin_locked_at"] = timezone.now() if locked else None
    wallet.pin_hash, wallet.pin_failed_attempts = current.pin_hash, current.pin_failed_attempts
    wallet.pin_locked_at = current.pin_locked_at
    if not updates:
        return frozenset()
    Wallet.objects.filter(pk=wallet.pk).update(**updates, updated_at=timezone.now())
    for name, value in updates.items():
        setattr(wallet, name, value)
    audit_record(
        actor=actor,
        action=StaffAction.PIN_SET,
        wallet=wallet,
        reason=reason,
        before={"pin_failed_attempts": current.pin_failed_attempts, "pin_locked": current.pin_locked_at is not None},
        after={"pin_failed_attempts": attempts, "pin_locked": locked, "pin_rewritten": "pin_hash" in updates},
    )
    return frozenset(updates)
