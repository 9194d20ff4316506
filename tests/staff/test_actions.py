"""The console's actions, as an agent or a supervisor does them: reason -> «Далее» -> «Подтвердить». Each one is a
domain function that writes its audit row with the change; the confirmation is needed and works once."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEntry, StaffAction
from core.models import Throttle
from services.models import PaymentStatus, RefundRequest, RefundStatus
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage
from sms.outbox import sms_dispatch
from tests.helpers import identity_checked, lock_pin
from tests.staff.conftest import confirm, number
from wallet.models import Wallet, WalletStatus
from wallet.pin import pin_hash_check

pytestmark = pytest.mark.django_db


def wallet_url(wallet, slug):
    return reverse("staff:wallet_action", args=[number(wallet), slug])


def test_the_reason_page_then_the_confirm_page_then_the_action(console, customer):
    """«Далее» with a reason shows what will happen and asks to confirm; nothing changes before «Подтвердить»."""
    agent = console("agent")
    identity_checked(customer, agent.user)
    lock_pin(customer)
    url = wallet_url(customer, "unlock-pin")
    assert agent.get(url).status_code == 200
    page = agent.post(url, {"reason": "паспорт проверен, ИНН совпал"})
    assert 'data-step="confirm"' in page.content.decode()
    assert Wallet.objects.get(pk=customer.pk).pin_locked_at is not None and not AuditEntry.objects.exists()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    done = agent.post(url, {"reason": "паспорт проверен, ИНН совпал", "token": token, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("staff:customer", args=[number(customer)])
    assert Wallet.objects.get(pk=customer.pk).pin_locked_at is None
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.wallet_id, entry.reason) == (
        StaffAction.PIN_UNLOCK,
        agent.user,
        customer.pk,
        "паспорт проверен, ИНН совпал",
    )
    assert entry.before == {"pin_failed_attempts": 3, "pin_locked": True}


def test_a_second_confirm_of_the_same_page_does_nothing(console, customer):
    """A double click on «Подтвердить» (or a reload of its POST) finds the confirmation used."""
    agent = console("agent")
    sms_dispatch()  # the payment SMS went out; the holder says it did not come
    url = wallet_url(customer, "resend-sms")
    page = agent.post(url, {"reason": "клиент не получил SMS о платеже"})
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    data = {"reason": "клиент не получил SMS о платеже", "token": token, "confirm": "1"}
    agent.post(url, data)
    agent.post(url, data)
    assert AuditEntry.objects.filter(action=StaffAction.SMS_RESEND).count() == 1
    assert SmsMessage.objects.filter(kind=SmsKind.PAYMENT, phone=customer.phone).count() == 2


@pytest.mark.parametrize("reason", ["", "  ", "ok"])
def test_an_action_without_a_reason_is_not_taken(console, customer, reason):
    agent = console("agent")
    identity_checked(customer, agent.user)
    url = wallet_url(customer, "block")
    page = agent.post(url, {"reason": reason, "confirm": "1", "token": "0" * 32})
    assert page.status_code == 200 and "Укажите причину" in page.content.decode()
    assert Wallet.objects.get(pk=customer.pk).status == WalletStatus.ACTIVE and not AuditEntry.objects.exists()


def test_back_on_the_confirm_page_returns_to_the_reason_filled_in(console, customer):
    agent = console("agent")
    identity_checked(customer, agent.user)
    page = agent.post(wallet_url(customer, "block"), {"reason": "телефон украден", "back": "1"})
    html = page.content.decode()
    assert 'data-step="reason"' in html and "телефон украден" in html
    assert not AuditEntry.objects.exists()


def test_a_new_pin_is_sent_by_sms_and_never_shown_to_the_agent(console, customer, sms_outbox):
    agent = console("agent")
    identity_checked(customer, agent.user)
    lock_pin(customer)
    old_hash = Wallet.objects.get(pk=customer.pk).pin_hash
    response = confirm(agent, wallet_url(customer, "new-pin"), "клиент забыл PIN, личность проверена")
    wallet = Wallet.objects.get(pk=customer.pk)
    assert wallet.pin_hash != old_hash and wallet.pin_locked_at is None and wallet.pin_failed_attempts == 0
    message = sms_outbox.last(customer.phone)
    assert message.kind == SmsKind.PIN_RESET and message.is_secret
    pin = re.search(r"PIN кошелька ЭЛСОМ: (\d{4})", message.text).group(1)
    assert pin_hash_check(wallet_id=wallet.pk, pin=pin, encoded=wallet.pin_hash).ok
    page = agent.get(response["Location"]).content.decode()
    assert pin not in page.replace(customer.phone, "")  # the timeline shows the SMS masked
    assert AuditEntry.objects.get().action == StaffAction.PIN_RESET


def test_the_sign_in_lockout_is_lifted(console, customer, client):
    """Five wrong passwords lock the number on the web; the agent's unlock lets the right password in again."""
    client.post(reverse("cabinet:entry"), {"phone": customer.phone})
    for _ in range(5):
        client.post(reverse("cabinet:password"), {"password": "wrong-password-000"})
    assert client.post(reverse("cabinet:password"), {"password": "Kara-Suu-Lake-2026"}).status_code == 429
    agent = console("agent")
    identity_checked(customer, agent.user)
    card = agent.get(reverse("staff:customer", args=[number(customer)])).content.decode()
    assert "вход закрыт" in card
    assert 'data-kind="sign_in_failure"' in card and "раз: 5" in card  # the failures are in the timeline
    confirm(agent, wallet_url(customer, "unlock-sign-in"), "клиент подтвердил личность по ИНН")
    assert not Throttle.objects.filter(key=f"signin:{customer.phone}").exists()
    entry = AuditEntry.objects.get()
    assert entry.action == StaffAction.SIGN_IN_UNLOCK and entry.before["sign_in_attempts"] == 5
    assert client.post(reverse("cabinet:password"), {"password": "Kara-Suu-Lake-2026"}).status_code == 302
    card = agent.get(reverse("staff:customer", args=[number(customer)])).content.decode()
    assert 'data-kind="sign_in"' in card and "вход закрыт" not in card


