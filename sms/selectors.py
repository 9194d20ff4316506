from django.db.models import F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from sms.models import DemoInbox, SmsMessage, SmsStatus


def sms_list(*, phone: str | None = None) -> QuerySet[SmsMessage]:
    """Every message, newest first, optionally for one phone number (E.164)."""
    messages = SmsMessage.objects.select_related("payment").order_by("-created_at", "-id")
    return messages.filter(phone=phone) if phone else messages


def sms_inbox(*, phone: str) -> QuerySet[SmsMessage]:
    """What the phone with this number has received, newest delivery first, each with `received_text`: as the demo's
    virtual phone got it (PINs and codes in clear, from its own store), else the outbox's text, which keeps them
    starred."""
    received = DemoInbox.objects.filter(message=OuterRef("pk")).values("text")[:1]
    return (
        sms_list(phone=phone)
        .filter(status=SmsStatus.SENT)
        .annotate(received_text=Coalesce(Subquery(received), F("text")))
        # As a phone lists them: by when each arrived, newest first. A message queued earlier may arrive later (it
        # waited out a gateway failure), and the inbox shows the delivery time.
        .order_by("-sent_at", "-id")
    )
