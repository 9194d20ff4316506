"""A payment's quote: what a channel shows before the PIN or the «Оплатить» button. payment_quote is the one call
a channel makes: every check a payment needs except the PIN, the price, and the provider's word on the account
(its holder's name for the confirm screen). It moves no money; the provider's check is logged as every exchange."""

from dataclasses import dataclass, replace
from decimal import Decimal

from core.money import MSG_AMOUNT_NOT_POSITIVE, InvalidAmount, format_som, som
from ledger.errors import MSG_INSUFFICIENT_FUNDS, InsufficientFunds
from services.account_rules import account_parse
from services.bulkhead import provider_breaker_open
from services.errors import (
    MSG_AMOUNT_ABOVE_MAX,
    MSG_AMOUNT_BELOW_MIN,
    MSG_PROVIDER_REFUSED,
    MSG_PROVIDER_UNAVAILABLE,
    MSG_SERVICE_INACTIVE,
    PROVIDER_REFUSALS,
    AmountOutOfRange,
    ProviderRefusedAccount,
    ProviderUnavailable,
    ServiceUnavailable,
)
from services.models import Service
from services.payments.provider_calls import ensure_no_transaction, exchange_record
from services.providers import ProviderAccepted, ProviderRefused, provider_for
from wallet.models import Wallet
from wallet.operations import wallet_ensure_active


@dataclass(frozen=True)
class PaymentQuote:
    """What the confirm screen shows: the checked account, amount, commission and total, and the name the
    provider gave for the account ('' when it gives none, or before its check)."""

    service: Service
    account: str
    amount: Decimal
    commission: Decimal
    total: Decimal
    account_holder: str = ""
    # The provider was not asked (its breaker is open: it has not answered the last calls). The payment can still be
    # made; it goes «в обработке» and the worker asks the provider once it answers.
    provider_silent: bool = False


def payment_quote(
    *, wallet: Wallet, service: Service, account: str, amount: Decimal, check_funds: bool = True
) -> PaymentQuote:
    """Check, price and have the provider check a payment, once per confirm screen, outside any transaction.

    Raises first what payment_prepare raises (WalletBlocked, ServiceUnavailable, InvalidAccount, InvalidAmount,
    AmountOutOfRange, InsufficientFunds), then the provider's refusals (ProviderRefusedAccount: unknown, closed,
    malformed account, in the holder's words; ProviderUnavailable: no answer). Nothing is charged in any case.
    `check_funds`: as payment_prepare's (USSD passes False: there the PIN has not been given yet)."""
    quote = payment_prepare(wallet=wallet, service=service, account=account, amount=amount, check_funds=check_funds)
    if provider_breaker_open(service.provider.code):
        # Asking again would only make the holder wait for nothing. The account's format was checked here; an
        # account the provider does not know is refused when it answers again, and the money comes back.
        return replace(quote, provider_silent=True)
    return replace(quote, account_holder=payment_check(quote=quote))


def payment_quote_again(
    *,
    wallet: Wallet,
    service: Service,
    account: str,
    amount: Decimal,
    account_holder: str,
    check_funds: bool = True,
) -> PaymentQuote:
    """A quote the provider accepted moments ago, drawn again (a confirm screen shown anew: the USSD session keeps
    where the answers stand, never the quote): the same checks and price, the holder's name as the provider gave
    it, and no second call to the provider. Raises what payment_prepare raises (the catalog or the wallet may have
    changed since)."""
    quote = payment_prepare(wallet=wallet, service=service, account=account, amount=amount, check_funds=check_funds)
    return replace(quote, account_holder=account_holder)


def payment_prepare(
    *, wallet: Wallet, service: Service, account: str, amount: Decimal, check_funds: bool = True
) -> PaymentQuote:
    """Check everything a payment needs except the PIN, and price it, without the provider. Changes nothing.
    payment_execute's first step (there the provider is asked to pay, not to check); channels quote with
    payment_quote.

    `check_funds` compares the total with the wallet's balance as loaded. USSD passes False: there the holder has
    not yet given the PIN, and «not enough money» would tell a stranger about the balance; payment_execute checks
    the funds after the PIN in any case."""
    wallet_ensure_active(wallet)
    if not service.is_active or not service.category.is_active:
        raise ServiceUnavailable(MSG_SERVICE_INACTIVE)
    normalized = account_parse(
        rule=service.account_rule,
        raw=account,
        min_length=service.account_min_length,
        max_length=service.account_max_length,
    )
    amount = som(amount)
    if amount <= 0:
        raise InvalidAmount(MSG_AMOUNT_NOT_POSITIVE)
    if amount < service.min_amount:
        raise AmountOutOfRange(MSG_AMOUNT_BELOW_MIN, min=format_som(service.min_amount))
    if amount > service.max_amount:
        raise AmountOutOfRange(MSG_AMOUNT_ABOVE_MAX, max=format_som(service.max_amount))
    commission = service.commission_for(amount)
    quote = PaymentQuote(
        service=service, account=normalized, amount=amount, commission=commission, total=amount + commission
    )
    if check_funds and quote.total > wallet.ledger_account.balance:
        refusal = InsufficientFunds(MSG_INSUFFICIENT_FUNDS, balance=format_som(wallet.ledger_account.balance))
        refusal.account_id = wallet.ledger_account_id
        raise refusal
    return quote


def payment_check(*, quote: PaymentQuote) -> str:
    """Ask the provider whether it accepts this account (and sum), before any money moves: the name it returns
    (the company's, for DosTek group). Called once per confirm, outside any transaction. Raises
    ProviderRefusedAccount (unknown, closed, malformed account: the provider's reason in the holder's words) or
    ProviderUnavailable (no answer); in both cases nothing was charged. payment_quote's second half."""
    ensure_no_transaction()
    service = quote.service
    outcome = provider_for(service).check(account=quote.account, amount=quote.amount)
    if outcome.exchange is not None:
        exchange_record(provider=service.provider, payment=None, answer=outcome.exchange, account=quote.account)
    if isinstance(outcome, ProviderAccepted):
        return outcome.account_holder
    params = {"provider": service.provider.name, "account": quote.account, "label": service.display_account_label}
    if isinstance(outcome, ProviderRefused):
        message = PROVIDER_REFUSALS.get(outcome.code, MSG_PROVIDER_REFUSED)
        raise ProviderRefusedAccount(message, result=outcome.code, **params)
    raise ProviderUnavailable(MSG_PROVIDER_UNAVAILABLE, provider=service.provider.name)
