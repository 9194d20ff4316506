from decimal import Decimal

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from audit.operations import SYSTEM
from core.money import InvalidAmount
from ledger.errors import IdempotencyConflict, InsufficientFunds
from ledger.models import LedgerAccount, Posting, Transfer
from services.account_rules import InvalidAccount
from services.errors import AmountOutOfRange, PaymentNotReversible, ServiceUnavailable
from services.models import Payment, PaymentStatus, Service
from services.payments import payment_prepare, payment_reverse
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage
from tests.helpers import DEMO_INN, make_payment
from wallet.errors import WalletBlocked
from wallet.models import WalletStatus
from wallet.operations import wallet_set_status

pytestmark = pytest.mark.django_db


def pay(wallet, service, *, amount="500", account=DEMO_INN, key="key-1", channel="web", pin=None):
    return make_payment(
        wallet=wallet, service=service, amount=amount, key=key, account=account, channel=channel, pin=pin
    )


def test_payment_debits_wallet_credits_dostek_and_queues_the_sms(make_wallet, dostek, sms_outbox):
    """A DosTek payment moves the amount to DosTek's settlement account and tells the holder the code."""
    # given
    wallet = make_wallet(balance="1000")
    # when
    payment = pay(wallet, dostek, amount="250.50")
    # then
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("749.50")
    assert LedgerAccount.objects.with_balance().get(code="provider:dostek").current_balance == Decimal("250.50")
    assert payment.status == PaymentStatus.COMMITTED and payment.balance_after == Decimal("749.50")
    assert len(payment.code) == 12 and payment.code.isdigit() and payment.provider_txn_id.startswith("DOSTEK-")
    message = sms_outbox.last(wallet.phone)
    assert message.kind == SmsKind.PAYMENT and message.payment_id == payment.pk
    assert message.text.startswith("Платеж 250.50 сом") and f"принят, код {payment.code}" in message.text
    assert books_violations() == []


def test_commission_goes_to_the_fee_account(make_wallet):
    """Saima charges 1 %: the wallet pays amount + commission, DosTek-like providers get the amount."""
    saima = Service.objects.get(slug="saima")
    wallet = make_wallet(balance="500")
    payment = pay(wallet, saima, amount="100.50", account="1234567")
    assert (payment.commission, payment.total) == (Decimal("1.01"), Decimal("101.51"))
    assert LedgerAccount.objects.with_balance().get(code="fees:commission").current_balance == Decimal("1.01")
    assert LedgerAccount.objects.with_balance().get(code="provider:saima").current_balance == Decimal("100.50")
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("398.49")
    assert books_violations() == []


def test_repeated_key_returns_the_same_payment_and_charges_once(make_wallet, dostek):
    """Double-click, reload, gateway retry: the same key pays once and returns the first payment."""
    wallet = make_wallet(balance="1000")
    first = pay(wallet, dostek)
    second = pay(wallet, dostek)
    wallet.ledger_account.refresh_from_db()
    assert second.pk == first.pk and wallet.balance == Decimal("500.00")
    assert SmsMessage.objects.filter(kind=SmsKind.PAYMENT).count() == 1


def test_repeated_key_with_other_data_is_refused(make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    pay(wallet, dostek, amount="500")
    with pytest.raises(IdempotencyConflict):
        pay(wallet, dostek, amount="600")
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("500.00")


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"amount": "1000.01"}, InsufficientFunds, "Недостаточно средств. Баланс: 1 000.00"),
        ({"amount": "9.99"}, AmountOutOfRange, "Минимальная сумма платежа: 10.00"),
        ({"amount": "100000.01"}, AmountOutOfRange, "Максимальная сумма платежа: 100 000.00"),
        ({"amount": "0"}, InvalidAmount, "больше нуля"),
        ({"amount": "10.001"}, InvalidAmount, "двух знаков"),
        ({"account": "0150320101001"}, InvalidAccount, "14 цифр"),
        ({"account": "31503201010011"}, InvalidAccount, "начинается с 0"),
        ({"account": "０１５０３２０１０１００１１"}, InvalidAccount, "14 цифр"),
        ({"account": ""}, InvalidAccount, "Введите"),
    ],
)
def test_bad_payments_are_refused_and_change_nothing(make_wallet, dostek, kwargs, error, message):
    """Every refusal carries the person's message and leaves no payment, posting or SMS behind."""
    wallet = make_wallet(balance="1000")
    postings, sms = Posting.objects.count(), SmsMessage.objects.count()
    with pytest.raises(error) as raised:
        pay(wallet, dostek, **kwargs)
    assert message in str(raised.value)
    assert not Payment.objects.exists()
    assert (Posting.objects.count(), SmsMessage.objects.count()) == (postings, sms)
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("1000.00")


