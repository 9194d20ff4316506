"""Queue and deliver SMS. Queueing happens inside the caller's transaction; delivery never does."""

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from core.errors import DomainError
from core.rows import PreparedRow, instance_insert, instance_prepare
from sms.models import SECRET_KINDS, SECRET_MASK, SmsKind, SmsMessage, SmsStatus
from wallet.models import Wallet

logger = logging.getLogger(__name__)
BATCH_SIZE = 50
# What the holder may ask to get again: the messages about a payment. A PIN or a one-time code is never copied
# (the call-centre sends a new PIN instead).
PAYMENT_KINDS = (SmsKind.PAYMENT, SmsKind.PAYMENT_ABORTED, SmsKind.REVERSAL)
MSG_NO_PAYMENT_SMS = _("Этому номеру еще не отправлялось SMS о платеже.")
# What a message keeps once it has left the outbox (sent, or failed for good): the starred text if it carried a PIN
# or a code. Set in the same UPDATE that changes the status, so no committed state has a final status and a secret.
TEXT_AT_REST = {"text": Coalesce(NullIf(F("text_masked"), Value("")), F("text")), "text_masked": Value("")}


class NothingToResend(DomainError):
    code = "nothing_to_resend"


@dataclass(frozen=True)
class PreparedSms:
    """A message and its INSERT, made before the transaction that queues it (sms_queue_prepared)."""

    message: SmsMessage
    row: PreparedRow


def sms_prepare(
    *, phone: str, text: str, kind: str, secret: str = "", payment=None, resent_from: SmsMessage | None = None
) -> PreparedSms:
    """The outbox row of a message, ready to be written: for a caller whose transaction holds a shared lock while it
    queues (the payment's commit holds the hold and provider accounts' rows).

    `secret`: the PIN or code the text carries, required for the kinds in SECRET_KINDS and refused for the others.
    The caller names it rather than the outbox guessing digits: every place it appears is starred in the text kept
    after delivery and in every console."""
    text_masked = _text_masked(text=text, kind=kind, secret=secret)
    now = timezone.now()
    message = SmsMessage(
        phone=phone,
        text=text,
        text_masked=text_masked,
        kind=kind,
        payment=payment,
        resent_from=resent_from,
        next_attempt_at=now,
        created_at=now,
    )
    return PreparedSms(message=message, row=instance_prepare(message))


def _text_masked(*, text: str, kind: str, secret: str) -> str:
    if kind in SECRET_KINDS and not secret:
        raise ValueError(f"an SMS of kind {kind!r} carries a PIN or code: name it in `secret`")
    if kind not in SECRET_KINDS and secret:
        raise ValueError(f"an SMS of kind {kind!r} carries no secret; add the kind to SECRET_KINDS first")
    if not secret:
        return ""
    if secret not in text:
        raise ValueError("the secret is not in the text")
    return text.replace(secret, SECRET_MASK * len(secret))


def sms_queue_prepared(prepared: PreparedSms) -> SmsMessage:
    """Write a prepared message to the outbox. Call it inside the transaction of the event it reports."""
    # Plain SQL (core.rows): an INSERT of every payment; Model.save() spends more Python on it than the database does.
    instance_insert(prepared.message, prepared.row)
    return prepared.message


def sms_queue(
    *, phone: str, text: str, kind: str, secret: str = "", payment=None, resent_from: SmsMessage | None = None
) -> SmsMessage:
    """Write the message to the outbox. Call it inside the transaction of the event it reports. `secret`: the PIN
    or code in the text (see sms_prepare)."""
    return sms_queue_prepared(
        sms_prepare(phone=phone, text=text, kind=kind, secret=secret, payment=payment, resent_from=resent_from)
    )


def sms_backend():
    return import_string(settings.SMS_BACKEND)()


