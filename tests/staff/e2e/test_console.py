"""The console in a real browser: an agent finds a customer by «0555 …», unlocks the PIN with a reason and sees it
in the timeline; a supervisor approves, in the console, a refund an agent asked for."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from tests.helpers import identity_checked, lock_pin, make_payment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
REASON_LABEL = re.compile(r"^\s*Причина")
PASSWORD = "Staff-Password-2026"


def staff(username: str, role: str):
    from accounts.models import User

    user = User.objects.create_user(username, password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    return user


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + "/staff/login/")
    page.get_by_label(re.compile(r"^\s*Имя пользователя")).fill(username)
    page.get_by_label(re.compile(r"^\s*Пароль")).fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_test_id("staff-user").wait_for()


def act(page, action: str, reason: str) -> None:
    """An action link -> the reason -> «Далее» -> «Подтвердить»."""
    page.get_by_role("link", name=action).click()
    page.get_by_label(REASON_LABEL).fill(reason)
    page.get_by_role("button", name="Далее").click()
    page.get_by_test_id("confirm-box").wait_for()
    page.get_by_role("button", name="Подтвердить").click()


def test_an_agent_finds_a_customer_by_number_and_unlocks_the_pin(live_server, make_page, shot, make_wallet):
    from audit.models import AuditEntry, StaffAction
    from wallet.models import Wallet

    # given a customer whose PIN was locked by three wrong PINs, and an agent
    wallet = make_wallet(balance="500")
    lock_pin(wallet)
    identity_checked(wallet, staff("e2e-agent", "Агент"))  # the caller named their name and INN
    page = make_page()
    sign_in(page, live_server.url, "e2e-agent")

    # when the agent types the number as the caller says it
    digits = wallet.phone[4:]
    page.get_by_label(re.compile("Номер, код платежа")).fill(f"0{digits[:3]} {digits[3:5]} {digits[5:7]} {digits[7:]}")
    page.get_by_role("button", name="Найти").click()
    shot(page, "01-results")
    page.get_by_test_id("result-customer").click()
    assert "заблокирован" in page.get_by_test_id("pin-state").inner_text()
    shot(page, "02-customer")
    act(page, "Разблокировать PIN", "личность проверена: ИНН и последний платеж")

    # then the PIN works again and the timeline says who did it and why
    page.get_by_text("PIN разблокирован.").wait_for()
    assert "действует" in page.get_by_test_id("pin-state").inner_text()
    timeline = page.get_by_test_id("timeline")
    assert timeline.get_by_test_id("audit-action").first.inner_text() == "разблокировка PIN"
    assert timeline.get_by_test_id("audit-reason").first.inner_text() == "личность проверена: ИНН и последний платеж"
    shot(page, "03-unlocked")
    assert Wallet.objects.get(pk=wallet.pk).pin_locked_at is None
    assert AuditEntry.objects.get().action == StaffAction.PIN_UNLOCK


def test_a_supervisor_approves_a_refund_an_agent_asked_for(live_server, make_page, shot, make_wallet, dostek):
    from ledger.models import LedgerAccount
    from services.models import Payment, PaymentStatus

    # given a committed payment to the wrong company
    wallet = make_wallet(balance="1000")
    payment = make_payment(wallet=wallet, service=dostek, amount="400", key="e2e-refund", account="02106201510234")
    identity_checked(wallet, staff("e2e-agent2", "Агент"))
    staff("e2e-super", "Старший смены")

    # when the agent asks for the refund from the payment's page ...
    agent = make_page()
    sign_in(agent, live_server.url, "e2e-agent2")
    agent.get_by_label(re.compile("Номер, код платежа")).fill(payment.code)
    agent.get_by_role("button", name="Найти").click()
    agent.get_by_role("link", name=payment.code).click()
    act(agent, "Запросить возврат платежа", "ошибся ИНН, СОЧИ согласен вернуть")
    agent.get_by_text("Запрос на возврат создан").wait_for()
    assert LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance == Decimal("600.00")

    # ... and a supervisor approves it from the queue
    supervisor = make_page()
    sign_in(supervisor, live_server.url, "e2e-super")
    supervisor.get_by_role("link", name="Возвраты на решение").click()
    shot(supervisor, "01-queue")
    supervisor.get_by_test_id("refund-row").get_by_test_id("approve").click()
    supervisor.get_by_label(REASON_LABEL).fill("СОЧИ подтвердил возврат письмом")
    supervisor.get_by_role("button", name="Далее").click()
    supervisor.get_by_role("button", name="Подтвердить").click()

    # then the money is back on the wallet and the payment reads «возвращен»
    supervisor.get_by_test_id("refund-queue-empty").wait_for()
    shot(supervisor, "02-approved")
    assert LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance == Decimal("1000.00")
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.REVERSED
    supervisor.goto(f"{live_server.url}/staff/payments/{payment.code}/")
    assert supervisor.get_by_test_id("payment-status").inner_text() == "возвращен"
