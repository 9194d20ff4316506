"""payment_quote, the one call a channel makes before the PIN: the quote's checks first (nothing asked of the
provider when they refuse), then the provider's check, whose holder name the quote carries; payment_quote_again
draws the same quote without a second call. And the USSD screens tell the domain's refusals by their class."""

from decimal import Decimal

import pytest

from core.errors import DomainError
from ledger.errors import MSG_IDEMPOTENCY_CONFLICT, IdempotencyConflict
from services.errors import AmountOutOfRange, ProviderRefusedAccount
from services.models import ProviderExchange
from services.payments import ProviderSaid, payment_quote, payment_quote_again
from tests.provider.conftest import dostek_osmp, sochi  # noqa: F401  (the real СОЧИ for these tests)
from tests.sochi.conftest import ALA_TOO, UNKNOWN, sochi_server, sochi_server_session  # noqa: F401
from ussd import screens

pytestmark = pytest.mark.django_db


def test_one_call_checks_prices_and_names_the_company(dostek_osmp, make_wallet, dostek):  # noqa: F811
    wallet = make_wallet(balance="1000")
    quote = payment_quote(wallet=wallet, service=dostek, account=ALA_TOO, amount=Decimal("100"))
    assert (quote.account, quote.amount, quote.total) == (ALA_TOO, Decimal("100.00"), Decimal("100.00"))
    assert quote.account_holder == "ОсОО «Ала-Тоо Консалт»"
    assert ProviderExchange.objects.filter(command="check").count() == 1
    again = payment_quote_again(
        wallet=wallet, service=dostek, account=ALA_TOO, amount=Decimal("100"), account_holder=quote.account_holder
    )
    assert again == quote and ProviderExchange.objects.count() == 1


def test_the_quotes_own_refusals_come_before_the_providers(dostek_osmp, make_wallet, dostek):  # noqa: F811
    """An amount out of range for an account the provider does not know: the range is told, СОЧИ is not asked."""
    wallet = make_wallet(balance="1000")
    with pytest.raises(AmountOutOfRange):
        payment_quote(wallet=wallet, service=dostek, account=UNKNOWN, amount=dostek.max_amount + 1)
    assert not ProviderExchange.objects.exists()
    with pytest.raises(ProviderRefusedAccount):
        payment_quote(wallet=wallet, service=dostek, account=UNKNOWN, amount=Decimal("100"))


def test_what_the_provider_said_is_stored_as_before():
    assert [said.value for said in ProviderSaid] == ["found", "not_found", "no_answer"]
    assert ProviderSaid("found") == "found"


class _NewRefusal(AmountOutOfRange):
    """A refusal class the USSD tables do not name: told as its nearest named base class."""


def test_ussd_tells_a_refusal_by_its_class_or_its_nearest_base_class():
    told = screens._refusal(screens.PAY_REFUSALS, _NewRefusal("Сумма больше %(max)s сом.", max="5"))
    assert told(_NewRefusal("Сумма больше %(max)s сом.", max="5")).text == "Сумма больше 5 сом."
    conflict = IdempotencyConflict(MSG_IDEMPOTENCY_CONFLICT)
    step = screens._refusal(screens.PAY_REFUSALS, conflict)(conflict)
    assert step.text == str(screens.MSG_FAILED) % screens.call_centre()
    other = DomainError("Что-то другое.")
    assert screens._refusal(screens.PIN_STEP_REFUSALS, other)(other).text == "Что-то другое."
