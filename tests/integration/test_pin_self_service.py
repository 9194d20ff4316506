"""The holder's own PIN (issue 19): a change on the website and in the app follows USSD's rules (wallet_pin_change),
a forgotten PIN comes back by SMS code + personal INN (wallet/pin_forgotten.py), and every SMS with a PIN names the
way to change it that works for the holder's operator."""

import re

import pytest

from accounts.codes import CODE_MAX_GUESSES, phone_code_start
from accounts.errors import CodeRateLimited, CodeVoid, CodeWrong
from accounts.models import CodePurpose
from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM
from sms.models import SmsKind, SmsMessage
from sms.outbox import sms_dispatch
from tests.helpers import lock_pin
from wallet import pin_operations
from wallet.errors import InvalidPin, PinLocked, WrongInn, WrongPin
from wallet.inn import InvalidInn
from wallet.models import WalletStatus
from wallet.operations import wallet_pin_change, wallet_pin_is, wallet_register
from wallet.pin_forgotten import pin_reset_code_send, wallet_pin_forgotten_reset
from wallet.pin_operations import PIN_MAX_ATTEMPTS
from wallet.status import wallet_set_status

pytestmark = pytest.mark.django_db

INN = "12505199000123"  # make_wallet's
OTHER_INN = "12505199000999"
IP = "203.0.113.7"
CODE_RE = re.compile(r"\b([0-9]{6})\b")


def code_sent(outbox, phone) -> str:
    message = outbox.last(phone)
    assert message is not None and message.kind == SmsKind.CODE, message
    return CODE_RE.search(message.text).group(1)


def start(wallet, outbox, *, ip: str = IP):
    challenge = phone_code_start(purpose=CodePurpose.PIN_RESET, phone=wallet.phone)
    pin_reset_code_send(challenge=challenge, client_ip=ip)
    return challenge, code_sent(outbox, wallet.phone)


# --- change ---------------------------------------------------------------------------------------------------


def test_a_wrong_current_pin_counts_toward_the_lock(make_wallet):
    """Three wrong current PINs lock the PIN, as three wrong PINs anywhere do."""
    # given
    wallet = make_wallet(pin="2580")
    # when
    for _ in range(PIN_MAX_ATTEMPTS - 1):
        with pytest.raises(WrongPin):
            wallet_pin_change(wallet=wallet, current_pin="1357", new_pin="4862", new_pin_repeat="4862")
    with pytest.raises(PinLocked):
        wallet_pin_change(wallet=wallet, current_pin="1357", new_pin="4862", new_pin_repeat="4862")
    # then
    wallet.refresh_from_db()
    assert wallet.is_pin_locked and wallet_pin_is(wallet=wallet, pin="2580")


@pytest.mark.parametrize("new_pin, repeat", [("1234", "1234"), ("0000", "0000"), ("4862", "4863")])
def test_a_trivial_or_mismatched_new_pin_is_refused_before_the_current_one_is_checked(make_wallet, new_pin, repeat):
    """A trivial PIN or a repeat that differs is refused without spending a try of the current PIN."""
    wallet = make_wallet(pin="2580")
    with pytest.raises(InvalidPin):
        wallet_pin_change(wallet=wallet, current_pin="1357", new_pin=new_pin, new_pin_repeat=repeat)
    wallet.refresh_from_db()
    assert wallet.pin_failed_attempts == 0


def test_a_change_sends_pin_changed(make_wallet, sms_outbox):
    """The new PIN works, the old one does not, and the holder gets «PIN … изменен»."""
    wallet = make_wallet(pin="2580")
    wallet_pin_change(wallet=wallet, current_pin="2580", new_pin="4862", new_pin_repeat="4862")
    wallet.refresh_from_db()
    assert wallet_pin_is(wallet=wallet, pin="4862") and not wallet_pin_is(wallet=wallet, pin="2580")
    message = sms_outbox.last(wallet.phone)
    assert message.kind == SmsKind.PIN_CHANGED and "PIN кошелька ЭЛСОМ изменен" in message.text


# --- the SMS names the way that works for the operator --------------------------------------------------------


def test_an_o_wallet_is_told_to_change_its_pin_on_the_website_or_in_the_app(db, sms_outbox):
    """O! has no *900#: its SMS names the website and the app; Megacom's names *900# -> 8 -> 3."""
    o_wallet, _ = wallet_register(phone="+996700991234", full_name="Азамат Бекуулу", inn=INN, channel="web")
    megacom, _ = wallet_register(phone="+996555991234", full_name="Азамат Бекуулу", inn=INN, channel="web")
    o_text = sms_outbox.last(o_wallet.phone).text
    assert "*900#" not in o_text and "elsom.kg" in o_text and "«PIN»" in o_text
    assert "*900# -> 8 -> 3" in sms_outbox.last(megacom.phone).text
    pin_operations.pin_sms_new_queue(wallet=o_wallet, pin="4862")
    assert "*900#" not in sms_outbox.last(o_wallet.phone).text


# --- forgotten PIN --------------------------------------------------------------------------------------------


