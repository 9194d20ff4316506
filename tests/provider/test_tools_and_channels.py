"""The trainer's and operator's tools against the real СОЧИ (provider_fault, the admin's fault action,
reconcile_provider, process_payments), and *900# with the provider's check."""

import json
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from audit.models import AuditEntry, StaffAction
from services.models import Payment, PaymentStatus, Provider
from tests.helpers import make_payment
from tests.sochi.conftest import ALA_TOO, CLOSED, UNKNOWN

pytestmark = pytest.mark.django_db
PAY = ("3", "3", "14", "14")


def test_provider_fault_command_sets_the_switch_at_sochi(dostek_osmp):
    out = StringIO()
    call_command("provider_fault", "dostek", "temporary", "--count", "2", stdout=out)
    assert "temporary" in out.getvalue() and "2" in out.getvalue()
    assert dostek_osmp.fault()["mode"] == "temporary"
    call_command("provider_fault", "dostek", "normal", stdout=StringIO())
    assert dostek_osmp.fault()["mode"] == "normal"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "down"], "unknown provider"),
        (["dostek", "down", "--count", "0"], "--count"),
        (["dostek", "slow", "--delay", "-1"], "--delay"),
    ],
)
def test_provider_fault_command_refuses_bad_input(dostek_osmp, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("provider_fault", *args, stdout=StringIO())
    assert dostek_osmp.fault()["mode"] == "normal"


def test_provider_fault_command_says_so_when_the_provider_cannot_be_reached(dostek_osmp, settings):
    settings.OSMP_ENDPOINTS = {"dostek": {**settings.OSMP_ENDPOINTS["dostek"], "URL": "http://127.0.0.1:9/osmp/"}}
    with pytest.raises(CommandError, match="fault switch"):
        call_command("provider_fault", "dostek", "down", stdout=StringIO())


def test_a_trainer_sets_a_fault_from_the_admin_with_a_reason(dostek_osmp, django_user_model):
    trainer = django_user_model.objects.create_user("trainer1", password="Trainer-Password-1", is_staff=True)
    trainer.groups.add(Group.objects.get(name="Тренер"))
    client = Client()
    client.force_login(trainer)
    provider = Provider.objects.get(code="dostek")
    data = {
        "action": "set_fault",
        "_selected_action": [provider.pk],
        "apply": "1",
        "mode": "answer-lost",
        "count": "1",
        "reason": "сценарий «оплатил, баланс не пополнился»",
    }
    client.post("/admin/services/provider/", data)
    assert dostek_osmp.fault()["mode"] == "answer-lost"
    entry = AuditEntry.objects.get(action=StaffAction.PROVIDER_FAULT)
    assert entry.actor == trainer and entry.after["mode"] == "answer-lost"


def test_reconcile_provider_command_exit_codes_and_json(dostek_osmp, make_wallet, dostek):
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("answer-lost", count=1)
    payment = make_payment(wallet=wallet, service=dostek, amount="50", key="rc")
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("reconcile_provider", "dostek", "--json", stdout=out)
    assert exited.value.code == 1
    report = json.loads(out.getvalue())
    line = next(line for line in report["lines"] if line["txn_id"] == payment.code)
    assert line["match"] == "credited_there_in_progress_here" and "обработчик проведет" in line["explanation"]
    call_command("process_payments", "--all", stdout=StringIO())
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.COMMITTED
    with pytest.raises(CommandError, match="is not a date"):
        call_command("reconcile_provider", "dostek", "--date", "yesterday", stdout=StringIO())


def test_reconcile_provider_without_the_providers_report_exits_2(dostek_osmp, settings):
    settings.OSMP_ENDPOINTS = {"dostek": {**settings.OSMP_ENDPOINTS["dostek"], "URL": "http://127.0.0.1:9/osmp/"}}
    with pytest.raises(CommandError, match="report is not available") as raised:
        call_command("reconcile_provider", "dostek", stdout=StringIO())
    assert raised.value.returncode == 2


def test_process_payments_refuses_a_bad_interval(dostek_osmp):
    with pytest.raises(SystemExit):
        call_command("process_payments", "--loop", "--interval", "0", stdout=StringIO(), stderr=StringIO())


# --- *900# with the provider's check ------------------------------------------------------------------------------


def test_the_ussd_confirm_screen_names_the_company(dostek_osmp, dial, make_wallet):
    wallet = make_wallet(balance="1000")
    screen = dial("n", wallet.phone, *PAY, ALA_TOO, "100")
    # the INN always labelled (issue 19): the company's name is shortened to fit the screen instead
    assert screen.startswith("CON ОсОО «Ала-Тоо Конс") and screen.endswith("Введите PIN:")
    assert f"\nИНН компании: {ALA_TOO}\n" in screen and len(screen.removeprefix("CON ")) <= 80
    assert dial("n", wallet.phone, *PAY, ALA_TOO, "100", "2580").startswith("END Платеж принят")
    assert Payment.objects.get().account_holder == "ОсОО «Ала-Тоо Консалт»"


@pytest.mark.parametrize(
    ("inn", "screen"),
    [
        (CLOSED, "CON Счет закрыт у поставщика.\nЛицевой счет (ИНН компании):"),
        (UNKNOWN, "CON Счет не найден у поставщика.\nЛицевой счет (ИНН компании):"),
    ],
)
def test_ussd_refuses_closed_and_unknown_companies_before_the_pin(dostek_osmp, dial, make_wallet, inn, screen):
    wallet = make_wallet(balance="1000")
    assert dial("r", wallet.phone, *PAY, inn, "100") == screen
    assert not Payment.objects.exists()


def test_ussd_says_the_service_is_unavailable_when_sochi_does_not_answer(dostek_osmp, dial, make_wallet):
    wallet = make_wallet(balance="1000")
    dostek_osmp.set_fault("down")
    assert dial("d", wallet.phone, *PAY, ALA_TOO, "100") == (
        "END Сервис временно недоступен. Деньги не списаны, попробуйте позже."
    )
    wallet.ledger_account.refresh_from_db()
    assert str(wallet.balance) == "1000.00" and not Payment.objects.exists()


def test_ussd_tells_a_payment_in_progress(dostek_osmp, dial, make_wallet, sms_outbox):
    wallet = make_wallet(balance="1000")
    dial("p", wallet.phone, *PAY, ALA_TOO, "100")
    dostek_osmp.set_fault("down")
    reply = dial("p", wallet.phone, *PAY, ALA_TOO, "100", "2580")
    payment = Payment.objects.get()
    assert reply == f"END Платеж принят в обработку, код {payment.code}. Результат придет в SMS."
    dostek_osmp.set_fault("normal")
    call_command("process_payments", "--all", stdout=StringIO())
    assert sms_outbox.last(wallet.phone).kind == "payment" and payment.code in sms_outbox.last(wallet.phone).text
