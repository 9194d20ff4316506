"""Domain errors. Each carries a message for people (translatable) and a stable code for machines."""

from typing import Any

from django.utils.functional import Promise


class DomainError(Exception):
    """A rule of the wallet said no. Channels show `message` to the person; nothing was changed."""

    code = "domain_error"

    def __init__(self, message: str | Promise, *, code: str | None = None, **params: Any) -> None:
        self.message = message
        self.params = params
        if code:
            self.code = code
        super().__init__(str(message))

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text
