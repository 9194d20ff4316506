"""Management commands as the back office runs them: register_wallet, cash_in, check_ledger, send_sms,
sms_outbox and seed_demo. Each is called through ``call_command``; a refused input must leave no trace
(no wallet, no posting, no SMS) and end with a CommandError (non-zero exit code)."""

import io
import json
import re
import signal
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django.utils import timezone

from accounts.models import User
from audit.operations import SYSTEM
from ledger.models import LedgerAccount, Posting, PostingKind, Transfer
from services.models import Payment, PaymentStatus, Service
from sms.backends import locmem
from sms.models import SmsKind, SmsMessage, SmsStatus
from tests.helpers import make_payment, pin_is
from wallet.models import Wallet, WalletStatus
from wallet.operations import wallet_set_status

pytestmark = pytest.mark.django_db

NAME = "Айгуль Асанова"
INN = "12505199000123"


def run(*args, **options) -> tuple[str, str]:
    """Run a command like the shell does; return (stdout, stderr). CommandError propagates."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def table_counts() -> dict[str, int]:
    """Rows in every table a command could write to."""
    return {
        "wallets": Wallet.objects.count(),
        "accounts": LedgerAccount.objects.count(),
        "postings": Posting.objects.count(),
        "transfers": Transfer.objects.count(),
        "payments": Payment.objects.count(),
        "sms": SmsMessage.objects.count(),
        "users": User.objects.count(),
    }


def register(phone: str = "0555 12 34 56", *, name: str = NAME, inn: str = INN, pin: str | None = "2580", extra=()):
    args = ["register_wallet", phone, "--name", name, "--inn", inn, *extra]
    if pin is not None:
        args += ["--pin", pin]
    return run(*args)


# --- register_wallet ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "e164", "operator"),
    [
        ("0555 12 34 56", "+996555123456", "megacom"),
        ("+996555123456", "+996555123456", "megacom"),
        ("+996 (555) 12-34-56", "+996555123456", "megacom"),
        ("996555123456", "+996555123456", "megacom"),
        ("00996 555 123 456", "+996555123456", "megacom"),
        ("555123456", "+996555123456", "megacom"),
        ("0555.12.34.56", "+996555123456", "megacom"),
        ("0770 12 34 56", "+996770123456", "beeline"),
        ("0700 12 34 56", "+996700123456", "o"),
    ],
)
def test_register_wallet_opens_a_wallet_from_every_phone_form(typed, e164, operator, sms_outbox):
    """However the clerk types the number, the wallet is opened under its E.164 form with the operator from
    the number, and the holder's SMS with the PIN is queued for that number."""
    # given
    before = table_counts()

    # when
    out, _err = register(typed)

    # then
    wallet = Wallet.objects.select_related("ledger_account").get()
    assert wallet.phone == e164
    assert wallet.operator == operator
    assert (wallet.first_name, wallet.last_name, wallet.inn) == ("Айгуль", "Асанова", INN)
    assert wallet.status == WalletStatus.ACTIVE
    assert wallet.balance == Decimal("0.00")
    assert wallet.ledger_account.code == f"wallet:{e164}"
    assert pin_is(wallet, "2580")
    assert "открыт" in out and e164 in out and NAME in out
    message = sms_outbox.last()
    assert (message.phone, message.kind, message.status) == (e164, SmsKind.WALLET_OPENED, SmsStatus.QUEUED)
    assert "2580" in message.text
    after = table_counts()
    assert after["wallets"] == before["wallets"] + 1
    assert after["accounts"] == before["accounts"] + 1
    assert after["sms"] == before["sms"] + 1
    assert after["postings"] == before["postings"]


def test_register_wallet_without_pin_sends_a_random_pin_that_opens_the_wallet(sms_outbox):
    """Without --pin a random non-trivial PIN is drawn; the SMS carries exactly the PIN that was stored."""
    # when
    register("0555 12 34 57", pin=None)

    # then
    wallet = Wallet.objects.get(phone="+996555123457")
    message = sms_outbox.last("+996555123457")
    pin = re.search(r"PIN: ([0-9]{4})\b", message.text).group(1)
    assert pin_is(wallet, pin)
    assert pin not in {"0000", "1111", "1234", "4321", "0123", "9876"}


