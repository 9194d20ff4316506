"""«Услуги» -> «Другие» -> «DosTek group» -> «Далее» -> confirm («Назад» / «Оплатить») -> success."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.operations import SYSTEM
from cabinet import session as cabinet_session
from services.models import Payment
from sms.models import SmsKind
from tests.helpers import DEMO_INN as INN
from tests.helpers import make_payment

pytestmark = pytest.mark.django_db

FORM = reverse("cabinet:pay_form", kwargs={"slug": "dostek"})
CONFIRM = reverse("cabinet:pay_confirm", kwargs={"slug": "dostek"})


def balance(wallet) -> Decimal:
    wallet.ledger_account.refresh_from_db()
    return wallet.ledger_account.balance


def holder_cash_in(wallet, amount):
    from wallet.operations import cash_in

    cash_in(wallet=wallet, amount=Decimal(amount), channel="qiwi")


def confirm_data(client) -> dict:
    pending = client.session[cabinet_session.PENDING_KEY]
    return {"token": pending["token"], "account": pending["account"], "amount": pending["amount"]}


def test_services_then_other_then_dostek(signed_in):
    html = signed_in.get(reverse("cabinet:services")).content.decode()
    assert "Другие" in html and reverse("cabinet:category", kwargs={"slug": "other"}) in html
    html = signed_in.get(reverse("cabinet:category", kwargs={"slug": "other"})).content.decode()
    assert "DosTek group" in html and FORM in html


def test_cabinet_shows_name_number_balance_and_sections(signed_in, holder):
    html = signed_in.get(reverse("cabinet:home")).content.decode()
    assert "Айгуль Асанова" in html
    assert "0" + holder.phone[4:7] in html
    assert "1 000.00" in html
    assert "Услуги" in html and "История" in html


def test_pay_form_has_inn_then_amount_and_dalee(signed_in):
    html = " ".join(signed_in.get(FORM).content.decode().split())
    account, amount = html.index('for="id_account"'), html.index('for="id_amount"')
    assert account < html.index("ИНН компании", account) < amount < html.index("Сумма", amount) < html.index("Далее")


@pytest.mark.parametrize(
    "typed,expected", [("100", "100.00"), ("100.50", "100.50"), ("100,50", "100.50"), ("1 000", "1000.00")]
)
def test_amount_forms_accepted(signed_in, typed, expected):
    response = signed_in.post(FORM, {"account": INN, "amount": typed})
    assert response.status_code == 302 and response["Location"] == CONFIRM
    assert signed_in.session[cabinet_session.PENDING_KEY]["amount"] == expected


@pytest.mark.parametrize(
    "typed,message",
    [
        ("", "Обязательное поле"),
        ("0", "больше нуля"),
        ("-5", "больше нуля"),
        ("10.555", "двух знаков"),
        ("abc", "числом"),
        ("5", "Минимальная сумма платежа: 10.00"),
        ("100001", "Максимальная сумма платежа: 100 000.00"),
        ("1000.01", "Недостаточно средств. Баланс: 1 000.00"),
    ],
)
def test_bad_amounts_are_refused_next_to_the_field_and_nothing_charged(signed_in, holder, typed, message):
    response = signed_in.post(FORM, {"account": INN, "amount": typed})
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html.split('id="id_amount_error"')[1].split("</div>")[0]
    assert cabinet_session.PENDING_KEY not in signed_in.session
    assert balance(holder) == Decimal("1000.00") and not Payment.objects.exists()


@pytest.mark.parametrize(
    "typed,message",
    [
        ("", "Обязательное поле"),
        ("0150320101001", "ровно из 14 цифр"),
        ("015032010100111", "ровно из 14 цифр"),
        ("0150320101001a", "ровно из 14 цифр"),
        ("０１５０３２０１０１００１１", "ровно из 14 цифр"),
        ("31503201010011", "начинается с 0"),
    ],
)
def test_bad_inn_is_refused_next_to_the_field(signed_in, holder, typed, message):
    html = signed_in.post(FORM, {"account": typed, "amount": "100"}).content.decode()
    assert message in html.split('id="id_account_error"')[1].split("</div>")[0]
    assert not Payment.objects.exists()


def test_inn_spaces_are_stripped(signed_in):
    signed_in.post(FORM, {"account": " 0150 3201 0100 11 ", "amount": "100"})
    assert signed_in.session[cabinet_session.PENDING_KEY]["account"] == INN


def test_confirm_shows_service_inn_amount_commission_total_and_both_buttons(signed_in, holder):
    holder_cash_in(holder, "1000")
    signed_in.post(FORM, {"account": INN, "amount": "1 234,50"})
    html = signed_in.get(CONFIRM).content.decode()
    for text in ("DosTek group", INN, "1 234.50", "Комиссия", "0.00", "Будет списано", "Оплатить", "Назад"):
        assert text in html
    assert f'href="{FORM}"' in html  # «Назад»
    assert 'name="token"' in html


def test_nazad_returns_the_form_with_both_values(signed_in):
    signed_in.post(FORM, {"account": INN, "amount": "250,75"})
    html = signed_in.get(FORM).content.decode()
    assert f'value="{INN}"' in html and 'value="250.75"' in html


def test_confirm_without_a_filled_form_goes_back_to_it(signed_in):
    response = signed_in.get(CONFIRM)
    assert response["Location"] == FORM


def test_oplatit_pays_once_shows_success_and_queues_the_sms(signed_in, holder, sms_outbox):
    # given a filled form
    signed_in.post(FORM, {"account": INN, "amount": "100,50"})
    data = confirm_data(signed_in)
    # when «Оплатить»
    response = signed_in.post(CONFIRM, data)
    # then one payment, the wallet lowered by the total, a success page with the code, the SMS with that code
    payment = Payment.objects.get()
    assert response["Location"] == reverse("cabinet:pay_done", kwargs={"code": payment.code})
    assert payment.channel == "web" and payment.account == INN and payment.amount == Decimal("100.50")
    assert balance(holder) == Decimal("1000.00") - payment.total
    html = signed_in.get(response["Location"]).content.decode()
    for text in (payment.code, "DosTek group", INN, "100.50", "899.50", "Оплата прошла успешно"):
        assert text in html
    sms = sms_outbox.last(holder.phone)
    assert sms.kind == SmsKind.PAYMENT and payment.code in sms.text and sms.payment_id == payment.pk
    assert cabinet_session.PENDING_KEY not in signed_in.session


def test_double_submit_reload_and_back_resubmit_charge_once(signed_in, holder):
    signed_in.post(FORM, {"account": INN, "amount": "100"})
    data = confirm_data(signed_in)
    first = signed_in.post(CONFIRM, data)
    second = signed_in.post(CONFIRM, data)  # double click / reload / back + resubmit
    third = signed_in.post(CONFIRM, data)
    assert first["Location"] == second["Location"] == third["Location"]
    assert Payment.objects.count() == 1
    assert balance(holder) == Decimal("900.00")


def test_two_tabs_with_the_same_data_charge_once(signed_in, holder):
    signed_in.post(FORM, {"account": INN, "amount": "100"})
    tab_a = confirm_data(signed_in)
    signed_in.post(FORM, {"account": INN, "amount": "100"})  # the second tab fills in the same
    tab_b = confirm_data(signed_in)
    assert tab_a == tab_b
    signed_in.post(CONFIRM, tab_a)
    signed_in.post(CONFIRM, tab_b)
    assert Payment.objects.count() == 1 and balance(holder) == Decimal("900.00")


def test_a_token_whose_data_changed_in_another_tab_is_refused(signed_in, holder):
    # given tab A at the confirm page for 100, and tab B then changed the amount to 200
    signed_in.post(FORM, {"account": INN, "amount": "100"})
    tab_a = confirm_data(signed_in)
    signed_in.post(FORM, {"account": INN, "amount": "200"})
    # when tab A presses «Оплатить»
    response = signed_in.post(CONFIRM, tab_a, follow=True)
    # then it is refused with a message and nothing is charged
    assert "изменились" in response.content.decode()
    assert not Payment.objects.exists() and balance(holder) == Decimal("1000.00")
    # and tab B's confirm still pays 200
    signed_in.post(CONFIRM, confirm_data(signed_in))
    assert Payment.objects.get().amount == Decimal("200.00")


def test_tampered_amount_with_a_valid_token_is_refused(signed_in, holder):
    signed_in.post(FORM, {"account": INN, "amount": "100"})
    data = confirm_data(signed_in) | {"amount": "1.00"}
    response = signed_in.post(CONFIRM, data, follow=True)
    assert "изменились" in response.content.decode()
    assert not Payment.objects.exists()


def test_an_expired_token_is_refused(signed_in, holder):
    signed_in.post(FORM, {"account": INN, "amount": "100"})
    data = confirm_data(signed_in)
    # when the confirm page waited longer than PENDING_TTL_SECONDS
    session = signed_in.session
    pending = session[cabinet_session.PENDING_KEY]
    pending["created"] -= cabinet_session.PENDING_TTL_SECONDS + 5
    session[cabinet_session.PENDING_KEY] = pending
    session.save()
    response = signed_in.post(CONFIRM, data, follow=True)
    assert "истекло" in response.content.decode()
    assert not Payment.objects.exists() and balance(holder) == Decimal("1000.00")


@pytest.mark.parametrize("token", ["", "not-a-token", "0" * 32])
def test_unknown_tokens_are_refused(signed_in, token):
    signed_in.post(FORM, {"account": INN, "amount": "100"})
    signed_in.post(CONFIRM, {"token": token, "account": INN, "amount": "100.00"})
    assert not Payment.objects.exists()


def test_money_spent_elsewhere_before_oplatit_is_refused_with_the_balance(signed_in, holder, dostek):
    signed_in.post(FORM, {"account": INN, "amount": "600"})
    data = confirm_data(signed_in)
    make_payment(wallet=holder, service=dostek, amount="600", key="ussd-1", channel="ussd", pin="2580")
    response = signed_in.post(CONFIRM, data, follow=True)
    assert "Недостаточно средств" in response.content.decode() and "400.00" in response.content.decode()
    assert Payment.objects.count() == 1


def test_oplatit_needs_csrf(holder, client):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(holder.web_account)
    assert csrf_client.post(CONFIRM, {"token": "0" * 32}).status_code == 403


def test_blocked_wallet_cannot_pay(signed_in, holder):
    from wallet.operations import wallet_set_status

    wallet_set_status(wallet=holder, status="blocked", actor=SYSTEM, reason="test")
    html = signed_in.post(FORM, {"account": INN, "amount": "100"}).content.decode()
    assert "заблокирован" in html and not Payment.objects.exists()


def test_unknown_or_inactive_service_is_404(signed_in, dostek):
    assert signed_in.get(reverse("cabinet:pay_form", kwargs={"slug": "nope"})).status_code == 404
    dostek.is_active = False
    dostek.save(update_fields=["is_active"])
    assert signed_in.get(FORM).status_code == 404
