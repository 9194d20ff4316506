"""«История», receipts, and the pages themselves: layout, languages, 404/500, security headers, logs."""

import logging
from datetime import timedelta

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from ledger.models import Transfer
from services.models import Payment
from tests.cabinet.conftest import PASSWORD
from tests.helpers import DEMO_INN, make_payment

pytestmark = pytest.mark.django_db


def pay(wallet, service, amount, key):
    return make_payment(wallet=wallet, service=service, amount=amount, key=key)


def test_history_lists_top_ups_and_payments_newest_first(signed_in, holder, dostek):
    first = pay(holder, dostek, "100", "h-1")
    second = pay(holder, dostek, "200", "h-2")
    html = signed_in.get(reverse("cabinet:history")).content.decode()
    assert html.index(second.code) < html.index(first.code) < html.index("Пополнение")
    assert "+1 000.00" in html and "-200.00" in html
    assert reverse("cabinet:receipt", kwargs={"code": first.code}) in html


def test_history_date_filter(signed_in, holder, dostek):
    old = pay(holder, dostek, "100", "h-old")
    Payment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    recent = pay(holder, dostek, "200", "h-new")
    today = timezone.localdate()
    html = signed_in.get(reverse("cabinet:history"), {"date_from": (today - timedelta(days=7)).isoformat()}).content
    assert recent.code in html.decode() and old.code not in html.decode()
    until = (today - timedelta(days=30)).isoformat()
    html = signed_in.get(reverse("cabinet:history"), {"date_to": until}).content.decode()
    assert old.code in html and recent.code not in html and "Пополнение" not in html


def test_history_date_filter_refuses_reversed_range(signed_in):
    today = timezone.localdate()
    html = signed_in.get(
        reverse("cabinet:history"), {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    ).content.decode()
    assert "позже" in html


def test_history_pages(signed_in, holder, dostek):
    codes = [pay(holder, dostek, "10", f"p-{n}").code for n in range(25)]
    page1 = signed_in.get(reverse("cabinet:history")).content.decode()
    page2 = signed_in.get(reverse("cabinet:history"), {"page": 2}).content.decode()
    assert codes[-1] in page1 and codes[0] not in page1
    assert codes[0] in page2 and "Пополнение" in page2
    assert "1 из 2" in page1 and "page=2" in page1


def test_history_shows_only_own_operations(signed_in, holder, make_wallet, dostek):
    other = make_wallet(balance="500")
    theirs = pay(other, dostek, "100", "other-1")
    html = signed_in.get(reverse("cabinet:history")).content.decode()
    assert theirs.code not in html
    assert html.count("Пополнение") == 1


def test_receipt_is_own_only_others_are_404(signed_in, holder, make_wallet, dostek):
    mine = pay(holder, dostek, "100", "mine-1")
    other = make_wallet(balance="500")
    theirs = pay(other, dostek, "100", "theirs-1")
    html = signed_in.get(reverse("cabinet:receipt", kwargs={"code": mine.code})).content.decode()
    assert mine.code in html and DEMO_INN in html and "900.00" in html
    assert signed_in.get(reverse("cabinet:receipt", kwargs={"code": theirs.code})).status_code == 404
    assert signed_in.get(reverse("cabinet:pay_done", kwargs={"code": theirs.code})).status_code == 404
    assert signed_in.get(reverse("cabinet:receipt", kwargs={"code": "000000000000"})).status_code == 404


def test_receipt_prints_on_a4(client):
    css = (settings.BASE_DIR / "static" / "css" / "portal.css").read_text()
    assert "@media print" in css and "size: A4" in css


def test_history_reads_cash_ins_from_the_ledger(holder):
    from cabinet.selectors import WalletOperations

    operations = WalletOperations(wallet=holder)[:10]
    assert [op.kind for op in operations] == ["cash_in"]
    assert operations[0].amount == Transfer.objects.get(credit_account=holder.ledger_account).amount


# --- pages -----------------------------------------------------------------------------------------------


def test_csp_header_without_inline_script(client):
    response = client.get(reverse("cabinet:entry"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "<script" not in response.content.decode()


def test_every_form_has_a_csrf_token(signed_in, holder):
    for url in (reverse("cabinet:home"), reverse("cabinet:pay_form", kwargs={"slug": "dostek"})):
        html = signed_in.get(url).content.decode()
        forms = html.count("<form")
        assert forms > 0, f"no form on {url}: the page to check is not the one that was meant"
        assert forms == html.count("csrfmiddlewaretoken"), url


def test_404_page_in_the_layout(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html and "portal-header" in html


def test_500_page_renders_without_a_request():
    html = render_to_string("500.html")
    assert "Что-то пошло не так" in html and "portal-header" in html


@pytest.mark.parametrize(
    "language,texts",
    [
        ("ky", ["Кирүү", "ЭЛСОМ капчыгынын номери"]),
        ("en", ["Sign in", "ELSOM wallet number"]),
        ("ru", ["Войти", "Номер кошелька ЭЛСОМ"]),
    ],
)
def test_language_switch(client, language, texts):
    response = client.post(reverse("set_language"), {"language": language, "next": "/"}, follow=True)
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    for text in texts:
        assert text in html


def test_russian_is_the_default(client):
    assert '<html lang="ru">' in client.get("/", HTTP_ACCEPT_LANGUAGE="").content.decode()


def test_cabinet_in_kyrgyz(signed_in):
    signed_in.post(reverse("set_language"), {"language": "ky", "next": "/"})
    html = signed_in.get(reverse("cabinet:category", kwargs={"slug": "other"})).content.decode()
    assert "Башкалар" in html and "Кызматтар" in html


def test_no_password_or_code_in_logs(client, holder, sms_outbox, caplog):
    caplog.set_level(logging.DEBUG)
    client.post(reverse("cabinet:entry"), {"phone": holder.phone})
    client.post(reverse("cabinet:password"), {"password": "Secret-Wrong-Pass-9"})
    client.post(reverse("cabinet:password"), {"password": PASSWORD})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Secret-Wrong-Pass-9" not in logged and PASSWORD not in logged


def test_pages_have_titles_and_labels(signed_in):
    for url in (
        reverse("cabinet:home"),
        reverse("cabinet:services"),
        reverse("cabinet:history"),
        reverse("cabinet:pay_form", kwargs={"slug": "dostek"}),
        reverse("cabinet:password_change"),
    ):
        html = signed_in.get(url).content.decode()
        assert "<title>" in html and "— кошелек ЭЛСОМ</title>" in html, url
        assert html.count("<input") - html.count('type="hidden"') <= html.count("<label"), url