def test_register_wallet_keeps_the_chosen_language():
    """--language ky opens a wallet whose SMS and menus are in Kyrgyz; a language not offered is refused."""
    # when
    register("0555 12 34 58", extra=["--language", "ky"])

    # then
    assert Wallet.objects.get(phone="+996555123458").language == "ky"
    with pytest.raises(CommandError, match="invalid choice"):
        register("0555 12 34 59", extra=["--language", "de"])
    assert not Wallet.objects.filter(phone="+996555123459").exists()


@pytest.mark.parametrize(
    ("phone", "inn", "name", "pin", "message"),
    [
        ("0312 960 888", INN, NAME, "2580", "Это городской номер"),
        ("+7 912 345 67 89", INN, NAME, "2580", "Нужен номер кыргызского мобильного оператора"),
        ("0555 12 34", INN, NAME, "2580", "Номер телефона введен неверно"),
        ("0555 12 34 56 7", INN, NAME, "2580", "Номер телефона введен неверно"),
        ("0555-12-34-5б", INN, NAME, "2580", "Номер телефона введен неверно"),
        ("０５５５１２３４５６", INN, NAME, "2580", "Номер телефона введен неверно"),
        ("0510 12 34 56", INN, NAME, "2580", "Оператор этого номера не поддерживается"),
        ("0555 12 34 56", "1250519900012", NAME, "2580", "ИНН состоит ровно из 14 цифр"),
        ("0555 12 34 56", "125051990001234", NAME, "2580", "ИНН состоит ровно из 14 цифр"),
        ("0555 12 34 56", "32505199000123", NAME, "2580", "Личный ИНН начинается с 1 или 2"),
        ("0555 12 34 56", "02505199000123", NAME, "2580", "Личный ИНН начинается с 1 или 2"),
        ("0555 12 34 56", "13299990000012", NAME, "2580", "дата рождения"),
        ("0555 12 34 56", "10101209900012", NAME, "2580", "дата рождения"),
        ("0555 12 34 56", "１２５０５１９９０００１２３", NAME, "2580", "ИНН состоит ровно из 14 цифр"),
        ("0555 12 34 56", INN, "Айгуль", "2580", "Введите имя и фамилию через пробел"),
        ("0555 12 34 56", INN, "Айгуль 4санова", "2580", "Имя и фамилия пишутся буквами"),
        ("0555 12 34 56", INN, NAME, "1234", "Такой PIN легко угадать"),
        ("0555 12 34 56", INN, NAME, "0000", "Такой PIN легко угадать"),
        ("0555 12 34 56", INN, NAME, "4321", "Такой PIN легко угадать"),
        ("0555 12 34 56", INN, NAME, "258", "PIN — это 4 цифры"),
        ("0555 12 34 56", INN, NAME, "２５８０", "PIN — это 4 цифры"),
    ],
)
def test_register_wallet_refuses_bad_input_in_russian_and_writes_nothing(phone, inn, name, pin, message):
    """A landline, a foreign or malformed number, an unsupported operator, a wrong INN, a one-word name or an
    easily guessed PIN: the command exits non-zero with a clear Russian message; no wallet, account or SMS."""
    # given
    before = table_counts()

    # when
    with pytest.raises(CommandError) as excinfo:
        register(phone, name=name, inn=inn, pin=pin)

    # then
    assert message in str(excinfo.value)
    assert excinfo.value.returncode != 0
    assert table_counts() == before


def test_register_wallet_refuses_a_number_that_already_has_a_wallet(sms_outbox):
    """A second wallet for a number typed differently is refused; the first wallet and its PIN are untouched."""
    # given
    register("0555 12 34 56", pin="2580")
    before = table_counts()

    # when
    with pytest.raises(CommandError, match="Кошелек с этим номером уже открыт") as excinfo:
        register("+996 555 123 456", name="Бакыт Садыков", inn="21204198800345", pin="7391")

    # then
    assert excinfo.value.returncode == 1
    assert table_counts() == before
    wallet = Wallet.objects.get(phone="+996555123456")
    assert wallet.full_name == NAME
    assert pin_is(wallet, "2580")
    assert len(sms_outbox.all("+996555123456")) == 1


