"""The OSMP protocol at /osmp/, in-process: every command, every result code, idempotent pay, authentication and
hostile input (never an HTTP 500, never a credit)."""

import base64
from decimal import Decimal

import pytest
from django.db import OperationalError

from sochi import payments
from sochi.models import BalanceEntry, Payment
from tests.sochi.conftest import (
    ALA_TOO,
    AUTH,
    BISHKEK_TRADE,
    CLOSED,
    NO_PAYMENTS,
    SOCHI_URLS,
    UNKNOWN,
    balance,
    pay_params,
)

pytestmark = [SOCHI_URLS, pytest.mark.usefixtures("seeded")]


def check_params(txn_id="1", account=ALA_TOO, amount="150.50"):
    return {"command": "check", "txn_id": txn_id, "account": account, "sum": amount}


# --- check ----------------------------------------------------------------------------------------------------------


def test_check_of_an_active_company_answers_0_with_its_name(osmp):
    """check: result 0, the sum echoed with two decimals, the company's name in <fields>, prv_txn present but empty."""
    # when
    reply = osmp(**check_params(amount="150.5"))
    # then
    assert reply.response.status_code == 200
    assert reply.response["Content-Type"] == "text/xml; charset=utf-8"
    assert reply.response["Cache-Control"] == "no-store"
    assert reply.result == 0
    assert reply["osmp_txn_id"] == "1"
    assert reply["sum"] == "150.50"
    assert reply["prv_txn"] == ""
    assert reply["fields"] == {"name": "ОсОО «Ала-Тоо Консалт»"}
    assert b"<prv_txn></prv_txn>" in reply.response.content


def test_check_changes_nothing(osmp):
    """check never credits."""
    # when
    osmp(**check_params())
    # then
    assert balance(ALA_TOO) == 0
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    ("account", "result", "name"),
    [
        (UNKNOWN, 5, None),
        (CLOSED, 79, "ОсОО «Старый Караван»"),
        (NO_PAYMENTS, 7, "ОсОО «Иссык-Куль Сервис»"),
    ],
)
def test_check_refuses_unknown_closed_and_forbidden_accounts(osmp, account, result, name):
    """5 for an unknown INN (no <fields>), 79 for a closed company, 7 where payments are forbidden; a company that
    exists is still named, so the wallet can tell the customer which one it is."""
    # when
    reply = osmp(**check_params(account=account))
    # then
    assert reply.result == result
    assert reply.xml.get("fields", {}).get("name") == name


@pytest.mark.parametrize(
    ("amount", "result"),
    [("0.99", 241), ("0", 241), ("1.00", 0), ("1", 0), ("500000.00", 0), ("500000.01", 242), ("999999999.99", 242)],
)
def test_check_sum_bounds(osmp, amount, result):
    """Below 1.00 som is 241, above 500 000.00 som is 242; both bounds themselves are accepted."""
    # when
    reply = osmp(**check_params(amount=amount))
    # then
    assert reply.result == result


@pytest.mark.parametrize(
    "account", ["0150320101001", "015032010100111", "0150320101001a", "", " 01503201010011", "٠١٥٠٣٢٠١٠١٠٠١١"]
)
def test_check_with_a_malformed_account_answers_4(osmp, account):
    """Anything but exactly 14 ASCII digits is a wrong account format (4), Arabic-Indic digits included."""
    # when
    reply = osmp(**check_params(account=account))
    # then
    assert reply.result == 4


# --- pay ------------------------------------------------------------------------------------------------------------


def test_pay_credits_the_company_and_answers_our_prv_txn(osmp):
    """pay: result 0 with a prv_txn of digits; the payment row, one credit entry and the balance agree."""
    # when
    reply = osmp(**pay_params("1001", amount="150.50"))
    # then
    assert reply.result == 0
    assert reply["osmp_txn_id"] == "1001"
    assert reply["sum"] == "150.50"
    assert reply["prv_txn"].isdigit()
    payment = Payment.objects.get(txn_id="1001")
    assert payment.prv_txn == reply["prv_txn"]
    assert payment.account == ALA_TOO
    assert payment.amount == Decimal("150.50")
    assert payment.txn_date == "20260115103000"
    assert payment.aggregator == "ELSOM"
    assert balance(ALA_TOO) == Decimal("150.50")
    assert BalanceEntry.objects.get(payment=payment).amount == Decimal("150.50")


