"""Idempotency keys: the one module that builds every key a posting or a payment is claimed by, so that two
channels (or two steps of one) never spell the same key differently, a repeated request finds what the first one
made, and a reset finds the seed's own rows by the very keys the seed wrote. The spellings are stored in the
books: change none of them (a new kind of key gets a new prefix)."""

import uuid


def idempotency_key_web(token: str) -> str:
    """The web cabinet's payment: the one-time token of its confirm page («Оплатить»)."""
    return f"web:{token}"


def idempotency_key_app(*, wallet_id: int, client_key: str) -> str:
    """The app's payment: the client's Idempotency-Key header, per wallet (two holders may pick the same one)."""
    return f"app:{wallet_id}:{client_key}"


def idempotency_key_ussd(*, nonce: str, index: int) -> str:
    """A USSD payment: the session's nonce and where the PIN stands in `text`, so a gateway's retry pays once."""
    return f"ussd:{nonce}:{index}"


def idempotency_key_reserve(payment_key: str) -> str:
    """A payment's first posting (wallet -> hold), under the payment's own key."""
    return f"payment:{payment_key}:reserve"


def idempotency_key_settle(payment_key: str) -> str:
    """A payment's second posting: hold -> provider and fees (commit) or hold -> wallet (release), never both."""
    return f"payment:{payment_key}:settle"


def idempotency_key_refund(refund_request_id: int) -> str:
    """The reversal an approved refund request makes."""
    return f"refund:{refund_request_id}"


def idempotency_key_receipt(*, channel: str, receipt: str) -> str:
    """A cash-in at a branch or a terminal: the receipt's channel and number (the receipt page finds it by them)."""
    return f"{channel}:{receipt}"


def idempotency_key_cash_in_new() -> str:
    """A cash-in that brings no key of its own (back office): a fresh one, so it credits exactly once."""
    return f"cash-in:{uuid.uuid4().hex}"


def idempotency_key_training_payment(run_id: int) -> str:
    """The payment a training scenario stages for its run."""
    return f"training:{run_id}:payment"


def idempotency_key_training_cash_in_new() -> str:
    """The top-up of a training wallet made for a scenario."""
    return f"training:cash-in:{uuid.uuid4().hex}"


def idempotency_key_training_reset(*, reset: str, phone: str) -> str:
    """A training reset's balance adjustment of one wallet (`reset`: that reset's own key)."""
    return f"training-reset:{reset}:{phone}"


def idempotency_key_demo_cash_in(*, phone: str, index: int) -> str:
    """The seed's `index`-th top-up of a demo wallet (a second seed_demo credits nothing)."""
    return f"demo:cash-in:{phone}:{index}"


def idempotency_key_demo_payment(*, phone: str, index: int) -> str:
    """The seed's `index`-th payment of a demo wallet."""
    return f"demo:payment:{phone}:{index}"
