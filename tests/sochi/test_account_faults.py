"""Faults for one company (AccountFault, by the INN the protocol calls account) beside the global switch: which
calls they act on, counting, holding until released, expiry, clearing, the endpoint and `sochi_fault --account`."""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sochi import osmp_views
from sochi.faults import DROP_KEY, fault_set, fault_state, fault_take
from sochi.models import AccountFault, Payment
from tests.sochi.conftest import ALA_TOO, AUTH, BISHKEK_TRADE, NARYN, SOCHI_URLS, UNKNOWN, balance, pay_params

pytestmark = [SOCHI_URLS, pytest.mark.usefixtures("seeded")]


@pytest.fixture
def no_sleep(monkeypatch):
    slept: list[float] = []
    monkeypatch.setattr(osmp_views, "sleep", slept.append)
    return slept


def post_fault(client, auth=AUTH, **fields):
    return client.post("/osmp/faults/", fields, HTTP_AUTHORIZATION=auth)


def dropped(reply) -> bool:
    return reply.response.status_code == 503 and reply.response.wsgi_request.META.get(DROP_KEY) is not None


# --- which calls, for which company ---------------------------------------------------------------------------------


def test_answer_lost_for_one_inn_leaves_the_other_companies_alone(osmp):
    """Two companies: the faulty one's pay is credited and its answer dropped, the other's pay answers at once;
    status answers truthfully for both (the global answer-lost's semantics, per INN)."""
    # given
    fault_set(mode="answer-lost", account=ALA_TOO)
    # when
    lost = osmp(**pay_params("1", account=ALA_TOO))
    fine = osmp(**pay_params("2", account=BISHKEK_TRADE))
    check = osmp(command="check", txn_id="3", account=ALA_TOO, sum="10")
    status = osmp(command="status", txn_id="1")
    # then
    assert dropped(lost) and lost.response.wsgi_request.META[DROP_KEY] == "answer-lost"
    assert fine.result == 0 and fine["prv_txn"]
    assert check.result == 0
    assert status.result == 0 and status["found"] == "1" and status["account"] == ALA_TOO
    assert balance(ALA_TOO) == 100 and balance(BISHKEK_TRADE) == 100
    assert fault_state()["mode"] == "normal"  # the global switch is untouched


def test_refuse_account_for_one_inn_answers_5_to_its_check_and_pay_only(osmp):
    # given
    fault_set(mode="refuse-account", account=NARYN)
    # when
    check = osmp(command="check", txn_id="1", account=NARYN, sum="10")
    pay = osmp(**pay_params("1", account=NARYN))
    other = osmp(**pay_params("2", account=ALA_TOO))
    # then
    assert check.result == pay.result == 5
    assert other.result == 0
    assert not Payment.objects.filter(account=NARYN).exists()


def test_an_every_call_mode_reaches_status_by_the_register_account(osmp):
    """temporary for an INN: its check, pay and the status of its payments answer 1; a status about another
    company's payment, or about a txn_id never credited, answers normally."""
    # given
    osmp(**pay_params("1", account=ALA_TOO))
    osmp(**pay_params("2", account=BISHKEK_TRADE))
    fault_set(mode="temporary", account=ALA_TOO)
    # when
    results = {
        "check": osmp(command="check", txn_id="3", account=ALA_TOO, sum="10").result,
        "pay": osmp(**pay_params("4", account=ALA_TOO)).result,
        "status": osmp(command="status", txn_id="1").result,
        "other status": osmp(command="status", txn_id="2").result,
        "unknown status": osmp(command="status", txn_id="999").result,
        "other pay": osmp(**pay_params("5", account=BISHKEK_TRADE)).result,
    }
    # then
    assert results == {"check": 1, "pay": 1, "status": 1, "other status": 0, "unknown status": 0, "other pay": 0}


@pytest.mark.parametrize("mode", ["down", "timeout"])
def test_down_and_timeout_for_one_inn_credit_nothing_there(osmp, no_sleep, mode):
    # given
    fault_set(mode=mode, account=ALA_TOO, delay="2" if mode == "timeout" else None)
    # when
    faulty = osmp(**pay_params("1", account=ALA_TOO))
    fine = osmp(**pay_params("2", account=BISHKEK_TRADE))
    # then
    assert dropped(faulty) and faulty.response.wsgi_request.META[DROP_KEY] == mode
    assert fine.result == 0
    assert list(Payment.objects.values_list("account", flat=True)) == [BISHKEK_TRADE]
    assert no_sleep == ([2.0] if mode == "timeout" else [])


def test_slow_for_one_inn_waits_only_for_it(osmp, no_sleep):
    # given
    fault_set(mode="slow", delay="0.25", account=ALA_TOO)
    # when
    osmp(**pay_params("1", account=BISHKEK_TRADE))
    slow = osmp(**pay_params("2", account=ALA_TOO))
    # then
    assert slow.result == 0
    assert no_sleep == [0.25]


def test_a_malformed_call_naming_the_inn_is_not_touched(osmp):
    # given
    fault_set(mode="temporary", account=ALA_TOO, count=1)
    # when
    reply = osmp(command="pay", txn_id="1", account=ALA_TOO)  # no sum
    # then
    assert reply.result == 300
    assert AccountFault.objects.get(account=ALA_TOO).count == 1


