"""Idempotency keys: the one module that builds every idempotency key, so that two channels (or two steps of
one) never spell the same key differently, and a repeated request finds the payment the first one made."""


def idempotency_key_web(token: str) -> str:
    """The web cabinet's payment: the one-time token of its confirm page («Оплатить»)."""
    return f"web:{token}"
