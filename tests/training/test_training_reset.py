"""training_reset puts the demo data back as seed_demo made it, by new postings (the ledger is append-only), and the
books stay consistent; it refuses outside demo mode."""

import io
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command

from accounts.codes import phone_code_issue, phone_code_start
from accounts.models import CodePurpose, PhoneCode, User
from accounts.operations import web_account_create
from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM
from core.models import Throttle
from core.throttle import throttle_take
from demo.constants import DEMO_WALLETS
from ledger.models import LedgerAccount, Posting
from services.models import Payment, PaymentStatus, RefundStatus
from services.refunds import refund_request
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage, SmsStatus
from tests.helpers import identity_checked, make_payment, pin_is
from training.models import RunStatus, ScenarioRun, SmsGatewayFault
from training.operations import scenario_start
from training.reset import training_reset
from ussd.models import UssdSession
from wallet.balance import ADJUSTMENT_ACCOUNT
from wallet.models import Wallet, WalletStatus
from wallet.operations import cash_in, wallet_pin_change, wallet_pin_unlock, wallet_set_status

pytestmark = pytest.mark.django_db
AIGUL, NURLAN, JYLDYZ, ERMEK = "+996555010101", "+996555040404", "+996777050505", "+996550060606"


def seed():
    call_command("seed_demo", stdout=io.StringIO())


def demo_state() -> dict:
    """Each seed wallet as the board and the console see it."""
    state = {}
    for phone, *_rest in DEMO_WALLETS:
        wallet = Wallet.objects.select_related("ledger_account").get(phone=phone)
        account = User.objects.filter(wallet=wallet).first()
        state[phone] = (
            wallet.status,
            wallet.pin_locked_at is not None,
            wallet.pin_failed_attempts,
            wallet.ledger_account.balance,
            account.email if account else None,
            pin_is(wallet, "2580"),
            account.check_password("Demo-Password-2026") if account else None,
        )
    return state


@pytest.fixture
def seeded():
    seed()
    return demo_state()


def test_a_training_day_is_undone_and_the_books_stay_clean(seeded, trainer, agent, dostek, failing_sms):
    # given: a day of training on the seed's wallets and on fresh ones
    aigul = Wallet.objects.select_related("ledger_account").get(phone=AIGUL)
    payment = make_payment(wallet=aigul, service=dostek, amount="700", key="t1")
    refund_request(payment=payment, actor=identity_checked(aigul, agent), reason="ошибка в ИНН")
    wallet_pin_change(wallet=aigul, current_pin="2580", new_pin="7391")
    aigul.refresh_from_db()
    cash_in(wallet=aigul, amount=Decimal("300"), channel="qiwi")
    nurlan = Wallet.objects.get(phone=NURLAN)
    web_account_create(wallet=nurlan, email="nurlan@example.kg", password="Kara-Suu-Lake-2026")
    aigul_user = User.objects.get(wallet=aigul)
    aigul_user.set_password("Changed-In-Training-1")
    aigul_user.save()
    wallet_set_status(wallet=Wallet.objects.get(phone=JYLDYZ), status="active", actor=SYSTEM, reason="учеба")
    ermek = Wallet.objects.get(phone=ERMEK)
    wallet_pin_unlock(wallet=ermek, actor=identity_checked(ermek, agent), reason="учеба")
    fresh = [scenario_start(slug=slug, actor=trainer) for slug in ("sms-lost", "wrong-inn", "pin-locked")]
    scenario_start(slug="web-registration", actor=trainer, variant="email_taken")
    phone_code_issue(
        challenge=phone_code_start(purpose=CodePurpose.REGISTER, phone=NURLAN), wallet=nurlan, client_ip="1.2.3.4"
    )
    throttle_take(key="signin:+996555010101", limit=5, window=__import__("datetime").timedelta(minutes=15))
    UssdSession.objects.create(session_id="s1", phone=AIGUL)
    holder_session = SessionStore()
    holder_session["_auth_user_id"] = str(aigul_user.pk)
    holder_session.create()
    staff_session = SessionStore()
    staff_session["_auth_user_id"] = str(trainer.pk)
    staff_session.create()
    postings_before = Posting.objects.count()
    assert demo_state() != seeded

    # when
    report = training_reset(actor=trainer, reason="конец смены")

    # then: the seed's wallets as the seed left them
    assert demo_state() == seeded, report
    # money by new postings only: nothing deleted, the adjustments sum with everything else to zero
    assert Posting.objects.count() > postings_before
    assert books_violations() == []
    assert LedgerAccount.objects.with_balance().get(code=ADJUSTMENT_ACCOUNT).current_balance != 0
    # training wallets emptied and closed, runs ended
    for run in fresh:
        wallet = Wallet.objects.select_related("ledger_account").get(pk=run.wallet_id)
        assert wallet.status == WalletStatus.BLOCKED and wallet.ledger_account.balance == 0
    assert not ScenarioRun.objects.filter(status=RunStatus.ACTIVE).exists()
    assert not User.objects.filter(email__startswith="family.").exists()
    assert not User.objects.filter(wallet__phone=NURLAN).exists()
    # nothing left half-way or failing
    assert payment.refunds.get().status == RefundStatus.REJECTED
    assert not Payment.objects.filter(status=PaymentStatus.RESERVED).exists()
    assert not SmsGatewayFault.objects.exists()
    assert not SmsMessage.objects.filter(status=SmsStatus.FAILED).exists()
    assert not SmsMessage.objects.filter(kind=SmsKind.CODE).exists()
    assert not PhoneCode.objects.exists() and not UssdSession.objects.exists() and not Throttle.objects.exists()
    assert list(Session.objects.values_list("session_key", flat=True)) == [staff_session.session_key]
    # the history stays: the payment made in training is still there, with its SMS
    assert Payment.objects.filter(pk=payment.pk, status=PaymentStatus.COMMITTED).exists()
    # who did it
    entries = AuditEntry.objects.filter(action=StaffAction.TRAINING_RESET)
    assert entries.filter(wallet__isnull=True, actor=trainer, reason="Сброс учебных данных: конец смены").count() == 1
    assert entries.filter(wallet__phone=AIGUL).exists()
    assert "check_ledger: clean" in report.done and report.warnings == [w for w in report.warnings if "fault" in w]


