"""The Django admin as staff use it: catalog editable (with history), money records read-only, and the few
actions (SMS requeue, wallet PIN unlock / block / unblock) going through the domain functions."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from ledger.models import LedgerAccount, Posting, Transfer
from services.models import Category, Payment, Provider, Service
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_queue
from tests.helpers import identity_checked, lock_pin
from wallet.errors import PinLocked, WalletBlocked
from wallet.models import Wallet, WalletStatus
from wallet.operations import cash_in, wallet_pin_verify

pytestmark = pytest.mark.django_db


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def paid(paid_payment):
    """A funded wallet with one committed DosTek payment: every kind of money record exists once."""
    return paid_payment.wallet, paid_payment


def form_data(response) -> dict:
    """The POST body the admin change form would submit unchanged (all fields of its model form)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else value
    return data


# --- changelists ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model", [Category, Service, Provider, Payment, Wallet, LedgerAccount, Posting, Transfer, SmsMessage, User]
)
def test_changelist_opens_with_rows(admin_client, paid, model):
    """Every model staff look at has a working list page, with the existing rows in it."""
    # when
    response = admin_client.get(admin_url(model, "changelist"))

    # then
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


def test_changelists_can_be_searched(admin_client, paid):
    """The search boxes work on the fields staff search by (wallet number, payment code)."""
    # given
    wallet, payment = paid

    # when
    by_phone = admin_client.get(admin_url(Wallet, "changelist"), {"q": wallet.phone})
    by_code = admin_client.get(admin_url(Payment, "changelist"), {"q": payment.code})
    sms_by_code = admin_client.get(admin_url(SmsMessage, "changelist"), {"q": payment.code})

    # then
    assert list(by_phone.context["cl"].result_list) == [wallet]
    assert list(by_code.context["cl"].result_list) == [payment]
    assert [m.kind for m in sms_by_code.context["cl"].result_list] == [SmsKind.PAYMENT]


def test_category_change_page_shows_its_services_inline(admin_client):
    """The «Другие» category page lists its services (DosTek group) as inline rows."""
    # given
    category = Category.objects.get(slug="other")

    # when
    response = admin_client.get(admin_url(Category, "change", category.pk))

    # then
    assert response.status_code == 200
    (inline,) = response.context["inline_admin_formsets"]
    services = [form.instance for form in inline.formset.initial_forms]
    assert services == list(category.services.order_by("position"))
    assert Service.objects.get(slug="dostek") in services
    assert "DosTek group" in response.content.decode()


# --- money records are read-only --------------------------------------------------------------------------------


READ_ONLY = [Payment, Transfer, Posting, LedgerAccount, Wallet, SmsMessage]


def some_row(model, wallet, payment):
    return {
        Payment: payment,
        Transfer: payment.settle_posting.transfers.first(),
        Posting: payment.settle_posting,
        LedgerAccount: wallet.ledger_account,
        Wallet: wallet,
        SmsMessage: SmsMessage.objects.filter(payment=payment).first(),
    }[model]


@pytest.mark.parametrize("model", READ_ONLY)
def test_money_records_can_be_viewed_but_not_changed(admin_client, paid, model):
    """The change page of a money record is a read-only view; posting to it is refused with 403 and the row
    stays as it was."""
    # given
    wallet, payment = paid
    obj = some_row(model, wallet, payment)
    url = admin_url(model, "change", obj.pk)
    before = model.objects.filter(pk=obj.pk).values().get()

    # when
    view = admin_client.get(url)
    post = admin_client.post(url, {"_save": "Save"})

    # then
    assert view.status_code == 200
    assert view.context["has_change_permission"] is False
    assert not view.context["adminform"].form.fields  # every field is read-only
    assert post.status_code == 403
    assert model.objects.filter(pk=obj.pk).values().get() == before


