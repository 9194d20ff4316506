"""Each scenario of the trainer's board: start -> the state the customer describes -> the resolution through the
domain functions the console calls -> the scenario's own check says resolved, and the books are clean."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.codes import phone_code_issue, phone_code_start, phone_code_verify
from accounts.errors import CodeExpired, CodesExhausted
from accounts.models import CodePurpose, PhoneCode, User
from accounts.operations import web_account_create
from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM, NotAllowed
from services.models import Payment, PaymentStatus, ProviderExchange
from services.payments import payment_attempt
from services.refunds import refund_approve, refund_request
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_dispatch, sms_requeue
from tests.helpers import identity_checked, make_payment, pin_is
from training.errors import ScenarioFailed, ScenarioUnavailable, WalletNotSuitable
from training.faults import sms_gateway_fault_lift
from training.models import RunStatus, SmsGatewayFault
from training.operations import scenario_check, scenario_reset, scenario_start
from training.scenarios import CUSTOMER_IP, sochi_credits
from ussd.engine import ussd_handle
from wallet.models import WalletStatus
from wallet.operations import wallet_pin_unlock, wallet_pin_verify, wallet_set_status
from wallet.phone import Operator, phone_parse

pytestmark = pytest.mark.django_db


def resolved(run) -> bool:
    run.refresh_from_db()
    return scenario_check(run=run).resolved


def test_1_answer_lost_stays_in_progress_until_the_provider_is_asked_again(dostek_osmp, trainer):
    """The payment was credited at СОЧИ but its answer lost: in progress, money reserved; the next attempt (the
    console's look-up or the worker) commits it, and СОЧИ lists it once."""
    # when
    run = scenario_start(slug="answer-lost", actor=trainer)
    # then: what the customer sees
    payment = Payment.objects.get(pk=run.payment_id)
    assert payment.status == PaymentStatus.RESERVED
    assert payment.exchanges.filter(command="pay", outcome="unknown").count() == 1
    assert dostek_osmp.fault()["mode"] == "normal"  # count=1: used up by this payment
    assert not resolved(run)
    assert AuditEntry.objects.filter(action=StaffAction.PROVIDER_FAULT, actor=trainer).exists()
    # when: the agent's look-up at the provider
    payment_attempt(payment_id=payment.pk, ignore_schedule=True)
    # then
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.COMMITTED
    assert sochi_credits(payment) == 1
    assert resolved(run)
    assert books_violations() == []


def test_2_refused_after_reserve_money_back_and_sms(dostek_osmp, trainer):
    """СОЧИ refuses the pay after the reserve: aborted, the whole total back on the wallet; resolved once the
    holder's SMS about it is delivered."""
    run = scenario_start(slug="refused", actor=trainer)
    payment = Payment.objects.select_related("wallet__ledger_account").get(pk=run.payment_id)
    assert payment.status == PaymentStatus.ABORTED
    assert payment.wallet.ledger_account.balance == Decimal("5000.00")
    assert ProviderExchange.objects.filter(payment=payment, command="pay", result=5).exists()
    assert not resolved(run)  # the SMS is still in the outbox
    sms_dispatch()
    assert resolved(run)
    assert books_violations() == []


def test_3_sms_lost_fails_for_that_number_and_a_resend_after_the_fault_is_lifted_delivers(failing_sms, trainer):
    """The gateway refuses that number only: the payment SMS ends failed after its attempts (the wallet's earlier SMS
    had arrived); the trainer lifts the fault, the agent resends, it is delivered and the check says resolved."""
    from sms.backends import locmem

    run = scenario_start(slug="sms-lost", actor=trainer)
    message = SmsMessage.objects.get(payment_id=run.payment_id, kind=SmsKind.PAYMENT)
    assert message.status == SmsStatus.FAILED and message.attempts == 5
    assert "unreachable" in message.last_error
    delivered = sorted(m.kind for m in locmem.outbox if m.phone == run.wallet.phone)
    assert delivered == [SmsKind.CASH_IN, SmsKind.WALLET_OPENED]
    other = scenario_start(slug="wallet-blocked", actor=trainer)  # another number is served meanwhile
    sms_dispatch()
    assert SmsMessage.objects.filter(phone=other.wallet.phone, status=SmsStatus.SENT).exists()
    assert not resolved(run)
    # when: the trainer plays the operator, then the agent resends
    assert sms_gateway_fault_lift(phone=run.wallet.phone, actor=trainer, reason="шлюз починили")
    assert sms_requeue(message=message, actor=trainer, reason="повторная отправка после сбоя")
    sms_dispatch()
    # then
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert resolved(run)
    assert books_violations() == []


def test_3_a_resend_while_the_gateway_still_fails_does_not_resolve(failing_sms, trainer):
    run = scenario_start(slug="sms-lost", actor=trainer)
    message = SmsMessage.objects.get(payment_id=run.payment_id, kind=SmsKind.PAYMENT)
    assert sms_requeue(message=message, actor=trainer, reason="клиент не получил SMS")
    sms_dispatch()
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED and message.attempts == 1 and "unreachable" in message.last_error
    assert not resolved(run)


def test_3_needs_the_training_gateway(trainer):
    """With another SMS backend the case cannot be made: refused before anything is done."""
    with pytest.raises(ScenarioUnavailable, match="SMS_BACKEND"):
        scenario_start(slug="sms-lost", actor=trainer)
    assert not SmsGatewayFault.objects.exists()


def test_4_pin_locked_over_ussd_unlocked_by_an_agent(trainer, agent):
    """Three wrong PINs over *900# lock the PIN (SMS included); an agent's audited unlock and the right PIN working
    again resolve it."""
    run = scenario_start(slug="pin-locked", actor=trainer)
    wallet = run.wallet
    wallet.refresh_from_db()
    assert wallet.pin_locked_at is not None and wallet.pin_failed_attempts == 3
    assert SmsMessage.objects.filter(phone=wallet.phone, kind=SmsKind.PIN_LOCKED).count() == 1
    reply = ussd_handle(session_id="customer-1", phone=phone_parse(wallet.phone), text="8*1")
    assert "PIN заблокирован" in reply.text and reply.ends
    assert not resolved(run)
    wallet_pin_unlock(wallet=wallet, actor=identity_checked(wallet, agent), reason="личность подтверждена: ФИО и ИНН")
    wallet_pin_verify(wallet=wallet, pin="2580")
    assert resolved(run)
    assert "agent-t" in " ".join(line.text for line in scenario_check(run=run).lines)


def test_4_an_unlock_by_the_system_does_not_count(trainer):
    run = scenario_start(slug="pin-locked", actor=trainer)
    wallet_pin_unlock(wallet=run.wallet, actor=SYSTEM, reason="скрипт")
    assert not resolved(run)


@pytest.mark.parametrize("variant", ["expired", "exhausted", "email_taken"])
def test_5_web_registration_each_variant_then_the_holder_registers(trainer, variant, sms_outbox):
    """The customer's obstacle is real (expired code / no more codes in the flow / the email used by another
    wallet); they register with a new flow (and another email), and the check says resolved."""
    run = scenario_start(slug="web-registration", actor=trainer, variant=variant)
    wallet = run.wallet
    assert not resolved(run)
    if variant == "expired":
        challenge = PhoneCode.objects.get(phone=wallet.phone)
        with pytest.raises(CodeExpired):
            phone_code_verify(challenge=challenge, code="123456")
    elif variant == "exhausted":
        challenge = PhoneCode.objects.get(phone=wallet.phone)
        assert challenge.sends == 3
        with pytest.raises(CodesExhausted):
            phone_code_issue(challenge=challenge, wallet=wallet, client_ip=CUSTOMER_IP)
    else:
        assert User.objects.filter(email=run.facts["email"]).exclude(wallet=wallet).exists()
    # the resolution: a new registration flow, the newest code, another email where it was taken
    challenge = phone_code_start(purpose=CodePurpose.REGISTER, phone=wallet.phone)
    phone_code_issue(challenge=challenge, wallet=wallet, client_ip="198.51.100.7")  # allowed: raises nothing
    code = sms_outbox.last(wallet.phone).text.split(": ")[1][:6]
    phone_code_verify(challenge=challenge, code=code)  # valid: raises nothing
    web_account_create(wallet=wallet, email=f"new.{wallet.phone[-6:]}@example.kg", password="Kara-Suu-Lake-2026")
    assert resolved(run)


def test_5_needs_a_wallet_without_web_account(trainer, make_wallet):
    wallet = make_wallet()
    web_account_create(wallet=wallet, email="x@example.kg", password="Kara-Suu-Lake-2026")
    with pytest.raises(WalletNotSuitable, match="вход на сайт"):
        scenario_start(slug="web-registration", actor=trainer, wallet=wallet, variant="expired")


def test_6_o_number_is_refused_by_ussd_and_resolved_by_the_website(trainer):
    """A fresh O! wallet: *900# refuses the operator; the advice leads to a web account."""
    run = scenario_start(slug="ussd-o", actor=trainer)
    assert run.wallet.operator == Operator.O
    assert "USSD недоступен" in ussd_handle(session_id="o-1", phone=phone_parse(run.wallet.phone), text="").text
    assert not resolved(run)
    web_account_create(wallet=run.wallet, email="o.customer@example.kg", password="Kara-Suu-Lake-2026")
    assert resolved(run)


def test_6_an_o_wallet_with_a_web_account_is_resolved_by_a_web_payment(trainer, make_wallet, dostek):
    wallet = make_wallet(phone="+996700812345", balance="500")
    web_account_create(wallet=wallet, email="o2@example.kg", password="Kara-Suu-Lake-2026")
    run = scenario_start(slug="ussd-o", actor=trainer, wallet=wallet)
    assert not resolved(run)
    make_payment(wallet=wallet, service=dostek, amount="100", key="o")
    assert resolved(run)


def test_6_refuses_a_megacom_wallet(trainer, make_wallet):
    with pytest.raises(WalletNotSuitable, match="O!"):
        scenario_start(slug="ussd-o", actor=trainer, wallet=make_wallet())


def test_7_wrong_inn_refund_requested_by_an_agent_and_approved_by_a_supervisor(trainer, agent, supervisor):
    """A committed payment to the wrong company; a request alone changes nothing, the supervisor's approval
    reverses it and the check says resolved."""
    run = scenario_start(slug="wrong-inn", actor=trainer)
    payment = Payment.objects.get(pk=run.payment_id)
    assert payment.status == PaymentStatus.COMMITTED and payment.account == "02106201510234"
    request = refund_request(
        payment=payment, actor=identity_checked(payment.wallet, agent), reason="ошибка в ИНН, DosTek согласовал"
    )
    assert not resolved(run)
    refund_approve(request=request, actor=supervisor, reason="одобрено")
    assert resolved(run)
    assert books_violations() == []


def test_8_blocked_wallet_unblocked_by_a_supervisor(trainer, supervisor):
    run = scenario_start(slug="wallet-blocked", actor=trainer)
    run.wallet.refresh_from_db()
    assert run.wallet.status == WalletStatus.BLOCKED
    assert "заблокирован" in ussd_handle(session_id="b-1", phone=phone_parse(run.wallet.phone), text="").text
    assert not resolved(run)
    wallet_set_status(wallet=run.wallet, status=WalletStatus.ACTIVE, actor=supervisor, reason="личность подтверждена")
    assert resolved(run)


def test_8_an_unblock_by_someone_without_the_right_is_refused_and_does_not_count(trainer, agent):
    run = scenario_start(slug="wallet-blocked", actor=trainer)
    with pytest.raises(NotAllowed):
        wallet_set_status(wallet=run.wallet, status=WalletStatus.ACTIVE, actor=agent, reason="ошибочно")
    assert not resolved(run)


def test_start_writes_the_audit_entry_and_the_run(trainer):
    run = scenario_start(slug="wallet-blocked", actor=trainer)
    entry = AuditEntry.objects.get(action=StaffAction.SCENARIO_START)
    assert entry.actor == trainer and entry.wallet_id == run.wallet_id
    assert entry.reason == "Учебный сценарий 8: «Кошелек заблокирован»"
    assert entry.after == {"run": run.pk, "scenario": "wallet-blocked", "variant": "", "fresh_wallet": True}
    assert run.status == RunStatus.ACTIVE and run.started_by == trainer and run.fresh_wallet


def test_chosen_wallet_must_fit_the_case(trainer, make_wallet):
    poor = make_wallet(balance="100")
    with pytest.raises(WalletNotSuitable, match="100.00"):
        scenario_start(slug="wrong-inn", actor=trainer, wallet=poor)
    o_number = make_wallet(phone="+996700812346")
    with pytest.raises(WalletNotSuitable, match="Megacom"):
        scenario_start(slug="pin-locked", actor=trainer, wallet=o_number)
    blocked = make_wallet()
    wallet_set_status(wallet=blocked, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="тест")
    with pytest.raises(WalletNotSuitable, match="заблокирован"):
        scenario_start(slug="wallet-blocked", actor=trainer, wallet=blocked)
    assert not AuditEntry.objects.filter(action=StaffAction.SCENARIO_START).exists()


def test_unknown_scenario_or_variant(trainer):
    with pytest.raises(ScenarioUnavailable):
        scenario_start(slug="nope", actor=trainer)
    with pytest.raises(ScenarioUnavailable):
        scenario_start(slug="web-registration", actor=trainer, variant="nope")
    with pytest.raises(ScenarioUnavailable):
        scenario_start(slug="wallet-blocked", actor=trainer, variant="expired")


def test_scenarios_1_and_2_need_a_real_sochi(trainer):
    """DosTek in process (the suite's default) cannot lose an answer: the board says so and nothing starts."""
    with pytest.raises(ScenarioUnavailable, match="СОЧИ"):
        scenario_start(slug="answer-lost", actor=trainer)


def test_a_failed_preparation_disarms_the_fault_and_is_kept_as_failed(dostek_osmp, trainer, make_wallet, monkeypatch):
    """If the payment does not come back as the case needs, the run is failed with the reason and no fault stays
    armed for somebody else's payment."""
    import training.scenarios as scenarios

    def no_payment(prep, **kwargs):
        raise ScenarioFailed(scenarios.MSG_NOT_RESERVED, status="проведен")

    monkeypatch.setattr(scenarios, "_pay", no_payment)
    with pytest.raises(ScenarioFailed, match="не подготовлен"):
        scenario_start(slug="answer-lost", actor=trainer)
    assert dostek_osmp.fault()["mode"] == "normal"
    run = AuditEntry.objects.get(action=StaffAction.SCENARIO_START).after["run"]
    from training.models import ScenarioRun

    failed = ScenarioRun.objects.get(pk=run)
    assert failed.status == RunStatus.BROKEN and "потерял" in failed.error
    assert not scenario_check(run=failed).resolved


def test_reset_puts_the_wallet_state_back_and_lifts_the_sms_fault(trainer, failing_sms, make_wallet):
    """A chosen wallet blocked by scenario 8 is active again after its reset; a run's SMS fault is lifted; each
    reset is in the audit log once."""
    wallet = make_wallet(balance="1000")
    run = scenario_start(slug="wallet-blocked", actor=trainer, wallet=wallet)
    assert scenario_reset(run=run, actor=trainer) == ["wallet_unblocked"]
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE
    assert scenario_reset(run=run, actor=trainer) == []  # a second reset does nothing
    sms_run = scenario_start(slug="sms-lost", actor=trainer)
    assert scenario_reset(run=sms_run, actor=trainer) == ["sms_fault_lifted"]
    assert not SmsGatewayFault.objects.exists()
    assert AuditEntry.objects.filter(action=StaffAction.SCENARIO_RESET).count() == 2
    pin_run = scenario_start(slug="pin-locked", actor=trainer)
    assert scenario_reset(run=pin_run, actor=trainer) == ["pin_unlocked"]
    assert pin_is(pin_run.wallet, "2580")


def test_the_customers_code_expired_six_minutes_after_it_was_sent(trainer):
    run = scenario_start(slug="web-registration", actor=trainer, variant="expired")
    challenge = PhoneCode.objects.get(phone=run.wallet.phone)
    assert challenge.expires_at < timezone.now() < challenge.last_sent_at + timedelta(minutes=7)


def test_seed_wallet_can_be_chosen(trainer):
    """The seed's Айгуль Асанова (Megacom, PIN 2580) plays scenario 4; its check uses her PIN."""
    call_command("seed_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    from wallet.models import Wallet

    aigul = Wallet.objects.get(phone="+996555010101")
    run = scenario_start(slug="pin-locked", actor=trainer, wallet=aigul)
    assert run.facts["demo_pin"] is True and not run.fresh_wallet
