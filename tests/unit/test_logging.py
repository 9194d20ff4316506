import logging

from core.logging import RedactSecretsFilter, redact


def test_secrets_are_redacted_from_log_lines():
    """A PIN, password, code or the USSD text (which repeats the PIN) never reaches a log in clear."""
    line = "POST sessionId=abc&text=3*3*14*14*01503201010011*500*2580&pin=2580 password='hunter22' code: 123456"
    cleaned = redact(line)
    assert "2580" not in cleaned and "hunter22" not in cleaned and "123456" not in cleaned
    assert "sessionId=abc" in cleaned


def test_filter_rewrites_the_record():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "pin=%s", ("1234",), None)
    RedactSecretsFilter().filter(record)
    assert "1234" not in record.getMessage()
