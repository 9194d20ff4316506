"""Every payment's two transactions lock rows that every other payment needs too: the reserve's posting locks the
hold account's row, the commit's posting the hold and the provider's accounts. Whatever runs between a posting's
INSERT and its COMMIT is time every other payment waits, so the payment functions prepare their rows (model
instances, field values, fingerprints, the SMS text) before the transaction begins and only run statements there."""

from decimal import Decimal

import pytest
from django.db import connection, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from core.rows import row_prepare
from ledger.errors import IdempotencyConflict
from ledger.models import LedgerAccount, Posting, Transfer
from ledger.posting import Leg, ledger_post_prepared, ledger_posting_prepare
from services.models import PaymentStatus, ProviderExchange
from services.osmp import OsmpAnswer, Outcome
from services.payments import hold_account
from services.providers import AcceptAllProvider, ProviderAccepted
from sms.models import SmsKind, SmsMessage
from sms.outbox import sms_prepare
from tests.helpers import make_payment
from ussd.models import UssdSession


class AnsweringProvider(AcceptAllProvider):
    """Accepts, with the exchange a real OSMP provider's answer brings (the commit then records it)."""

    def pay(self, *, payment):
        answer = OsmpAnswer(command="pay", outcome=Outcome.ACCEPTED, result=0, prv_txn="77", request={"txn_id": "1"})
        return ProviderAccepted(provider_txn_id="77", exchange=answer)


@pytest.fixture
def locked_work(monkeypatch):
    """What a payment's transaction did in Python after its posting's INSERT, until its COMMIT or ROLLBACK: the
    model instances it built and the field values it prepared."""
    done: list[str] = []
    locked = {"now": False}

    def in_payment_transaction() -> bool:
        return any(not block._from_testcase for block in connection.atomic_blocks)

    def watch_statements(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith("INSERT INTO ledger_posting") and in_payment_transaction():
            locked["now"] = True
        return result

    def ends(method):
        def end(self, *args, **kwargs):
            locked["now"] = False
            return method(self, *args, **kwargs)

        return end

    model_init, prep = models.Model.__init__, models.Field.get_db_prep_save

    def init(self, *args, **kwargs):
        if locked["now"]:
            done.append(f"{type(self).__name__}()")
        model_init(self, *args, **kwargs)

    def prepare(self, value, connection):
        if locked["now"]:
            done.append(f"{self.model.__name__}.{self.name}")
        return prep(self, value, connection)

    monkeypatch.setattr(BaseDatabaseWrapper, "_commit", ends(BaseDatabaseWrapper._commit))
    monkeypatch.setattr(BaseDatabaseWrapper, "_rollback", ends(BaseDatabaseWrapper._rollback))
    monkeypatch.setattr(models.Model, "__init__", init)
    monkeypatch.setattr(models.Field, "get_db_prep_save", prepare)
    with connection.execute_wrapper(watch_statements):
        yield done


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    "channel, pin, adapter",
    [
        ("web", None, "services.providers.AcceptAllProvider"),
        ("app", "2580", "services.providers.AcceptAllProvider"),
        ("web", None, "tests.integration.test_payment_lock_window.AnsweringProvider"),
    ],
)
def test_a_payment_builds_and_prepares_nothing_while_its_postings_hold_the_shared_rows(
    make_wallet, dostek, settings, locked_work, channel, pin, adapter
):
    # given a funded wallet and a provider that accepts (with or without an OSMP exchange to record)
    settings.PROVIDER_ADAPTERS = {"dostek": adapter}
    wallet = make_wallet(balance="500")
    locked_work.clear()
    # when the holder pays
    payment = make_payment(wallet=wallet, service=dostek, amount="100", key="lock-1", channel=channel, pin=pin)
    # then it is paid, with its SMS (and the exchange), and nothing but statements ran while the rows were locked
    assert payment.status == PaymentStatus.COMMITTED
    assert SmsMessage.objects.filter(payment=payment).count() == 1
    assert ProviderExchange.objects.filter(payment=payment).count() == (1 if "Answering" in adapter else 0)
    assert locked_work == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_returned_payment_is_the_row_as_saved(make_wallet, dostek):
    """The payment the reserve and the commit hand back is built from what they wrote, without reading it again."""
    wallet = make_wallet(balance="500")
    payment = make_payment(wallet=wallet, service=dostek, amount="100", key="lock-2")
    saved = type(payment).objects.get(pk=payment.pk)
    for field in type(payment)._meta.concrete_fields:
        assert getattr(payment, field.attname) == getattr(saved, field.attname), field.name
    assert payment.settle_posting.kind == "payment" and payment.reserve_posting.kind == "reserve"
    assert wallet.ledger_account.balance == saved.balance_after


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_rows_and_postings_are_prepared_without_a_connection(make_wallet):
    """Preparing sends nothing, and does not even connect: a payment prepares its commit while its connection is
    back in the pool (PostgreSQL) during the provider's call."""
    wallet = make_wallet(balance="10")
    hold = hold_account()
    connection.close()
    ledger_posting_prepare(
        idempotency_key="prep-1",
        kind="reserve",
        legs=[Leg(debit=wallet.ledger_account, credit=hold, amount=Decimal("1"), kind="reserve")],
    )
    sms_prepare(phone=wallet.phone, text="Платеж принят", kind=SmsKind.PAYMENT)
    row_prepare(UssdSession, {"session_id": "s", "state": {"path": ["3", "3"]}, "updated_at": timezone.now()})
    assert connection.connection is None


@pytest.mark.django_db
def test_a_prepared_posting_is_checked_before_any_query(django_assert_num_queries, make_wallet):
    wallet = make_wallet(balance="10")
    hold = hold_account()
    with django_assert_num_queries(0):
        with pytest.raises(ValueError):
            ledger_posting_prepare(idempotency_key="", kind="reserve", legs=[])
        with pytest.raises(ValueError):
            ledger_posting_prepare(
                idempotency_key="k", kind="reserve", legs=[Leg(debit=hold, credit=hold, amount=Decimal("1"), kind="x")]
            )
        with pytest.raises(TypeError):
            ledger_posting_prepare(
                idempotency_key="k",
                kind="reserve",
                legs=[Leg(debit=wallet.ledger_account, credit=hold, amount=1, kind="x")],
            )


@pytest.mark.django_db
def test_a_prepared_posting_written_twice_moves_money_once_and_other_legs_conflict(make_wallet):
    from django.db import transaction

    wallet = make_wallet(balance="10")
    hold = hold_account()
    leg = Leg(debit=wallet.ledger_account, credit=hold, amount=Decimal("4"), kind="reserve")
    prepared = ledger_posting_prepare(idempotency_key="twice", kind="reserve", legs=[leg])
    with transaction.atomic():
        first = ledger_post_prepared(prepared=prepared)
    with transaction.atomic():
        again = ledger_post_prepared(prepared=prepared)
    assert first[1] is True and again == (first[0], False)
    assert Transfer.objects.filter(posting_id=first[0]).count() == 1
    assert LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance == Decimal("6.00")
    other = ledger_posting_prepare(
        idempotency_key="twice", kind="reserve", legs=[Leg(**{**leg.__dict__, "amount": Decimal("5")})]
    )
    with pytest.raises(IdempotencyConflict), transaction.atomic():
        ledger_post_prepared(prepared=other)
    assert Posting.objects.filter(idempotency_key="twice").count() == 1