def _claim_due(dispatcher_id: str, limit: int) -> list[SmsMessage]:
    """Mark a batch of due messages as ours. Two dispatchers never claim the same row: on PostgreSQL the
    rows are locked with SKIP LOCKED; on SQLite the IMMEDIATE transaction serialises the claim."""
    now = timezone.now()
    with transaction.atomic():
        due = (
            SmsMessage.objects.select_for_update(skip_locked=True)
            .filter(status=SmsStatus.QUEUED, next_attempt_at__lte=now)
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        ids = list(due)
        if not ids:
            return []
        # The status condition makes the claim safe even where SKIP LOCKED is not available.
        SmsMessage.objects.filter(id__in=ids, status=SmsStatus.QUEUED).update(
            status=SmsStatus.SENDING, claimed_by=dispatcher_id, claimed_at=now
        )
    # Delivered in the order they fell due (the model's default order is newest first): a phone receives a batch
    # as it was queued, and its inbox, newest delivery first, lists them as they happened.
    claimed = SmsMessage.objects.filter(id__in=ids, claimed_by=dispatcher_id, status=SmsStatus.SENDING)
    return list(claimed.order_by("next_attempt_at", "id"))


def _fail_stale_sends() -> int:
    """A message left in 'sending' by a dispatcher that died may or may not have gone out. Sending it again
    could deliver it twice, so it is marked failed for a person to look at (admin can re-queue it, unless it
    carried a PIN or code: that is starred now, and the holder asks for a new one)."""
    stale_before = timezone.now() - timedelta(seconds=settings.SMS_SENDING_STALE_SECONDS)
    return SmsMessage.objects.filter(status=SmsStatus.SENDING, claimed_at__lt=stale_before).update(
        status=SmsStatus.FAILED,
        last_error="dispatcher stopped during delivery; not resent to avoid a duplicate",
        **TEXT_AT_REST,
    )


def sms_dispatch(*, limit: int = BATCH_SIZE, backend=None) -> dict[str, int]:
    """Deliver due messages once each. Returns counts of sent, retried and failed messages."""
    backend = backend or sms_backend()
    dispatcher_id = uuid.uuid4().hex
    counts = {"sent": 0, "retry": 0, "failed": _fail_stale_sends()}
    for message in _claim_due(dispatcher_id, limit):
        try:
            backend.send(message)
        except Exception as exc:  # a backend may fail in any way; the message waits for its next attempt
            attempts = message.attempts + 1
            if attempts >= settings.SMS_MAX_ATTEMPTS:
                # Failed for good: the PIN or code goes as if it had been delivered (a retry keeps it).
                status, counts_key, at_rest = SmsStatus.FAILED, "failed", TEXT_AT_REST
            else:
                status, counts_key, at_rest = SmsStatus.QUEUED, "retry", {}
            delay = settings.SMS_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
            SmsMessage.objects.filter(pk=message.pk, claimed_by=dispatcher_id).update(
                status=status,
                attempts=attempts,
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
                last_error=f"{type(exc).__name__}: {exc}"[:255],
                claimed_by="",
                **at_rest,
            )
            logger.warning(
                "sms %s to %s failed (attempt %s): %s", message.pk, message.phone, attempts, type(exc).__name__
            )
            counts[counts_key] += 1
            continue
        SmsMessage.objects.filter(pk=message.pk, claimed_by=dispatcher_id).update(
            status=SmsStatus.SENT, attempts=message.attempts + 1, sent_at=timezone.now(), last_error="", **TEXT_AT_REST
        )
        counts["sent"] += 1
    return counts


@transaction.atomic
def sms_requeue(*, message: SmsMessage, actor, reason: str) -> bool:
    """Send a failed message again (a person decided it is safe). Returns False if it was not failed, if another
    copy of it is already on its way (queued or sending: the holder would get both), or if it carried a PIN or
    code: its text kept only the starred form (the holder asks for a new code, the call-centre sends a new PIN)."""
    staff_require(actor, StaffPermission.RESEND_SMS, phone=message.phone)
    reason = audit_reason(reason)
    first_id = message.resent_from_id or message.pk
    _chain_lock(first_id=first_id)
    if _undelivered_of(first_id=first_id) is not None:
        return False
    requeued = bool(
        SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.FAILED)
        .exclude(kind__in=SECRET_KINDS)
        .update(status=SmsStatus.QUEUED, attempts=0, next_attempt_at=timezone.now(), claimed_by="", last_error="")
    )
    if requeued:
        wallet_id = _wallet_id_of(message)
        audit_record(
            actor=actor,
            action=StaffAction.SMS_RESEND,
            wallet_id=wallet_id,
            payment=message.payment,
            reason=reason,
            before={"sms": message.pk, "status": SmsStatus.FAILED},
            after={"sms": message.pk, "status": SmsStatus.QUEUED},
        )
    return requeued