def test_pay_over_post_works_like_get(osmp):
    """The parameters may come as a form body (POST) as well."""
    # when
    reply = osmp(method="POST", **pay_params("1002"))
    # then
    assert reply.result == 0
    assert balance(ALA_TOO) == Decimal("100.00")


def test_each_payment_gets_its_own_prv_txn(osmp):
    """Our numbers are unique and increasing."""
    # when
    first = osmp(**pay_params("2001"))
    second = osmp(**pay_params("2002", account=BISHKEK_TRADE))
    # then
    assert int(second["prv_txn"]) > int(first["prv_txn"])


def test_a_repeated_pay_answers_the_same_prv_txn_and_credits_once(osmp):
    """The aggregator repeats a pay whose answer it lost: same txn_id, account and sum -> 0, same prv_txn, once."""
    # given
    first = osmp(**pay_params("3001", amount="200"))
    # when
    second = osmp(**pay_params("3001", amount="200.00", txn_date="20260115103500"))
    # then
    assert second.result == 0
    assert second["prv_txn"] == first["prv_txn"]
    assert balance(ALA_TOO) == Decimal("200.00")
    assert Payment.objects.filter(txn_id="3001").count() == 1


@pytest.mark.parametrize(("account", "amount"), [(ALA_TOO, "200.01"), (BISHKEK_TRADE, "200.00")])
def test_a_reused_txn_id_with_another_sum_or_account_is_refused(osmp, account, amount):
    """The same txn_id with another sum or account is 300 and credits nothing more."""
    # given
    osmp(**pay_params("3002", amount="200.00"))
    # when
    reply = osmp(**pay_params("3002", account=account, amount=amount))
    # then
    assert reply.result == 300
    assert reply["prv_txn"] == ""
    assert balance(ALA_TOO) == Decimal("200.00")
    assert balance(BISHKEK_TRADE) == 0
    assert Payment.objects.count() == 1


@pytest.mark.parametrize(("account", "result"), [(UNKNOWN, 5), (CLOSED, 79), (NO_PAYMENTS, 7)])
def test_pay_runs_the_account_checks_and_credits_nothing(osmp, account, result):
    """pay refuses what check refuses."""
    # when
    reply = osmp(**pay_params("4001", account=account))
    # then
    assert reply.result == result
    assert reply["prv_txn"] == ""
    assert not Payment.objects.exists()
    assert not BalanceEntry.objects.exists()


@pytest.mark.parametrize(("amount", "result"), [("0.50", 241), ("500000.01", 242)])
def test_pay_outside_the_sum_bounds_credits_nothing(osmp, amount, result):
    # when
    reply = osmp(**pay_params("4002", amount=amount))
    # then
    assert reply.result == result
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "txn_date",
    ["", "2026011510300", "202601151030001", "20261315103000", "20260230103000", "20260115246000", "2026-01-15"],
)
def test_pay_with_a_bad_txn_date_is_refused(osmp, txn_date):
    """txn_date must be a real YYYYMMDDHHMMSS moment."""
    # when
    reply = osmp(**pay_params("4003", txn_date=txn_date))
    # then
    assert reply.result == 300
    assert not Payment.objects.exists()


def test_pay_without_txn_date_is_refused(osmp):
    # given
    params = pay_params("4004")
    del params["txn_date"]
    # when
    reply = osmp(**params)
    # then
    assert reply.result == 300
    assert "txn_date" in reply["comment"]
    assert not Payment.objects.exists()


