"""The call-centre's question to the provider about a payment in progress («I paid, СОЧИ shows nothing»), and
what comes of the answer, with its audit entry."""

from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction

from audit.models import StaffAction
from audit.operations import audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from services.errors import MSG_PAYMENT_NOT_IN_PROGRESS, PaymentNotInProgress
from services.models import Payment, PaymentStatus
from services.payments.drafts import commit_prepare
from services.payments.lifecycle import payment_commit_in_transaction, settled_elsewhere
from services.payments.provider_calls import ensure_no_transaction, exchange_record, release_connection
from services.payments.retry import payment_attempt
from services.providers import ProviderAccepted, ProviderUnknown, provider_for


class ProviderSaid(StrEnum):
    """What the provider said about a payment in progress. The values are stored (the audit entry's
    `provider_said`)."""

    FOUND = "found"  # it had the payment: now committed
    NOT_FOUND = "not_found"  # it did not: asked to pay again
    NO_ANSWER = "no_answer"  # nothing changed; the worker keeps trying


@dataclass(frozen=True)
class ProviderQuery:
    """What the provider said about a payment in progress and what came of it. `retried`: after not_found, the
    payment was sent again now (False: a worker held it at that moment and asks the provider itself)."""

    said: ProviderSaid
    payment: Payment
    retried: bool = False


def payment_provider_query(*, payment: Payment, actor, reason: str) -> ProviderQuery:
    """Call-centre: «I paid, СОЧИ shows nothing». Ask the provider about a payment in progress (its status call,
    outside any transaction), then act on the answer through the usual paths: found -> committed with the
    provider's number; not found -> paid again now (the same transaction id: it credits once); no answer ->
    nothing changes and the worker keeps trying. The audit entry says what the provider said.

    The entry is written with the change it reports where there is one (the commit); a retry makes its own
    transactions around the provider's pay call, so there the entry follows it with the outcome."""
    staff_require(actor, StaffPermission.QUERY_PROVIDER, wallet_id=payment.wallet_id)
    reason = audit_reason(reason)
    ensure_no_transaction()
    payment = Payment.objects.select_related(
        "wallet__ledger_account", "service__category", "service__provider__settlement_account"
    ).get(pk=payment.pk)
    if payment.status != PaymentStatus.RESERVED:
        raise PaymentNotInProgress(MSG_PAYMENT_NOT_IN_PROGRESS)
    before = {"status": payment.status, "attempts": payment.attempts}
    release_connection()
    outcome = provider_for(payment.service).status(payment=payment)

    def record(said: ProviderSaid, result: Payment, **extra) -> None:
        answer = outcome.exchange
        audit_record(
            actor=actor,
            action=StaffAction.PROVIDER_QUERY,
            wallet_id=result.wallet_id,
            payment=result,
            reason=reason,
            before=before,
            after={
                "provider_said": said.value,
                "result": answer.result if answer is not None else None,
                "comment": (answer.comment or answer.error)[:200] if answer is not None else "",
                "prv_txn": getattr(outcome, "provider_txn_id", ""),
                "status": result.status,
                **extra,
            },
        )

    if isinstance(outcome, ProviderAccepted):
        draft = commit_prepare(payment=payment, outcome=outcome)
        with transaction.atomic(durable=True):
            committed = payment_commit_in_transaction(payment=payment, outcome=outcome, draft=draft)
            record(ProviderSaid.FOUND, committed)
        return ProviderQuery(said=ProviderSaid.FOUND, payment=committed)
    with transaction.atomic(durable=True):
        if outcome.exchange is not None:
            exchange_record(provider=payment.service.provider, payment=payment, answer=outcome.exchange)
        if isinstance(outcome, ProviderUnknown):
            record(ProviderSaid.NO_ANSWER, payment)
            return ProviderQuery(said=ProviderSaid.NO_ANSWER, payment=payment)
    retried = payment_attempt(payment_id=payment.pk, ignore_schedule=True)
    result = retried if retried is not None else settled_elsewhere(payment)
    with transaction.atomic(durable=True):
        # None: a worker holds the payment this very moment; it asks the provider itself.
        record(ProviderSaid.NOT_FOUND, result, retried=retried is not None)
    return ProviderQuery(said=ProviderSaid.NOT_FOUND, payment=result, retried=retried is not None)
