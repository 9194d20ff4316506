"""The web cabinet against a real СОЧИ server, in Chromium: a payment made while СОЧИ is slow shows «в обработке»
and turns «проведен» by itself once the worker gets the answer; a closed company is refused at the confirm step
and nothing is charged."""

import pytest
from django.core.management import call_command

from tests.cabinet.e2e.test_cabinet_flow import fill_dostek, sign_in, with_web_account
from tests.helpers import DEMO_INN
from tests.provider.conftest import TIMEOUT, dostek_osmp, sochi  # noqa: F401
from tests.sochi.conftest import CLOSED, sochi_server, sochi_server_session  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_a_payment_while_sochi_is_slow_is_in_progress_then_committed_without_a_reload(
    live_server,
    make_page,
    shot,
    dostek_osmp,  # noqa: F811
):
    from services.models import Payment

    wallet = with_web_account("+996555700100")
    page = make_page()
    sign_in(page, live_server.url, wallet.phone)
    fill_dostek(page, "700")
    holder = page.get_by_test_id("account-holder")
    assert holder.inner_text() == "ОсОО «Ала-Тоо Консалт»"
    shot(page, "01-confirm-with-company-name")

    dostek_osmp.set_fault("slow", delay=TIMEOUT + 2, count=1)  # СОЧИ takes longer than we wait
    page.get_by_role("button", name="Оплатить").click()
    state = page.get_by_test_id("payment-state")
    assert state.get_attribute("data-state") == "reserved"
    assert "Платёж в обработке" in page.content()
    shot(page, "02-in-progress")
    payment = Payment.objects.get(wallet=wallet)
    assert payment.status == "reserved"

    # The worker asks СОЧИ again (same txn_id): the slow call was credited there; the page notices by itself.
    call_command("process_payments", "--all")
    page.wait_for_selector('[data-testid="payment-state"][data-state="committed"]', timeout=15_000)
    assert "Оплата прошла успешно" in page.content()
    assert page.get_by_test_id("provider-txn").inner_text() == Payment.objects.get(pk=payment.pk).provider_txn_id
    shot(page, "03-committed")
    credits = [row for row in dostek_osmp.balance(DEMO_INN)["credits"] if row["txn_id"] == payment.code]
    assert len(credits) == 1


def test_a_closed_company_is_refused_at_the_confirm_step(live_server, make_page, shot, dostek_osmp):  # noqa: F811
    from services.models import Payment

    wallet = with_web_account("+996555700101")
    page = make_page()
    sign_in(page, live_server.url, wallet.phone)
    fill_dostek(page, "100", inn=CLOSED)
    error = page.locator("#id_account_error")
    assert "закрыт" in error.inner_text()
    assert page.get_by_role("button", name="Далее").is_visible()  # still the form: no confirm page
    shot(page, "01-closed-company")
    assert not Payment.objects.exists()
    wallet.ledger_account.refresh_from_db()
    assert str(wallet.balance) == "5000.00"