def test_the_right_code_and_inn_send_a_new_pin_masked_after_delivery(make_wallet, sms_outbox, monkeypatch):
    """Code + INN: a new PIN by SMS (its secret starred once delivered), the old PIN void, an audit entry."""
    # given
    monkeypatch.setattr("wallet.pin_operations.pin_generate", lambda: "6341")
    wallet = make_wallet(pin="2580")
    challenge, code = start(wallet, sms_outbox)
    # when
    wallet_pin_forgotten_reset(challenge=challenge, code=code, inn=INN, channel="web")
    # then
    wallet.refresh_from_db()
    assert wallet_pin_is(wallet=wallet, pin="6341") and not wallet_pin_is(wallet=wallet, pin="2580")
    message = sms_outbox.last(wallet.phone)
    assert message.kind == SmsKind.PIN_RESET and "6341" in message.text
    sms_dispatch()
    message.refresh_from_db()
    assert "6341" not in message.text and "****" in message.text
    entry = AuditEntry.objects.get(wallet=wallet, action=StaffAction.PIN_SELF_RESET)
    assert entry.actor is None and entry.after["channel"] == "web"
    with pytest.raises(CodeVoid):  # the code is used up: no second PIN with it
        wallet_pin_forgotten_reset(challenge=challenge, code=code, inn=INN, channel="web")


def test_a_wrong_inn_counts_as_a_guess_of_the_code(make_wallet, sms_outbox):
    """Each wrong INN spends a guess of the code; after the last one the code is void, whatever comes next."""
    wallet = make_wallet(pin="2580")
    challenge, code = start(wallet, sms_outbox)
    for left in range(CODE_MAX_GUESSES - 1, -1, -1):
        with pytest.raises(WrongInn) as refused:
            wallet_pin_forgotten_reset(challenge=challenge, code=code, inn=OTHER_INN, channel="app")
        assert refused.value.params["left"] == left
    with pytest.raises(CodeVoid):
        wallet_pin_forgotten_reset(challenge=challenge, code=code, inn=INN, channel="app")
    wallet.refresh_from_db()
    assert wallet_pin_is(wallet=wallet, pin="2580")
    assert not AuditEntry.objects.filter(wallet=wallet, action=StaffAction.PIN_SELF_RESET).exists()


def test_the_inn_is_not_compared_without_the_right_code(make_wallet, sms_outbox):
    """A wrong code is refused as a code, whatever the INN: no oracle for the INN without the phone."""
    wallet = make_wallet(pin="2580")
    challenge, code = start(wallet, sms_outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    with pytest.raises(CodeWrong):
        wallet_pin_forgotten_reset(challenge=challenge, code=wrong, inn=OTHER_INN, channel="web")
    with pytest.raises(CodeWrong):
        wallet_pin_forgotten_reset(challenge=challenge, code=wrong, inn=INN, channel="web")
    with pytest.raises(InvalidInn):  # malformed: refused before the code, costs nothing
        wallet_pin_forgotten_reset(challenge=challenge, code=code, inn="123", channel="web")
    wallet_pin_forgotten_reset(challenge=challenge, code=code, inn=INN, channel="web")


def test_a_reset_lifts_a_pin_lock(make_wallet, sms_outbox, monkeypatch):
    """The holder proved phone and INN, what the call-centre asks before it unlocks: the lock goes with the PIN."""
    monkeypatch.setattr("wallet.pin_operations.pin_generate", lambda: "6341")
    wallet = make_wallet(pin="2580")
    lock_pin(wallet)
    challenge, code = start(wallet, sms_outbox)
    wallet_pin_forgotten_reset(challenge=challenge, code=code, inn=INN, channel="web")
    wallet.refresh_from_db()
    assert not wallet.is_pin_locked and wallet.pin_failed_attempts == 0
    entry = AuditEntry.objects.get(wallet=wallet, action=StaffAction.PIN_SELF_RESET)
    assert entry.before["pin_locked"] is True and entry.after["pin_locked"] is False


def test_codes_are_limited_per_number_and_address(make_wallet, sms_outbox):
    """Five codes an hour per number and address: a sixth flow from that address is refused, another address is
    not (a stranger elsewhere never uses up the holder's allowance)."""
    wallet = make_wallet(pin="2580")
    for _ in range(5):
        start(wallet, sms_outbox)
    with pytest.raises(CodeRateLimited):
        start(wallet, sms_outbox)
    start(wallet, sms_outbox, ip="198.51.100.9")


def test_a_blocked_wallet_or_a_number_without_one_gets_no_code(make_wallet, sms_outbox, db):
    """Answered alike (limits included), but nothing is sent: no new PIN to a possibly stolen phone."""
    wallet = make_wallet(pin="2580")
    wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="телефон украден")
    before = SmsMessage.objects.count()
    challenge = phone_code_start(purpose=CodePurpose.PIN_RESET, phone=wallet.phone)
    pin_reset_code_send(challenge=challenge, client_ip=IP)
    nobody = phone_code_start(purpose=CodePurpose.PIN_RESET, phone="+996555000999")
    pin_reset_code_send(challenge=nobody, client_ip=IP)
    assert SmsMessage.objects.count() == before
    challenge.refresh_from_db()
    assert challenge.sends == 1