# --- count, hold, expiry, and the global switch ---------------------------------------------------------------------


def test_a_counted_account_fault_is_spent_only_by_its_own_calls_then_removed(osmp):
    """count 2: other companies' calls and calls the mode does not act on keep it; then 5, 5, and the real answer."""
    # given
    fault_set(mode="refuse-account", account=NARYN, count=2)
    # when
    osmp(**pay_params("1", account=ALA_TOO))
    osmp(command="status", txn_id="1")
    kept = AccountFault.objects.get(account=NARYN).count
    results = [osmp(command="check", txn_id=str(n), account=NARYN, sum="10").result for n in range(2, 5)]
    # then
    assert kept == 2
    assert results == [5, 5, 0]
    assert not AccountFault.objects.exists()
    assert "accounts" not in fault_state()


def test_a_held_answer_lost_loses_every_pay_until_a_status_call_releases_it(osmp):
    """hold: the pay is credited once and its repeats are not answered either; a status call about another
    company's payment changes nothing; the first status call about the company's payment (the agent's «Спросить
    поставщика») answers the truth and releases the fault, so the next repeat is answered."""
    # given
    fault_set(mode="answer-lost", account=ALA_TOO, hold=True)
    # when
    first = osmp(**pay_params("1", account=ALA_TOO))
    repeat = osmp(**pay_params("1", account=ALA_TOO))
    osmp(**pay_params("2", account=BISHKEK_TRADE))
    other_status = osmp(command="status", txn_id="2")
    still_held = AccountFault.objects.filter(account=ALA_TOO).exists()
    status = osmp(command="status", txn_id="1")
    after = osmp(**pay_params("1", account=ALA_TOO))
    # then
    assert dropped(first) and dropped(repeat)
    assert other_status["found"] == "1" and still_held
    assert status.result == 0 and status["found"] == "1" and status["account"] == ALA_TOO
    assert not AccountFault.objects.exists()
    assert after.result == 0 and after["prv_txn"] == status["prv_txn"]
    assert balance(ALA_TOO) == 100  # credited once


def test_a_held_every_call_fault_answers_status_and_is_released_by_it(osmp):
    """A held temporary acts on check and pay but not on status: the status call is answered and ends it."""
    # given
    osmp(**pay_params("1", account=ALA_TOO))
    fault_set(mode="temporary", account=ALA_TOO, hold=True)
    # when
    pay = osmp(**pay_params("2", account=ALA_TOO))
    status = osmp(command="status", txn_id="1")
    again = osmp(**pay_params("2", account=ALA_TOO))
    # then
    assert pay.result == 1
    assert status.result == 0 and status["found"] == "1"
    assert again.result == 0


def test_an_expired_account_fault_no_longer_applies_and_is_not_listed(osmp):
    # given
    state = fault_set(mode="temporary", account=ALA_TOO, ttl=60)
    AccountFault.objects.filter(account=ALA_TOO).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when
    reply = osmp(**pay_params("1", account=ALA_TOO))
    # then
    assert state["expires_at"] is not None
    assert reply.result == 0
    assert "accounts" not in fault_state()
    assert not AccountFault.objects.exists()  # removed on the call that found it expired


def test_the_global_switch_wins_and_leaves_the_account_count_alone(osmp):
    # given
    fault_set(mode="answer-lost", account=ALA_TOO, count=1)
    fault_set(mode="temporary", count=1)
    # when
    first = osmp(**pay_params("1", account=ALA_TOO))
    second = osmp(**pay_params("1", account=ALA_TOO))
    third = osmp(**pay_params("2", account=ALA_TOO))
    # then
    assert first.result == 1  # the global temporary
    assert dropped(second)  # then the account's answer-lost, used up
    assert third.result == 0
    assert fault_state() == {"mode": "normal", "count": None, "delay": None, "set_at": fault_state()["set_at"]}


def test_clearing_the_global_switch_keeps_the_account_faults_and_all_clears_them(osmp):
    # given
    fault_set(mode="down")
    fault_set(mode="answer-lost", account=ALA_TOO)
    fault_set(mode="refuse-account", account=NARYN)
    # when
    fault_set(mode="normal")
    kept = [row["account"] for row in fault_state()["accounts"]]
    cleared = fault_set(mode="normal", account="all")
    # then
    assert kept == sorted([ALA_TOO, NARYN])
    assert cleared == {"account": "all", "mode": "normal", "cleared": 2}
    assert "accounts" not in fault_state()
    assert fault_take(command="pay", valid=True, account=ALA_TOO).mode == "normal"


# --- the endpoint ---------------------------------------------------------------------------------------------------


