"""No PIN at rest (issue 18): an SMS that carried a PIN or a one-time code is delivered in full, then keeps only its
starred text; so does one that failed for good. The call-centre console, the admin and the phone simulator show the
starred form; only the demo's virtual phone keeps what it received, in its own store, for the simulator's inbox."""

import importlib
import re
from datetime import timedelta
from html import unescape

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import connection, models
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts.codes import phone_code_issue, phone_code_start
from accounts.models import CodePurpose
from audit.operations import SYSTEM
from sms.backends import locmem
from sms.backends.virtual import VirtualPhoneBackend
from sms.models import SECRET_KINDS, DemoInbox, SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_dispatch, sms_queue, sms_requeue
from wallet import pin_operations
from wallet.pin_operations import wallet_pin_reset

pytestmark = pytest.mark.django_db

FIRST_PIN = "2580"
NEW_PIN = "6341"  # the red-team's «Новый PIN … 6341»
INBOX = "/demo/phone/inbox/"
CODE_RE = re.compile(r"\b([0-9]{6})\b")


class FailingGateway:
    def send(self, message) -> None:
        raise ConnectionError("SMSC unreachable")


@pytest.fixture
def secrets_queued(make_wallet, monkeypatch):
    """A wallet opened with PIN 2580, a new PIN 6341 from the call-centre, an app sign-in code: three SMS queued,
    each carrying its secret. Returns the wallet and {kind: (text as queued, secret)}."""
    monkeypatch.setattr(pin_operations, "pin_generate", lambda: NEW_PIN)
    wallet = make_wallet(pin=FIRST_PIN)
    wallet_pin_reset(wallet=wallet, actor=SYSTEM, reason="клиент забыл PIN, личность проверена")
    challenge = phone_code_start(purpose=CodePurpose.APP_SIGN_IN, phone=wallet.phone)
    phone_code_issue(challenge=challenge, wallet=wallet, client_ip="203.0.113.5")
    queued = {m.kind: m.text for m in SmsMessage.objects.filter(phone=wallet.phone)}
    code = CODE_RE.search(queued[SmsKind.CODE]).group(1)
    secrets = {SmsKind.WALLET_OPENED: FIRST_PIN, SmsKind.PIN_RESET: NEW_PIN, SmsKind.CODE: code}
    return wallet, {kind: (queued[kind], secret) for kind, secret in secrets.items()}


def starred(text: str, secret: str) -> str:
    return text.replace(secret, "*" * len(secret))


def rows_containing(needle: str) -> list[str]:
    """Every `app.Model.field` of this database whose value (JSON as text) contains `needle`."""
    tables = set(connection.introspection.table_names())
    found = []
    for model in apps.get_models():
        if not model._meta.managed or model._meta.db_table not in tables:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, (models.CharField, models.TextField)):
                matches = model._default_manager.filter(**{f"{field.attname}__contains": needle})
            elif isinstance(field, models.JSONField):
                matches = model._default_manager.annotate(_as_text=Cast(field.attname, models.TextField())).filter(
                    _as_text__contains=needle
                )
            else:
                continue
            if matches.exists():
                found.append(f"{model._meta.label}.{field.name}")
    return found


def test_after_delivery_no_table_holds_a_pin_or_code_and_the_gateway_got_them(secrets_queued):
    """The gateway is handed each text in full; once delivered, the outbox keeps it starred, and no column of any
    table holds the PIN or code as the SMS said it."""
    # given
    wallet, sent = secrets_queued

    # when
    counts = sms_dispatch()

    # then
    assert counts == {"sent": 3, "retry": 0, "failed": 0}
    assert sorted(m.text for m in locmem.outbox) == sorted(text for text, _secret in sent.values())
    for kind, (text, secret) in sent.items():
        message = SmsMessage.objects.get(phone=wallet.phone, kind=kind)
        assert (message.status, message.text) == (SmsStatus.SENT, starred(text, secret)), kind
        assert message.text_masked == "", kind
        assert f": {'*' * len(secret)}." in message.text
        assert rows_containing(text) == [], kind
        assert rows_containing(f": {secret}.") == [], kind
    assert not DemoInbox.objects.exists()  # a real gateway: nobody keeps a copy


