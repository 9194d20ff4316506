"""Payments in progress (RESERVED: the provider's answer not known yet), finished in the background: the
django-tasks task that says «look at payment N» (the database backend here; a larger deployment swaps in its RQ or
Celery backend without changing this code), the attempt it runs, and the give-up after the provider's
GIVE_UP_AFTER. A task only names the payment: the row holds the state and payment_attempt claims it, so a task
run twice, late, or beside the process_payments sweeper does the work once."""

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from core.faults import crash_point
from services.bulkhead import worker_patience
from services.models import Payment, PaymentStatus
from services.payments.lifecycle import payment_commit, payment_provider_pay, payment_release
from services.providers import ProviderAccepted, ProviderRefused, ProviderUnknown, provider_for

logger = logging.getLogger(__name__)


@task()
def payment_attempt_task(payment_id: int) -> str:
    with worker_patience():  # the worker waits the provider's full timeout; nobody waits on a screen for it
        payment = payment_attempt(payment_id=payment_id)
    return payment.status if payment is not None else "skipped"


def _retry_later(payment: Payment) -> None:
    payment_attempt_task.using(run_after=payment.next_attempt_at).enqueue(payment.pk)


def payment_process(*, payment: Payment) -> Payment:
    """Ask the provider to credit a RESERVED payment (again: the same transaction id, so it credits once) and apply
    the answer; without one, the payment's next attempt is given to the worker (payment_attempt_task)."""
    return payment_provider_pay(payment=payment, retry_later=_retry_later)


def payment_attempt(*, payment_id: int, ignore_schedule: bool = False) -> Payment | None:
    """The worker's step for one payment in progress: claim it (so that another worker leaves it alone), then ask
    the provider again with the same transaction id and apply the answer. None: not ours to do now (settled,
    claimed by another worker, or not due yet). After DOSTEK_GIVE_UP_AFTER the provider is asked whether it has
    the payment at all; without a yes, the money goes back to the wallet."""
    now = timezone.now()
    due = Q() if ignore_schedule else Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = Payment.objects.filter(
        Q(pk=payment_id, status=PaymentStatus.RESERVED)
        & due
        & (Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
    ).update(claimed_until=now + timedelta(seconds=settings.PAYMENT_CLAIM_SECONDS))
    if not claimed:
        return None
    payment = Payment.objects.select_related(
        "wallet__ledger_account", "service__category", "service__provider__settlement_account"
    ).get(pk=payment_id)
    crash_point("after_claim")
    endpoint: dict[str, Any] = settings.OSMP_ENDPOINTS.get(payment.service.provider.code, {})
    give_up_after = endpoint.get("GIVE_UP_AFTER")
    if give_up_after is not None and now - payment.created_at > timedelta(seconds=give_up_after):
        return _payment_give_up(payment=payment)
    return payment_process(payment=payment)


def _payment_give_up(*, payment: Payment) -> Payment:
    outcome = provider_for(payment.service).status(payment=payment)
    if isinstance(outcome, ProviderAccepted):  # it was credited after all: the answer had been lost
        return payment_commit(payment=payment, outcome=outcome)
    reason = "не подтвержден поставщиком за отведенное время"
    if isinstance(outcome, ProviderUnknown):
        # Nobody can say: the holder gets the money back, and reconciliation flags the payment if the provider
        # turns out to have credited it.
        logger.warning("payment %s given up without an answer from the provider", payment.code)
        reason = "не подтвержден поставщиком; состояние у поставщика неизвестно"
    return payment_release(
        payment=payment, outcome=ProviderRefused(code=None, reason=reason, exchange=outcome.exchange)
    )
