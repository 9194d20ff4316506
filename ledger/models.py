"""Double-entry ledger, TigerBeetle-shaped: accounts with a cached balance, append-only transfers.

Balance convention: balance = credits - debits. A wallet is credited when money comes in. System accounts
(cash-in channels) go negative as they hand out money; the sum over all accounts is always zero.

A wallet's balance is one row (its `balance` column), locked by every posting that moves it: that lock is what keeps
it from going below zero. A system account's balance (the hold, a provider's settlement account, the commission
income, a cash-in channel) is not one row: every payment touches the hold twice and the provider and the fees once,
so one row would queue every payment of the wallet behind every other (issue 20). Its balance is kept in
SYSTEM_BALANCE_BUCKETS slices (AccountBucket), the posting's id choosing the slice, and summed when read
(LedgerAccount.objects.with_balance(), ledger_balances()).
"""

from django.db import models
from django.db.models import OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from core.money import MoneyField


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a posted ledger row. Corrections are reversals."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only; post a reversal instead")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only; post a reversal instead")


class AccountKind(models.TextChoices):
    WALLET = "wallet", _("кошелек")
    PROVIDER = "provider", _("поставщик услуг")
    CASH_IN = "cash_in", _("канал пополнения")
    FEES = "fees", _("доход от комиссий")
    HOLD = "hold", _("зарезервированные средства")


# How many slices a system account's balance is kept in. Postings write the slice `posting id % BUCKETS`: concurrent
# postings get consecutive ids, so fewer than this many payments in flight never share a slice. The number is in
# the posting trigger of ledger migration 0005 too.
SYSTEM_BALANCE_BUCKETS = 64


class LedgerAccountQuerySet(models.QuerySet):
    def with_balance(self) -> "LedgerAccountQuerySet":
        """Annotate `current_balance`: the `balance` column plus the account's buckets (a system account's whole
        balance is in its buckets since migration 0005; a wallet has none)."""
        buckets = (
            AccountBucket.objects.filter(account=OuterRef("pk"))
            .order_by()
            .values("account")
            .annotate(total=Sum("balance"))
            .values("total")
        )
        # Plain integers (tyiyn) in SQL, converted to som once, by the outer MoneyField.
        in_buckets = Coalesce(Subquery(buckets, output_field=models.BigIntegerField()), models.Value(0))
        return self.annotate(
            current_balance=models.ExpressionWrapper(models.F("balance") + in_buckets, output_field=MoneyField())
        )