def test_the_endpoint_sets_an_account_fault_and_lists_it_beside_the_global_one(client):
    # when
    global_state = post_fault(client, mode="slow", delay="0.5").json()
    response = post_fault(client, mode="answer-lost", account=ALA_TOO, hold="1", ttl="600")
    post_fault(client, mode="refuse-account", account=NARYN, count="2")
    shown = client.get("/osmp/faults/", HTTP_AUTHORIZATION=AUTH).json()
    # then
    assert response.status_code == 200
    state = response.json()
    assert (state["account"], state["mode"], state["count"], state["hold"]) == (ALA_TOO, "answer-lost", None, True)
    assert state["expires_at"].endswith("+06:00") and state["set_at"].endswith("+06:00")
    assert shown["mode"] == "slow" and shown["delay"] == 0.5 and shown["set_at"] == global_state["set_at"]
    by_account = {row["account"]: row for row in shown["accounts"]}
    assert by_account[ALA_TOO] == state
    assert by_account[NARYN]["count"] == 2
    assert [row["account"] for row in shown["accounts"]] == sorted(by_account)


def test_the_endpoint_clears_one_account_with_mode_normal(client):
    # given
    post_fault(client, mode="temporary", account=ALA_TOO)
    post_fault(client, mode="temporary", account=NARYN)
    # when
    response = post_fault(client, mode="normal", account=ALA_TOO)
    # then
    assert response.json() == {
        "account": ALA_TOO,
        "mode": "normal",
        "count": None,
        "delay": None,
        "hold": False,
        "expires_at": None,
        "set_at": None,
    }
    assert [row["account"] for row in fault_state()["accounts"]] == [NARYN]


def test_an_unknown_inn_may_carry_a_fault(client, osmp):
    """СОЧИ does not judge the account: a fault for an INN it does not know acts on calls for it (result 5 anyway)."""
    # given
    post_fault(client, mode="temporary", account=UNKNOWN, count=1)
    # when
    reply = osmp(command="check", txn_id="1", account=UNKNOWN, sum="10")
    # then
    assert reply.result == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"mode": "down", "account": "123"}, "account"),
        ({"mode": "down", "account": "0210620151023X"}, "account"),
        ({"mode": "down", "account": "all"}, "all"),
        ({"mode": "normal", "account": "all", "ttl": "5"}, "all"),
        ({"mode": "answer-lost", "account": ALA_TOO, "hold": "1", "count": "1"}, "hold"),
        ({"mode": "answer-lost", "account": ALA_TOO, "hold": "maybe"}, "hold"),
        ({"mode": "answer-lost", "account": ALA_TOO, "ttl": "0"}, "ttl"),
        ({"mode": "answer-lost", "account": ALA_TOO, "ttl": "1.5"}, "ttl"),
        ({"mode": "answer-lost", "account": ALA_TOO, "ttl": "9999999"}, "ttl"),
        ({"mode": "normal", "account": ALA_TOO, "hold": "1"}, "normal"),
        ({"mode": "normal", "account": ALA_TOO, "count": "1"}, "count"),
        ({"mode": "down", "account": ALA_TOO, "delay": "1"}, "delay"),
        ({"mode": "answer-lost", "hold": "1"}, "account"),
        ({"mode": "answer-lost", "ttl": "60"}, "account"),
    ],
)
def test_a_bad_account_fault_is_400_and_changes_nothing(client, fields, error):
    # given
    post_fault(client, mode="temporary", account=NARYN, count="2")
    # when
    response = post_fault(client, **fields)
    # then
    assert response.status_code == 400
    assert error in response.json()["error"]
    assert [(row.account, row.mode, row.count) for row in AccountFault.objects.all()] == [(NARYN, "temporary", 2)]
    assert fault_state()["mode"] == "normal"


def test_with_faults_disabled_an_account_fault_left_set_does_nothing(osmp, settings):
    # given
    fault_set(mode="temporary", account=ALA_TOO)
    settings.SOCHI_FAULTS_ENABLED = False
    # when
    reply = osmp(**pay_params("1", account=ALA_TOO))
    # then
    assert reply.result == 0


# --- sochi_fault --account ------------------------------------------------------------------------------------------


def test_the_sochi_fault_command_sets_lists_and_clears_an_account_fault():
    # when
    out = StringIO()
    call_command("sochi_fault", "answer-lost", "--account", ALA_TOO, "--hold", "--ttl", "900", stdout=out)
    shown = StringIO()
    call_command("sochi_fault", stdout=shown)
    cleared = StringIO()
    call_command("sochi_fault", "normal", "--account", "all", stdout=cleared)
    # then
    state = json.loads(out.getvalue())
    assert (state["account"], state["mode"], state["hold"]) == (ALA_TOO, "answer-lost", True)
    assert json.loads(shown.getvalue())["accounts"] == [state]
    assert json.loads(cleared.getvalue())["cleared"] == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["answer-lost", "--hold"], "--account"),
        (["answer-lost", "--ttl", "60"], "--account"),
        (["--account", ALA_TOO], "MODE"),
        (["down", "--account", "12"], "14 digits"),
        (["down", "--account", "all"], "all"),
        (["answer-lost", "--account", ALA_TOO, "--hold", "--count", "1"], "hold"),
    ],
)
def test_the_sochi_fault_command_refuses_a_bad_account_fault(args, message):
    # when
    with pytest.raises(CommandError, match=message):
        call_command("sochi_fault", *args, stdout=StringIO())
    # then
    assert not AccountFault.objects.exists()
