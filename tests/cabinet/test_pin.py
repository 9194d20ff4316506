"""The PIN in the cabinet (issue 19): «PIN» beside «Пароль» in the menu, a change by current PIN + new PIN twice,
and «Забыли PIN?»: number -> SMS code -> personal INN -> a new PIN by SMS, shown on the console's timeline."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry, StaffAction
from sms.models import SmsKind
from tests.cabinet.conftest import sms_code
from tests.staff.conftest import ROLES
from wallet.operations import wallet_pin_is

pytestmark = pytest.mark.django_db

INN = "12505199000123"  # make_wallet's
PIN = "2580"  # make_wallet's


def test_the_menu_has_pin_beside_password(signed_in):
    html = signed_in.get(reverse("cabinet:home")).content.decode()
    password_at = html.index(reverse("cabinet:password_change"))
    pin_at = html.index(reverse("cabinet:pin_change"))
    assert 0 < pin_at - password_at < 200
    assert ">PIN</a>" in html


def test_the_pin_page_needs_a_signed_in_holder(client):
    assert client.get(reverse("cabinet:pin_change"))["Location"] == reverse("cabinet:entry")


def test_a_change_stores_the_new_pin_and_sends_the_sms(signed_in, holder, sms_outbox):
    page = signed_in.get(reverse("cabinet:pin_change")).content.decode()
    assert 'name="current_pin"' in page and 'name="new_pin1"' in page and 'name="new_pin2"' in page
    response = signed_in.post(
        reverse("cabinet:pin_change"), {"current_pin": PIN, "new_pin1": "4862", "new_pin2": "4862"}, follow=True
    )
    assert "PIN изменен" in response.content.decode()
    holder.refresh_from_db()
    assert wallet_pin_is(wallet=holder, pin="4862")
    assert sms_outbox.last(holder.phone).kind == SmsKind.PIN_CHANGED


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"current_pin": "1357", "new_pin1": "4862", "new_pin2": "4862"},
            "current_pin",
            "Неверный PIN. Осталось попыток: 2.",
        ),
        ({"current_pin": PIN, "new_pin1": "1234", "new_pin2": "1234"}, "new_pin1", "легко угадать"),
        ({"current_pin": PIN, "new_pin1": "4862", "new_pin2": "4863"}, "new_pin2", "не совпадают"),
    ],
)
def test_a_change_is_refused_at_the_field(signed_in, holder, data, field, message):
    response = signed_in.post(reverse("cabinet:pin_change"), data)
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    holder.refresh_from_db()
    assert wallet_pin_is(wallet=holder, pin=PIN)


def test_three_wrong_current_pins_lock_the_pin(signed_in, holder):
    for _ in range(3):
        response = signed_in.post(
            reverse("cabinet:pin_change"), {"current_pin": "1357", "new_pin1": "4862", "new_pin2": "4862"}
        )
    assert "PIN заблокирован" in response.content.decode()
    holder.refresh_from_db()
    assert holder.is_pin_locked


def test_a_forgotten_pin_comes_back_by_code_and_inn(client, holder, sms_outbox, monkeypatch):
    """Entry page -> «Забыли PIN?» -> number -> code + INN -> a new PIN by SMS, on the console's timeline."""
    monkeypatch.setattr("wallet.pin_operations.pin_generate", lambda: "6341")
    entry = client.get(reverse("cabinet:entry")).content.decode()
    assert reverse("cabinet:pin_forgot") in entry
    response = client.post(reverse("cabinet:pin_forgot"), {"phone": "0" + holder.phone[4:]})
    assert response["Location"] == reverse("cabinet:pin_reset")
    code = sms_code(sms_outbox, holder.phone)
    assert "восстановления PIN" in sms_outbox.last(holder.phone).text
    # a wrong INN: refused at its field, one try of the code spent
    response = client.post(reverse("cabinet:pin_reset"), {"code": code, "inn": "12505199000999"})
    assert "Осталось попыток: 2" in " ".join(response.context["form"].errors["inn"])
    response = client.post(reverse("cabinet:pin_reset"), {"code": code, "inn": INN}, follow=True)
    assert "Новый PIN отправлен в SMS" in response.content.decode()
    holder.refresh_from_db()
    assert wallet_pin_is(wallet=holder, pin="6341")
    message = sms_outbox.last(holder.phone)
    assert message.kind == SmsKind.PIN_RESET and "6341" in message.text
    entry = AuditEntry.objects.get(wallet=holder, action=StaffAction.PIN_SELF_RESET)
    assert entry.after["channel"] == "web"


def test_the_self_reset_shows_on_the_console_timeline(client, holder, sms_outbox, django_user_model, monkeypatch):
    """The call-centre sees the holder's own reset where it sees its PIN actions: the customer's timeline."""
    monkeypatch.setattr("wallet.pin_operations.pin_generate", lambda: "6341")
    client.post(reverse("cabinet:pin_forgot"), {"phone": holder.phone})
    client.post(reverse("cabinet:pin_reset"), {"code": sms_code(sms_outbox, holder.phone), "inn": INN})
    agent = django_user_model.objects.create_user("agent-pin", password="Staff-Password-2026", is_staff=True)
    agent.groups.add(Group.objects.get(name=ROLES["agent"]))
    staff = Client()
    staff.force_login(agent)
    html = staff.get(reverse("staff:customer", args=[holder.phone[1:]])).content.decode()
    assert "новый PIN по SMS-коду и ИНН (сам клиент)" in html
    assert "6341" not in html and re.search(r"channel: web", html)


def test_a_number_without_a_wallet_is_answered_alike_and_gets_nothing(client, sms_outbox):
    response = client.post(reverse("cabinet:pin_forgot"), {"phone": "0555 00 09 99"}, follow=True)
    assert "Код отправлен в SMS на номер 0555 00 09 99" in response.content.decode()
    assert sms_outbox.last("+996555000999") is None
