from sms.backends.base import BaseBackend

# Tests read what was delivered from here, like django.core.mail.outbox.
outbox: list = []


class LocmemBackend(BaseBackend):
    def send(self, message) -> None:
        outbox.append(message)
