"""A logging filter that keeps PINs, passwords and one-time codes out of every log line."""

import logging
import re

# key=value or "key": "value" pairs whose key names a secret; and the USSD text field, which repeats the PIN.
SECRET_KEYS = r"(?:pin|password|passwd|secret|code|otp|text|token|csrfmiddlewaretoken)"
PAIR_RE = re.compile(rf"(?i)(['\"]?{SECRET_KEYS}[a-z_0-9]*['\"]?\s*[=:]\s*)(['\"]?)[^'\"&,\s}}]+")


def redact(text: str) -> str:
    return PAIR_RE.sub(r"\1\2***", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