def test_consoles_the_admin_and_the_simulator_show_the_starred_text_after_delivery(
    secrets_queued, client, admin_client, django_user_model
):
    """After a real gateway delivered them, the holder's page in the call-centre console, the admin's SMS list and
    the phone simulator's inbox (which falls back to the outbox) all show «PIN: ****», never the PIN."""
    # given
    wallet, sent = secrets_queued
    sms_dispatch()
    agent = django_user_model.objects.create_user("agent-at-rest", password="Staff-Password-2026", is_staff=True)
    agent.groups.add(Group.objects.get(name="Агент"))
    client.force_login(agent)

    # when
    console = unescape(client.get(reverse("staff:customer", args=[wallet.phone.removeprefix("+")])).content.decode())
    listing = unescape(admin_client.get(reverse("admin:sms_smsmessage_changelist")).content.decode())
    inbox = [m["text"] for m in client.get(INBOX, {"phone": wallet.phone}).json()["messages"]]

    # then
    assert len(inbox) == 3
    for kind, (text, secret) in sent.items():
        assert starred(text, secret) in console, kind
        assert starred(text, secret) in listing, kind
        assert starred(text, secret) in inbox, kind
        for page in (console, listing, "\n".join(inbox)):
            assert text not in page and f": {secret}." not in page, kind


def test_the_demos_virtual_phone_keeps_what_it_received_for_the_simulator(secrets_queued, client):
    """In demo mode the simulator's inbox shows the PINs and the code as the virtual phone received them, from the
    phone's own store, while the outbox keeps them starred."""
    # given
    wallet, sent = secrets_queued

    # when
    sms_dispatch(backend=VirtualPhoneBackend())
    inbox = {m["kind"]: m["text"] for m in client.get(INBOX, {"phone": wallet.phone}).json()["messages"]}

    # then
    for kind, (text, secret) in sent.items():
        assert inbox[kind] == text, kind
        assert SmsMessage.objects.get(phone=wallet.phone, kind=kind).text == starred(text, secret)
    assert DemoInbox.objects.count() == 3


def test_outside_demo_mode_the_virtual_phone_keeps_nothing(secrets_queued, settings):
    """Nobody may read the simulator without DEMO_MODE, so nothing is kept for it."""
    # given
    settings.DEMO_MODE = False
    wallet, sent = secrets_queued

    # when
    sms_dispatch(backend=VirtualPhoneBackend())

    # then
    assert rows_containing(sent[SmsKind.PIN_RESET][0]) == []
    assert not DemoInbox.objects.exists()


def test_a_retry_keeps_the_pin_a_failure_for_good_stars_it_and_it_is_not_requeued(secrets_queued, settings):
    """A failed attempt keeps the text to send again; the last one stars the PIN, and a person cannot re-queue a
    message whose PIN is gone (the call-centre sends a new PIN instead)."""
    # given
    settings.SMS_MAX_ATTEMPTS = 2
    wallet, sent = secrets_queued
    text, secret = sent[SmsKind.PIN_RESET]
    message = SmsMessage.objects.get(phone=wallet.phone, kind=SmsKind.PIN_RESET)

    # when
    sms_dispatch(backend=FailingGateway())
    message.refresh_from_db()
    retried = (message.status, message.text)
    SmsMessage.objects.update(next_attempt_at=timezone.now())
    sms_dispatch(backend=FailingGateway())
    message.refresh_from_db()

    # then
    assert retried == (SmsStatus.QUEUED, text)
    assert (message.status, message.text) == (SmsStatus.FAILED, starred(text, secret))
    assert message.text_masked == ""
    assert not SmsMessage.objects.filter(kind__in=SECRET_KINDS, text__contains=f": {secret}.").exists()
    assert not sms_requeue(message=message, actor=SYSTEM, reason="шлюз снова работает")
    assert SmsMessage.objects.get(pk=message.pk).status == SmsStatus.FAILED