def test_block_by_an_agent_and_unblock_by_a_supervisor(console, customer):
    agent = console("agent")
    identity_checked(customer, agent.user)
    confirm(agent, wallet_url(customer, "block"), "клиент сообщил о краже телефона")
    assert Wallet.objects.get(pk=customer.pk).status == WalletStatus.BLOCKED
    confirm(console("supervisor"), wallet_url(customer, "unblock"), "SIM восстановлена, паспорт проверен")
    assert Wallet.objects.get(pk=customer.pk).status == WalletStatus.ACTIVE
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))
    assert actions == [StaffAction.WALLET_BLOCK, StaffAction.WALLET_UNBLOCK]


def test_resend_of_a_payment_sms_from_the_payment_page(console, customer):
    sms_dispatch()  # the payment SMS went out; the holder says it did not come
    confirm(
        console("agent"),
        reverse("staff:payment_action", args=[customer.committed.code, "resend-sms"]),
        "SMS не пришло",
    )
    copies = SmsMessage.objects.filter(payment=customer.committed, kind=SmsKind.PAYMENT)
    assert copies.count() == 2 and len({m.text for m in copies}) == 1
    assert AuditEntry.objects.get().payment_id == customer.committed.pk


def test_resend_with_no_payment_sms_says_so_and_changes_nothing(console, make_wallet):
    wallet = make_wallet(balance="10")
    agent = console("agent")
    response = confirm(agent, wallet_url(wallet, "resend-sms"), "клиент не получил SMS")
    page = agent.get(response["Location"]).content.decode()
    assert "еще не отправлялось SMS о платеже" in page
    assert not AuditEntry.objects.exists()


