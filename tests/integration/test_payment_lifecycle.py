"""The payment lifecycle: reserve on the hold account, then commit or release; unknown answers keep the money
reserved; the provider is never called inside a transaction; the PIN is checked by the payment itself."""

from decimal import Decimal

import pytest
from django.db import transaction

from ledger.errors import InsufficientFunds
from ledger.models import LedgerAccount, Posting
from services.models import Payment, PaymentStatus
from services.payments import HOLD_ACCOUNT_CODE, payment_process, payment_reverse
from services.providers import ProviderAccepted, ProviderRefused, ProviderUnknown
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage
from tests.helpers import make_payment
from wallet.errors import PinLocked, WalletBlocked, WrongPin
from wallet.models import Wallet, WalletStatus

pytestmark = pytest.mark.django_db
CALLS: list[str] = []


class RefusingProvider:
    def __init__(self, provider):
        self.provider = provider

    def pay(self, *, payment):
        CALLS.append(payment.code)
        return ProviderRefused(code=79, reason="account inactive")


class SilentProvider(RefusingProvider):
    def pay(self, *, payment):
        CALLS.append(payment.code)
        return ProviderUnknown(reason="read timeout")


class AcceptingProvider(RefusingProvider):
    def pay(self, *, payment):
        CALLS.append(payment.code)
        return ProviderAccepted(provider_txn_id=f"P{len(CALLS)}")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


@pytest.fixture
def use_adapter(settings):
    """Put a stand-in provider in the place of the service's (PROVIDER_ADAPTERS), for this test."""

    def use(service, adapter):
        settings.PROVIDER_ADAPTERS = {service.provider.code: f"{__name__}.{adapter.__name__}"}

    return use


def pay(wallet, service, *, amount="500", key="k1", channel="web", pin=None):
    return make_payment(wallet=wallet, service=service, amount=amount, key=key, channel=channel, pin=pin)


def balance(wallet) -> Decimal:
    return LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance


def hold() -> Decimal:
    return LedgerAccount.objects.with_balance().get(code=HOLD_ACCOUNT_CODE).current_balance


def test_an_accepted_payment_goes_through_the_hold_account(make_wallet, dostek):
    """Reserve (wallet -> hold) and commit (hold -> provider) are two postings; the hold is empty afterwards."""
    wallet = make_wallet(balance="1000")
    payment = pay(wallet, dostek, amount="250")
    assert payment.status == PaymentStatus.COMMITTED
    assert payment.reserve_posting.kind == "reserve" and payment.settle_posting.kind == "payment"
    assert (balance(wallet), hold()) == (Decimal("750.00"), Decimal("0.00"))
    assert books_violations() == []


def test_a_refusal_after_the_reserve_returns_the_money_and_tells_the_holder(
    use_adapter, make_wallet, dostek, sms_outbox
):
    """ABORTED: hold -> wallet, and an SMS «отменен ... возвращены»; no «принят» SMS."""
    use_adapter(dostek, RefusingProvider)
    wallet = make_wallet(balance="1000")
    payment = pay(wallet, dostek, amount="300")
    assert payment.status == PaymentStatus.ABORTED and payment.aborted_at is not None
    assert payment.settle_posting.kind == "release"
    assert (balance(wallet), hold()) == (Decimal("1000.00"), Decimal("0.00"))
    message = sms_outbox.last(wallet.phone)
    assert message.kind == SmsKind.PAYMENT_ABORTED and "возвращены" in message.text and payment.code in message.text
    assert not SmsMessage.objects.filter(kind=SmsKind.PAYMENT).exists()
    assert books_violations() == []


def test_an_unknown_answer_keeps_the_money_reserved_until_the_provider_answers(
    use_adapter, make_wallet, dostek, sms_outbox
):
    """A timeout is not a failure: the payment stays RESERVED with the total on the hold account, no SMS yet;
    asked again, the provider's yes commits it once."""
    use_adapter(dostek, SilentProvider)
    wallet = make_wallet(balance="1000")
    payment = pay(wallet, dostek, amount="400")
    assert payment.status == PaymentStatus.RESERVED
    assert (balance(wallet), hold()) == (Decimal("600.00"), Decimal("400.00"))
    assert not SmsMessage.objects.filter(payment=payment).exists()
    assert books_violations() == []

    use_adapter(dostek, AcceptingProvider)
    payment = Payment.objects.select_related("wallet__ledger_account", "service__provider").get(pk=payment.pk)
    committed = payment_process(payment=payment)
    assert committed.status == PaymentStatus.COMMITTED and committed.provider_txn_id == "P2"
    again = payment_process(payment=payment)  # a second worker with a stale copy: no second commit
    assert again.status == PaymentStatus.COMMITTED
    assert (balance(wallet), hold()) == (Decimal("600.00"), Decimal("0.00"))
    assert SmsMessage.objects.filter(payment=payment, kind=SmsKind.PAYMENT).count() == 1
    assert books_violations() == []


