"""Cash points in a real browser: a trainee tops up a wallet at a QIWI terminal screen (number pad, notes,
«Оплатить»); a cashier credits cash at the KICB branch desk and gets the receipt."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def balance(wallet) -> Decimal:
    from ledger.models import LedgerAccount

    return LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance


def test_a_trainee_tops_up_at_a_qiwi_terminal(live_server, make_page, shot, make_wallet):
    wallet = make_wallet()
    page = make_page(width=800, height=1000)
    page.goto(live_server.url + "/demo/terminals/")
    page.get_by_role("link", name="QIWI (Киви)").click()
    for digit in "0" + wallet.phone[4:]:
        page.locator("form.keypad").get_by_role("button", name=digit, exact=True).click()
    assert page.get_by_test_id("terminal-display").inner_text().replace(" ", "") == "0" + wallet.phone[4:]
    shot(page, "01-number")
    page.get_by_test_id("terminal-next").click()
    assert page.get_by_test_id("terminal-holder").inner_text() == "Айгуль А."
    for note in ("1000", "200", "50"):
        page.locator(f'button[data-note="{note}"]').click()
    assert page.get_by_test_id("terminal-inserted").inner_text().startswith("1 250.00")
    shot(page, "02-notes")
    page.get_by_test_id("terminal-pay").click()
    assert page.get_by_test_id("terminal-credited").inner_text() == "1 250.00"
    shot(page, "03-receipt")
    assert balance(wallet) == Decimal("1250.00")


def test_a_cashier_credits_cash_at_the_branch(live_server, make_page, shot, make_wallet):
    from accounts.models import User

    wallet = make_wallet()
    cashier = User.objects.create_user("e2e-cashier", password="Staff-Password-2026", is_staff=True)
    cashier.groups.add(Group.objects.get(name="Кассир"))
    page = make_page()
    page.goto(live_server.url + "/staff/login/")
    page.get_by_label(re.compile(r"^\s*Имя пользователя")).fill("e2e-cashier")
    page.get_by_label(re.compile(r"^\s*Пароль")).fill("Staff-Password-2026")
    page.get_by_role("button", name="Войти").click()
    page.get_by_label(re.compile("Номер кошелька")).fill("0" + wallet.phone[4:])
    page.get_by_role("button", name="Найти кошелек").click()
    assert page.get_by_test_id("holder-name").inner_text() == "Айгуль Асанова"
    page.get_by_label(re.compile(r"^\s*Сумма")).fill("2500")
    page.get_by_label(re.compile("совпадают с ID-картой")).check()
    page.get_by_role("button", name="Далее").click()
    shot(page, "01-confirm")
    page.get_by_test_id("credit").click()
    assert page.get_by_test_id("receipt-amount").inner_text() == "2 500.00 сом"
    shot(page, "02-receipt")
    assert balance(wallet) == Decimal("2500.00")
