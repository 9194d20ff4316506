"""Real transactions: ten concurrent pays with one Idempotency-Key make one payment and one posting, and the SQL
statements of a pay and a quote stay within the speed issue's budgets (pay <= 12, quote <= 6)."""

import re
from contextlib import contextmanager

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ledger.models import LedgerAccount, Posting, PostingKind
from services.models import Payment
from services.verify import books_violations
from tests.api.conftest import COMPANY_INN, ApiClient
from tests.helpers import values_of_concurrent

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.I)
PAY_BUDGET, QUOTE_BUDGET = 12, 6
THREADS = 10


@contextmanager
def max_queries(budget: int):
    with CaptureQueriesContext(connection) as captured:
        yield captured
    data = [q["sql"] for q in captured.captured_queries if not CONTROL.match(q["sql"])]
    assert len(data) <= budget, f"{len(data)} queries > {budget}:\n" + "\n".join(sql[:160] for sql in data)


def test_ten_concurrent_pays_with_one_key_make_one_payment(make_wallet, dostek, sms_outbox):
    wallet = make_wallet(balance="1000")
    token = ApiClient(Client()).sign_in(wallet.phone, sms_outbox)["token"]
    body = {"service_id": dostek.pk, "account": COMPANY_INN, "amount": "100", "pin": "2580"}

    def work(_index: int) -> tuple[int, dict]:
        response = ApiClient(Client(), token=token).post("/payments", body, headers={"Idempotency-Key": "one-key"})
        return response.status_code, response.json()

    results = values_of_concurrent(THREADS, work)  # fails on any thread's error or a hung thread
    statuses = sorted(status for status, _body in results)
    assert set(statuses) <= {200, 201} and 201 in statuses, results
    assert len({body["code"] for _status, body in results}) == 1
    assert Payment.objects.count() == 1
    assert Posting.objects.filter(kind=PostingKind.RESERVE).count() == 1
    assert str(LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance) == "900.00"
    assert not books_violations()


def test_pay_and_quote_stay_within_their_query_budgets(make_wallet, dostek, sms_outbox):
    wallet = make_wallet(balance="1000")
    app = ApiClient(Client())
    app.sign_in(wallet.phone, sms_outbox)
    body = {"service_id": dostek.pk, "account": COMPANY_INN, "amount": "100"}
    app.post("/payments/quote", body)  # the catalog and system accounts are cached per process, as in production
    app.post("/payments", {**body, "pin": "2580"}, headers={"Idempotency-Key": "warm"})
    with max_queries(QUOTE_BUDGET):
        assert app.post("/payments/quote", body).status_code == 200
    with max_queries(PAY_BUDGET):
        assert app.post("/payments", {**body, "pin": "2580"}, headers={"Idempotency-Key": "k2"}).status_code == 201
    with max_queries(PAY_BUDGET):
        assert app.post("/payments", {**body, "pin": "2580"}, headers={"Idempotency-Key": "k2"}).status_code == 200
