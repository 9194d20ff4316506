"""txn_id is QIWI's payment number (up to 20 digits), so СОЧИ keys payments by the number: "0"+txn_id is the same
payment (answered as a repeat, never credited anew) in pay and in status; what is not such a number is refused."""

from decimal import Decimal

import pytest

from sochi.models import BalanceEntry, Payment
from sochi.osmp import parse_request
from tests.sochi.conftest import ALA_TOO, BISHKEK_TRADE, SOCHI_URLS, balance, pay_params

pytestmark = [SOCHI_URLS, pytest.mark.usefixtures("seeded")]


@pytest.mark.parametrize("again", ["07001", "007001", "0" * 30 + "7001"])
def test_a_leading_zero_names_the_same_payment_and_credits_once(osmp, again):
    # given
    first = osmp(**pay_params("7001", amount="100.00"))

    # when
    second = osmp(**pay_params(again, amount="100.00"))

    # then
    assert first.result == 0 and second.result == 0
    assert second["prv_txn"] == first["prv_txn"]
    assert second["osmp_txn_id"] == "7001"
    assert Payment.objects.count() == 1 and BalanceEntry.objects.count() == 1
    assert balance(ALA_TOO) == Decimal("100.00")


def test_a_leading_zero_with_another_sum_is_the_reused_txn_id_refusal(osmp):
    """As for the plain number: the same payment with another sum or account is 300, nothing credited."""
    osmp(**pay_params("7002", amount="100.00"))
    assert osmp(**pay_params("07002", amount="999.00")).result == 300
    assert osmp(**pay_params("07002", account=BISHKEK_TRADE, amount="100.00")).result == 300
    assert balance(ALA_TOO) == Decimal("100.00") and balance(BISHKEK_TRADE) == Decimal("0")
    assert Payment.objects.count() == 1


def test_a_payment_made_with_a_leading_zero_is_stored_and_found_by_its_number(osmp):
    paid = osmp(**pay_params("0007003"))
    assert Payment.objects.get().txn_id == "7003"
    for asked in ("7003", "07003", "0007003"):
        reply = osmp(command="status", txn_id=asked)
        assert reply.result == 0 and reply["found"] == "1" and reply["prv_txn"] == paid["prv_txn"], asked
        assert reply["osmp_txn_id"] == "7003"


@pytest.mark.parametrize(
    "txn_id",
    ["0", "000", "1" * 21, "0" + "1" * 21, "+7004", "-7004", " 7004", "7004 ", "7e3", "７００４", "٧٠٠٤", "0x1b"],
)
def test_what_is_not_a_payment_number_is_refused(osmp, txn_id):
    """Result 300 before anything is written, in pay, check and status."""
    for params in (pay_params(txn_id), {"command": "status", "txn_id": txn_id}):
        reply = osmp(**params)
        assert reply.result == 300, (txn_id, params["command"])
    assert not Payment.objects.exists()


def test_the_parser_gives_the_number_without_zeros():
    parsed = parse_request({"command": ["status"], "txn_id": ["00012345678901234567890"]})
    assert parsed.valid and parsed.txn_id == "12345678901234567890"