def test_a_second_reset_changes_nothing_more(seeded, trainer):
    scenario_start(slug="wallet-blocked", actor=trainer)
    training_reset(actor=trainer)
    postings = Posting.objects.count()
    report = training_reset(actor=SYSTEM)
    assert Posting.objects.count() == postings
    assert "demo wallets put back: 0 of 6 changed" in report.done
    assert "wallets opened in training closed: 0" in report.done
    assert demo_state() == seeded


def test_reset_on_an_empty_database_loads_the_seed():
    """Nothing to undo: seed_demo makes the demo data, the books are clean."""
    report = training_reset(actor=SYSTEM)
    assert Wallet.objects.filter(phone__in=[row[0] for row in DEMO_WALLETS]).count() == 6
    assert "check_ledger: clean" in report.done


def test_reset_asks_the_provider_about_payments_in_progress(seeded, make_wallet, dostek, settings):
    """A payment left in progress is settled by asking again (here the provider in process accepts)."""
    settings.PROVIDER_ADAPTERS = {"dostek": "tests.training.test_training_reset.SilentProvider"}
    wallet = make_wallet(balance="500")
    payment = make_payment(wallet=wallet, service=dostek, amount="200", key="r1")
    assert payment.status == PaymentStatus.RESERVED
    settings.PROVIDER_ADAPTERS = {"dostek": "services.providers.AcceptAllProvider"}
    training_reset(actor=SYSTEM)
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMMITTED
    assert books_violations() == []


class SilentProvider:
    """Never answers (a lost answer, for the payment above)."""

    def __init__(self, provider):
        self.provider = provider

    def pay(self, *, payment):
        from services.providers import ProviderUnknown

        return ProviderUnknown(reason="no answer")


def test_command_prints_what_it_did_and_the_real_table(seeded):
    out, err = io.StringIO(), io.StringIO()
    call_command("training_reset", "--reason", "тест", stdout=out, stderr=err)
    text = out.getvalue()
    assert "check_ledger: clean" in text and "training_reset: done" in text
    assert "+996550060606 Эрмек Иманалиев" in text and "PIN заблокирован" in text
    assert "+996777050505" in text and "заблокирован" in text


def test_command_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    settings.DEBUG = False
    with pytest.raises(CommandError, match="демо-режиме"):
        call_command("training_reset", stdout=io.StringIO())
    assert not Wallet.objects.exists()


def test_command_unknown_actor():
    with pytest.raises(CommandError, match="no user"):
        call_command("training_reset", "--actor", "nobody", stdout=io.StringIO())


def test_help():
    with pytest.raises(SystemExit) as exit_info:
        call_command("training_reset", "--help", stdout=io.StringIO())
    assert exit_info.value.code == 0
