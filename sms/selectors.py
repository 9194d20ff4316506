from django.db.models import QuerySet

from sms.models import SmsMessage, SmsStatus


def sms_list(*, phone: str | None = None) -> QuerySet[SmsMessage]:
    """Every message, newest first, optionally for one phone number (E.164)."""
    messages = SmsMessage.objects.select_related("payment").order_by("-created_at", "-id")
    return messages.filter(phone=phone) if phone else messages


def sms_inbox(*, phone: str) -> QuerySet[SmsMessage]:
    """What the phone with this number has received."""
    return sms_list(phone=phone).filter(status=SmsStatus.SENT)
