"""Cabinet fixtures: a holder with a web account, a signed-in client, and a helper to read the SMS code."""

import re

from tests.conftest import PASSWORD  # noqa: F401  (cabinet tests import it from here)


def sms_code(outbox, phone) -> str:
    message = outbox.last(phone)
    assert message is not None and message.kind == "code"
    return re.search(r"\b(\d{6})\b", message.text).group(1)
