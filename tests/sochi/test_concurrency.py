"""Racing requests on a real database file (SQLite) or server (PostgreSQL): one txn_id credits once, one company's
balance and reports stay consistent, the fault counter is spent exactly."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from sochi.faults import fault_set, fault_take
from sochi.models import BalanceEntry, EntryKind, FaultMode, Payment, Report, ReportStatus
from sochi.payments import balance_verify
from tests.helpers import values_of_concurrent
from tests.sochi.conftest import ALA_TOO, AUTH, BISHKEK_TRADE, SOCHI_URLS, balance, parse_answer, pay_params

# serialized_rollback, like the wallet's own committing tests: the flush afterwards must not take the wallet's seeded
# catalog (and content types) away from the tests that follow in this process.
pytestmark = [SOCHI_URLS, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 8


def race(target, arguments: list) -> list:
    """Run target(argument) in one thread per argument, all released at once; returns the results in order."""
    return values_of_concurrent(len(arguments), lambda index: target(arguments[index]))


def post_pay(params: dict) -> dict:
    response = Client().get("/osmp/", params, HTTP_AUTHORIZATION=AUTH)
    assert response.status_code == 200, response.content
    return parse_answer(response.content)


@pytest.fixture
def seeded_file_db():
    call_command("sochi_seed", stdout=StringIO())


def test_simultaneous_pays_with_one_txn_id_credit_once(seeded_file_db):
    """8 identical pays at once: all answer 0 with the same prv_txn; one payment, one credit, the sum once."""
    # when
    answers = race(post_pay, [pay_params("900001", amount="100.00")] * THREADS)
    # then
    assert {answer["result"] for answer in answers} == {"0"}
    assert len({answer["prv_txn"] for answer in answers}) == 1
    assert Payment.objects.filter(txn_id="900001").count() == 1
    assert BalanceEntry.objects.filter(kind=EntryKind.CREDIT).count() == 1
    assert balance(ALA_TOO) == Decimal("100.00")
    assert balance_verify() == []


def test_simultaneous_pays_with_one_txn_id_for_two_companies_credit_one_of_them(seeded_file_db):
    """The same txn_id sent for two accounts at once: exactly one is credited; the others get 0 (the same request
    as the winner) or 300 (the other account), never a second credit."""
    # given
    requests = [pay_params("900002", account=ALA_TOO if index % 2 else BISHKEK_TRADE) for index in range(THREADS)]
    # when
    answers = race(post_pay, requests)
    # then
    payment = Payment.objects.get(txn_id="900002")
    for request, answer in zip(requests, answers, strict=True):
        expected = "0" if request["account"] == payment.account else "300"
        assert answer["result"] == expected
    assert balance(ALA_TOO) + balance(BISHKEK_TRADE) == Decimal("100.00")
    assert Payment.objects.count() == 1


def test_simultaneous_pays_to_one_company_all_count_and_send_each_report_once(seeded_file_db):
    """8 different payments of 200 som to Бишкек Трейд at once: 1 600 som in; its reports (350 + 350 + 500) are each
    sent once, oldest first; the cached balance equals credits - debits."""
    # when
    answers = race(
        post_pay, [pay_params(f"91000{index}", account=BISHKEK_TRADE, amount="200") for index in range(THREADS)]
    )
    # then
    assert {answer["result"] for answer in answers} == {"0"}
    assert len({answer["prv_txn"] for answer in answers}) == THREADS
    assert Report.objects.filter(company__inn=BISHKEK_TRADE, status=ReportStatus.SENT).count() == 3
    assert BalanceEntry.objects.filter(kind=EntryKind.DEBIT).count() == 3
    assert balance(BISHKEK_TRADE) == Decimal("1600.00") - Decimal("1200.00")
    assert balance_verify() == []


def test_a_counted_fault_is_spent_exactly_under_concurrency():
    """temporary --count 3 and 8 calls at once: exactly 3 get the fault, then the switch is back at normal."""
    # given
    fault_set(mode=FaultMode.TEMPORARY, count=3)
    # when
    faults = race(lambda _: fault_take(command="status", valid=True).mode, list(range(THREADS)))
    # then
    assert sorted(faults).count(FaultMode.TEMPORARY) == 3
    assert faults.count(FaultMode.NORMAL) == THREADS - 3
