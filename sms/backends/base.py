import re

from sms.models import SmsMessage

SECRET_RE = re.compile(r"(?<![0-9])(?<![0-9] )[0-9]{4,6}(?![0-9])(?! [0-9])")


def masked_text(message: SmsMessage) -> str:
    """The text with its PIN or one-time code (a standalone run of 4 to 6 digits) hidden, for consoles and logs."""
    return SECRET_RE.sub(lambda m: "*" * len(m.group()), message.text) if message.is_secret else message.text


class BaseBackend:
    def send(self, message: SmsMessage) -> None:  # pragma: no cover - interface
        raise NotImplementedError
