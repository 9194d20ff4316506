"""No screen the engine can send is longer than one USSD message, in Russian or Kyrgyz."""

import pytest
from django.utils import translation

from ussd import screens
from ussd.engine import menu_pages
from ussd.gsm import GSM7_LIMIT, UCS2_LIMIT, screen_fits, screen_size
from ussd.nodes import MSG_BAD_CHOICE, Ctx, Input, Menu
from wallet.phone import phone_parse

pytestmark = pytest.mark.django_db


ERRORS = [*screens.RETRY_MESSAGES, MSG_BAD_CHOICE]
PARAMS = {
    "min": "100 000.00",
    "max": "100 000.00",
    "balance": "9 999 999.99",
    "left": "2",
    "phone": "0312 986 000",
    "code": "123456789012",
}
LONGEST_DATA = {
    "lang": "ru",
    "name": "Я" * 60 + " " + "Я" * 60,
    "inn": "22002199500567",
    "category": None,
    "service": None,
    "account": "01503201010011",
    "amount": "100000.00",
    "commission": "0.00",
}


def test_limits_are_those_of_160_octets():
    assert (GSM7_LIMIT, UCS2_LIMIT) == (182, 80)
    assert screen_size("ELSOM")[0] == "gsm7" and screen_size("ЭЛСОМ")[0] == "ucs2"
    assert screen_fits("a" * 182) and not screen_fits("a" * 183)
    assert screen_fits("я" * 80) and not screen_fits("я" * 81)
    assert screen_size("{" * 10)[1] == 20  # extension characters take two septets


def _all_screens(dostek):
    """Every prompt and menu page of every node, alone and under every error message, with the longest data."""
    ctx = Ctx(
        "s",
        phone_parse("+996555123456"),
        None,
        dict(LONGEST_DATA, category=dostek.category_id, service=dostek.pk),
        [],
        0,
    )
    for name, node in screens.NODES.items():
        if isinstance(node, Menu):
            for page in menu_pages(node.prompt(ctx), node.option_lines(ctx), node.back):
                yield name, page
        else:
            assert isinstance(node, Input)
            yield name, node.screen(ctx)
            for error in ERRORS:
                text = str(error)
                yield name, node.screen(ctx, text % PARAMS if "%(" in text else text)


@pytest.mark.parametrize("language", ["ru", "ky"])
def test_every_screen_fits_one_message(dostek, language):
    with translation.override(language):
        too_long = [(name, screen_size(text), text) for name, text in _all_screens(dostek) if not screen_fits(text)]
        ends = [str(e) % PARAMS if "%(" in str(e) else str(e) for e in screens.END_MESSAGES]
    assert too_long == []
    assert [text for text in ends if not screen_fits(text)] == []


@pytest.mark.parametrize("language", ["ru", "ky"])
def test_confirm_screen_fits_for_every_service_at_its_largest_amount(language):
    """The confirm screen (account, amount, commission, PIN) fits for each catalog service at its maximum,
    and falls back to a compact form for an admin's extreme settings."""
    from services.models import Service

    with translation.override(language):
        for service in Service.objects.all():
            amount = service.max_amount
            data = {
                "service": service.pk,
                "account": "9" * service.account_max_length,
                "amount": str(amount),
                "commission": str(service.commission_for(amount)),
            }
            ctx = Ctx("s", phone_parse("+996555123456"), None, data, [], 0)
            text = screens.NODES["pay_confirm"].screen(ctx)
            assert screen_fits(text), (service.slug, text)
            assert screen_fits(screens.NODES["pay_confirm"].screen(ctx, "Неверный PIN. Осталось попыток: 2."))
        Service.objects.filter(slug="saima").update(account_max_length=30, account_label="Очень длинная подпись счета")
        service = Service.objects.get(slug="saima")
        data = {"service": service.pk, "account": "9" * 30, "amount": "99999999.99", "commission": "9999999.99"}
        text = screens.NODES["pay_confirm"].screen(Ctx("s", phone_parse("+996555123456"), None, data, [], 0))
        assert screen_fits(text) and text.endswith("PIN:")


def test_a_long_catalog_menu_is_paged_within_the_limit():
    lines = [f"{n} Очень длинное название категории {n}" for n in range(1, 30)]
    pages = menu_pages("Оплатить счет", lines, back=True)
    assert len(pages) > 3
    assert all(screen_fits(page) for page in pages)
    assert all("98 Далее" in page for page in pages[:-1]) and "98 Далее" not in pages[-1]
    assert sum(page.count("Очень длинное") for page in pages) == len(lines)
