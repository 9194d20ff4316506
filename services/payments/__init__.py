"""Paying for a service from a wallet: the one path every channel (web, USSD, app, staff) goes through.

A payment moves in Mojaloop's steps, each one database transaction, and the provider is called between them,
never inside one:

    payment_quote:    the checks, the price and the provider's check; nothing moves    (quote.py)
    payment_execute:  PIN + funds check, the total moved wallet -> hold        RESERVED   (execute.py, lifecycle.py)
    provider.pay():   outside any transaction and lock
                      accepted -> hold -> provider + fees, SMS with the code   COMMITTED  (lifecycle.py)
                      refused  -> hold -> wallet, SMS «отменен»                ABORTED    (lifecycle.py)
                      unknown  -> nothing moves; the payment stays             RESERVED   (retried: retry.py)
    payment_reverse:  the provider returned a committed payment: provider + fees -> wallet   REVERSED (reversal.py)

The call-centre's question to the provider is console.py; the SMS texts are texts.py. Every step is claimed by its
posting's idempotency key (`payment:<key>:reserve`, `payment:<key>:settle`), so a repeat, a second worker or a
crash-and-retry moves money once. The names below are the package's public ones; everything else is internal.
A channel quotes with payment_quote (payment_quote_again to draw an accepted quote anew); payment_prepare and
payment_check, its two halves, stay public while the cabinet still calls them.
"""

from services.payments.console import ProviderQuery, ProviderSaid, payment_provider_query
from services.payments.execute import payment_execute
from services.payments.quote import PaymentQuote, payment_check, payment_prepare, payment_quote, payment_quote_again
from services.payments.retry import payment_attempt, payment_attempt_task, payment_process
from services.payments.reversal import payment_reverse, payment_reverse_in_transaction
from services.payments.system_accounts import FEES_ACCOUNT_CODE, HOLD_ACCOUNT_CODE, fees_account, hold_account
from services.payments.texts import payment_sms_text

__all__ = [
    "FEES_ACCOUNT_CODE",
    "HOLD_ACCOUNT_CODE",
    "PaymentQuote",
    "ProviderQuery",
    "ProviderSaid",
    "fees_account",
    "hold_account",
    "payment_attempt",
    "payment_attempt_task",
    "payment_check",
    "payment_execute",
    "payment_prepare",
    "payment_process",
    "payment_provider_query",
    "payment_quote",
    "payment_quote_again",
    "payment_reverse",
    "payment_reverse_in_transaction",
    "payment_sms_text",
]
