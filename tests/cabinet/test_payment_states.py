"""The truth on every screen: the done page, the receipt and the history say in words where a payment stands, and
nothing 404s because a payment is not committed yet."""

import pytest
from django.urls import reverse

from tests.helpers import make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def pay(holder, dostek, settings):
    def make(adapter: str, key: str):
        settings.PROVIDER_ADAPTERS = {"dostek": f"tests.integration.test_payment_lifecycle.{adapter}"}
        return make_payment(wallet=holder, service=dostek, amount="100", key=key)

    return make


@pytest.mark.parametrize(
    ("adapter", "state", "words", "refreshes"),
    [
        ("AcceptingProvider", "committed", "Оплата прошла успешно", False),
        ("SilentProvider", "reserved", "Платёж в обработке", True),
        ("RefusingProvider", "aborted", "Платеж отменен", False),
    ],
)
def test_the_done_page_tells_the_state(signed_in, pay, adapter, state, words, refreshes):
    payment = pay(adapter, f"k-{state}")
    html = signed_in.get(reverse("cabinet:pay_done", args=[payment.code])).content.decode()
    assert f'data-state="{state}"' in html and words in html
    assert ('http-equiv="refresh"' in html) is refreshes


def test_receipt_and_history_show_the_state_in_words(signed_in, pay):
    reserved, aborted, committed = (
        pay("SilentProvider", "a"),
        pay("RefusingProvider", "b"),
        pay("AcceptingProvider", "c"),
    )
    receipt = signed_in.get(reverse("cabinet:receipt", args=[reserved.code])).content.decode()
    assert receipt.count("в обработке") >= 1
    committed_receipt = signed_in.get(reverse("cabinet:receipt", args=[committed.code])).content.decode()
    assert committed.provider_txn_id in committed_receipt and "проведен" in committed_receipt
    history = signed_in.get(reverse("cabinet:history")).content.decode()
    assert "в обработке" in history and "отменен, средства возвращены" in history
    assert reserved.code in history and aborted.code in history
