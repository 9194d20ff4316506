"""The branch cash desk's receipt number is the server's: drawn when the amount form opens, kept in the session,
shown by the pages, never read from the browser. A forged number is not credited; a double submit credits once."""

import re
from decimal import Decimal

import pytest

from audit.models import AuditEntry
from cashdesk.operations import BRANCH_CHANNEL, receipt_key
from ledger.models import LedgerAccount
from wallet.selectors import cash_in_get

pytestmark = pytest.mark.django_db
BRANCH = "/staff/cash-desk/"
FORGED = "KB991231-424242"


def balance(wallet) -> Decimal:
    return LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance


def shown_receipt(page) -> str:
    return re.search(r'data-testid="receipt-number">[^<]*?(KB[0-9]{6}-[0-9]{6})', page.content.decode()).group(1)


@pytest.fixture
def cashier(console):
    return console("cashier")


def test_a_forged_receipt_number_is_not_credited(cashier, make_wallet):
    """The browser posts a number of its choosing: the credit carries the server's number; the forged one has none."""
    # given
    wallet = make_wallet()
    form_page = cashier.get(BRANCH, {"phone": wallet.phone})
    drawn = shown_receipt(form_page)
    assert 'name="receipt"' not in form_page.content.decode()
    data = {"phone": wallet.phone, "amount": "300", "id_checked": "on", "receipt": FORGED}

    # when
    confirm_page = cashier.post(BRANCH, data)
    done = cashier.post(BRANCH, {**data, "confirm": "1"})

    # then
    assert shown_receipt(confirm_page) == drawn and 'name="receipt"' not in confirm_page.content.decode()
    assert done.status_code == 302 and drawn in done["Location"] and FORGED not in done["Location"]
    assert cash_in_get(idempotency_key=receipt_key(channel=BRANCH_CHANNEL, receipt=FORGED)) is None
    assert cash_in_get(idempotency_key=receipt_key(channel=BRANCH_CHANNEL, receipt=drawn)).amount == Decimal("300")
    assert AuditEntry.objects.get().after["receipt"] == drawn


def test_a_confirm_without_an_operation_started_credits_nothing(cashier, make_wallet):
    """A crafted confirm POST (no amount form opened in this session) goes back to the amount with a new number."""
    wallet = make_wallet()
    data = {"phone": wallet.phone, "amount": "300", "id_checked": "on", "receipt": FORGED, "confirm": "1"}
    page = cashier.post(BRANCH, data)
    assert page.status_code == 200 and "Операция начата заново" in page.content.decode()
    assert balance(wallet) == 0 and not AuditEntry.objects.exists()
    assert shown_receipt(page) != FORGED


def test_the_operation_of_one_wallet_does_not_confirm_for_another(cashier, make_wallet):
    first, second = make_wallet(), make_wallet(phone="+996555000222")
    cashier.get(BRANCH, {"phone": first.phone})
    data = {"phone": second.phone, "amount": "300", "id_checked": "on", "confirm": "1"}
    assert "Операция начата заново" in cashier.post(BRANCH, data).content.decode()
    assert balance(first) == balance(second) == 0


def test_a_double_submit_of_the_confirm_page_credits_once_and_the_next_operation_gets_a_new_number(
    cashier, make_wallet
):
    # given
    wallet = make_wallet()
    drawn = shown_receipt(cashier.get(BRANCH, {"phone": wallet.phone}))
    data = {"phone": wallet.phone, "amount": "700", "id_checked": "on"}
    cashier.post(BRANCH, data)

    # when
    first = cashier.post(BRANCH, {**data, "confirm": "1"})
    second = cashier.post(BRANCH, {**data, "confirm": "1"})

    # then
    assert first["Location"] == second["Location"] and drawn in first["Location"]
    assert balance(wallet) == Decimal("700.00") and AuditEntry.objects.count() == 1

    # and the next cash handed in («Далее» again, even from the old page) is its own operation
    next_confirm = cashier.post(BRANCH, {**data, "amount": "50"})
    assert shown_receipt(next_confirm) != drawn
    cashier.post(BRANCH, {**data, "amount": "50", "confirm": "1"})
    assert balance(wallet) == Decimal("750.00") and AuditEntry.objects.count() == 2
