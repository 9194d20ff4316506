"""A one-shot text (*900*3*3*14*14*INN*amount*PIN#) goes through the screens as the answers typed one by one would,
and stops at the first screen that refuses its answer: a PIN is never taken as an amount, nor shown or stored."""

import json

import pytest

from services.models import Payment
from tests.helpers import DEMO_INN as INN
from ussd.models import UssdSession

pytestmark = pytest.mark.django_db
PAY = ("3", "3", "14", "14")
PIN = "2580"


def stored(session_id: str) -> UssdSession:
    return UssdSession.objects.get(session_id=session_id)


@pytest.mark.parametrize("amount", ["5", "5,5,5", "abc", "1" * 40])
def test_a_refused_amount_stops_the_one_shot_text_before_the_pin(dial, make_wallet, amount):
    """The same screen and error as when the amount is typed alone; the PIN after it is dropped."""
    # given
    wallet = make_wallet(balance="1000")
    alone = dial("alone", wallet.phone, *PAY, INN, amount)

    # when
    one_shot = dial("shot", wallet.phone, *PAY, INN, amount, PIN)

    # then
    assert one_shot == alone and one_shot.startswith("CON ")
    session = stored("shot")
    assert session.state["stack"][-1] == "pay_amount" and session.state["error"]
    assert "amount_at" not in session.state["data"]
    assert PIN not in session.last_response and "2 580" not in session.last_response
    assert PIN not in json.dumps(session.state)
    assert not Payment.objects.exists()


def test_after_the_stop_the_next_answer_is_the_amount(dial, make_wallet):
    """The session goes on from the refusing screen: the holder types the amount, then the PIN, and pays once."""
    # given
    wallet = make_wallet(balance="1000")
    dial("next", wallet.phone, *PAY, INN, "5", PIN)

    # when
    confirm = dial("next", wallet.phone, *PAY, INN, "5", PIN, "100")
    done = dial("next", wallet.phone, *PAY, INN, "5", PIN, "100", PIN)

    # then
    assert "Сумма: 100.00 сом" in confirm
    assert done.startswith("END Платеж принят")
    payment = Payment.objects.get()
    assert payment.amount == 100


def test_a_refused_account_stops_before_the_amount_and_the_pin(dial, make_wallet):
    wallet = make_wallet(balance="1000")
    reply = dial("acct", wallet.phone, *PAY, "123", "100", PIN)
    assert reply == dial("acct-alone", wallet.phone, *PAY, "123")
    session = stored("acct")
    assert session.state["stack"][-1] == "pay_account" and "account_at" not in session.state["data"]
    assert "100" not in session.last_response and PIN not in session.last_response


def test_a_wrong_menu_choice_stops_the_one_shot_text(dial, make_wallet):
    """«9» is not in the main menu: the rest (a whole payment) is not run from some other screen."""
    wallet = make_wallet(balance="1000")
    reply = dial("menu", wallet.phone, "9", *PAY, INN, "100", PIN)
    assert reply.startswith("CON Неверный выбор.")
    assert stored("menu").state["stack"] == ["main"]
    assert not Payment.objects.exists()


def test_a_pin_change_stops_at_the_mismatch(dial, make_wallet):
    """The repeat that does not match stops there: the next new PIN in the same text is not taken."""
    wallet = make_wallet(balance="1000")
    reply = dial("pinc", wallet.phone, "8", "3", PIN, "1357", "1358", "2468", "2468")
    assert reply.startswith("CON PIN не совпадает.")
    session = stored("pinc")
    assert "2468" not in json.dumps(session.state) and "2468" not in session.last_response
    # the PIN is still the old one
    assert dial("pinc-pay", wallet.phone, *PAY, INN, "100", PIN).startswith("END Платеж принят")


def test_a_one_shot_text_without_refusals_still_pays(dial, make_wallet):
    wallet = make_wallet(balance="1000")
    assert dial("ok", wallet.phone, *PAY, INN, "100", PIN).startswith("END Платеж принят")
    assert Payment.objects.count() == 1
