"""«Скачать PDF» on the receipt: the A4 receipt printed by Chromium (core/pdf.py), with the payment code, the
company, the state as it stands and both call-centres; the holder's own payments only."""

from decimal import Decimal

import pytest
from django.urls import reverse

from services.payments import payment_execute
from tests.helpers import DEMO_INN, pdf_pages

pytestmark = pytest.mark.django_db

COMPANY = "ОсОО «Ала-Тоо Консалт»"


@pytest.fixture
def pay(holder, dostek, settings):
    """A DosTek payment of the signed-in holder, with the company name DosTek's check returned."""

    def make(adapter: str, key: str):
        settings.PROVIDER_ADAPTERS = {"dostek": f"tests.integration.test_payment_lifecycle.{adapter}"}
        return payment_execute(
            wallet=holder,
            service=dostek,
            account=DEMO_INN,
            amount=Decimal("100"),
            idempotency_key=key,
            channel="web",
            account_holder=COMPANY,
        )

    return make


def test_the_receipt_page_links_its_pdf(signed_in, pay):
    payment = pay("AcceptingProvider", "page")
    html = signed_in.get(reverse("cabinet:receipt", args=[payment.code])).content.decode()
    assert f'href="{reverse("cabinet:receipt_pdf", args=[payment.code])}"' in html and "Скачать PDF" in html
    assert 'data-testid="provider">DosTek group<' in html  # the company: the provider, and the name it returned
    assert 'data-state="committed"' in html


def test_the_holder_downloads_the_receipt_as_a_pdf(signed_in, pay, settings):
    # given a committed payment
    payment = pay("AcceptingProvider", "pdf")
    # when the holder downloads its PDF
    response = signed_in.get(reverse("cabinet:receipt_pdf", args=[payment.code]))
    # then it is a real one-page PDF of that receipt
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="elsom-{payment.code}.pdf"'
    assert "no-store" in response["Cache-Control"]
    pages = pdf_pages(response.content)
    assert len(pages) == 1
    text = " ".join(pages[0].split())
    assert payment.code in text and "DosTek group" in text and COMPANY in text
    assert "Платеж проведен" in text and payment.provider_txn_id in text
    assert settings.CALL_CENTRE_PHONE in text and settings.DOSTEK_CALL_CENTRE_PHONE in text


def test_a_payment_in_progress_says_so_in_its_pdf(signed_in, pay):
    """The provider has not answered: the PDF does not pass for a proof of payment."""
    payment = pay("SilentProvider", "silent")
    response = signed_in.get(reverse("cabinet:receipt_pdf", args=[payment.code]))
    text = " ".join(pdf_pages(response.content)[0].split())
    assert payment.code in text and "Платеж в обработке" in text and "не подтверждает оплату" in text
    assert "Платеж проведен" not in text


def test_another_holders_receipt_pdf_is_404(signed_in, make_wallet, dostek):
    stranger = make_wallet(balance="1000")
    theirs = payment_execute(
        wallet=stranger, service=dostek, account=DEMO_INN, amount=Decimal("100"), idempotency_key="x", channel="web"
    )
    assert signed_in.get(reverse("cabinet:receipt_pdf", args=[theirs.code])).status_code == 404
    assert signed_in.get(reverse("cabinet:receipt_pdf", args=["000000000000"])).status_code == 404


def test_signed_out_the_pdf_asks_to_sign_in(client, paid_payment):
    response = client.get(reverse("cabinet:receipt_pdf", args=[paid_payment.code]))
    assert response.status_code == 302 and response["Content-Type"] != "application/pdf"


def test_when_chromium_fails_the_holder_is_sent_back_to_the_page(signed_in, pay, monkeypatch):
    from core import pdf

    payment = pay("AcceptingProvider", "broken")
    monkeypatch.setattr(pdf, "CHROMIUM", "/nonexistent/chromium")
    response = signed_in.get(reverse("cabinet:receipt_pdf", args=[payment.code]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("cabinet:receipt", args=[payment.code])
    assert "PDF сейчас не получается сделать" in response.content.decode()