class LedgerAccount(models.Model):
    code = models.CharField(_("код"), max_length=64, unique=True)
    kind = models.CharField(_("вид"), max_length=16, choices=AccountKind.choices)
    name = models.CharField(_("название"), max_length=128)
    # A cash-in account's channel, a wallet.models.CashInChannel value (empty for every other account), stored when
    # the account is made: histories name a top-up by it instead of reading it back out of `code`. No choices here:
    # the channels are the wallet's, and the books below it do not import it.
    cash_in_channel = models.CharField(_("канал пополнения"), max_length=16, blank=True, default="")
    # A wallet's balance. A system account's is in its buckets (this column is 0 since migration 0005): read it with
    # LedgerAccount.objects.with_balance() or ledger.posting.ledger_balances().
    balance = MoneyField(_("баланс"), default=0)
    may_go_negative = models.BooleanField(_("может уходить в минус"), default=False)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    objects = LedgerAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("счет книги")
        verbose_name_plural = _("счета книги")
        ordering = ["code"]
        constraints = [
            # The last line of defence: whatever code does, a wallet (or a hold) never goes below zero.
            models.CheckConstraint(
                condition=models.Q(may_go_negative=True) | models.Q(balance__gte=0),
                name="ledger_account_balance_not_negative",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="wallet") | models.Q(may_go_negative=False),
                name="ledger_account_wallet_never_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.code


class AccountBucket(models.Model):
    """One slice of a system account's balance (credits - debits of the postings whose id % SYSTEM_BALANCE_BUCKETS is
    `bucket`). Written only by the posting trigger (ledger migration 0005), as an upsert: a slice exists once a
    posting has touched it. A slice may be below zero, the hold's too (a payment's reserve and settle fall in
    different slices): the hold's total equals the payments in progress, which check_ledger proves."""

    account = models.ForeignKey(LedgerAccount, verbose_name=_("счет"), on_delete=models.PROTECT, related_name="buckets")
    bucket = models.PositiveSmallIntegerField(_("доля"))
    balance = MoneyField(_("баланс"), default=0)

    class Meta:
        verbose_name = _("доля баланса системного счета")
        verbose_name_plural = _("доли балансов системных счетов")
        constraints = [
            models.UniqueConstraint(fields=["account", "bucket"], name="ledger_accountbucket_account_bucket"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}#{self.bucket}"


class PostingKind(models.TextChoices):
    CASH_IN = "cash_in", _("пополнение")
    RESERVE = "reserve", _("резерв платежа")
    PAYMENT = "payment", _("платеж")
    RELEASE = "release", _("возврат резерва")
    REVERSAL = "reversal", _("сторно")
    # A balance set by hand (training's reset, wallet_balance_adjust). Those of the first release were posted as
    # cash_in; their transfers tell them apart (TransferKind.ADJUSTMENT).
    ADJUSTMENT = "adjustment", _("корректировка баланса")


class TransferKind(models.TextChoices):
    """What one leg of a posting moves (a payment's posting moves the amount and the commission separately)."""

    CASH_IN = "cash_in", _("пополнение")
    RESERVE = "reserve", _("резерв платежа")
    PAYMENT = "payment", _("платеж")
    COMMISSION = "commission", _("комиссия")
    RELEASE = "release", _("возврат резерва")
    REVERSAL = "reversal", _("сторно")
    # The value of the first release, when only training's reset adjusted balances: kept, so that no row changes.
    ADJUSTMENT = "training_reset", _("корректировка баланса (учеба)")


class Posting(models.Model):
    """One business event: one or more transfers, written by one INSERT of this row.

    `legs` holds the transfers as `[[debit account id, credit account id, tyiyn, kind], ...]`; a database trigger
    (migration 0003) writes them as Transfer rows and moves the accounts' cached balances in the same statement,
    in ascending account id order, so that every posting takes its row locks in one global order. The balance
    CHECK constraint refuses a wallet or hold going below zero, and the whole posting with it."""

    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=128, unique=True)
    fingerprint = models.CharField(_("отпечаток запроса"), max_length=64)
    kind = models.CharField(_("вид"), max_length=16, choices=PostingKind.choices)
    reference = models.CharField(_("основание"), max_length=128, blank=True)
    reversal_of = models.OneToOneField(
        "self",
        verbose_name=_("сторнирует"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    legs = models.JSONField(_("переводы"), default=list, editable=False)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("проводка")
        verbose_name_plural = _("проводки")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("postings are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("postings are append-only")


class Transfer(models.Model):
    posting = models.ForeignKey(Posting, verbose_name=_("проводка"), on_delete=models.PROTECT, related_name="transfers")
    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=140, unique=True)
    debit_account = models.ForeignKey(
        LedgerAccount, verbose_name=_("дебет"), on_delete=models.PROTECT, related_name="debits"
    )
    credit_account = models.ForeignKey(
        LedgerAccount, verbose_name=_("кредит"), on_delete=models.PROTECT, related_name="credits"
    )
    amount = MoneyField(_("сумма"))
    kind = models.CharField(_("вид"), max_length=16, choices=TransferKind.choices)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("перевод")
        verbose_name_plural = _("переводы")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="ledger_transfer_amount_positive"),
            models.CheckConstraint(
                condition=~models.Q(debit_account=models.F("credit_account")),
                name="ledger_transfer_distinct_accounts",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.debit_account} -> {self.credit_account}: {self.amount}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("transfers are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("transfers are append-only")
