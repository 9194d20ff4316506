from sms.backends.base import BaseBackend


class VirtualPhoneBackend(BaseBackend):
    """The demo's phone network: a message counts as delivered to the virtual phone of its number, whose
    inbox is the list of sent outbox rows for that number (see sms.selectors.sms_inbox)."""

    def send(self, message) -> None:
        return None
