"""Random sequences of money operations against a model in Python Decimal.

A hypothesis state machine opens two fresh wallets and then cashes in, pays DosTek (with new keys, with
keys used before — same data and other data — and with keys whose first attempt was refused), refunds
payments and reverses cash-ins (including twice, and reversing a reversal). After every step:

* every invariant of the books holds (``books_violations() == []``, what ``manage.py check_ledger`` checks);
* each wallet's balance equals the model, and so does the DosTek settlement account's movement;
* an operation that is refused (insufficient funds, idempotency conflict, already reversed) changed nothing.

All examples run inside one test transaction, so each machine works on its own wallets and keys and measures
the shared system accounts relative to where it found them. The system accounts are bucketed (issue 20): every
posting moves the slice its id chooses, so a run walks through many slices of the hold and the provider (and wraps
past the last), and the invariants read the balances back as the sum of the slices.
"""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ledger.errors import AlreadyReversed, IdempotencyConflict, InsufficientFunds
from ledger.models import AccountKind, LedgerAccount, Posting, PostingKind, Transfer
from ledger.posting import ledger_reverse
from services.errors import PaymentNotReversible
from services.models import Payment, PaymentStatus, Service
from services.payments import payment_execute, payment_reverse
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage
from tests.conftest import next_phone
from wallet.models import Wallet
from wallet.operations import cash_in, wallet_register

WALLETS = 2
ACCOUNTS = ["01234567890123", "02345678901234", "12505199000123"]  # two companies, one entrepreneur
CASH_IN_CHANNELS = ["kicb-branch", "kicb-terminal", "mobilnik", "qiwi"]

wallet_index = st.integers(min_value=0, max_value=WALLETS - 1)
# An index into a list of earlier operations, taken modulo its length.
pick = st.integers(min_value=0, max_value=10_000)


def som_amounts(low: str, high: str, typical: list[str]) -> st.SearchStrategy[Decimal]:
    """Amounts in whole tyiyn (so rounding can never hide a mistake) between `low` and `high` som, often a
    typical round sum: hypothesis favours small integers, which would leave most wallets too poor to pay."""
    tyiyn = st.integers(min_value=int(Decimal(low) * 100), max_value=int(Decimal(high) * 100))
    return st.one_of(st.sampled_from([Decimal(t) for t in typical]), tyiyn.map(lambda t: Decimal(t) / 100))


payment_amount = som_amounts("10.00", "300.00", ["10.00", "30.00", "99.99", "150.00", "300.00"])
cash_in_amount = som_amounts("0.01", "1000.00", ["50.00", "200.00", "500.00", "1000.00"])
opening_balance = som_amounts("0.00", "1500.00", ["0.00", "100.00", "500.00", "1000.00", "1500.00"])


@dataclass
class PaymentRequest:
    key: str
    wallet: int
    account: str
    amount: Decimal
    code: str | None = None  # set once the payment went through
    refund_key: str | None = None  # set once it was refunded