def test_register_wallet_requires_name_and_inn():
    """--name and --inn are required: argparse refuses the call before anything is written."""
    # given
    before = table_counts()

    # when / then
    with pytest.raises(CommandError, match="--name"):
        run("register_wallet", "0555 12 34 56", "--inn", INN)
    with pytest.raises(CommandError, match="--inn"):
        run("register_wallet", "0555 12 34 56", "--name", NAME)
    assert table_counts() == before


def test_register_wallet_help_describes_the_options(capsys):
    """--help prints the usage with every option and exits with status 0."""
    # when
    with pytest.raises(SystemExit) as excinfo:
        call_command("register_wallet", "--help")

    # then
    assert excinfo.value.code == 0
    text = capsys.readouterr().out
    for option in ("phone", "--name", "--inn", "--pin", "--language"):
        assert option in text
    assert "PIN" in text


# --- cash_in ----------------------------------------------------------------------------------------------------


def test_cash_in_credits_the_wallet_and_queues_an_sms_with_the_new_balance(make_wallet, sms_outbox):
    """A top-up of 1 234,50 som typed with a group space and a comma credits exactly that amount through one
    posting from the channel's account and queues the SMS with the new balance."""
    # given
    wallet = make_wallet(balance="500")
    channel_account = LedgerAccount.objects.get(code="cashin:qiwi")
    before = table_counts()

    # when
    out, _err = run("cash_in", wallet.phone.replace("+996", "0"), "1 234,50", "--channel", "qiwi")

    # then
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("1734.50")
    assert "Пополнено 1 234.50 сом" in out and "Баланс: 1 734.50 сом" in out
    posting = Posting.objects.order_by("-id").first()
    assert posting.kind == PostingKind.CASH_IN
    (transfer,) = posting.transfers.all()
    assert (transfer.debit_account_id, transfer.credit_account_id) == (channel_account.pk, wallet.ledger_account_id)
    assert transfer.amount == Decimal("1234.50")
    message = sms_outbox.last(wallet.phone)
    assert message.kind == SmsKind.CASH_IN
    assert "1 234.50" in message.text and "Баланс: 1 734.50 сом" in message.text
    after = table_counts()
    assert (after["postings"], after["transfers"], after["sms"]) == (
        before["postings"] + 1,
        before["transfers"] + 1,
        before["sms"] + 1,
    )


def test_cash_in_accepts_exactly_the_channel_limit(make_wallet):
    """15 000 som is the QIWI limit per operation: exactly that amount goes through."""
    # given
    wallet = make_wallet()

    # when
    run("cash_in", wallet.phone, "15000", "--channel", "qiwi")

    # then
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("15000.00")


def test_cash_in_with_the_same_idempotency_key_credits_once(make_wallet, sms_outbox):
    """The terminal resends its receipt: the same --idempotency-key twice credits the wallet once, one SMS."""
    # given
    wallet = make_wallet()
    run("cash_in", wallet.phone, "300", "--channel", "kicb-terminal", "--idempotency-key", "T-0042")
    after_first = table_counts()

    # when
    out, _err = run("cash_in", wallet.phone, "300", "--channel", "kicb-terminal", "--idempotency-key", "T-0042")

    # then
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("300.00")
    assert "Баланс: 300.00 сом" in out
    assert table_counts() == after_first
    assert Posting.objects.filter(idempotency_key="T-0042").count() == 1
    assert [m.kind for m in sms_outbox.all(wallet.phone)] == [SmsKind.CASH_IN, SmsKind.WALLET_OPENED]


def test_cash_in_with_a_reused_key_for_another_amount_is_refused(make_wallet):
    """The same receipt number with another amount is a conflict, not a second top-up."""
    # given
    wallet = make_wallet()
    run("cash_in", wallet.phone, "300", "--channel", "qiwi", "--idempotency-key", "R-1")
    before = table_counts()

    # when
    with pytest.raises(CommandError) as excinfo:
        run("cash_in", wallet.phone, "400", "--channel", "qiwi", "--idempotency-key", "R-1")

    # then
    assert excinfo.value.returncode == 1
    assert table_counts() == before
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("300.00")


