"""The quote and the payment against DosTek group's real СОЧИ (OSMP on loopback): the company name from the
provider's check, its refusals, no answer, and a payment the provider has not answered yet."""

import pytest

from services.models import Payment
from tests.api.conftest import assert_error
from tests.provider.conftest import dostek_osmp, sochi  # noqa: F401  (the real СОЧИ for these tests)
from tests.sochi.conftest import ALA_TOO, CLOSED, UNKNOWN, sochi_server, sochi_server_session  # noqa: F401

pytestmark = pytest.mark.django_db


def quote(app, dostek, account, amount="100"):
    return app.post("/payments/quote", {"service_id": dostek.pk, "account": account, "amount": amount})


def test_the_quote_names_the_company_and_the_payment_keeps_it(app, device, dostek, dostek_osmp):  # noqa: F811
    answer = quote(app, dostek, ALA_TOO)
    assert answer.status_code == 200 and answer.json()["account_holder"] == "ОсОО «Ала-Тоо Консалт»"
    paid = app.post(
        "/payments",
        {"service_id": dostek.pk, "account": ALA_TOO, "amount": "100", "pin": "2580"},
        headers={"Idempotency-Key": "ala-too"},
    )
    assert paid.status_code == 201 and paid.json()["status"] == "committed"
    assert paid.json()["account_holder"] == "ОсОО «Ала-Тоо Консалт»"
    assert Payment.objects.get().account_holder == "ОсОО «Ала-Тоо Консалт»"


@pytest.mark.parametrize("account", [CLOSED, UNKNOWN])
def test_the_providers_refusal_is_a_400_before_any_money_moves(app, device, dostek, dostek_osmp, account):  # noqa: F811
    body = assert_error(quote(app, dostek, account), 400, "provider_refused")
    assert body["params"]["result"] is not None and body["message"]
    assert not Payment.objects.exists()


def test_no_answer_is_a_503_and_a_payment_then_stays_in_progress(app, device, dostek, dostek_osmp):  # noqa: F811
    dostek_osmp.set_fault("down")
    assert_error(quote(app, dostek, ALA_TOO), 503, "provider_unavailable")
    paid = app.post(
        "/payments",
        {"service_id": dostek.pk, "account": ALA_TOO, "amount": "100", "pin": "2580"},
        headers={"Idempotency-Key": "in-progress"},
    )
    assert paid.status_code == 201
    payment = paid.json()
    assert payment["status"] == "in_progress" and payment["completed_at"] is None
    assert payment["status_label"] == "в обработке" and payment["message"]
    assert app.get(f"/payments/{payment['code']}").json()["status"] == "in_progress"