def test_a_database_failure_during_pay_answers_90_and_credits_nothing(osmp, monkeypatch):
    """A pay that could not finish says so (90: repeat it), not 300, which would be final."""

    # given
    def broken(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(payments, "_credit", broken)
    # when
    reply = osmp(**pay_params("4005"))
    # then
    assert reply.result == 90
    assert not Payment.objects.exists()


def test_a_database_failure_during_check_answers_1(osmp, monkeypatch):
    """check and status answer 1 (temporary) when the database fails."""

    # given
    def broken(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr("sochi.osmp_views.account_check", broken)
    # when
    reply = osmp(**check_params())
    # then
    assert reply.result == 1


# --- status ---------------------------------------------------------------------------------------------------------


def test_status_of_a_credited_payment_shows_it(osmp):
    """status: found 1 with prv_txn, sum, account, txn_date and credited_at in ISO 8601 with the Bishkek offset."""
    # given
    paid = osmp(**pay_params("5001", amount="75.5"))
    # when
    reply = osmp(command="status", txn_id="5001")
    # then
    assert reply.result == 0
    assert reply["found"] == "1"
    assert reply["prv_txn"] == paid["prv_txn"]
    assert reply["sum"] == "75.50"
    assert reply["account"] == ALA_TOO
    assert reply["txn_date"] == "20260115103000"
    assert reply["credited_at"].endswith("+06:00")
    assert reply["credited_at"][10] == "T"


def test_status_of_an_unknown_payment_is_found_0(osmp):
    """A txn_id never credited: result 0, found 0, the other elements present and empty."""
    # when
    reply = osmp(command="status", txn_id="5002")
    # then
    assert reply.result == 0
    assert reply["found"] == "0"
    assert reply["prv_txn"] == reply["account"] == reply["credited_at"] == ""


def test_status_of_a_refused_pay_is_found_0(osmp):
    """A pay refused (here: unknown company) left no payment behind."""
    # given
    osmp(**pay_params("5003", account=UNKNOWN))
    # when
    reply = osmp(command="status", txn_id="5003")
    # then
    assert reply["found"] == "0"


# --- malformed requests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"command": "check"},
        {"command": "refund", "txn_id": "1", "account": ALA_TOO, "sum": "10"},
        {"command": "CHECK", "txn_id": "1", "account": ALA_TOO, "sum": "10"},
        {"command": "check", "account": ALA_TOO, "sum": "10"},
        {"command": "check", "txn_id": "", "account": ALA_TOO, "sum": "10"},
        {"command": "check", "txn_id": "12a", "account": ALA_TOO, "sum": "10"},
        {"command": "check", "txn_id": "1" * 21, "account": ALA_TOO, "sum": "10"},
        {"command": "check", "txn_id": "-1", "account": ALA_TOO, "sum": "10"},
        {"command": "check", "txn_id": "1", "sum": "10"},
        {"command": "check", "txn_id": "1", "account": ALA_TOO},
        {"command": "check", "txn_id": "1", "account": ALA_TOO, "sum": ""},
        {"command": "check", "txn_id": "1", "account": ALA_TOO, "sum": "10,50"},
        {"command": "check", "txn_id": "1", "account": ALA_TOO, "sum": "10.505"},
        {"command": "check", "txn_id": "1", "account": ALA_TOO, "sum": "-10"},
        {"command": "check", "txn_id": "1", "account": ALA_TOO, "sum": "1e3"},
        {"command": "check", "txn_id": "1", "account": ALA_TOO, "sum": "1234567890"},
        {"command": "check", "txn_id": "1", "account": ALA_TOO, "sum": "NaN"},
        {"command": "check", "txn_id": "1", "account": ALA_TOO, "sum": "10.50\n"},
        {"command": "status"},
        {"command": "status", "txn_id": "x"},
    ],
)
def test_malformed_or_missing_parameters_answer_300(osmp, params):
    """A missing, repeated or malformed parameter or an unknown command is 300 with a Russian comment, HTTP 200."""
    # when
    reply = osmp(**params)
    # then
    assert reply.response.status_code == 200
    assert reply.result == 300
    assert reply["comment"]


def test_a_repeated_parameter_answers_300_and_credits_nothing(osmp):
    """txn_id=1&txn_id=2 is ambiguous: refused, not resolved by picking one."""
    # when
    reply = osmp(query=f"command=pay&txn_id=1&txn_id=2&account={ALA_TOO}&sum=10&txn_date=20260115103000")
    # then
    assert reply.result == 300
    assert "txn_id" in reply["comment"]
    assert not Payment.objects.exists()


