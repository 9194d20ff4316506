"""Property: whatever a peer puts into /osmp/'s parameters (valid values, random text, random bytes, missing fields,
GET or POST), the answer is well-formed XML with a known result code, never a 500, and money moves only for a pay
answered with result 0."""

from decimal import Decimal
from urllib.parse import quote_from_bytes

import pytest
from defusedxml import ElementTree
from django.db.models import Sum
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sochi.models import BalanceEntry, Company, EntryKind, Payment
from sochi.osmp import Result
from tests.sochi.conftest import ALA_TOO, AUTH, BISHKEK_TRADE, CLOSED, NO_PAYMENTS, SOCHI_URLS, UNKNOWN

pytestmark = [SOCHI_URLS, pytest.mark.usefixtures("seeded")]

KNOWN_RESULTS = {int(result) for result in Result}


def raw(valid, near_miss):
    """A value as bytes, or None for "not sent": 70 % valid-looking (so that pays do get credited), else a near miss,
    any text or any bytes at all (invalid UTF-8, NUL, '&', '=')."""
    junk = st.one_of(near_miss.map(str.encode), st.text(max_size=30).map(str.encode), st.binary(max_size=30), st.none())
    return st.integers(0, 9).flatmap(lambda n: valid.map(str.encode) if n < 7 else junk)


FIELDS = {
    "command": raw(st.sampled_from(["pay", "pay", "pay", "check", "status"]), st.sampled_from(["Pay", "refund", ""])),
    "txn_id": raw(st.from_regex(r"\A[0-9]{1,20}\Z"), st.from_regex(r"\A(-?[0-9]{21,25}|[0-9]+ )\Z")),
    "account": raw(
        st.sampled_from([ALA_TOO, ALA_TOO, BISHKEK_TRADE, CLOSED, NO_PAYMENTS, UNKNOWN]),
        st.sampled_from(["0150320101001", "015032010100111", "01503201010011\n"]),
    ),
    "sum": raw(
        st.integers(100, 50_000_000).map(lambda tyiyn: f"{tyiyn // 100}.{tyiyn % 100:02d}"),
        st.from_regex(r"\A[0-9]{1,10}([.,][0-9]{0,4})?\Z"),
    ),
    "txn_date": raw(st.just("20260115103000"), st.sampled_from(["20260230103000", "2026011510300", ""])),
}

requests = st.fixed_dictionaries(FIELDS).map(lambda fields: {k: v for k, v in fields.items() if v is not None})


def credits_total() -> Decimal:
    return BalanceEntry.objects.filter(kind=EntryKind.CREDIT).aggregate(total=Sum("amount"))["total"] or Decimal(0)


def balances() -> dict[str, Decimal]:
    return dict(Company.objects.values_list("inn", "balance"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=requests, method=st.sampled_from(["GET", "POST"]), duplicate=st.sampled_from([None] * 10 + list(FIELDS)))
def test_any_parameters_get_a_well_formed_answer_and_money_moves_only_for_a_paid_pay(client, fields, method, duplicate):
    # given
    pairs = list(fields.items())
    if duplicate and duplicate in fields:
        pairs.append((duplicate, fields[duplicate]))
    encoded = "&".join(f"{name}={quote_from_bytes(value, safe='')}" for name, value in pairs)
    credits_before, balances_before, payments_before = credits_total(), balances(), Payment.objects.count()
    # when
    if method == "GET":
        response = client.generic("GET", f"/osmp/?{encoded}", HTTP_AUTHORIZATION=AUTH)
    else:
        response = client.generic(
            "POST", "/osmp/", encoded, content_type="application/x-www-form-urlencoded", HTTP_AUTHORIZATION=AUTH
        )
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ElementTree.fromstring(response.content)
    assert root.tag == "response"
    result = int(root.findtext("result"))
    assert result in KNOWN_RESULTS
    event(f"result {result}{' pay' if fields.get('command') == b'pay' else ''}")
    paid = fields.get("command") == b"pay" and result == 0
    if not paid:
        assert credits_total() == credits_before
        assert balances() == balances_before
        assert Payment.objects.count() == payments_before
    else:
        new_payments = Payment.objects.count() - payments_before
        assert new_payments in (0, 1)  # 0: the repeat of a pay already credited
        assert credits_total() - credits_before == (Decimal(root.findtext("sum")) if new_payments else 0)
