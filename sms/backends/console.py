import sys

from sms.backends.base import BaseBackend, masked_text


class ConsoleBackend(BaseBackend):
    """Prints each message on standard output (development). PINs and codes are printed masked."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stdout

    def send(self, message) -> None:
        self.stream.write(f"SMS to {message.phone} [{message.kind}]: {masked_text(message)}\n")
        self.stream.flush()