def test_a_parameter_in_both_query_and_body_counts_as_repeated(osmp, client):
    """POST with the sum in the query string and again in the body is refused."""
    # when
    response = client.post(
        f"/osmp/?sum=10&account={ALA_TOO}", {**pay_params("6001", amount="20")}, HTTP_AUTHORIZATION=AUTH
    )
    # then
    assert b"<result>300</result>" in response.content
    assert not Payment.objects.exists()


def test_an_echo_carries_only_valid_values(osmp):
    """A refused request's junk is not echoed: txn_id only when it is digits, sum only when it is a sum."""
    # when
    reply = osmp(query="command=check&txn_id=%3Cscript%3E&account=1&sum=%00")
    # then
    assert reply.result == 300
    assert reply["osmp_txn_id"] == ""
    assert reply["sum"] == ""


@pytest.mark.parametrize(
    "query",
    [
        "command=pay&txn_id=7001&account=01503201010011%00&sum=10&txn_date=20260115103000",
        "command=pay&txn_id=7001%00&account=01503201010011&sum=10&txn_date=20260115103000",
        "command=pay%00&txn_id=7001&account=01503201010011&sum=10&txn_date=20260115103000",
        "command=pay&txn_id=7001&account=01503201010011&sum=10%00&txn_date=20260115103000",
        "command=pay&txn_id=7001&account=01503201010011&sum=10&txn_date=20260115103000%00",
        "command=pay&txn_id=7001&account=%FF%FE%00%C3%28&sum=10&txn_date=20260115103000",
        "command=pay&txn_id=%E2%82&account=01503201010011&sum=10&txn_date=20260115103000",
        "command=pay&txn_id=7001&account=01503201010011&sum=%ZZ&txn_date=20260115103000",
        "command=pay&txn_id=7001&account=01503201010011&sum=10&txn_date=%",
        "command=p%61y&txn_id=%37001&account=0150320101001%D9%A1&sum=10&txn_date=20260115103000",
    ],
)
def test_nul_bytes_and_broken_encodings_are_refused_and_credit_nothing(osmp, query):
    """NUL bytes, invalid UTF-8 and broken percent-escapes: a protocol answer (300 or 4), no credit, no 500."""
    # when
    reply = osmp(query=query)
    # then
    assert reply.response.status_code == 200
    assert reply.result in (4, 300)
    assert not Payment.objects.exists()


def test_a_100_kb_query_string_is_refused_unread_and_credits_nothing(osmp):
    """A 100 KB query string, even one with valid pay parameters in it, is HTTP 413 with result 300."""
    # when
    reply = osmp(query=f"command=pay&txn_id=1&account={ALA_TOO}&sum=10&txn_date=20260115103000&junk={'x' * 100_000}")
    # then
    assert reply.response.status_code == 413
    assert reply.result == 300
    assert not Payment.objects.exists()


def test_a_100_kb_body_is_refused_unread_and_credits_nothing(client):
    """The same for a 100 KB form body."""
    # when
    body = f"command=pay&txn_id=1&account={ALA_TOO}&sum=10&txn_date=20260115103000&junk={'x' * 100_000}"
    response = client.generic(
        "POST", "/osmp/", body, content_type="application/x-www-form-urlencoded", HTTP_AUTHORIZATION=AUTH
    )
    # then
    assert response.status_code == 413
    assert b"<result>300</result>" in response.content
    assert not Payment.objects.exists()


def test_a_query_with_more_fields_than_django_reads_is_answered_300(osmp, settings):
    """TooManyFieldsSent (DATA_UPLOAD_MAX_NUMBER_FIELDS) is caught and answered in XML, not as a 400 page."""
    # given
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    # when
    reply = osmp(query="&".join(f"f{number}=1" for number in range(20)) + "&command=status&txn_id=1")
    # then
    assert reply.response.status_code == 200
    assert reply.result == 300


def test_a_body_bigger_than_django_reads_is_answered_300(client, settings):
    """RequestDataTooBig (DATA_UPLOAD_MAX_MEMORY_SIZE) is caught and answered in XML."""
    # given
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    # when
    response = client.generic(
        "POST",
        "/osmp/",
        "command=status&txn_id=1&x=" + "y" * 5000,
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=AUTH,
    )
    # then
    assert response.status_code == 200
    assert b"<result>300</result>" in response.content


