"""No screen the engine can send is longer than one USSD message, in Russian or Kyrgyz."""

import pytest
from django.utils import translation

from tests.helpers import DEMO_INN
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
# The session stores where each answer stands in the gateway's text; these are the longest answers.
LONGEST_INPUTS = ["Я" * 60 + " " + "Я" * 60, "22002199500567", "01503201010011", "100000.00"]
LONGEST_DATA = {"lang": "ru", "name_at": 0, "inn_at": 1, "account_at": 2, "amount_at": 3, "holder": "Я" * 40}


def test_limits_are_those_of_160_octets():
    assert (GSM7_LIMIT, UCS2_LIMIT) == (182, 80)
    assert screen_size("ELSOM")[0] == "gsm7" and screen_size("ЭЛСОМ")[0] == "ucs2"
    assert screen_fits("a" * 182) and not screen_fits("a" * 183)
    assert screen_fits("я" * 80) and not screen_fits("я" * 81)
    assert screen_size("{" * 10)[1] == 20  # extension characters take two septets


def _all_screens(dostek, wallet):
    """Every prompt and menu page of every node, alone and under every error message, with the longest data."""
    ctx = Ctx(
        "s",
        phone_parse("+996555123456"),
        wallet,
        dict(LONGEST_DATA, category=dostek.category_id, service=dostek.pk),
        LONGEST_INPUTS,
        len(LONGEST_INPUTS),
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
def test_every_screen_fits_one_message(dostek, make_wallet, language):
    wallet = make_wallet()
    with translation.override(language):
        too_long = [
            (name, screen_size(text), text) for name, text in _all_screens(dostek, wallet) if not screen_fits(text)
        ]
        ends = [str(e) % PARAMS if "%(" in str(e) else str(e) for e in screens.END_MESSAGES]
    assert too_long == []
    assert [text for text in ends if not screen_fits(text)] == []


@pytest.mark.parametrize("language", ["ru", "ky"])
def test_confirm_screen_fits_for_every_service_at_its_largest_amount(make_wallet, language):
    """The confirm screen (account, amount, commission, PIN) fits for each catalog service at its maximum,
    and falls back to a compact form for an admin's extreme settings."""
    from services.models import Service

    wallet = make_wallet()

    def confirm(service, account, amount, error=""):
        data = {
            "service": service.pk,
            "account_at": 0,
            "amount_at": 1,
            "holder": "ОсОО «Очень Длинное Название Компании»",
        }
        ctx = Ctx("s", phone_parse("+996555123456"), wallet, data, [account, amount], 2)
        return screens.NODES["pay_confirm"].screen(ctx, error)

    with translation.override(language):
        for service in Service.objects.all():
            account = "9" * service.account_max_length
            if service.account_rule == "mobile_phone":
                account = "0555123456"
            elif service.account_rule == "payer_inn":
                account = DEMO_INN
            text = confirm(service, account, str(service.max_amount))
            assert screen_fits(text) and "PIN" in text, (service.slug, text)
            assert screen_fits(confirm(service, account, str(service.max_amount), "Неверный PIN. Осталось попыток: 2."))
        Service.objects.filter(slug="saima").update(
            account_max_length=30,
            account_label="Очень длинная подпись счета",
            max_amount="99999999.99",
            commission_percent="9.99",
        )
        service = Service.objects.get(slug="saima")
        text = confirm(service, "9" * 30, "99999999.99")
        assert screen_fits(text) and text.endswith("PIN:")


def test_a_long_catalog_menu_is_paged_within_the_limit():
    lines = [f"{n} Очень длинное название категории {n}" for n in range(1, 30)]
    pages = menu_pages("Оплатить счет", lines, back=True)
    assert len(pages) > 3
    assert all(screen_fits(page) for page in pages)
    assert all("98 Далее" in page for page in pages[:-1]) and "98 Далее" not in pages[-1]
    assert sum(page.count("Очень длинное") for page in pages) == len(lines)