@dataclass
class CashInRecord:
    key: str
    wallet: int
    channel: str
    amount: Decimal
    posting_id: int
    reversal_key: str | None = None
    reversal_id: int | None = None


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.run = uuid.uuid4().hex[:10]
        self.serial = 0
        self.service = Service.objects.select_related("provider__settlement_account", "category").get(slug="dostek")
        self.provider_account_id = self.service.provider.settlement_account_id
        self.provider_start = LedgerAccount.objects.with_balance().get(pk=self.provider_account_id).current_balance
        self.wallets: list[Wallet] = []
        self.balances: list[Decimal] = []
        self.paid_to_provider = Decimal("0.00")
        self.requests: list[PaymentRequest] = []  # every payment attempted, refused ones too
        self.cash_ins: list[CashInRecord] = []

    # --- helpers ------------------------------------------------------------------------------------------

    def key(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.run}-{self.serial}"

    def snapshot(self) -> tuple:
        """Everything a refused operation must leave untouched."""
        return (
            Posting.objects.count(),
            Transfer.objects.count(),
            Payment.objects.count(),
            SmsMessage.objects.count(),
            tuple(LedgerAccount.objects.with_balance().order_by("pk").values_list("pk", "current_balance")),
            tuple(Payment.objects.filter(wallet__in=self.wallets).order_by("pk").values_list("pk", "status")),
        )

    def pay(
        self,
        request: PaymentRequest,
        *,
        wallet: int | None = None,
        account: str | None = None,
        amount: Decimal | None = None,
    ) -> Payment:
        return payment_execute(
            wallet=self.wallets[request.wallet if wallet is None else wallet],
            service=self.service,
            account=request.account if account is None else account,
            amount=request.amount if amount is None else amount,
            idempotency_key=request.key,
            channel="web",
        )

    def attempt(self, request: PaymentRequest) -> None:
        """A payment whose key has no payment yet: it goes through when the model says the money is there."""
        before = self.snapshot()
        if self.balances[request.wallet] >= request.amount:
            payment = self.pay(request)
            assert payment.status == PaymentStatus.COMMITTED
            assert (payment.amount, payment.commission, payment.total) == (
                request.amount,
                Decimal("0.00"),
                request.amount,
            )
            self.balances[request.wallet] -= request.amount
            self.paid_to_provider += request.amount
            assert payment.balance_after == self.balances[request.wallet]
            request.code = payment.code
            assert SmsMessage.objects.filter(payment=payment, kind=SmsKind.PAYMENT).count() == 1
        else:
            with pytest.raises(InsufficientFunds):
                self.pay(request)
            assert self.snapshot() == before

    def done_payments(self) -> list[PaymentRequest]:
        return [r for r in self.requests if r.code is not None]

    def refused_payments(self) -> list[PaymentRequest]:
        return [r for r in self.requests if r.code is None]

    # --- rules --------------------------------------------------------------------------------------------

    @initialize(opening=st.lists(opening_balance, min_size=WALLETS, max_size=WALLETS))
    def open_wallets(self, opening: list[Decimal]) -> None:
        for _ in range(WALLETS):
            wallet, _pin = wallet_register(
                phone=next_phone(),
                full_name="Айгуль Асанова",
                inn="12505199000123",
                channel="branch",
                pin="2580",
            )
            self.wallets.append(Wallet.objects.select_related("ledger_account").get(pk=wallet.pk))
            self.balances.append(Decimal("0.00"))
        for wallet, amount in enumerate(opening):
            if amount > 0:
                self.cash_in_money(wallet=wallet, amount=amount, channel="kicb-branch")

    @rule(wallet=wallet_index, amount=cash_in_amount, channel=st.sampled_from(CASH_IN_CHANNELS))
    def cash_in_money(self, wallet: int, amount: Decimal, channel: str) -> None:
        key = self.key("receipt")
        posting = cash_in(wallet=self.wallets[wallet], amount=amount, channel=channel, idempotency_key=key)
        assert posting.kind == PostingKind.CASH_IN
        self.balances[wallet] += amount
        self.cash_ins.append(
            CashInRecord(key=key, wallet=wallet, channel=channel, amount=amount, posting_id=posting.pk)
        )

    @precondition(lambda self: self.cash_ins)
    @rule(index=pick)
    def repeat_cash_in(self, index: int) -> None:
        """The terminal resends a receipt: the same key credits once and returns the first posting."""
        record = self.cash_ins[index % len(self.cash_ins)]
        before = self.snapshot()
        posting = cash_in(
            wallet=self.wallets[record.wallet],
            amount=record.amount,
            channel=record.channel,
            idempotency_key=record.key,
        )
        assert posting.pk == record.posting_id
        assert self.snapshot() == before

    @rule(wallet=wallet_index, amount=payment_amount, account=st.sampled_from(ACCOUNTS))
    def pay_new(self, wallet: int, amount: Decimal, account: str) -> None:
        request = PaymentRequest(key=self.key("pay"), wallet=wallet, account=account, amount=amount)
        self.requests.append(request)
        self.attempt(request)

    @precondition(lambda self: self.done_payments())
    @rule(index=pick)
    def pay_again_same_key(self, index: int) -> None:
        """A retried request returns the payment already made (even if refunded since) and charges nothing."""
        done = self.done_payments()
        request = done[index % len(done)]
        before = self.snapshot()
        payment = self.pay(request)
        assert payment.code == request.code
        assert self.snapshot() == before

    @precondition(lambda self: self.refused_payments())
    @rule(index=pick)
    def retry_refused_payment(self, index: int) -> None:
        """A refused payment wrote nothing, so its key is free: retrying it (perhaps after a cash-in) pays."""
        refused = self.refused_payments()
        self.attempt(refused[index % len(refused)])

    @precondition(lambda self: self.requests)
    @rule(index=pick, change=st.sampled_from(["amount", "account", "wallet"]))
    def pay_again_other_data(self, index: int, change: str) -> None:
        """The same key with other data is a conflict when the key has a payment, and nothing changes."""
        request = self.requests[index % len(self.requests)]
        other = {
            "amount": {"amount": request.amount + Decimal("1.00")},
            "account": {"account": next(a for a in ACCOUNTS if a != request.account)},
            "wallet": {"wallet": (request.wallet + 1) % WALLETS},
        }[change]
        before = self.snapshot()
        if request.code is not None:
            with pytest.raises(IdempotencyConflict):
                self.pay(request, **other)
            assert self.snapshot() == before
        else:
            # The key was never used by a payment: this is simply a new request under that key.
            request.wallet = other.get("wallet", request.wallet)
            request.account = other.get("account", request.account)
            request.amount = other.get("amount", request.amount)
            self.attempt(request)

    @precondition(lambda self: self.done_payments())
    @rule(index=pick, same_refund_key=st.booleans())
    def refund_payment(self, index: int, same_refund_key: bool) -> None:
        """A committed payment is refunded once; the same refund again is a no-op, another is refused."""
        done = self.done_payments()
        request = done[index % len(done)]
        payment = Payment.objects.get(code=request.code)
        before = self.snapshot()
        if request.refund_key is None:
            refund_key = self.key("refund")
            refunded = payment_reverse(payment=payment, idempotency_key=refund_key)
            assert refunded.status == PaymentStatus.REVERSED
            request.refund_key = refund_key
            self.balances[request.wallet] += request.amount
            self.paid_to_provider -= request.amount
            assert SmsMessage.objects.filter(payment=payment, kind=SmsKind.REVERSAL).count() == 1
        elif same_refund_key:
            assert payment_reverse(payment=payment, idempotency_key=request.refund_key).status == PaymentStatus.REVERSED
            assert self.snapshot() == before
        else:
            with pytest.raises(PaymentNotReversible):
                payment_reverse(payment=payment, idempotency_key=self.key("refund"))
            assert self.snapshot() == before

    @precondition(lambda self: self.cash_ins)
    @rule(index=pick, same_reversal_key=st.booleans())
    def reverse_cash_in(self, index: int, same_reversal_key: bool) -> None:
        """A cash-in is reversed at most once, and only while the wallet still holds that money."""
        record = self.cash_ins[index % len(self.cash_ins)]
        posting = Posting.objects.get(pk=record.posting_id)
        before = self.snapshot()
        if record.reversal_key is None:
            key = self.key("storno")
            if self.balances[record.wallet] >= record.amount:
                reversal = ledger_reverse(posting=posting, idempotency_key=key)
                assert (reversal.kind, reversal.reversal_of_id) == (PostingKind.REVERSAL, posting.pk)
                record.reversal_key, record.reversal_id = key, reversal.pk
                self.balances[record.wallet] -= record.amount
            else:
                with pytest.raises(InsufficientFunds):
                    ledger_reverse(posting=posting, idempotency_key=key)
                assert self.snapshot() == before
        elif same_reversal_key:
            assert ledger_reverse(posting=posting, idempotency_key=record.reversal_key).pk == record.reversal_id
            assert self.snapshot() == before
        else:
            with pytest.raises(AlreadyReversed):
                ledger_reverse(posting=posting, idempotency_key=self.key("storno"))
            assert self.snapshot() == before

    @precondition(lambda self: any(r.reversal_id for r in self.cash_ins))
    @rule(index=pick)
    def reverse_a_reversal(self, index: int) -> None:
        """A reversal is never reversed; a correction is a new event."""
        reversed_ = [r for r in self.cash_ins if r.reversal_id]
        record = reversed_[index % len(reversed_)]
        before = self.snapshot()
        with pytest.raises(ValueError):
            ledger_reverse(posting=Posting.objects.get(pk=record.reversal_id), idempotency_key=self.key("storno"))
        assert self.snapshot() == before

    # --- invariants, checked after every step -------------------------------------------------------------

    @invariant()
    def books_hold(self) -> None:
        assert books_violations() == []

    @invariant()
    def balances_match_the_model(self) -> None:
        for wallet, expected in zip(self.wallets, self.balances, strict=True):
            assert LedgerAccount.objects.get(pk=wallet.ledger_account_id).balance == expected
            assert expected >= 0
        provider = LedgerAccount.objects.with_balance().get(pk=self.provider_account_id).current_balance
        assert provider - self.provider_start == self.paid_to_provider

    @invariant()
    def system_balances_live_in_buckets(self) -> None:
        """The hold, the provider, the fees and the cash-in channels are bucketed (ledger migration 0005): their
        own rows stay 0 while every operation moves them, and the hold's buckets add up to the payments in
        progress (none between steps: DosTek answers at once)."""
        assert not LedgerAccount.objects.exclude(kind=AccountKind.WALLET).exclude(balance=0).exists()
        hold = LedgerAccount.objects.with_balance().get(kind=AccountKind.HOLD)
        assert hold.current_balance == 0

    @invariant()
    def payments_match_the_model(self) -> None:
        statuses = dict(Payment.objects.filter(wallet__in=self.wallets).values_list("code", "status"))
        expected = {
            r.code: PaymentStatus.REVERSED if r.refund_key else PaymentStatus.COMMITTED for r in self.done_payments()
        }
        assert statuses == expected


@pytest.mark.django_db
def test_random_operation_sequences_keep_the_books_and_the_model_in_step():
    """Whatever order cash-ins, payments, retries, conflicts, refunds and reversals come in, the books
    balance after every step and every wallet holds exactly what the model says."""
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=25,
            stateful_step_count=20,
            deadline=None,
            database=None,  # no example database written into the checkout
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