def _chain_lock(*, first_id: int) -> None:
    """Lock the first message of a chain (it and its call-centre copies): two resends of one message, from two
    agents or a double click, take turns, so the second sees the copy the first queued. PostgreSQL locks the row;
    on SQLite the IMMEDIATE transaction already holds the database's write lock."""
    list(SmsMessage.objects.select_for_update(of=("self",)).filter(pk=first_id).values_list("pk", flat=True))


def _undelivered_of(*, first_id: int) -> SmsMessage | None:
    """The copy of a message (or the message itself) still on its way to the phone: queued, retrying after a
    gateway failure, or being sent. At most one exists: resends and requeues reuse it rather than add another."""
    return (
        SmsMessage.objects.filter(Q(pk=first_id) | Q(resent_from_id=first_id))
        .filter(status__in=(SmsStatus.QUEUED, SmsStatus.SENDING))
        .order_by("-id")
        .first()
    )


def _wallet_id_of(message: SmsMessage) -> int | None:
    return Wallet.objects.filter(phone=message.phone).values_list("pk", flat=True).first()


def sms_last_payment_message(*, phone: str, payment=None) -> SmsMessage | None:
    """The newest SMS about a payment sent to this number (of that payment, if one is given)."""
    messages = SmsMessage.objects.filter(phone=phone, kind__in=PAYMENT_KINDS)
    if payment is not None:
        messages = messages.filter(payment=payment)
    return messages.order_by("-created_at", "-id").first()


@transaction.atomic
def sms_resend_payment(*, wallet, actor, reason: str, payment=None) -> SmsMessage:
    """Call-centre: «the SMS did not come». A copy of the last payment SMS (of `payment`, if given) is queued as
    a new message — the first stays as it was, delivered or failed, for the record. Returns the message that will
    reach the phone.

    One delivery per message: if a copy (or the first message) is still on its way — queued, or retrying while the
    gateway fails — that one is brought forward (due now, its attempts counted afresh) instead of queueing another,
    which the holder would get as a duplicate once the gateway recovers."""
    staff_require(actor, StaffPermission.RESEND_SMS, wallet=wallet)
    reason = audit_reason(reason)
    original = sms_last_payment_message(phone=wallet.phone, payment=payment)
    if original is None:
        raise NothingToResend(MSG_NO_PAYMENT_SMS)
    first = original.resent_from or original
    _chain_lock(first_id=first.pk)
    pending = _undelivered_of(first_id=first.pk)
    if pending is not None:
        # A message being sent (SENDING) is left alone: its dispatcher records the outcome, and a failure puts it
        # back in the queue, where the next resend finds it.
        SmsMessage.objects.filter(pk=pending.pk, status=SmsStatus.QUEUED).update(
            attempts=0, next_attempt_at=timezone.now()
        )
        sent = pending
    else:
        sent = sms_queue(
            phone=original.phone, text=original.text, kind=original.kind, payment=original.payment, resent_from=first
        )
    audit_record(
        actor=actor,
        action=StaffAction.SMS_RESEND,
        wallet=wallet,
        payment=original.payment,
        reason=reason,
        before={"sms": original.pk, "status": original.status},
        after={"sms": sent.pk, "status": sent.status, "reused": pending is not None},
    )
    return sent
