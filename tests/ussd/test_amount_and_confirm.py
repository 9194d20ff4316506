"""*900# amount and confirm screens: 0 is an amount (the screen shows no «0 Назад»), refused as the web and the app
refuse it; the confirm screen names the account by its label («ИНН компании: …») whatever the company's name, which
is shortened to fit the screen instead."""

import pytest
from django.utils import translation

from services.models import Payment
from services.providers import AcceptAllProvider, ProviderAccepted
from tests.helpers import DEMO_INN as INN
from ussd import screens
from ussd.gsm import screen_fits
from ussd.models import UssdSession
from ussd.nodes import Ctx
from wallet.phone import phone_parse

pytestmark = pytest.mark.django_db
PAY = ("3", "3", "14", "14")
PIN = "2580"
# Longer than any screen: the provider's check may name a company at any length.
LONG_NAME = "ОсОО «Кыргызская Международная Торгово-Промышленная Консалтинговая Компания Ала-Тоо Бишкек»"


class LongNameProvider(AcceptAllProvider):
    """DosTek's check naming the company with a very long name."""

    def check(self, *, account: str, amount) -> ProviderAccepted:
        return ProviderAccepted(account_holder=LONG_NAME)


@pytest.mark.parametrize("amount", ["0", "0.00", "000", "0,0"])
def test_amount_zero_says_it_must_be_positive_and_stays_on_the_amount_screen(dial, make_wallet, amount):
    wallet = make_wallet(balance="1000")
    screen = dial("zero", wallet.phone, *PAY, INN, amount)
    assert screen == "CON Сумма должна быть больше нуля.\nВведите сумму (сом):"
    assert UssdSession.objects.get(session_id="zero").state["stack"][-1] == "pay_amount"
    # the holder types a real amount on the same screen, and goes on to the confirm screen
    assert f"ИНН компании: {INN}" in dial("zero", wallet.phone, *PAY, INN, amount, "100")
    assert not Payment.objects.exists()


def test_amount_zero_in_kyrgyz(dial, make_wallet):
    wallet = make_wallet(balance="1000", language="ky")
    with translation.override("ky"):
        expected = f"CON {screens.MSG_AMOUNT_NOT_POSITIVE}\n{translation.gettext('Введите сумму (сом):')}"
    assert dial("zero-ky", wallet.phone, *PAY, INN, "0") == expected
    assert "нөлдөн" in expected


def test_amount_zero_in_a_one_shot_text_stops_there_and_pays_nothing(dial, make_wallet):
    wallet = make_wallet(balance="1000")
    assert dial("shot", wallet.phone, *PAY, INN, "0", PIN) == "CON Сумма должна быть больше нуля.\nВведите сумму (сом):"
    assert not Payment.objects.exists()


def test_double_zero_on_the_amount_screen_still_leads_home(dial, make_wallet):
    wallet = make_wallet(balance="1000")
    assert dial("home", wallet.phone, *PAY, INN, "00").startswith("CON ЭЛСОМ\n3 Платежи")


@pytest.mark.parametrize("language", ["ru", "ky"])
def test_the_confirm_screen_keeps_the_inn_label_and_shortens_a_long_company_name(dial, make_wallet, settings, language):
    # given: DosTek's check names the company with a name longer than the screen
    settings.PROVIDER_ADAPTERS = {"dostek": f"{__name__}.LongNameProvider"}
    wallet = make_wallet(balance="200000", language=language)

    # when: the largest amount
    screen = dial("long", wallet.phone, *PAY, INN, "100000")

    # then
    assert screen.startswith("CON ")
    text = screen.removeprefix("CON ")
    label = {"ru": "ИНН компании", "ky": "Компаниянын ИНН"}[language]  # the catalog's label, in each language
    lines = text.split("\n")
    assert f"{label}: {INN}" in lines
    assert lines[0].startswith("ОсОО «Кыргыз") and lines[0].endswith("…")
    assert screen_fits(text) and len(text) <= 80


@pytest.mark.parametrize(
    "holder",
    ["", "ОсОО «Ала-Тоо Консалт»", "ОсОО «Очень Длинное Название Компании»", "Я" * 40, "A" * 40],
)
def test_the_label_stays_for_every_length_of_name_and_every_commission(make_wallet, dostek, holder):
    """The finding: one company got «ИНН компании: …», another a bare INN. Here with and without a commission."""
    wallet = make_wallet()
    for commission in ("0.00", "9.99"):
        dostek.commission_percent = commission
        dostek.save(update_fields=["commission_percent"])
        data = {"service": dostek.pk, "account_at": 0, "amount_at": 1, "holder": holder}
        ctx = Ctx("s", phone_parse("+996555123456"), wallet, data, [INN, "100000"], 2)
        text = screens.NODES["pay_confirm"].screen(ctx)
        assert f"ИНН компании: {INN}" in text.split("\n"), text
        assert screen_fits(text), text
        if holder:
            assert text.split("\n")[0] in (holder, *(holder[: n - 1].rstrip() + "…" for n in range(8, len(holder))))
