"""GET /payments/{code}/pdf: the receipt as a PDF for the app, the holder's own payments only."""

import pytest

from tests.api.conftest import assert_error
from tests.helpers import make_payment, pdf_pages

pytestmark = pytest.mark.django_db


def test_the_app_downloads_its_receipt(app, device, wallet, dostek, settings):
    # given a payment of the signed-in holder
    payment = make_payment(wallet=wallet, service=dostek, amount="100", key="api-pdf")
    # when the app asks for its PDF
    response = app.get(f"/payments/{payment.code}/pdf")
    # then it gets the receipt, printed
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="elsom-{payment.code}.pdf"'
    assert "no-store" in response["Cache-Control"]
    text = " ".join(pdf_pages(response.content)[0].split())
    assert payment.code in text and "DosTek group" in text and "Платеж проведен" in text
    assert settings.CALL_CENTRE_PHONE in text and settings.DOSTEK_CALL_CENTRE_PHONE in text


def test_another_holders_receipt_is_404_in_the_apis_shape(app, device, make_wallet, dostek):
    theirs = make_payment(wallet=make_wallet(balance="1000"), service=dostek, amount="100", key="theirs")
    assert_error(app.get(f"/payments/{theirs.code}/pdf"), 404, "payment_not_found")
    assert_error(app.get("/payments/not-a-code/pdf"), 404, "payment_not_found")


def test_without_a_token_it_is_401(app, paid_payment):
    assert_error(app.get(f"/payments/{paid_payment.code}/pdf"), 401, "token_required")


def test_the_schema_documents_the_pdf(app):
    paths = app.get("/openapi.json").json()["paths"]
    operation = paths["/api/v1/payments/{code}/pdf"]["get"]
    assert "application/pdf" in operation["responses"]["200"]["content"]
    assert {"401", "404", "503"} <= set(operation["responses"])
