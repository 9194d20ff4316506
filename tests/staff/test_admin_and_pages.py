"""What a newcomer tripped over: the admin finds a number typed in any usual form, the wallet page links to what
belongs to it, a locked PIN is said in words, titles read in Russian, the history list has no «Changes»/«None»;
the demo staff users exist per role; DosTek group's call-centre is on the pay form, the done page and the receipt."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEntry
from audit.operations import SYSTEM
from services.models import Service
from sms.models import SmsMessage
from tests.helpers import lock_pin, make_payment
from tests.staff.conftest import number
from wallet.operations import wallet_set_status

pytestmark = pytest.mark.django_db


def typed_forms(phone: str) -> list[str]:
    d = phone[4:]
    return [f"0{d[:3]} {d[3:5]} {d[5:7]} {d[7:]}", f"0{d}", phone, f"+996 {d[:3]} {d[3:]}", d]


@pytest.mark.parametrize(
    ("changelist", "rows"),
    [
        ("admin:wallet_wallet_changelist", lambda w: {w.pk}),
        ("admin:services_payment_changelist", lambda w: {w.committed.pk}),
        (
            "admin:sms_smsmessage_changelist",
            lambda w: set(SmsMessage.objects.filter(phone=w.phone).values_list("pk", flat=True)),
        ),
        ("admin:accounts_user_changelist", lambda w: {w.web_account.pk}),
        ("admin:audit_auditentry_changelist", lambda w: set(AuditEntry.objects.values_list("pk", flat=True))),
    ],
)
def test_admin_search_accepts_any_usual_form_of_a_number(admin_client, customer, changelist, rows):
    wallet_set_status(wallet=customer, status="blocked", actor=SYSTEM, reason="для журнала")
    for typed in typed_forms(customer.phone):
        response = admin_client.get(reverse(changelist), {"q": typed})
        found = {obj.pk for obj in response.context["cl"].result_list}
        assert found == rows(customer), typed


def test_the_wallet_page_links_to_its_payments_sms_web_account_and_audit(admin_client, customer):
    page = admin_client.get(reverse("admin:wallet_wallet_change", args=[customer.pk])).content.decode()
    links = {
        reverse("admin:services_payment_changelist") + f"?wallet__id__exact={customer.pk}",
        reverse("admin:sms_smsmessage_changelist") + f"?phone=%2B{customer.phone[1:]}",
        reverse("admin:audit_auditentry_changelist") + f"?wallet__id__exact={customer.pk}",
        reverse("admin:accounts_user_change", args=[customer.web_account.pk]),
        reverse("staff:customer", args=[number(customer)]),
    }
    for link in links:
        assert f'href="{link}"' in page, link
    payments = admin_client.get(reverse("admin:services_payment_changelist"), {"wallet__id__exact": customer.pk})
    assert [p.pk for p in payments.context["cl"].result_list] == [customer.committed.pk]


def test_a_locked_pin_is_not_a_green_tick(admin_client, customer):
    lock_pin(customer)
    page = admin_client.get(reverse("admin:wallet_wallet_changelist")).content.decode()
    assert '<strong class="pin-locked">заблокирован</strong>' in page
    assert "icon-yes.svg" not in page and "icon-no.svg" not in page
    assert "FULL NAME" not in page.upper().replace("ИМЯ И ФАМИЛИЯ", "")
    assert "Имя и фамилия" in page


def test_admin_titles_read_in_russian(admin_client):
    service = Service.objects.get(slug="dostek")
    page = admin_client.get(reverse("admin:services_service_change", args=[service.pk])).content.decode()
    assert "Услуга: изменение" in page and "Изменить услуга" not in page
    listing = admin_client.get(reverse("admin:services_service_changelist")).content.decode()
    assert "Выберите услуга" not in listing and "<h1>Услуги</h1>" in listing


def test_the_history_list_has_no_untranslated_labels(admin_client):
    service = Service.objects.get(slug="dostek")
    service.position += 1
    service.save()
    page = admin_client.get(reverse("admin:services_service_history", args=[service.pk])).content.decode()
    assert "Изменения" in page and "Changes" not in page
    assert not re.search(r"<td>\s*None\s*</td>", page)


def test_the_kyrgyz_admin_has_our_labels_in_kyrgyz(admin_client, customer):
    admin_client.cookies["django_language"] = "ky"
    page = admin_client.get(reverse("admin:wallet_wallet_changelist")).content.decode()
    assert "Full name" not in page and "FULL NAME" not in page
    for russian in ("Имя и фамилия", "Номер кошелька", "Кошельки"):
        assert russian not in page, russian


def test_seed_demo_creates_one_staff_user_per_role_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    for username, group in [
        ("agent", "Агент"),
        ("supervisor", "Старший смены"),
        ("trainer", "Тренер"),
        ("cashier", "Кассир"),
    ]:
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert user.check_password(f"elsom-demo-{username}")
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert f"elsom-demo-{username}" in out.getvalue()
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.filter(username__in=["agent", "supervisor", "trainer", "cashier"]).count() == 4
    client = Client()
    assert client.post(reverse("staff:login"), {"username": "agent", "password": "elsom-demo-agent"}).status_code == 302
    assert client.get(reverse("staff:home")).status_code == 200


def test_dostek_call_centre_on_the_pay_form_done_page_and_receipt(signed_in, holder, dostek):
    form = signed_in.get(reverse("cabinet:pay_form", args=["dostek"])).content.decode()
    assert "0312 960 888" in form and "0312 986 000" in form

    payment = make_payment(wallet=holder, service=dostek, amount="10", key="cc")
    for url in (reverse("cabinet:pay_done", args=[payment.code]), reverse("cabinet:receipt", args=[payment.code])):
        page = signed_in.get(url).content.decode()
        assert "0312 960 888" in page and "DosTek group" in page, url


def test_dostek_number_comes_from_settings_when_the_catalog_has_none(signed_in, settings):
    Service.objects.get(slug="dostek").provider.__class__.objects.filter(code="dostek").update(call_centre_phone="")
    settings.DOSTEK_CALL_CENTRE_PHONE = "0312 000 111"
    assert "0312 000 111" in signed_in.get(reverse("cabinet:pay_form", args=["dostek"])).content.decode()
