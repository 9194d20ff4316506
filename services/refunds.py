"""Returning a committed payment, as a call-centre does it: an agent asks (with the reason: «СОЧИ agreed to return
it», «wrong INN»), a supervisor who is not the requester approves or rejects. Nothing moves until the approval,
which reverses the payment in the same transaction as its audit entry."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from audit.operations import NotAllowed, audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from casework.identity import identity_require
from core.errors import DomainError
from core.idempotency import idempotency_key_refund
from services.errors import MSG_PAYMENT_NOT_COMMITTED, PaymentNotReversible
from services.models import Payment, PaymentStatus, RefundRequest, RefundStatus
from services.payments.reversal import payment_reverse_in_transaction

MSG_REFUND_PENDING = _("По этому платежу уже есть запрос на возврат, он ждет решения.")
MSG_REFUND_DECIDED = _("Этот запрос уже решен.")
MSG_REFUND_OWN = _("Свой запрос на возврат одобряет другой сотрудник (старший смены).")

__all__ = ["NotAllowed", "RefundRefused", "refund_approve", "refund_reject", "refund_request"]


class RefundRefused(DomainError):
    code = "refund_refused"


def refund_request(*, payment: Payment, actor, reason: str) -> RefundRequest:
    """An agent asks to return a committed payment. Refused for a payment that is not committed (in progress,
    aborted, returned): the refusal is recorded too, in a transaction of its own after the refused one rolled
    back (REFUND_REQUEST with after={"refused": code}), so that training's judge sees the attempt. A role without
    the permission, an unchecked caller or a missing reason are refused before that and leave no row."""
    try:
        return _refund_request(payment=payment, actor=actor, reason=reason)
    except PaymentNotReversible as exc:
        _refund_refusal_record(payment=payment, actor=actor, reason=reason, code=exc.code)
        raise


@transaction.atomic
def _refund_refusal_record(*, payment: Payment, actor, reason: str, code: str) -> None:
    status = Payment.objects.filter(pk=payment.pk).values_list("status", flat=True).first()
    audit_record(
        actor=actor,
        action=StaffAction.REFUND_REQUEST,
        wallet_id=payment.wallet_id,
        payment=payment,
        reason=audit_reason(reason),
        before={"status": status},
        after={"refused": code, "status": status},
    )


@transaction.atomic
def _refund_request(*, payment: Payment, actor, reason: str) -> RefundRequest:
    staff_require(actor, StaffPermission.REQUEST_REFUND, wallet_id=payment.wallet_id)
    identity_require(wallet_id=payment.wallet_id, actor=actor)
    reason = audit_reason(reason)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status != PaymentStatus.COMMITTED:
        raise PaymentNotReversible(MSG_PAYMENT_NOT_COMMITTED)
    try:
        with transaction.atomic():
            request = RefundRequest.objects.create(payment=payment, requested_by=actor, reason=reason)
    except IntegrityError as exc:
        raise RefundRefused(MSG_REFUND_PENDING) from exc
    audit_record(
        actor=actor,
        action=StaffAction.REFUND_REQUEST,
        wallet_id=payment.wallet_id,
        payment=payment,
        reason=reason,
        before={"status": payment.status},
        after={"refund_request": request.pk, "status": payment.status},
    )
    return request


@transaction.atomic
def refund_approve(*, request: RefundRequest, actor, reason: str) -> Payment:
    staff_require(actor, StaffPermission.APPROVE_REFUND)
    reason = audit_reason(reason)
    request = RefundRequest.objects.select_for_update().select_related("payment").get(pk=request.pk)
    if request.status != RefundStatus.PENDING:
        raise RefundRefused(MSG_REFUND_DECIDED)
    if request.requested_by_id == actor.pk:
        raise RefundRefused(MSG_REFUND_OWN)
    before = request.payment.status
    payment = payment_reverse_in_transaction(
        payment=request.payment, idempotency_key=idempotency_key_refund(request.pk)
    )
    _decide(request, actor, reason, RefundStatus.APPROVED)
    audit_record(
        actor=actor,
        action=StaffAction.REFUND_APPROVE,
        wallet_id=payment.wallet_id,
        payment=payment,
        reason=reason,
        before={"status": before, "refund_request": request.pk},
        after={"status": payment.status, "refund_request": request.pk},
    )
    return payment


@transaction.atomic
def refund_reject(*, request: RefundRequest, actor, reason: str) -> RefundRequest:
    staff_require(actor, StaffPermission.APPROVE_REFUND)
    reason = audit_reason(reason)
    request = RefundRequest.objects.select_for_update().select_related("payment").get(pk=request.pk)
    if request.status != RefundStatus.PENDING:
        raise RefundRefused(MSG_REFUND_DECIDED)
    _decide(request, actor, reason, RefundStatus.REJECTED)
    audit_record(
        actor=actor,
        action=StaffAction.REFUND_REJECT,
        wallet_id=request.payment.wallet_id,
        payment=request.payment,
        reason=reason,
        before={"refund_request": request.pk, "status": RefundStatus.PENDING},
        after={"refund_request": request.pk, "status": RefundStatus.REJECTED},
    )
    return request


def _decide(request: RefundRequest, actor, reason: str, status: str) -> None:
    request.status, request.decided_by, request.decision_reason, request.decided_at = (
        status,
        actor if actor.is_authenticated else None,  # SYSTEM (training's reset) is recorded as no one
        reason,
        timezone.now(),
    )
    request.save(update_fields=["status", "decided_by", "decision_reason", "decided_at"])
