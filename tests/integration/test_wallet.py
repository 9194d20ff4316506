import re
from decimal import Decimal

import pytest

from audit.operations import SYSTEM
from ledger.models import LedgerAccount, Posting
from sms.models import SmsKind, SmsMessage
from tests.helpers import pin_is
from wallet.errors import InvalidCashIn, InvalidName, InvalidPin, PinLocked, WalletBlocked, WalletExists, WrongPin
from wallet.inn import InvalidInn
from wallet.models import Wallet, WalletStatus
from wallet.operations import (
    cash_in,
    pin_is_trivial,
    wallet_pin_change,
    wallet_pin_unlock,
    wallet_pin_verify,
    wallet_register,
    wallet_set_status,
)
from wallet.phone import InvalidPhone

pytestmark = pytest.mark.django_db


def test_register_opens_wallet_with_hashed_pin_and_queues_the_pin_sms(sms_outbox):
    """A new wallet gets a ledger account, a hashed PIN, and an SMS carrying that PIN."""
    # when
    wallet, pin = wallet_register(
        phone="0770 12 34 56", full_name="Бакыт  Садыков", inn="21204198800345", channel="ussd", language="ky"
    )
    # then
    assert wallet.phone == "+996770123456"
    assert (wallet.first_name, wallet.last_name, wallet.operator) == ("Бакыт", "Садыков", "beeline")
    assert wallet.ledger_account.code == "wallet:+996770123456" and not wallet.ledger_account.may_go_negative
    # stored as the keyed hash only (a 4-digit PIN may well occur inside the hex digits by chance: not a leak)
    assert re.fullmatch(r"hmac-sha256\$[^$]+\$[0-9a-f]{16}\$[0-9a-f]{64}", wallet.pin_hash) and pin_is(wallet, pin)
    assert not pin_is_trivial(pin)
    message = sms_outbox.last("+996770123456")
    assert message.kind == SmsKind.WALLET_OPENED and pin in message.text


def test_register_translates_the_sms_to_the_wallet_language(sms_outbox):
    wallet, pin = wallet_register(
        phone="0555000111", full_name="Айбек Осмонов", inn="21204198800345", channel="ussd", language="en", pin="2580"
    )
    assert "ELSOM" in sms_outbox.last(wallet.phone).text


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"phone": "0312 960 888"}, InvalidPhone),
        ({"full_name": "Айгуль"}, InvalidName),
        ({"full_name": "Айгуль 007"}, InvalidName),
        ({"full_name": "А Б"}, InvalidName),
        ({"inn": "32505199000123"}, InvalidInn),
        ({"inn": "01503201010011"}, InvalidInn),
        ({"pin": "1234"}, InvalidPin),
        ({"pin": "0000"}, InvalidPin),
        ({"pin": "12a4"}, InvalidPin),
    ],
)
def test_register_refuses_bad_input_and_writes_nothing(kwargs, error):
    """Each bad field is refused with its own error; no wallet, account or SMS is left behind."""
    data = {
        "phone": "0555 99 88 77",
        "full_name": "Айгуль Асанова",
        "inn": "12505199000123",
        "channel": "branch",
        "pin": "2580",
    } | kwargs
    with pytest.raises(error):
        wallet_register(**data)
    assert not Wallet.objects.exists()
    assert not LedgerAccount.objects.filter(kind="wallet").exists()
    assert not SmsMessage.objects.exists()


def test_a_number_opens_one_wallet_only(make_wallet):
    make_wallet(phone="+996555777888")
    with pytest.raises(WalletExists):
        wallet_register(phone="0555 777 888", full_name="Другой Человек", inn="12505199000123", channel="ussd")


@pytest.mark.parametrize("pin", ["0000", "1111", "1234", "4321", "0123", "9876", "7890"])
def test_trivial_pins(pin):
    assert pin_is_trivial(pin)


@pytest.mark.parametrize("pin", ["2580", "1357", "1122", "9051"])
def test_non_trivial_pins(pin):
    assert not pin_is_trivial(pin)


