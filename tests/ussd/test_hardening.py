"""What the red-team run found on *900#: no balance before the PIN, a locked PIN told at once, a reused sessionId
that pays anew, and no PIN in the session store on any path."""

import json

import pytest

from services.models import Payment, PaymentStatus
from tests.helpers import DEMO_INN as INN
from ussd.models import UssdSession
from wallet.models import Wallet

pytestmark = pytest.mark.django_db
PAY = ("3", "3", "14", "14")


def test_an_amount_above_the_balance_is_told_only_after_the_right_pin(dial, make_wallet):
    """Whoever holds the phone learns nothing about the balance without the PIN."""
    wallet = make_wallet(balance="1000")
    confirm = dial("nb", wallet.phone, *PAY, INN, "1000.01")
    assert confirm == "CON ИНН компании: 01503201010011\nСумма: 1 000.01 сом\nВведите PIN:"
    assert "Баланс" not in dial("nb", wallet.phone, *PAY, INN, "1000.01", "1111")
    assert dial("nb", wallet.phone, *PAY, INN, "1000.01", "1111", "2580") == (
        "END Недостаточно средств. Баланс 1 000.00 сом"
    )
    assert not Payment.objects.exists()


@pytest.mark.parametrize("inputs", [("3",), ("8", "1"), ("8", "3"), (*PAY, INN, "100")])
def test_a_locked_pin_is_told_at_the_start_of_the_flow(dial, make_wallet, inputs):
    wallet = make_wallet(balance="1000")
    Wallet.objects.filter(pk=wallet.pk).update(pin_failed_attempts=3, pin_locked_at="2026-12-01T10:00:00Z")
    assert dial("lk", wallet.phone, *inputs) == "END PIN заблокирован. Call-центр ЭЛСОМ: 0312 986 000"


def test_a_reused_session_id_after_the_end_starts_a_new_session_and_pays_anew(dial, make_wallet):
    """The gateway reuses an id: the old payment is not shown as the new one's result; the new one is charged."""
    wallet = make_wallet(balance="1000")
    first = dial("reuse", wallet.phone, *PAY, INN, "100", "2580")
    old = Payment.objects.get()
    assert first.startswith("END Платеж принят") and old.code in first
    assert dial("reuse", wallet.phone) == "CON ЭЛСОМ\n3 Платежи/Комм.услуги\n8 Баланс/Настройки"
    second = dial("reuse", wallet.phone, *PAY, INN, "100", "2580")
    new = Payment.objects.exclude(pk=old.pk).get()
    assert new.code in second and old.code not in second
    assert new.status == PaymentStatus.COMMITTED
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == 800


def test_the_same_request_after_its_session_row_was_lost_pays_nothing_more(dial, make_wallet):
    """The session row is written without waiting for the disk on PostgreSQL: a crash may lose it after the payment
    committed. The gateway's retry then replays the inputs under the same payment key: one payment, its code shown."""
    wallet = make_wallet(balance="1000")
    first = dial("lost", wallet.phone, *PAY, INN, "100", "2580")
    paid = Payment.objects.get()
    UssdSession.objects.filter(session_id="lost").delete()
    again = dial("lost", wallet.phone, *PAY, INN, "100", "2580")
    assert first.startswith("END Платеж принят") and paid.code in again
    assert Payment.objects.count() == 1
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == 900


def test_a_session_lost_half_way_goes_on_from_the_inputs_the_gateway_repeats(dial, make_wallet):
    wallet = make_wallet(balance="1000")
    dial("half", wallet.phone, *PAY)
    UssdSession.objects.filter(session_id="half").delete()
    assert dial("half", wallet.phone, *PAY, INN) == "CON Введите сумму (сом):"
    assert dial("half", wallet.phone, *PAY, INN, "100", "2580").startswith("END Платеж принят")
    assert Payment.objects.count() == 1


def test_the_text_of_an_ended_session_is_not_taken_again(dial, make_wallet):
    """A finished session answers nothing but a new session, even when the gateway repeats the old inputs."""
    wallet = make_wallet(balance="1000")
    dial("again", wallet.phone, *PAY, INN, "100", "2580")
    repeated = dial("again", wallet.phone, *PAY, INN, "100", "2580", "1")
    assert repeated == "CON ЭЛСОМ\n3 Платежи/Комм.услуги\n8 Баланс/Настройки"
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(
    "inputs",
    [
        (*PAY, INN, "2580"),  # a one-shot text that lacks the amount: the PIN lands in the amount question
        (*PAY, INN, "100", "2580"),
        (*PAY, INN, "100", "1111"),
        ("8", "1", "2580"),
        ("8", "3", "2580", "1357"),
        ("8", "3", "2580", "1357", "1357"),
    ],
)
def test_no_pin_and_no_typed_value_is_ever_stored_in_the_session(dial, make_wallet, inputs):
    wallet = make_wallet(balance="1000")
    dial("st", wallet.phone, *inputs)
    state = UssdSession.objects.get(session_id="st").state
    data = json.dumps(state["data"])
    for secret in ("2580", "1357", "1111", INN):
        assert secret not in data
    assert all(isinstance(value, int) for key, value in state["data"].items() if key.endswith("_at"))


def test_registration_stores_positions_not_the_name_or_inn(dial):
    phone = "+996770555777"
    dial("reg", phone, "1", "1", "Асан Усенов", "22002199500567")
    data = json.dumps(UssdSession.objects.get(session_id="reg").state["data"], ensure_ascii=False)
    assert "Асан" not in data and "22002199500567" not in data
    assert dial("reg", phone, "1", "1", "Асан Усенов", "22002199500567").startswith("CON Асан Усенов\nИНН")