def test_a_refund_request_from_the_console_moves_no_money(console, customer):
    agent = console("agent")
    identity_checked(customer, agent.user)
    confirm(
        agent,
        reverse("staff:payment_action", args=[customer.committed.code, "refund-request"]),
        "ошибся ИНН, СОЧИ согласен вернуть",
    )
    customer.ledger_account.refresh_from_db()
    assert customer.ledger_account.balance == Decimal("900.00")
    assert RefundRequest.objects.get().status == RefundStatus.PENDING
    assert AuditEntry.objects.get().action == StaffAction.REFUND_REQUEST


def test_an_action_that_no_longer_applies_is_not_taken(console, customer):
    """The PIN was unlocked by a colleague between «Далее» and «Подтвердить»: nothing is done twice."""
    agent = console("agent")
    identity_checked(customer, agent.user)
    lock_pin(customer)
    url = wallet_url(customer, "unlock-pin")
    page = agent.post(url, {"reason": "паспорт проверен"})
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    Wallet.objects.filter(pk=customer.pk).update(pin_locked_at=None, pin_failed_attempts=0)
    agent.post(url, {"reason": "паспорт проверен", "token": token, "confirm": "1"})
    assert not AuditEntry.objects.exists()


def test_unknown_actions_and_numbers_are_404(console, customer):
    agent = console("agent")
    assert agent.get(f"/staff/wallets/{number(customer)}/do/explode/").status_code == 404
    assert agent.get("/staff/wallets/996555999999/").status_code == 404
    assert agent.get("/staff/payments/123456789012/").status_code == 404
    assert agent.get("/staff/wallets/abc/").status_code == 404


def test_a_committed_payment_is_not_offered_to_the_provider_query(console, customer):
    page = console("agent").get(reverse("staff:payment", args=[customer.committed.code])).content.decode()
    assert 'data-action="provider-query"' not in page and 'data-action="refund-request"' in page
    assert customer.committed.status == PaymentStatus.COMMITTED


def test_the_card_tells_the_state_of_the_last_sms_code_and_that_o_numbers_have_no_ussd(console, make_wallet):
    """«Не могу зарегистрироваться на сайте»: the agent reads how many codes were sent and guessed and whether the
    last one expired; «*900# не работает»: an O! number is told as such."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.codes import phone_code_issue, phone_code_start
    from accounts.models import CodePurpose, PhoneCode

    wallet = make_wallet(phone="+996700123456")
    challenge = phone_code_start(purpose=CodePurpose.REGISTER, phone=wallet.phone)
    phone_code_issue(challenge=challenge, wallet=wallet, client_ip="10.0.0.1")
    PhoneCode.objects.filter(pk=challenge.pk).update(guesses=1, expires_at=timezone.now() - timedelta(minutes=1))
    card = console("agent").get(reverse("staff:customer", args=[number(wallet)])).content.decode()
    state = re.search(r'data-testid="code-state">(.*?)</dd>', card, re.S).group(1)
    assert "регистрация на сайте" in state and "отправлено 1 из 3" in state and "неверных вводов 1 из 3" in state
    assert "истек" in state
    assert 'data-testid="no-ussd"' in card


def test_a_resent_payment_sms_is_a_copy_and_the_books_stay_clean(console, customer):
    """The holder gets the SMS again; the books still count the payment's SMS once (check_ledger after a resend)."""
    url = reverse("staff:payment_action", args=[customer.committed.code, "resend-sms"])
    agent = console("agent")
    sms_dispatch()
    confirm(agent, url, "SMS не пришло")
    sms_dispatch()  # each copy went out before the next call (a copy still queued is reused: test_sms_resend_once)
    confirm(agent, url, "SMS опять не пришло")
    first, *copies = SmsMessage.objects.filter(payment=customer.committed, kind=SmsKind.PAYMENT).order_by("pk")
    assert first.resent_from is None and [copy.resent_from for copy in copies] == [first, first]
    assert books_violations() == []
