"""One search box for what a caller says: the number in any usual form, a payment code, an INN (personal: the
wallet; a company's: the payments to it), an email, a name. Anything else gets a clear message, never a 500."""

import pytest
from django.urls import reverse

from staff.selectors import console_search
from tests.helpers import DEMO_INN

pytestmark = pytest.mark.django_db


@pytest.fixture
def found(customer):
    return customer


@pytest.mark.parametrize(
    "typed",
    [
        "0555 {a} {b} {c}",
        "0555{a}{b}{c}",
        "+996 555 {a}{b}{c}",
        "996555{a}{b}{c}",
        "555-{a}-{b}-{c}",
        "(0555) {a}{b}{c}",
    ],
)
def test_a_number_in_any_usual_form_finds_the_wallet(found, typed):
    digits = found.phone[7:]
    query = typed.format(a=digits[:2], b=digits[2:4], c=digits[4:])
    hits = console_search(query=query).hits
    assert [h.wallet.pk for h in hits] == [found.pk], query


def test_a_payment_code_finds_the_payment_and_its_customer(found):
    hits = console_search(query=found.committed.code).hits
    assert [(h.wallet.pk, h.payment.pk) for h in hits] == [(found.pk, found.committed.pk)]


def test_a_company_inn_finds_the_payments_made_to_it(found):
    hits = console_search(query=DEMO_INN).hits
    assert [h.payment.pk for h in hits] == [found.committed.pk]


def test_a_personal_inn_finds_the_wallet(found):
    hits = console_search(query=found.inn).hits
    assert found.pk in [h.wallet.pk for h in hits if h.payment is None]


def test_an_email_finds_the_web_account_holder(found):
    assert [h.wallet.pk for h in console_search(query=f"  {found.phone[1:].upper()}@EXAMPLE.KG ").hits] == [found.pk]


@pytest.mark.parametrize("typed", ["Айгуль", "айгуль", "АСАНОВА", "асанова айгуль", "Айгуль Асан"])
def test_a_name_finds_the_wallet_whatever_the_case(found, typed):
    assert found.pk in [h.wallet.pk for h in console_search(query=typed).hits]


def test_the_page_lists_the_results_with_a_link_to_the_customer(console, found):
    page = console("agent").get(reverse("staff:home"), {"q": "0" + found.phone[4:]}).content.decode()
    assert reverse("staff:customer", args=[found.phone[1:]]) in page


@pytest.mark.parametrize(
    "query",
    ["x" * 100_000, "\x00\x00", "0555\x00123", "'; DROP TABLE wallet; --", "%%%", "😀😀", "9" * 40, "@", "-", "12"],
)
def test_whatever_is_typed_the_page_answers(console, found, query):
    response = console("agent").get(reverse("staff:home"), {"q": query})
    assert response.status_code == 200
    assert 'data-testid="results"' not in response.content.decode()


def test_nothing_found_is_said(console, found):
    page = console("agent").get(reverse("staff:home"), {"q": "0700 99 99 99"}).content.decode()
    assert 'data-testid="no-results"' in page


def _search_form(page: str) -> str:
    start = page.index('role="search"')
    return page[page.rindex("<form", 0, start) : page.index("</form>", start)]


@pytest.mark.parametrize("where", ["home", "customer", "payment"])
def test_every_console_page_offers_the_search_and_a_new_one_is_typed_where_the_agent_is(console, found, where):
    agent = console("agent")
    url = {
        "home": reverse("staff:home"),
        "customer": reverse("staff:customer", args=[found.phone[1:]]),
        "payment": reverse("staff:payment", args=[found.committed.code]),
    }[where]
    form = _search_form(agent.get(url).content.decode())
    assert 'method="get"' in form and f'action="{reverse("staff:home")}"' in form
    assert 'name="q"' in form and 'maxlength="100"' in form and "Найти" in form
    # the search page focuses the box; a customer's or a payment's page does not take the focus from what is read
    assert ("autofocus" in form) == (where == "home")
    # where no label is shown the box still has an accessible name
    assert "Номер, код платежа, ИНН, email или имя" in form


def test_the_search_box_speaks_the_agents_language(console, found):
    agent = console("agent")
    agent.post(reverse("set_language"), {"language": "en", "next": "/staff/"})
    form = _search_form(agent.get(reverse("staff:customer", args=[found.phone[1:]])).content.decode())
    assert "Найти" not in form and "Новый поиск" not in form
