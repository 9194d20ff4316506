"""Cash desks: a KICB branch cashier credits cash after comparing the name with the ID card (the receipt number is
the idempotency key: a double submit credits once, audited once); terminals in demo mode take notes up to the
channel's limit. Over-limit and bad amounts are refused with nothing written."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM, NotAllowed
from cashdesk.operations import InvalidReceipt, cash_desk_credit
from ledger.models import LedgerAccount, Posting
from sms.models import SmsKind, SmsMessage
from wallet.models import WalletStatus
from wallet.operations import wallet_set_status

pytestmark = pytest.mark.django_db
BRANCH = "/staff/cash-desk/"


def balance(wallet) -> Decimal:
    return LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance


def written():
    return Posting.objects.count(), SmsMessage.objects.count(), AuditEntry.objects.count()


def receipt_of(page) -> str:
    """The number the server drew, as the page shows it (it is not a field the browser posts back)."""
    return re.search(r'data-testid="receipt-number">[^<]*?(KB[0-9]{6}-[0-9]{6})', page.content.decode()).group(1)


@pytest.fixture
def cashier(console):
    return console("cashier")


def test_find_compare_amount_confirm_credit_and_receipt(cashier, make_wallet, sms_outbox):
    wallet = make_wallet()
    page = cashier.get(BRANCH, {"phone": "0" + wallet.phone[4:]})
    assert "Айгуль Асанова" in page.content.decode()  # the name to compare with the ID card
    receipt = receipt_of(page)
    data = {"phone": wallet.phone, "amount": "1 500,50", "id_checked": "on", "receipt": receipt}
    confirm_page = cashier.post(BRANCH, data)
    assert 'data-testid="confirm-page"' in confirm_page.content.decode() and balance(wallet) == 0
    done = cashier.post(BRANCH, {**data, "amount": "1500.50", "confirm": "1"})
    assert done["Location"] == reverse("cashdesk:branch_receipt", args=[receipt])
    assert balance(wallet) == Decimal("1500.50")
    receipt_page = cashier.get(done["Location"]).content.decode()
    assert receipt in receipt_page and "1 500.50" in receipt_page
    assert sms_outbox.last(wallet.phone).kind == SmsKind.CASH_IN
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.wallet_id) == (StaffAction.CASH_IN, cashier.user, wallet.pk)
    assert entry.after["receipt"] == receipt and entry.after["amount"] == "1500.50"


def test_a_double_submit_credits_once(cashier, make_wallet):
    wallet = make_wallet()
    receipt = receipt_of(cashier.get(BRANCH, {"phone": wallet.phone}))
    data = {"phone": wallet.phone, "amount": "700", "id_checked": "on", "receipt": receipt, "confirm": "1"}
    first, second = cashier.post(BRANCH, data), cashier.post(BRANCH, data)
    assert first.status_code == second.status_code == 302
    assert balance(wallet) == Decimal("700.00")
    assert AuditEntry.objects.count() == 1
    assert SmsMessage.objects.filter(phone=wallet.phone, kind=SmsKind.CASH_IN).count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("500000.01", "не больше 500 000.00 сом"),
        ("0", "больше нуля"),
        ("-5", "больше нуля"),
        ("abc", "числом"),
        ("10.555", "двух знаков"),
        ("9" * 30, "слишком велика"),
        ("", "Введите сумму"),
        ("1e3", "числом"),
        ("NaN", "числом"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_is_written(cashier, make_wallet, amount, message):
    wallet = make_wallet()
    receipt = receipt_of(cashier.get(BRANCH, {"phone": wallet.phone}))
    before = written()
    data = {"phone": wallet.phone, "amount": amount, "id_checked": "on", "receipt": receipt, "confirm": "1"}
    page = cashier.post(BRANCH, data)
    assert page.status_code == 200 and message in page.content.decode()
    assert written() == before and balance(wallet) == 0


def test_the_id_card_check_is_required(cashier, make_wallet):
    wallet = make_wallet()
    receipt = receipt_of(cashier.get(BRANCH, {"phone": wallet.phone}))
    page = cashier.post(BRANCH, {"phone": wallet.phone, "amount": "100", "receipt": receipt, "confirm": "1"})
    assert "Сверьте имя" in page.content.decode() and balance(wallet) == 0


def test_a_blocked_wallet_is_not_offered_a_top_up(cashier, make_wallet):
    wallet = make_wallet()
    wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="тест")
    page = cashier.get(BRANCH, {"phone": wallet.phone}).content.decode()
    assert 'data-testid="blocked"' in page and 'data-testid="credit-form"' not in page
    before = written()
    data = {"phone": wallet.phone, "amount": "100", "id_checked": "on", "receipt": "KB261202-000001", "confirm": "1"}
    cashier.post(BRANCH, data)
    assert written() == before


def test_unknown_numbers_and_forged_receipts(cashier, make_wallet, make_staff):
    assert 'data-testid="not-found"' in cashier.get(BRANCH, {"phone": "0700 12 34 56"}).content.decode()
    assert "неверно" in cashier.get(BRANCH, {"phone": "12"}).content.decode()
    wallet = make_wallet()
    with pytest.raises(InvalidReceipt):
        cash_desk_credit(wallet=wallet, amount=Decimal("10"), receipt="QW000000-000000", actor=make_staff("cashier"))
    with pytest.raises(NotAllowed):
        cash_desk_credit(wallet=wallet, amount=Decimal("10"), receipt="KB000000-000000", actor=make_staff("agent"))
    assert balance(wallet) == 0


# --- terminals ------------------------------------------------------------------------------------------------


def press(client, channel, **button):
    return client.post(f"/demo/terminals/{channel}/", button)


def dial(client, channel, phone):
    for digit in "0" + phone[4:]:
        press(client, channel, key=digit)
    return press(client, channel, next="1")


def test_a_terminal_credits_the_notes_inserted(make_wallet, sms_outbox):
    wallet, terminal = make_wallet(), Client()
    assert terminal.get("/demo/terminals/qiwi/").status_code == 200
    dial(terminal, "qiwi", wallet.phone)
    screen = terminal.get("/demo/terminals/qiwi/").content.decode()
    assert 'data-step="notes"' in screen and "Айгуль А." in screen
    for note in ("1000", "500", "50"):
        press(terminal, "qiwi", note=note)
    press(terminal, "qiwi", pay="1")
    assert balance(wallet) == Decimal("1550.00")
    receipt = terminal.get("/demo/terminals/qiwi/").content.decode()
    assert 'data-testid="terminal-receipt"' in receipt and "1 550.00" in receipt
    assert sms_outbox.last(wallet.phone).kind == SmsKind.CASH_IN
    press(terminal, "qiwi", pay="1")  # a second press on the receipt screen
    assert balance(wallet) == Decimal("1550.00") and not AuditEntry.objects.exists()


def test_two_presses_of_oplatit_racing_credit_once(make_wallet):
    """Both requests carry the receipt drawn when the notes screen opened: the second finds it posted."""
    wallet, terminal = make_wallet(), Client()
    dial(terminal, "mobilnik", wallet.phone)
    press(terminal, "mobilnik", note="200")
    stale_session = dict(terminal.session["terminal:mobilnik"])
    press(terminal, "mobilnik", pay="1")
    session = terminal.session
    session["terminal:mobilnik"] = stale_session  # as if the second press was read before the first one finished
    session.save()
    press(terminal, "mobilnik", pay="1")
    assert balance(wallet) == Decimal("200.00")
    assert Posting.objects.filter(kind="cash_in", idempotency_key__startswith="mobilnik:").count() == 1


def test_a_note_over_the_limit_is_returned(make_wallet, settings):
    wallet, terminal = make_wallet(), Client()
    dial(terminal, "qiwi", wallet.phone)
    for _ in range(3):
        press(terminal, "qiwi", note="5000")
    refused = press(terminal, "qiwi", note="20")
    assert refused.status_code == 400 and "не больше 15 000.00 сом" in refused.content.decode()
    press(terminal, "qiwi", pay="1")
    assert balance(wallet) == Decimal("15000.00")


def test_pay_without_notes_and_odd_presses_write_nothing(make_wallet):
    wallet, terminal = make_wallet(), Client()
    assert "Наберите номер полностью" in press(terminal, "kicb-terminal", next="1").content.decode()
    dial(terminal, "kicb-terminal", wallet.phone)
    before = written()
    assert "Вставьте купюры" in press(terminal, "kicb-terminal", pay="1").content.decode()
    for odd in ({"note": "300"}, {"note": "x"}, {"key": "٣"}, {"note": "5000\x00"}, {"unknown": "1"}):
        assert press(terminal, "kicb-terminal", **odd).status_code in (200, 302)
    assert written() == before and balance(wallet) == 0


def test_an_unknown_or_blocked_number_at_a_terminal(make_wallet):
    terminal = Client()
    assert "не найден" in dial(terminal, "qiwi", "+996700999999").content.decode()
    wallet = make_wallet()
    wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="тест")
    terminal = Client()
    assert "заблокирован" in dial(terminal, "qiwi", wallet.phone).content.decode()


def test_terminals_exist_only_in_demo_mode(settings):
    settings.DEMO_MODE = False
    assert Client().get("/demo/terminals/").status_code == 404
    assert Client().get("/demo/terminals/qiwi/").status_code == 404
    assert Client().post("/demo/terminals/qiwi/", {"key": "1"}).status_code == 404
