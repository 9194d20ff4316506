"""Reads of the case work for the console: the last identity check, the notes, the escalations' queue."""

from django.db.models import QuerySet

from casework.models import CaseNote, Escalation, EscalationStatus, IdentityCheck

NOTES_SHOWN = 10
CLOSED_SHOWN = 20


def identity_check_last(*, wallet_id: int) -> IdentityCheck | None:
    """The wallet's latest identity check, by anyone (the card shows who checked and when)."""
    return (
        IdentityCheck.objects.select_related("actor").filter(wallet_id=wallet_id).order_by("-created_at", "-id").first()
    )


def case_notes(*, wallet_id: int, limit: int = NOTES_SHOWN) -> list[CaseNote]:
    query = CaseNote.objects.select_related("author", "payment").filter(wallet_id=wallet_id)
    return list(query.order_by("-created_at", "-id")[:limit])


def escalations_open(*, wallet_id: int | None = None) -> QuerySet[Escalation]:
    query = Escalation.objects.select_related("wallet", "payment", "created_by").filter(status=EscalationStatus.OPEN)
    if wallet_id is not None:
        query = query.filter(wallet_id=wallet_id)
    return query.order_by("created_at", "id")  # the oldest first: the queue is worked in order


def escalations_closed_recent(*, limit: int = CLOSED_SHOWN) -> list[Escalation]:
    query = Escalation.objects.select_related("wallet", "payment", "closed_by").filter(status=EscalationStatus.CLOSED)
    return list(query.order_by("-closed_at", "-id")[:limit])