@pytest.mark.parametrize(
    ("phone", "amount", "message"),
    [
        ("0555 12 34", "100", "Номер телефона введен неверно"),
        ("0312 960 888", "100", "Это городской номер"),
        ("0555 99 88 77", "100", "Кошелек с номером 0555 99 88 77 не найден"),
        (None, "0", "Сумма должна быть больше нуля"),
        (None, "0.00", "Сумма должна быть больше нуля"),
        (None, "-100", "Сумма должна быть больше нуля"),
        (None, "abc", "Сумма должна быть числом"),
        (None, "1e3", "Сумма должна быть числом"),
        (None, "10.005", "не больше двух знаков после запятой"),
        (None, "15000.01", "Сумма больше лимита канала qiwi: 15 000.00 сом"),
        (None, "20000", "Сумма больше лимита канала qiwi: 15 000.00 сом"),
    ],
)
def test_cash_in_refuses_bad_input_and_posts_nothing(make_wallet, phone, amount, message):
    """A bad or unknown number, a zero, negative, non-numeric or too precise amount, or one above the
    channel's limit: non-zero exit, a clear message, no posting and no SMS."""
    # given
    wallet = make_wallet(balance="100")
    before = table_counts()

    # when
    with pytest.raises(CommandError) as excinfo:
        run("cash_in", phone or wallet.phone, amount, "--channel", "qiwi")

    # then
    assert message in str(excinfo.value)
    assert excinfo.value.returncode == 1
    assert table_counts() == before
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("100.00")


def test_cash_in_to_a_blocked_wallet_is_refused(make_wallet):
    """A blocked wallet takes no money: the clerk is told to send the holder to the call-centre."""
    # given
    wallet = make_wallet(balance="100")
    wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="test")
    before = table_counts()

    # when
    with pytest.raises(CommandError, match="Кошелек заблокирован") as excinfo:
        run("cash_in", wallet.phone, "100", "--channel", "kicb-branch")

    # then
    assert "0312 986 000" in str(excinfo.value)
    assert excinfo.value.returncode == 1
    assert table_counts() == before


def test_cash_in_through_an_unknown_channel_is_refused_by_the_parser(make_wallet):
    """--channel accepts only the known channels; anything else stops in argparse, before the domain code."""
    # given
    wallet = make_wallet()
    before = table_counts()

    # when / then
    with pytest.raises(CommandError, match="invalid choice: 'visa'"):
        run("cash_in", wallet.phone, "100", "--channel", "visa")
    with pytest.raises(CommandError, match="--channel"):
        run("cash_in", wallet.phone, "100")
    assert table_counts() == before


# --- check_ledger -----------------------------------------------------------------------------------------------


@pytest.fixture
def busy_books(make_wallet, dostek):
    """Two funded wallets and one DosTek payment: the books of an ordinary day."""
    payer = make_wallet(balance="1000")
    make_wallet(balance="250.50")
    payment = make_payment(wallet=payer, service=dostek, amount="400", key="books:1")
    return payer, payment


def check_ledger_fails() -> tuple[str, CommandError]:
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("check_ledger", stdout=io.StringIO(), stderr=err)
    return err.getvalue(), excinfo.value


def test_check_ledger_on_clean_books_prints_one_summary_line(busy_books):
    """Clean books: exit 0 and one line starting 'ledger OK' with the counts and the money in wallets."""
    # when
    out, err = run("check_ledger")

    # then
    lines = out.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("ledger OK: ")
    assert f"{Posting.objects.count()} postings" in lines[0]
    assert "1 committed payments" in lines[0]
    assert "wallets hold 850.50 som" in lines[0]
    assert err == ""


def test_check_ledger_on_fresh_books_is_ok():
    """The seeded catalog alone (system accounts, no money moved) passes."""
    out, _err = run("check_ledger")
    assert out.startswith("ledger OK: ") and "wallets hold 0.00 som" in out


def test_check_ledger_reports_a_cached_balance_that_disagrees_with_the_transfers(busy_books):
    """A wallet balance changed behind the ledger's back is listed: it no longer equals credits - debits,
    and all balances no longer sum to zero."""
    # given
    payer, _payment = busy_books
    LedgerAccount.objects.filter(pk=payer.ledger_account_id).update(balance=Decimal("700.00"))

    # when
    err, error = check_ledger_fails()

    # then
    assert error.returncode == 1
    assert "2 ledger invariant violation(s)" in str(error)
    assert f"VIOLATION: account wallet:{payer.phone}: cached balance 700.00 != credits - debits 600.00" in err
    assert "VIOLATION: sum of all balances is 100.00, not 0.00" in err