def test_a_late_refusal_does_not_undo_a_commit(use_adapter, make_wallet, dostek):
    """Commit and release claim the same settle key: whichever comes second changes nothing."""
    use_adapter(dostek, SilentProvider)
    wallet = make_wallet(balance="1000")
    payment = pay(wallet, dostek)
    stale = Payment.objects.select_related("wallet__ledger_account", "service__provider").get(pk=payment.pk)
    use_adapter(dostek, AcceptingProvider)
    payment_process(payment=payment)
    use_adapter(dostek, RefusingProvider)
    assert payment_process(payment=stale).status == PaymentStatus.COMMITTED
    assert balance(wallet) == Decimal("500.00") and books_violations() == []


def test_the_provider_is_never_called_inside_a_transaction(use_adapter, make_wallet, dostek):
    use_adapter(dostek, SilentProvider)
    wallet = make_wallet(balance="1000")
    payment = pay(wallet, dostek)
    CALLS.clear()
    with pytest.raises(RuntimeError, match="outside any database transaction"), transaction.atomic():
        payment_process(payment=payment)
    assert CALLS == []


def test_a_ussd_payment_needs_the_pin(make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    with pytest.raises(ValueError, match="PIN"):
        pay(wallet, dostek, channel="ussd")


def test_a_wrong_pin_is_counted_and_moves_no_money(make_wallet, dostek, sms_outbox):
    """Two wrong PINs: tries left 2, then 1; the third locks the PIN and the holder gets an SMS about it."""
    wallet = make_wallet(balance="1000", pin="2580")
    for left in (2, 1):
        with pytest.raises(WrongPin) as raised:
            pay(wallet, dostek, channel="ussd", pin="1111", key=f"w{left}")
        assert raised.value.params["left"] == left
    with pytest.raises(PinLocked):
        pay(wallet, dostek, channel="ussd", pin="1111", key="w0")
    assert sms_outbox.last(wallet.phone).kind == SmsKind.PIN_LOCKED
    with pytest.raises(PinLocked):  # the right PIN does not help any more
        pay(wallet, dostek, channel="ussd", pin="2580", key="w-1")
    assert (
        balance(wallet) == Decimal("1000.00")
        and not Payment.objects.exists()
        and not Posting.objects.filter(kind="reserve").exists()
    )


def test_the_right_pin_resets_the_counter(make_wallet, dostek):
    wallet = make_wallet(balance="1000", pin="2580")
    with pytest.raises(WrongPin):
        pay(wallet, dostek, channel="ussd", pin="1111", key="a")
    assert pay(wallet, dostek, channel="ussd", pin="2580", key="b").status == PaymentStatus.COMMITTED
    assert Wallet.objects.get(pk=wallet.pk).pin_failed_attempts == 0


def test_a_wallet_blocked_after_it_was_loaded_cannot_pay(make_wallet, dostek):
    """The PIN check proves the state it saw still holds; a block in between is noticed."""
    wallet = make_wallet(balance="1000")
    Wallet.objects.filter(pk=wallet.pk).update(status=WalletStatus.BLOCKED)
    with pytest.raises(WalletBlocked):
        pay(wallet, dostek, channel="ussd", pin="2580")
    assert balance(wallet) == Decimal("1000.00")


def test_money_spent_after_the_wallet_was_loaded_is_refused_with_the_real_balance(make_wallet, dostek):
    """The database's CHECK constraint is the last word: a stale copy saying 1000 does not let 900 through."""
    wallet = make_wallet(balance="1000")
    other_copy = Wallet.objects.select_related("ledger_account").get(pk=wallet.pk)
    pay(other_copy, dostek, amount="800", key="first")
    with pytest.raises(InsufficientFunds) as raised:
        pay(wallet, dostek, amount="900", key="second")
    assert "Баланс: 200.00" in str(raised.value)
    assert Payment.objects.count() == 1 and books_violations() == []


def test_a_refund_returns_amount_and_commission_to_the_wallet(make_wallet, sms_outbox):
    from services.models import Service

    saima = Service.objects.select_related("provider__settlement_account", "category").get(slug="saima")
    wallet = make_wallet(balance="500")
    payment = make_payment(wallet=wallet, service=saima, account="1234567", amount="100", key="s")
    reversed_ = payment_reverse(payment=payment, idempotency_key="refund:s")
    assert reversed_.status == PaymentStatus.REVERSED and reversed_.reversed_at is not None
    assert reversed_.refund_posting.reversal_of_id == payment.settle_posting_id
    assert balance(wallet) == Decimal("500.00")
    assert books_violations() == []


def test_check_ledger_sees_a_hold_that_does_not_match_the_payments_in_progress(use_adapter, make_wallet, dostek):
    use_adapter(dostek, SilentProvider)
    wallet = make_wallet(balance="1000")
    payment = pay(wallet, dostek)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.COMMITTED)
    problems = books_violations()
    assert any("hold account holds 500.00" in p for p in problems)
    assert any("has no settle posting" in p for p in problems)
