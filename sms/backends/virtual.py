from django.conf import settings

from sms.backends.base import BaseBackend
from sms.models import DemoInbox


class VirtualPhoneBackend(BaseBackend):
    """The demo's phone network: a message counts as delivered to the virtual phone of its number. The phone keeps
    what it received in its own store (DemoInbox), PINs and codes in clear, since the outbox keeps them starred
    after delivery; the simulator's inbox reads it (sms.selectors.sms_inbox). Outside demo mode nobody may read
    that inbox, so nothing is kept."""

    def send(self, message) -> None:
        if not settings.DEMO_MODE:
            return
        # A message re-queued after a dispatcher died mid-send may reach the phone twice: one copy is kept.
        DemoInbox.objects.get_or_create(message=message, defaults={"text": message.text})
