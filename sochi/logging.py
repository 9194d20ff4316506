"""A logging filter that keeps PINs, passwords and Authorization headers out of СОЧИ's log lines."""

import logging
import re

SECRET_KEYS = r"(?:pin|password|passwd|secret|token|csrfmiddlewaretoken|authorization)"
PAIR_RE = re.compile(rf"(?i)(['\"]?{SECRET_KEYS}[a-z_0-9]*['\"]?\s*[=:]\s*)(['\"]?)(?:basic\s+)?[^'\"&,\s}}]+")


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
