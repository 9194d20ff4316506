import re

from sms.models import SmsMessage


def masked_text(message: SmsMessage) -> str:
    """The text with every digit hidden when the message carries a PIN or a one-time code."""
    return re.sub(r"[0-9]", "*", message.text) if message.is_secret else message.text


class BaseBackend:
    def send(self, message: SmsMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError
