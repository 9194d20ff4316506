"""Escalations and case notes: an agent hands a case to the shift supervisor with a note, the supervisor closes
it with a resolution; anyone on the console keeps notes on a customer. Each is one transaction with its audit row."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from casework.models import CaseNote, Escalation, EscalationStatus
from core.errors import DomainError
from services.models import Payment
from wallet.models import Wallet

MSG_ESCALATION_CLOSED = _("Это обращение уже закрыто.")


class EscalationRefused(DomainError):
    code = "escalation_refused"


def _who(actor):
    return actor if actor.is_authenticated else None  # SYSTEM is recorded as no one


@transaction.atomic
def escalation_open(*, wallet: Wallet, actor, note: str, payment: Payment | None = None) -> Escalation:
    """An agent hands the case to the shift supervisor (the queue at /staff/escalations/)."""
    staff_require(actor, StaffPermission.ESCALATE, wallet=wallet)
    note = audit_reason(note)
    if payment is not None and payment.wallet_id != wallet.pk:
        raise ValueError("the payment is not the wallet's")
    escalation = Escalation.objects.create(wallet=wallet, payment=payment, note=note, created_by=_who(actor))
    audit_record(
        actor=actor,
        action=StaffAction.ESCALATE,
        wallet=wallet,
        payment=payment,
        reason=note,
        after={"escalation": escalation.pk, "status": EscalationStatus.OPEN},
    )
    return escalation


@transaction.atomic
def escalation_close(*, escalation: Escalation, actor, resolution: str) -> Escalation:
    """The shift supervisor closes an escalation with what was decided. Raises EscalationRefused when it is closed."""
    staff_require(actor, StaffPermission.CLOSE_ESCALATION, wallet_id=escalation.wallet_id)
    resolution = audit_reason(resolution)
    escalation = Escalation.objects.select_for_update().get(pk=escalation.pk)
    if escalation.status != EscalationStatus.OPEN:
        raise EscalationRefused(MSG_ESCALATION_CLOSED)
    escalation.status, escalation.closed_by = EscalationStatus.CLOSED, _who(actor)
    escalation.closed_at, escalation.resolution = timezone.now(), resolution
    escalation.save(update_fields=["status", "closed_by", "closed_at", "resolution"])
    audit_record(
        actor=actor,
        action=StaffAction.ESCALATION_CLOSE,
        wallet_id=escalation.wallet_id,
        payment=escalation.payment,
        reason=resolution,
        before={"escalation": escalation.pk, "status": EscalationStatus.OPEN},
        after={"escalation": escalation.pk, "status": EscalationStatus.CLOSED},
    )
    return escalation


@transaction.atomic
def case_note_add(*, wallet: Wallet, actor, text: str, payment: Payment | None = None) -> CaseNote:
    """A note on the customer's card (what the caller said, what was agreed)."""
    staff_require(actor, StaffPermission.ADD_CASE_NOTE, wallet=wallet)
    text = audit_reason(text)
    if payment is not None and payment.wallet_id != wallet.pk:
        raise ValueError("the payment is not the wallet's")
    note = CaseNote.objects.create(wallet=wallet, payment=payment, author=_who(actor), text=text)
    audit_record(
        actor=actor,
        action=StaffAction.CASE_NOTE,
        wallet=wallet,
        payment=payment,
        reason=text,
        after={"case_note": note.pk},
    )
    return note