def test_a_message_left_sending_by_a_dead_dispatcher_is_failed_starred(secrets_queued):
    """It may or may not have gone out; either way it is not sent again, so its code goes."""
    # given
    wallet, sent = secrets_queued
    text, secret = sent[SmsKind.CODE]
    SmsMessage.objects.filter(phone=wallet.phone, kind=SmsKind.CODE).update(
        status=SmsStatus.SENDING, claimed_by="dead", claimed_at=timezone.now() - timedelta(minutes=10)
    )

    # when
    sms_dispatch(backend=FailingGateway())

    # then
    message = SmsMessage.objects.get(phone=wallet.phone, kind=SmsKind.CODE)
    assert (message.status, message.text) == (SmsStatus.FAILED, starred(text, secret))
    assert message.text_masked == ""


def test_a_pin_or_code_is_queued_only_with_its_secret_named():
    """The caller says which part is secret; the outbox does not guess digits."""
    text = "Новый PIN кошелька ЭЛСОМ: 6341. Смените его: *900# -> 8 -> 3."
    with pytest.raises(ValueError, match="secret"):
        sms_queue(phone="+996555123456", text=text, kind=SmsKind.PIN_RESET)
    with pytest.raises(ValueError, match="secret"):
        sms_queue(phone="+996555123456", text=text, kind=SmsKind.PIN_RESET, secret="1111")
    with pytest.raises(ValueError, match="secret"):
        sms_queue(phone="+996555123456", text="Пополнение 100 сом", kind=SmsKind.CASH_IN, secret="100")
    message = sms_queue(phone="+996555123456", text=text, kind=SmsKind.PIN_RESET, secret="6341")
    assert message.text_masked == "Новый PIN кошелька ЭЛСОМ: ****. Смените его: *900# -> 8 -> 3."
    assert not SmsMessage.objects.exclude(pk=message.pk).exists()


def test_the_migration_stars_the_pins_and_codes_already_in_the_outbox():
    """Rows from before: a delivered or failed PIN or code SMS keeps only the starred text; one still queued gets
    the starred form beside it, for its delivery; other kinds are left as they were."""
    # given
    migration = importlib.import_module("sms.migrations.0007_mask_delivered_secrets")
    opened = "Кошелек ЭЛСОМ 0555 12 34 56 открыт. Ваш PIN: 6341. Смените его: *900# -> 8 -> 3."
    code = "Код для входа в приложение ЭЛСОМ: 204917. Действует 5 минут. Никому его не сообщайте."
    cash_in = "Пополнение 6341.00 сом. Баланс: 6341.00 сом"
    now = timezone.now()

    def legacy(kind: str, text: str, status: str) -> SmsMessage:
        return SmsMessage.objects.create(
            phone="+996555123456", kind=kind, text=text, status=status, next_attempt_at=now
        )

    sent = legacy(SmsKind.WALLET_OPENED, opened, SmsStatus.SENT)
    failed = legacy(SmsKind.CODE, code, SmsStatus.FAILED)
    queued = legacy(SmsKind.PIN_RESET, opened, SmsStatus.QUEUED)
    plain = legacy(SmsKind.CASH_IN, cash_in, SmsStatus.SENT)

    # when
    migration.mask_secrets(apps, connection.schema_editor())

    # then
    for message in (sent, failed, queued, plain):
        message.refresh_from_db()
    assert (sent.text, sent.text_masked) == (opened.replace("6341", "****"), "")
    assert (failed.text, failed.text_masked) == (code.replace("204917", "******"), "")
    assert (queued.text, queued.text_masked) == (opened, opened.replace("6341", "****"))
    assert (plain.text, plain.text_masked) == (cash_in, "")
    sms_dispatch()
    queued.refresh_from_db()
    assert queued.text == opened.replace("6341", "****") and [m.text for m in locmem.outbox] == [opened]