def test_a_broken_multipart_body_is_answered_300(client):
    """A multipart body without its boundary cannot be read: 300, not a 400 page."""
    # when
    response = client.generic(
        "POST", "/osmp/", b"--x\r\nbroken", content_type="multipart/form-data", HTTP_AUTHORIZATION=AUTH
    )
    # then
    assert response.status_code == 200
    assert b"<result>300</result>" in response.content


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_an_xml_answer(osmp, method):
    # when
    reply = osmp(method=method)
    # then
    assert reply.response.status_code == 405
    assert reply.response["Allow"] == "GET, POST"
    assert reply.result == 300


def test_an_unexpected_error_answers_300_not_500(osmp, monkeypatch):
    """Anything unexpected outside a pay is 300 in XML."""

    # given
    def broken(params):
        raise RuntimeError("boom")

    monkeypatch.setattr("sochi.osmp_views.parse_request", broken)
    # when
    reply = osmp(**check_params())
    # then
    assert reply.response.status_code == 200
    assert reply.result == 300


# --- authentication -------------------------------------------------------------------------------------------------


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode("ascii")


@pytest.mark.parametrize(
    "auth",
    [
        None,
        "",
        _basic(b"elsom:wrong"),
        _basic(b"other:elsom-test-osmp"),
        _basic(b"elsom"),
        _basic(b"elsom:elsom-test-osmp "),
        _basic("элсом:пароль".encode()),
        "Basic !!!notbase64",
        "Basic",
        "Bearer abc",
        "Basic " + "A" * 10_000,
        "Basic \u00ff\u00fe",
        "Basic \u0416",
    ],
)
def test_bad_or_missing_credentials_are_401_and_credit_nothing(osmp, auth):
    """Missing, wrong, malformed or non-ASCII Authorization: HTTP 401 with the Basic challenge and result 300."""
    # when
    reply = osmp(auth=auth, **pay_params("8001"))
    # then
    assert reply.response.status_code == 401
    assert reply.response["WWW-Authenticate"] == 'Basic realm="osmp"'
    assert reply.result == 300
    assert not Payment.objects.exists()


def test_the_scheme_name_is_case_insensitive(osmp):
    # when
    reply = osmp(auth=AUTH.replace("Basic", "basic"), **check_params())
    # then
    assert reply.result == 0


def test_without_configured_credentials_everyone_is_refused(osmp, settings):
    """No credentials in the settings means nobody gets in (not everybody)."""
    # given
    settings.SOCHI_OSMP_USER = ""
    settings.SOCHI_OSMP_PASSWORD = ""
    # when
    reply = osmp(auth=_basic(b":"), **check_params())
    # then
    assert reply.response.status_code == 401


def test_an_address_outside_the_allowed_networks_is_403(osmp, client, settings):
    """With SOCHI_OSMP_ALLOWED_NETWORKS set, the right password from elsewhere is still refused."""
    # given
    settings.SOCHI_OSMP_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    # when
    outside = client.get("/osmp/", check_params(), HTTP_AUTHORIZATION=AUTH, REMOTE_ADDR="192.0.2.1")
    inside = client.get("/osmp/", check_params(), HTTP_AUTHORIZATION=AUTH, REMOTE_ADDR="10.1.2.3")
    # then
    assert outside.status_code == 403
    assert b"<result>300</result>" in outside.content
    assert inside.status_code == 200


def test_the_log_has_the_request_line_but_not_the_authorization(osmp, caplog):
    """Every request is logged (method, path, result) without credentials."""
    # when
    with caplog.at_level("INFO", logger="sochi.osmp"):
        osmp(**check_params(txn_id="424242"))
    # then
    text = caplog.text
    assert "GET /osmp/?command=check&txn_id=424242" in text
    assert "result 0" in text
    assert AUTH.split()[1] not in text
    assert "elsom-test-osmp" not in text


def test_csrf_is_not_required(client):
    """Server-to-server POSTs carry no CSRF token."""
    # given
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    # when
    response = strict.post("/osmp/", check_params(), HTTP_AUTHORIZATION=AUTH)
    # then
    assert b"<result>0</result>" in response.content