def test_check_ledger_reports_a_payment_whose_sms_is_missing(busy_books):
    """A committed payment must have exactly one payment SMS; deleting it from the outbox is caught."""
    # given
    _payer, payment = busy_books
    SmsMessage.objects.filter(payment=payment).delete()

    # when
    err, error = check_ledger_fails()

    # then
    assert error.returncode == 1
    assert f"VIOLATION: payment {payment.code} has 0 payment SMS, expected 1" in err


def test_check_ledger_reports_a_payment_whose_amount_differs_from_its_transfers(busy_books):
    """A committed payment edited afterwards (amount and total raised by 100 som, still consistent with each
    other) no longer matches the money its posting moved."""
    # given
    _payer, payment = busy_books
    Payment.objects.filter(pk=payment.pk).update(amount=Decimal("500.00"), total=Decimal("500.00"))

    # when
    err, error = check_ledger_fails()

    # then
    assert error.returncode == 1
    assert (
        f"VIOLATION: payment {payment.code}: the settle transfers do not match amount 500.00 + commission 0.00" in err
    )


def test_check_ledger_reports_a_payment_pointed_at_another_service(busy_books):
    """A committed payment re-pointed at a service of another provider: its money went to DosTek, not to the
    provider the payment now names."""
    # given
    _payer, payment = busy_books
    megacom = Service.objects.get(slug="megacom")
    Payment.objects.filter(pk=payment.pk).update(service=megacom)

    # when
    err, error = check_ledger_fails()

    # then
    assert error.returncode == 1
    assert f"payment {payment.code}: the settle transfers do not match amount 400.00" in err


def test_check_ledger_reports_a_committed_payment_without_posting(busy_books):
    """A payment marked committed whose posting link was cleared: both the payment and the now orphaned
    payment posting are listed."""
    # given
    _payer, payment = busy_books
    Payment.objects.filter(pk=payment.pk).update(settle_posting=None)

    # when
    err, error = check_ledger_fails()

    # then
    assert error.returncode == 1
    assert f"VIOLATION: payment {payment.code} is committed but has no settle posting" in err
    assert "VIOLATION: 1 payment posting(s) belong to no payment" in err


def test_check_ledger_reports_a_received_payment_that_has_a_posting(busy_books):
    """A payment whose status went back to 'received' while money moved for it is listed."""
    # given
    _payer, payment = busy_books
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.RECEIVED)

    # when
    err, error = check_ledger_fails()

    # then
    assert error.returncode == 1
    assert f"VIOLATION: payment {payment.code} is received but has a ledger posting" in err
    assert "the hold account holds" not in err  # the reserve was settled: the hold is empty either way


# --- send_sms ---------------------------------------------------------------------------------------------------


@pytest.fixture
def keep_sigterm_handler():
    """send_sms installs a SIGTERM handler and leaves it installed when it returns; put the test process's own
    handler back so that SIGTERM still stops pytest."""
    previous = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, previous)


@pytest.mark.usefixtures("keep_sigterm_handler")
def test_send_sms_delivers_each_queued_message_once(make_wallet):
    """The dispatcher hands every queued message to the backend and marks it sent; a second run sends nothing."""
    # given
    first = make_wallet(balance="100")  # wallet_opened + cash_in
    second = make_wallet()  # wallet_opened
    queued = set(SmsMessage.objects.filter(status=SmsStatus.QUEUED).values_list("pk", flat=True))
    assert len(queued) == 3

    # when
    out, _err = run("send_sms")

    # then
    assert out.strip() == "sms: sent 3, retry later 0, failed 0"
    assert {m.pk for m in locmem.outbox} == queued
    assert {m.phone for m in locmem.outbox} == {first.phone, second.phone}
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.SENT}
    assert all(m.sent_at is not None and m.attempts == 1 for m in SmsMessage.objects.all())

    # when
    out, _err = run("send_sms")

    # then
    assert out.strip() == "sms: sent 0, retry later 0, failed 0"
    assert len(locmem.outbox) == 3


