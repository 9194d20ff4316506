from sms.models import SmsMessage


def masked_text(message: SmsMessage) -> str:
    """The text with its PIN or one-time code starred, for consoles and logs: the form the caller made from the
    secret it named when it queued the message (sms_queue's `secret`), and all the outbox keeps after delivery
    (text_masked is blank then, and the text is the starred one)."""
    return message.text_masked or message.text


class BaseBackend:
    def send(self, message: SmsMessage) -> None:  # pragma: no cover - interface
        """Deliver `message.text`, in full: a PIN or code in it is still there while the message is being sent."""
        raise NotImplementedError
