"""/osmp/companies/: a training tool's company registration (a trainee's own customer company), guarded like the
fault switch: demo installations only, the protocol's credentials."""

import pytest

from sochi.models import Company, CompanyStatus, CompanyUser
from tests.sochi.conftest import ALA_TOO, AUTH, SOCHI_URLS

pytestmark = [SOCHI_URLS, pytest.mark.django_db]
INN = "01502201900107"


def post(client, auth: str | None = AUTH, **fields):
    headers = {"HTTP_AUTHORIZATION": auth} if auth is not None else {}
    return client.post("/osmp/companies/", fields, **headers)


def test_a_company_is_registered_active_with_the_demo_pins_and_renamed_on_a_repeat(client, osmp):
    # when
    first = post(client, inn=INN, name="ОсОО «Тулпар Строй»")
    again = post(client, inn=INN, name="ОсОО «Манас Консалт»")
    check = osmp(command="check", txn_id="1", account=INN, sum="100.00")
    # then
    assert first.status_code == 200
    assert first.json() == {"inn": INN, "name": "ОсОО «Тулпар Строй»", "created": True}
    assert again.json() == {"inn": INN, "name": "ОсОО «Манас Консалт»", "created": False}
    company = Company.objects.get(inn=INN)
    assert company.status == CompanyStatus.ACTIVE and company.accepts_payments
    assert CompanyUser.objects.filter(company=company).count() == 2
    assert check.result == 0 and check["fields"]["name"] == "ОсОО «Манас Консалт»"
    assert first["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"inn": "123", "name": "ОсОО «X»"}, "14"),
        ({"inn": "91502201900107", "name": "ОсОО «X»"}, "ИНН"),
        ({"inn": INN, "name": ""}, "название"),
    ],
)
def test_a_bad_inn_or_name_is_400_and_registers_nothing(client, fields, error):
    response = post(client, **fields)
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert not Company.objects.exists()


def test_the_endpoint_needs_the_protocol_credentials_and_post(client):
    assert post(client, auth=None, inn=INN, name="ОсОО «X»").status_code == 401
    assert client.get("/osmp/companies/", HTTP_AUTHORIZATION=AUTH).status_code == 405
    assert not Company.objects.exists()


def test_with_faults_disabled_the_endpoint_is_404(client, settings):
    settings.SOCHI_FAULTS_ENABLED = False
    assert post(client, inn=ALA_TOO, name="ОсОО «X»").status_code == 404
    assert not Company.objects.exists()