@pytest.mark.parametrize("model", READ_ONLY)
def test_money_records_cannot_be_deleted(admin_client, paid, model):
    """Neither the delete page nor the bulk delete action removes a money record."""
    # given
    wallet, payment = paid
    obj = some_row(model, wallet, payment)
    count = model.objects.count()

    # when
    page = admin_client.get(admin_url(model, "delete", obj.pk))
    confirm = admin_client.post(admin_url(model, "delete", obj.pk), {"post": "yes"})
    bulk = admin_client.post(
        admin_url(model, "changelist"), {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    )

    # then
    assert page.status_code == 403
    assert confirm.status_code == 403
    assert bulk.status_code in (200, 302, 403)
    assert model.objects.count() == count
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", READ_ONLY)
def test_money_records_cannot_be_added(admin_client, paid, model):
    """The add page of a money record is refused: GET and POST both answer 403, nothing is created."""
    # given
    count = model.objects.count()

    # when
    get = admin_client.get(admin_url(model, "add"))
    post = admin_client.post(admin_url(model, "add"), {"_save": "Save"})

    # then
    assert get.status_code == 403
    assert post.status_code == 403
    assert model.objects.count() == count


# --- catalog editing with history -------------------------------------------------------------------------------


def test_service_edited_in_admin_is_saved_and_recorded_in_history(admin_client, admin_user):
    """Raising DosTek's maximum and setting a commission through the change form saves both, and
    simple-history records the change with the admin as its author."""
    # given
    service = Service.objects.get(slug="dostek")
    url = admin_url(Service, "change", service.pk)
    data = form_data(admin_client.get(url))
    data.update(max_amount="150000.00", commission_fixed="5.00", commission_percent="0.50")
    history_before = service.history.count()

    # when
    response = admin_client.post(url, data)

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    service.refresh_from_db()
    assert service.max_amount == Decimal("150000.00")
    assert service.commission_fixed == Decimal("5.00")
    assert service.commission_percent == Decimal("0.50")
    assert service.commission_for(Decimal("1000")) == Decimal("10.00")
    assert service.history.count() == history_before + 1
    record = service.history.latest()
    assert record.history_type == "~"
    assert record.history_user == admin_user
    assert (record.max_amount, record.commission_fixed, record.commission_percent) == (
        Decimal("150000.00"),
        Decimal("5.00"),
        Decimal("0.50"),
    )
    assert (record.name, record.min_amount, record.provider_id) == (
        "DosTek group",
        Decimal("10.00"),
        service.provider_id,
    )


def test_service_form_refuses_a_maximum_below_the_minimum(admin_client):
    """A maximum below the minimum is refused by the form (the database constraint is never reached)."""
    # given
    service = Service.objects.get(slug="dostek")
    url = admin_url(Service, "change", service.pk)
    data = form_data(admin_client.get(url))
    data.update(min_amount="500.00", max_amount="100.00")
    history_before = service.history.count()

    # when
    response = admin_client.post(url, data)

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    service.refresh_from_db()
    assert (service.min_amount, service.max_amount) == (Decimal("10.00"), Decimal("100000.00"))
    assert service.history.count() == history_before


@pytest.mark.parametrize(("model", "slugs"), [(Service, ["aknet", "saima"]), (Category, ["internet"])])
def test_deactivate_and_activate_actions_are_saved_and_recorded(admin_client, admin_user, model, slugs):
    """The «Выключить» / «Включить» actions switch the selected rows and each switch is in the history
    with the admin as author."""
    # given
    rows = list(model.objects.filter(slug__in=slugs))
    untouched = model.objects.exclude(slug__in=slugs).filter(is_active=True).count()
    pks = [row.pk for row in rows]

    # when
    response = admin_client.post(admin_url(model, "changelist"), {"action": "deactivate", "_selected_action": pks})

    # then
    assert response.status_code == 302
    assert not model.objects.filter(pk__in=pks, is_active=True).exists()
    assert model.objects.exclude(slug__in=slugs).filter(is_active=True).count() == untouched
    for row in rows:
        record = row.history.latest()
        assert (record.is_active, record.history_user, record.history_type) == (False, admin_user, "~")

    # when
    admin_client.post(admin_url(model, "changelist"), {"action": "activate", "_selected_action": pks})

    # then
    assert model.objects.filter(pk__in=pks, is_active=True).count() == len(pks)
    for row in rows:
        record = row.history.latest()
        assert (record.is_active, record.history_user) == (True, admin_user)
        assert [h.is_active for h in row.history.order_by("-history_date", "-history_id")[:2]] == [True, False]


def test_new_provider_gets_its_settlement_account(admin_client):
    """A provider added in the admin gets its own settlement account in the books."""
    # when
    response = admin_client.post(
        admin_url(Provider, "add"),
        {
            "code": "elcat",
            "name": "ElCat",
            "adapter": "services.providers.AcceptAllProvider",
            "call_centre_phone": "0312 59 60 70",
        },
    )

    # then
    assert response.status_code == 302
    provider = Provider.objects.get(code="elcat")
    assert provider.settlement_account.code == "provider:elcat"
    assert provider.settlement_account.may_go_negative


# --- SMS --------------------------------------------------------------------------------------------------------


def test_requeue_action_puts_a_failed_sms_back_and_leaves_a_sent_one(admin_client):
    """«Отправить повторно» puts a FAILED message back in the queue with fresh attempts; a SENT one stays
    sent (it would reach the phone twice)."""
    # given
    failed = sms_queue(phone="+996555123456", text="Пополнение 100.00 сом", kind=SmsKind.CASH_IN)
    sent = sms_queue(phone="+996555123456", text="Пополнение 200.00 сом", kind=SmsKind.CASH_IN)
    SmsMessage.objects.filter(pk=failed.pk).update(status=SmsStatus.FAILED, attempts=5, last_error="Timeout")
    sent_at = timezone.now()
    SmsMessage.objects.filter(pk=sent.pk).update(status=SmsStatus.SENT, attempts=1, sent_at=sent_at)

    # when
    response = admin_client.post(
        admin_url(SmsMessage, "changelist"),
        {"action": "requeue", "_selected_action": [failed.pk, sent.pk], "apply": "1", "reason": "SMSC is back"},
        follow=True,
    )

    # then
    assert response.status_code == 200
    failed.refresh_from_db()
    sent.refresh_from_db()
    assert (failed.status, failed.attempts, failed.last_error) == (SmsStatus.QUEUED, 0, "")
    assert failed.next_attempt_at <= timezone.now()
    assert (sent.status, sent.attempts, sent.sent_at) == (SmsStatus.SENT, 1, sent_at)
    assert "1 SMS снова в очереди." in [str(m) for m in response.context["messages"]]


def test_sms_list_does_not_show_a_pin_in_clear(admin_client, make_wallet):
    """The wallet_opened SMS carries the PIN; the admin list and the detail page show it masked."""
    # given
    wallet = make_wallet(pin="2580")
    message = SmsMessage.objects.get(phone=wallet.phone, kind=SmsKind.WALLET_OPENED)
    assert "Ваш PIN: 2580" in message.text

    # when
    listing = admin_client.get(admin_url(SmsMessage, "changelist")).content.decode()
    detail = admin_client.get(admin_url(SmsMessage, "change", message.pk)).content.decode()

    # then
    for page in (listing, detail):
        assert "Ваш PIN: ****" in page
        assert "Ваш PIN: 2580" not in page


def test_sms_list_shows_non_secret_texts_in_full(admin_client, make_wallet):
    """Masking is for secrets only: a top-up SMS is shown as sent, amounts included."""
    # given
    wallet = make_wallet(balance="1500")

    # when
    listing = admin_client.get(admin_url(SmsMessage, "changelist"), {"q": wallet.phone}).content.decode()

    # then
    assert "Баланс: 1 500.00 сом" in listing


# --- wallet actions ---------------------------------------------------------------------------------------------


def wallet_action(admin_client, action: str, *wallets: Wallet, reason: str = "личность проверена по паспорту"):
    return admin_client.post(
        admin_url(Wallet, "changelist"),
        {"action": action, "_selected_action": [w.pk for w in wallets], "apply": "1", "reason": reason},
    )


def test_a_wallet_action_asks_for_the_reason_first_and_records_it(admin_client, admin_user, make_wallet):
    """The first click shows the reason form and changes nothing; with a reason the action runs and leaves an
    audit entry: who, what, on which wallet, why, before and after."""
    from audit.models import AuditEntry, StaffAction

    wallet = make_wallet()
    identity_checked(wallet, admin_user)
    page = admin_client.post(admin_url(Wallet, "changelist"), {"action": "block", "_selected_action": [wallet.pk]})
    assert page.status_code == 200 and "Причина" in page.content.decode()
    short = wallet_action(admin_client, "block", wallet, reason="x")
    assert short.status_code == 200 and "не короче 3 символов" in short.content.decode()
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE and not AuditEntry.objects.exists()

    wallet_action(admin_client, "block", wallet, reason="звонок владельца: телефон украден")
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.wallet, entry.reason) == (
        admin_user,
        StaffAction.WALLET_BLOCK,
        wallet,
        "звонок владельца: телефон украден",
    )
    assert (entry.before, entry.after) == ({"status": "active"}, {"status": "blocked"})