@pytest.mark.usefixtures("keep_sigterm_handler")
def test_send_sms_leaves_messages_that_are_not_due_yet(make_wallet):
    """A message waiting for its retry time is not sent before it."""
    # given
    make_wallet()
    SmsMessage.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    # when
    out, _err = run("send_sms")

    # then
    assert out.strip() == "sms: sent 0, retry later 0, failed 0"
    assert locmem.outbox == []
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.QUEUED}


# --- sms_outbox -------------------------------------------------------------------------------------------------


@pytest.fixture
def two_holders():
    """Two wallets opened with PINs 2580 and 7391, then a top-up of the first: three SMS, oldest first."""
    register("0555 12 34 56", pin="2580")
    register("0770 65 43 21", name="Бакыт Садыков", inn="21204198800345", pin="7391")
    run("cash_in", "0555 12 34 56", "150", "--channel", "mobilnik")
    return "+996555123456", "+996770654321"


def test_sms_outbox_lists_newest_first_with_secrets_masked(two_holders):
    """Lines are newest first; the PIN in a wallet_opened SMS is shown as ****, other texts in full."""
    # given
    first, second = two_holders

    # when
    out, _err = run("sms_outbox")

    # then
    lines = out.strip().splitlines()
    assert len(lines) == 3
    assert [(line.split()[2], line.split()[4]) for line in lines] == [
        (first, "cash_in"),
        (second, "wallet_opened"),
        (first, "wallet_opened"),
    ]
    assert "2580" not in out and "7391" not in out
    assert "Ваш PIN: ****" in lines[1] and "Ваш PIN: ****" in lines[2]
    assert "Баланс: 150.00 сом" in lines[0]


def test_sms_outbox_shows_secrets_only_when_asked(two_holders):
    """--show-secrets prints the PINs in clear (demo use)."""
    out, _err = run("sms_outbox", "--show-secrets")
    assert "Ваш PIN: 2580" in out and "Ваш PIN: 7391" in out


@pytest.mark.parametrize("typed", ["0555 12 34 56", "+996555123456", "996 555 123 456", "555123456"])
def test_sms_outbox_filters_by_phone_typed_in_any_form(two_holders, typed):
    """--phone takes the number as people type it and lists only that number's messages."""
    # given
    first, _second = two_holders

    # when
    out, _err = run("sms_outbox", "--phone", typed)

    # then
    lines = out.strip().splitlines()
    assert len(lines) == 2
    assert all(line.split()[2] == first for line in lines)


def test_sms_outbox_json_has_every_field_and_masks_secrets(two_holders):
    """--json prints one JSON array, newest first, with the documented fields; PINs masked."""
    # given
    first, second = two_holders

    # when
    out, _err = run("sms_outbox", "--json")

    # then
    rows = json.loads(out)
    assert [(r["phone"], r["kind"]) for r in rows] == [
        (first, "cash_in"),
        (second, "wallet_opened"),
        (first, "wallet_opened"),
    ]
    assert set(rows[0]) == {"id", "phone", "kind", "status", "text", "attempts", "created_at", "sent_at", "payment"}
    assert rows[0]["status"] == "queued" and rows[0]["attempts"] == 0 and rows[0]["sent_at"] is None
    assert rows[0]["payment"] is None
    assert rows[0]["id"] > rows[1]["id"] > rows[2]["id"]
    assert "Ваш PIN: ****" in rows[1]["text"] and "7391" not in out and "2580" not in out


def test_sms_outbox_json_names_the_payment_and_honours_limit(paid_payment):
    """A payment SMS carries the payment code; --limit 1 keeps only the newest message."""
    # given
    payment = paid_payment

    # when
    out, _err = run("sms_outbox", "--json", "--limit", "1")

    # then
    (row,) = json.loads(out)
    assert row["kind"] == "payment" and row["payment"] == payment.code