def test_account_spaces_are_stripped(make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    assert pay(wallet, dostek, account=" 0150 3201 0100 11 ").account == DEMO_INN


def test_inactive_service_or_category_is_refused(make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    dostek.is_active = False
    dostek.save(update_fields=["is_active"])
    with pytest.raises(ServiceUnavailable):
        pay(wallet, dostek)
    dostek.is_active = True
    dostek.category.is_active = False
    with pytest.raises(ServiceUnavailable):
        pay(wallet, dostek)


def test_blocked_wallet_cannot_pay(make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="test")
    with pytest.raises(WalletBlocked):
        pay(wallet, dostek)


def test_prepare_prices_without_writing(make_wallet):
    aknet = Service.objects.get(slug="aknet")
    wallet = make_wallet(balance="105")
    quote = payment_prepare(wallet=wallet, service=aknet, account=" 12345 ", amount=Decimal("100"))
    assert (quote.account, quote.commission, quote.total) == ("12345", Decimal("5.00"), Decimal("105.00"))
    assert not Payment.objects.exists()


def test_prepare_checks_the_funds_unless_told_not_to(make_wallet):
    """The quote refuses a total above the balance (web, app); USSD asks for the quote before the PIN and must not
    learn the balance from it."""
    aknet = Service.objects.get(slug="aknet")
    wallet = make_wallet(balance="104.99")
    with pytest.raises(InsufficientFunds) as raised:
        payment_prepare(wallet=wallet, service=aknet, account="12345", amount=Decimal("100"))
    assert "Баланс: 104.99" in str(raised.value)
    quote = payment_prepare(wallet=wallet, service=aknet, account="12345", amount=Decimal("100"), check_funds=False)
    assert quote.total == Decimal("105.00")


def test_web_and_ussd_payments_have_identical_ledger_effects(make_wallet, dostek):
    """The channel is recorded, but the money moves the same way whichever channel paid."""
    web_wallet, ussd_wallet = make_wallet(balance="1000"), make_wallet(balance="1000")
    web = pay(web_wallet, dostek, key="w", channel="web")
    ussd = pay(ussd_wallet, dostek, key="u", channel="ussd", pin="2580")

    def shape(payment):
        return sorted(
            (t.posting.kind, t.debit_account.kind, t.credit_account.code, t.amount, t.kind)
            for t in Transfer.objects.filter(
                posting__in=[payment.reserve_posting_id, payment.settle_posting_id]
            ).select_related("posting", "debit_account", "credit_account")
        )

    assert shape(web) == shape(ussd)
    assert (web.channel, ussd.channel) == ("web", "ussd")


def test_reversal_returns_the_money_once(make_wallet, dostek, sms_outbox):
    wallet = make_wallet(balance="1000")
    payment = pay(wallet, dostek, amount="300")
    reversed_ = payment_reverse(payment=payment, idempotency_key="refund-1")
    assert payment_reverse(payment=payment, idempotency_key="refund-1").status == PaymentStatus.REVERSED
    wallet.ledger_account.refresh_from_db()
    assert reversed_.status == PaymentStatus.REVERSED and wallet.balance == Decimal("1000.00")
    assert sms_outbox.last(wallet.phone).kind == SmsKind.REVERSAL
    with pytest.raises(PaymentNotReversible):
        payment_reverse(payment=payment, idempotency_key="refund-2")
    assert books_violations() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the connection pool is PostgreSQL's")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_one_payment_runs_on_one_server_process_although_it_hands_its_connection_back(make_wallet, dostek):
    """The payment gives its connection back to the pool before the provider and takes one again for the commit.
    With one connection kept by default it is the same server process both times: the pool hands idle
    connections out in turn, and two kept ones put a payment's two transactions on two processes (slower)."""
    # given: a process's fresh pool (earlier tests' threads may have grown this one)
    wallet = make_wallet(balance="1000")
    connection.close()
    connection.close_pool()
    pay(wallet, dostek, amount="10", key="pool-warm")
    backends: list[int] = []

    def record(sender, connection, **kwargs):
        backends.append(connection.connection.info.backend_pid)

    # when
    connection_created.connect(record)
    try:
        for key in ("pool-1", "pool-2"):
            connection.close()  # as at the end of a request: the payment takes its first connection too
            pay(wallet, dostek, amount="10", key=key)
    finally:
        connection_created.disconnect(record)

    # then: two takes per payment, all from the same server process
    assert len(backends) == 4
    assert len(set(backends)) == 1
