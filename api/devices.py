"""Device tokens: issued at sign-in, checked on every request, revoked by the holder (sign-out, «Устройства») or
by staff (the admin's action, with a reason in the audit log)."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from api.errors import (
    MSG_DEVICE_NOT_FOUND,
    MSG_NO_DEVICES,
    MSG_TOKEN_EXPIRED,
    MSG_TOKEN_INVALID,
    MSG_TOKEN_REVOKED,
    NotFound,
    Unauthorized,
)
from api.models import DeviceToken
from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from wallet.models import Wallet

# A fixed lifetime from sign-in, not extended by use: a lost phone's token dies by itself within this time even if
# the thief keeps using it; the holder signs in again with an SMS code.
TOKEN_LIFETIME = timedelta(days=90)
# last_used_at is written at most this often: a write on every request would cost a query on every payment.
LAST_USED_PRECISION = timedelta(minutes=5)
DEVICE_NAME_MAX = 60


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def _device_name(raw: str) -> str:
    name = " ".join((raw or "").split())[:DEVICE_NAME_MAX]
    return name or "—"


def device_token_issue(*, wallet: Wallet, name: str) -> tuple[DeviceToken, str]:
    """A new token for a device of `wallet`: the row (with the hash) and the secret, which is shown once."""
    secret = secrets.token_urlsafe(32)
    device = DeviceToken.objects.create(
        wallet=wallet,
        name=_device_name(name),
        token_hash=_token_hash(secret),
        expires_at=timezone.now() + TOKEN_LIFETIME,
    )
    return device, secret


def device_token_authenticate(*, secret: str) -> DeviceToken:
    """The live token with this secret, its wallet (and balance) loaded in the same query; raises Unauthorized
    (token_invalid / token_expired / token_revoked)."""
    device = DeviceToken.objects.select_related("wallet__ledger_account").filter(token_hash=_token_hash(secret)).first()
    if device is None:
        raise Unauthorized(MSG_TOKEN_INVALID)
    now = timezone.now()
    if device.revoked_at is not None:
        raise Unauthorized(MSG_TOKEN_REVOKED, code="token_revoked")
    if device.expires_at <= now:
        raise Unauthorized(MSG_TOKEN_EXPIRED, code="token_expired")
    if device.last_used_at is None or now - device.last_used_at >= LAST_USED_PRECISION:
        DeviceToken.objects.filter(pk=device.pk).update(last_used_at=now)
        device.last_used_at = now
    return device


def device_list(*, wallet: Wallet) -> list[DeviceToken]:
    """The wallet's devices that are signed in now, newest first."""
    return list(
        DeviceToken.objects.filter(wallet=wallet, revoked_at__isnull=True, expires_at__gt=timezone.now()).order_by(
            "-created_at", "-id"
        )
    )


def device_revoke(*, wallet: Wallet, device_id: int) -> None:
    """The holder signs a device of theirs out (or this one: sign-out). Another holder's device, or one already
    signed out, is not found."""
    revoked = DeviceToken.objects.filter(pk=device_id, wallet=wallet, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not revoked:
        raise NotFound(MSG_DEVICE_NOT_FOUND, code="device_not_found")


@transaction.atomic
def device_revoke_by_staff(*, device: DeviceToken, actor, reason: str) -> bool:
    """Call-centre: sign a holder's device out (a lost or stolen phone). False: it was revoked already."""
    staff_require(actor, StaffPermission.REVOKE_DEVICE, wallet_id=device.wallet_id)
    reason = audit_reason(reason)
    now = timezone.now()
    if not DeviceToken.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=actor):
        return False
    device.revoked_at, device.revoked_by = now, actor
    audit_record(
        actor=actor,
        action=StaffAction.DEVICE_REVOKE,
        wallet_id=device.wallet_id,
        reason=reason,
        before={"device": device.pk, "name": device.name, "revoked": False},
        after={"device": device.pk, "name": device.name, "revoked": True},
    )
    return True


@transaction.atomic
def device_revoke_all_by_staff(*, wallet: Wallet, actor, reason: str) -> int:
    """Call-centre (the console): sign every device of the wallet out of the app at once. Returns how many."""
    staff_require(actor, StaffPermission.REVOKE_DEVICE, wallet=wallet)
    reason = audit_reason(reason)
    live = DeviceToken.objects.filter(wallet_id=wallet.pk, revoked_at__isnull=True, expires_at__gt=timezone.now())
    ids = list(live.order_by("id").values_list("id", flat=True))
    if not ids:
        raise NotFound(MSG_NO_DEVICES, code="device_not_found")
    DeviceToken.objects.filter(pk__in=ids, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=actor)
    audit_record(
        actor=actor,
        action=StaffAction.DEVICE_REVOKE,
        wallet_id=wallet.pk,
        reason=reason,
        before={"devices": ids},
        after={"devices": [], "revoked": ids},
    )
    return len(ids)