def test_sms_outbox_with_nothing_to_show_says_so():
    """An empty outbox (or a number with no messages) prints 'no messages'."""
    out, _err = run("sms_outbox", "--phone", "0555 00 00 01")
    assert out.strip() == "no messages"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--phone", "12345"], "Номер телефона введен неверно"),
        (["--phone", "0312 960 888"], "Это городской номер"),
        (["--limit", "0"], "--limit must be at least 1"),
    ],
)
def test_sms_outbox_refuses_a_bad_filter(two_holders, args, message):
    """A phone that is not a Kyrgyz mobile number or a limit below 1 is an error, not an empty list."""
    with pytest.raises(CommandError, match=message) as excinfo:
        run("sms_outbox", *args)
    assert excinfo.value.returncode == 1


# --- seed_demo --------------------------------------------------------------------------------------------------


def test_seed_demo_loads_wallets_in_varied_states_and_keeps_the_books_clean():
    """The admin user and six wallets on Megacom, Beeline and O! numbers: funded through cash-in postings,
    with DosTek payments; one blocked, one PIN-locked, one at zero, some with a web account."""
    # when
    out, _err = run("seed_demo")

    # then
    assert "demo data: 6 new wallet(s), admin created" in out
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password("elsom-demo-admin")

    wallets = {w.phone: w for w in Wallet.objects.select_related("ledger_account")}
    assert len(wallets) == 6
    assert {w.operator for w in wallets.values()} == {"megacom", "beeline", "o"}
    assert wallets["+996777050505"].status == WalletStatus.BLOCKED
    assert wallets["+996550060606"].pin_locked_at is not None
    assert wallets["+996555040404"].balance == Decimal("0.00")
    assert all(pin_is(w, "2580") for w in wallets.values())
    assert {phone: w.balance for phone, w in wallets.items()} == {
        "+996555010101": Decimal("11299.50"),  # 15 000 - 2 500 - 1 200.50
        "+996770020202": Decimal("2700.00"),  # 3 000 + 500 - 800
        "+996700030303": Decimal("3000.00"),  # 7 000 - 4 000
        "+996555040404": Decimal("0.00"),
        "+996777050505": Decimal("2000.00"),
        "+996550060606": Decimal("1000.00"),
    }
    web = set(User.objects.filter(wallet__isnull=False).values_list("wallet__phone", "email"))
    assert web == {
        ("+996555010101", "aigul@example.kg"),
        ("+996700030303", "elena@example.kg"),
        ("+996777050505", "jyldyz@example.kg"),
    }
    assert Posting.objects.filter(kind=PostingKind.CASH_IN).count() == 6
    payments = Payment.objects.filter(status=PaymentStatus.COMMITTED)
    assert payments.count() == 4
    assert set(payments.values_list("service__slug", flat=True)) == {"dostek"}
    assert SmsMessage.objects.filter(kind=SmsKind.PAYMENT).count() == 4

    check_out, _err = run("check_ledger")
    assert check_out.startswith("ledger OK: ")
    assert "4 committed payments" in check_out


def test_seed_demo_second_run_adds_nothing():
    """A second run adds nothing: no wallet, user, posting, transfer, payment, SMS or ledger account."""
    # given
    run("seed_demo")
    before = table_counts()
    balances = dict(LedgerAccount.objects.with_balance().values_list("code", "current_balance"))

    # when
    out, _err = run("seed_demo")

    # then
    assert "demo data: 0 new wallet(s), admin kept" in out
    assert table_counts() == before
    assert dict(LedgerAccount.objects.with_balance().values_list("code", "current_balance")) == balances
    assert run("check_ledger")[0].startswith("ledger OK: ")


@override_settings(DEBUG=False, DEMO_MODE=False)
def test_seed_demo_is_refused_outside_debug_and_demo_mode():
    """Known passwords never reach a production database: without DEBUG or DEMO_MODE nothing is created."""
    # given
    before = table_counts()

    # when
    with pytest.raises(CommandError, match="DEMO_MODE=1 or DEBUG=1") as excinfo:
        run("seed_demo")

    # then
    assert excinfo.value.returncode == 1
    assert table_counts() == before
    assert not User.objects.filter(username="admin").exists()


@pytest.mark.parametrize(("debug", "demo_mode"), [(True, False), (False, True)])
def test_seed_demo_runs_with_either_debug_or_demo_mode(debug, demo_mode):
    """Either switch is enough."""
    with override_settings(DEBUG=debug, DEMO_MODE=demo_mode):
        out, _err = run("seed_demo")
    assert "6 new wallet(s)" in out
