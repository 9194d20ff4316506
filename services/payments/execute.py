"""payment_execute: paying for a service from a wallet, the one path every channel (web, USSD, app, staff) goes
through. The quote's checks again, the reserve (PIN, funds), the provider, and its answer applied (lifecycle.py);
a payment without an answer yet is left to the worker (retry.py)."""

from decimal import Decimal

from django.db import IntegrityError

from core.faults import crash_point
from ledger.errors import InsufficientFunds
from ledger.posting import insufficient_funds_now
from services.models import Channel, Payment, Service
from services.payments.drafts import payment_fingerprint, reserve_prepare
from services.payments.lifecycle import payment_reserve
from services.payments.quote import payment_prepare
from services.payments.retry import payment_process
from wallet.models import Wallet

# Channels where the holder proves who they are with the PIN at the moment of paying. On the web the holder
# signed in with a password; demo data is written by the seed.
PIN_CHANNELS = {Channel.USSD, Channel.APP}


def payment_execute(
    *,
    wallet: Wallet,
    service: Service,
    account: str,
    amount: Decimal,
    idempotency_key: str,
    channel: str,
    pin: str | None = None,
    account_holder: str = "",
) -> Payment:
    """Pay `amount` to `service` for `account` from `wallet`: check the PIN (USSD and app), reserve the total, ask
    the provider, then commit or release. Returns the payment: COMMITTED, ABORTED (the provider refused; the money
    is back) or RESERVED (the provider's answer is not known yet; a worker finishes it).

    The same idempotency key again returns the payment already made and charges nothing; the same key with other
    data raises IdempotencyConflict. Raises a DomainError with a message for the person (WrongPin, PinLocked,
    InsufficientFunds, InvalidAccount, AmountOutOfRange, ...) and then no money moved (a wrong PIN is counted).
    `account_holder` is the name the provider's check returned (the quote's), for the receipt."""
    if channel in PIN_CHANNELS and pin is None:
        raise ValueError(f"a {channel} payment needs the holder's PIN")
    # The checks without the provider's: here it is asked to pay, and the funds are checked after the PIN.
    quote = payment_prepare(wallet=wallet, service=service, account=account, amount=amount, check_funds=False)
    fingerprint = payment_fingerprint(wallet=wallet, quote=quote, channel=channel)
    for attempt in range(3):
        # Everything the reserve writes is prepared before its transaction begins: inside, the posting holds the
        # hold account's row (every payment's) until COMMIT, so only the statements run there.
        draft = reserve_prepare(
            wallet=wallet,
            quote=quote,
            channel=channel,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            account_holder=account_holder,
        )
        try:
            reserved = payment_reserve(wallet=wallet, draft=draft, pin=pin)
        except InsufficientFunds as exc:
            raise insufficient_funds_now(exc) from exc
        except IntegrityError:
            # Once in 10^11 the random payment code collided: draw again (the reserve rolled back).
            if attempt == 2:
                raise
            continue
        break
    if reserved.pin_error is not None:
        raise reserved.pin_error
    if reserved.payment is not None:
        return reserved.payment  # a repeat: what the first request made of it (it may still be in progress there)
    payment = draft.payment(reserved)
    wallet.ledger_account.balance = payment.balance_after
    crash_point("after_reserve")
    return payment_process(payment=payment)