def test_wrong_pins_are_counted_across_calls_and_the_third_locks(make_wallet):
    """Each wrong PIN says how many tries are left; the third locks the PIN until the call-centre unlocks it."""
    wallet = make_wallet(pin="2580")
    with pytest.raises(WrongPin, match="Осталось попыток: 2"):
        wallet_pin_verify(wallet=wallet, pin="1111")
    with pytest.raises(WrongPin, match="Осталось попыток: 1"):
        wallet_pin_verify(wallet=Wallet.objects.get(pk=wallet.pk), pin="1111")
    with pytest.raises(PinLocked, match="0312 986 000"):
        wallet_pin_verify(wallet=wallet, pin="1111")
    # even the right PIN is refused now
    with pytest.raises(PinLocked):
        wallet_pin_verify(wallet=wallet, pin="2580")
    wallet.refresh_from_db()
    assert wallet.pin_failed_attempts == 3 and wallet.pin_locked_at is not None
    wallet_pin_unlock(wallet=wallet, actor=SYSTEM, reason="identity checked")
    wallet_pin_verify(wallet=wallet, pin="2580")


def test_right_pin_resets_the_counter(make_wallet):
    wallet = make_wallet(pin="2580")
    with pytest.raises(WrongPin):
        wallet_pin_verify(wallet=wallet, pin="1111")
    wallet_pin_verify(wallet=wallet, pin="2580")
    wallet.refresh_from_db()
    assert wallet.pin_failed_attempts == 0


def test_pin_change_stores_the_new_pin_and_confirms_by_sms(make_wallet, sms_outbox):
    wallet = make_wallet(pin="2580")
    wallet_pin_change(wallet=wallet, current_pin="2580", new_pin="1357", new_pin_repeat="1357")
    wallet.refresh_from_db()
    assert pin_is(wallet, "1357")
    message = sms_outbox.last(wallet.phone)
    assert message.kind == SmsKind.PIN_CHANGED and "1357" not in message.text


@pytest.mark.parametrize(
    ("current", "new", "repeat", "error"),
    [
        ("2580", "1234", "1234", InvalidPin),
        ("2580", "2580", "2580", InvalidPin),
        ("2580", "1357", "1358", InvalidPin),
        ("9999", "1357", "1357", WrongPin),
        ("2580", "13a7", "13a7", InvalidPin),
    ],
)
def test_pin_change_refusals_keep_the_old_pin(make_wallet, current, new, repeat, error):
    wallet = make_wallet(pin="2580")
    with pytest.raises(error):
        wallet_pin_change(wallet=wallet, current_pin=current, new_pin=new, new_pin_repeat=repeat)
    wallet.refresh_from_db()
    assert pin_is(wallet, "2580")


def test_blocked_wallet_refuses_pin_and_cash_in(make_wallet):
    wallet = make_wallet()
    wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="test")
    with pytest.raises(WalletBlocked, match="0312 986 000"):
        wallet_pin_verify(wallet=wallet, pin="2580")
    with pytest.raises(WalletBlocked):
        cash_in(wallet=wallet, amount=Decimal("10"), channel="qiwi")


def test_cash_in_credits_the_wallet_and_queues_an_sms(make_wallet, sms_outbox):
    wallet = make_wallet()
    cash_in(wallet=wallet, amount=Decimal("1500.50"), channel="mobilnik", idempotency_key="rcpt-1")
    cash_in(wallet=wallet, amount=Decimal("1500.50"), channel="mobilnik", idempotency_key="rcpt-1")
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("1500.50")
    cash_in_sms = [m for m in sms_outbox.all(wallet.phone) if m.kind == SmsKind.CASH_IN]
    assert len(cash_in_sms) == 1 and "1 500.50" in cash_in_sms[0].text


@pytest.mark.parametrize(
    ("amount", "channel", "error"),
    [
        (Decimal("0"), "qiwi", Exception),
        (Decimal("-5"), "qiwi", Exception),
        (Decimal("15000.01"), "qiwi", InvalidCashIn),
        (Decimal("10"), "western-union", InvalidCashIn),
    ],
)
def test_cash_in_refusals_post_nothing(make_wallet, amount, channel, error):
    wallet = make_wallet()
    before = Posting.objects.count()
    with pytest.raises(error):
        cash_in(wallet=wallet, amount=amount, channel=channel)
    assert Posting.objects.count() == before