def test_unlock_pin_action_lets_the_holder_use_the_pin_again(admin_client, admin_user, make_wallet):
    """After three wrong PINs the wallet refuses even the right one; «Разблокировать PIN» clears the lock and
    the counter, and the right PIN works again."""
    # given
    wallet, other = make_wallet(), make_wallet()
    lock_pin(wallet)
    lock_pin(other)
    identity_checked(wallet, admin_user)
    with pytest.raises(PinLocked):
        wallet_pin_verify(wallet=wallet, pin="2580")

    # when
    response = wallet_action(admin_client, "unlock_pin", wallet)

    # then
    assert response.status_code == 302
    wallet.refresh_from_db()
    assert (wallet.pin_locked_at, wallet.pin_failed_attempts) == (None, 0)
    wallet_pin_verify(wallet=wallet, pin="2580")  # does not raise
    other.refresh_from_db()
    assert other.is_pin_locked


def test_block_and_unblock_actions_stop_and_restore_money_movements(admin_client, admin_user, make_wallet):
    """«Заблокировать» stops top-ups of the selected wallets only; «Разблокировать» lets them in again."""
    # given
    wallet, bystander = make_wallet(), make_wallet()
    identity_checked(wallet, admin_user)

    # when
    wallet_action(admin_client, "block", wallet)

    # then
    wallet.refresh_from_db()
    bystander.refresh_from_db()
    assert wallet.status == WalletStatus.BLOCKED
    assert bystander.status == WalletStatus.ACTIVE
    with pytest.raises(WalletBlocked):
        cash_in(wallet=wallet, amount=Decimal("100"), channel="kicb-branch")

    # when
    wallet_action(admin_client, "unblock", wallet)

    # then
    wallet.refresh_from_db()
    assert wallet.status == WalletStatus.ACTIVE
    cash_in(wallet=wallet, amount=Decimal("100"), channel="kicb-branch")
    wallet.ledger_account.refresh_from_db()
    assert wallet.balance == Decimal("100.00")


def test_wallet_admin_never_shows_the_pin_hash(admin_client, make_wallet):
    """The PIN hash is not on the wallet page."""
    # given
    wallet = make_wallet()

    # when
    page = admin_client.get(admin_url(Wallet, "change", wallet.pk)).content.decode()

    # then
    assert wallet.phone in page
    assert wallet.pin_hash not in page
    assert "pin_hash" not in page
