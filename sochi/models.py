"""СОЧИ's data: companies, their users, credited payments, the append-only balance entries and reports.

Balance convention: balance = credits - debits over the company's entries. The balance is also kept on the company
row, written in the same transaction as the entries (`balance_verify` compares the two).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from sochi.money import TyiynField

INN_LENGTH = 14
TXN_ID_MAX_LENGTH = 20


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove a written money row. Corrections are new entries."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only")


class CompanyStatus(models.TextChoices):
    ACTIVE = "active", _("действует")
    CLOSED = "closed", _("закрыта")


class Company(models.Model):
    inn = models.CharField(_("ИНН"), max_length=INN_LENGTH, unique=True)
    name = models.CharField(_("название"), max_length=200)
    name_ky = models.CharField(_("название на кыргызском"), max_length=200, blank=True)
    status = models.CharField(_("статус"), max_length=8, choices=CompanyStatus.choices, default=CompanyStatus.ACTIVE)
    accepts_payments = models.BooleanField(_("принимает платежи"), default=True)
    balance = TyiynField(_("личный баланс"), default=0)
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["inn"]
        constraints = [
            models.CheckConstraint(condition=models.Q(balance__gte=0), name="sochi_company_balance_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.inn} {self.name}"

    def display_name(self, language: str) -> str:
        return self.name_ky if language == "ky" and self.name_ky else self.name


class Role(models.TextChoices):
    DIRECTOR = "director", _("Руководитель")
    ACCOUNTANT = "accountant", _("Бухгалтер")


class CompanyUser(models.Model):
    """Who signs in to the company page: one user per role; the PIN is stored only as a hash."""

    company = models.ForeignKey(Company, verbose_name=_("организация"), on_delete=models.CASCADE, related_name="users")
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices)
    pin_hash = models.CharField(_("хеш ПИН-кода"), max_length=256)
    failed_attempts = models.PositiveSmallIntegerField(_("неверных попыток подряд"), default=0)
    locked_until = models.DateTimeField(_("вход заблокирован до"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("пользователь организации")
        verbose_name_plural = _("пользователи организаций")
        constraints = [models.UniqueConstraint(fields=["company", "role"], name="sochi_one_user_per_role")]

    def __str__(self) -> str:
        return f"{self.company.inn} {self.role}"


class Payment(AppendOnlyModel):
    """A payment the aggregator made and СОЧИ credited. txn_id is the aggregator's id, prv_txn ours."""

    txn_id = models.CharField(_("номер платежа агрегатора"), max_length=TXN_ID_MAX_LENGTH, unique=True)
    prv_txn = models.CharField(_("номер платежа в СОЧИ"), max_length=20, unique=True)
    company = models.ForeignKey(
        Company, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="payments"
    )
    account = models.CharField(_("лицевой счет (ИНН)"), max_length=INN_LENGTH)
    amount = TyiynField(_("сумма"))
    txn_date = models.CharField(_("дата платежа у агрегатора"), max_length=14)
    aggregator = models.CharField(_("агрегатор"), max_length=32, default="ELSOM")
    credited_at = models.DateTimeField(_("зачислен"), auto_now_add=True)

    class Meta:
        verbose_name = _("платеж")
        verbose_name_plural = _("платежи")
        ordering = ["-id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="sochi_payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.txn_id} -> {self.account}: {self.amount}"


class ReportForm(models.TextChoices):
    UNIFIED_TAX = "unified_tax", _("Единая налоговая декларация")
    SOCIAL_FUND_MONTHLY = "social_fund_monthly", _("Отчет в Социальный фонд (ежемесячный)")
    VAT_MONTHLY = "vat_monthly", _("Декларация по НДС (ежемесячная)")
    SALES_TAX = "sales_tax", _("Декларация по налогу с продаж")
    STATISTICS_QUARTERLY = "statistics_quarterly", _("Статистический отчет (квартальный)")
    PROFIT_TAX = "profit_tax", _("Декларация по налогу на прибыль")


class ReportStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("ожидает оплаты")
    SENT = "sent", _("отправлен")


class Report(models.Model):
    """A report the company prepared; СОЧИ sends it to the agency once the personal balance pays its price."""

    company = models.ForeignKey(
        Company, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="reports"
    )
    form = models.CharField(_("форма"), max_length=32, choices=ReportForm.choices)
    # "2025-12" (a month), "2025-Q4" (a quarter) or "2025" (a year); see periods.period_label.
    period = models.CharField(_("период"), max_length=7)
    price = TyiynField(_("стоимость"))
    status = models.CharField(
        _("статус"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.AWAITING_PAYMENT
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлен"), null=True, blank=True)

    class Meta:
        verbose_name = _("отчет")
        verbose_name_plural = _("отчеты")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(price__gt=0), name="sochi_report_price_positive"),
            models.CheckConstraint(
                condition=models.Q(status="awaiting_payment", sent_at__isnull=True)
                | models.Q(status="sent", sent_at__isnull=False),
                name="sochi_report_sent_has_a_time",
            ),
            models.UniqueConstraint(fields=["company", "form", "period"], name="sochi_one_report_per_form_period"),
        ]

    def __str__(self) -> str:
        return f"{self.company.inn} {self.form} {self.period}"


class EntryKind(models.TextChoices):
    CREDIT = "credit", _("зачисление")
    DEBIT = "debit", _("списание")


class BalanceEntry(AppendOnlyModel):
    """One movement of a company's personal balance: a credit by a payment, or a debit for a sent report."""

    company = models.ForeignKey(
        Company, verbose_name=_("организация"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("вид"), max_length=8, choices=EntryKind.choices)
    amount = TyiynField(_("сумма"))
    reason = models.CharField(_("основание"), max_length=200)
    payment = models.OneToOneField(
        Payment, verbose_name=_("платеж"), on_delete=models.PROTECT, null=True, blank=True, related_name="entry"
    )
    report = models.OneToOneField(
        Report, verbose_name=_("отчет"), on_delete=models.PROTECT, null=True, blank=True, related_name="entry"
    )
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("движение баланса")
        verbose_name_plural = _("движения баланса")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="sochi_entry_amount_positive"),
            # A credit is a payment (one each: OneToOne), a debit is a report sent (one each).
            models.CheckConstraint(
                condition=models.Q(kind="credit", payment__isnull=False, report__isnull=True)
                | models.Q(kind="debit", report__isnull=False, payment__isnull=True),
                name="sochi_entry_credit_is_a_payment_debit_is_a_report",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.inn} {self.kind} {self.amount}"


class Sequence(models.Model):
    """Counters of our own numbers (prv_txn). Incremented inside the payment's transaction, so no number is lost
    to a rolled-back payment and none is given twice."""

    name = models.CharField(max_length=32, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class FaultMode(models.TextChoices):
    NORMAL = "normal", "normal"
    DOWN = "down", "down"
    SLOW = "slow", "slow"
    TIMEOUT = "timeout", "timeout"
    REFUSE_ACCOUNT = "refuse-account", "refuse-account"
    TEMPORARY = "temporary", "temporary"
    ANSWER_LOST = "answer-lost", "answer-lost"


class FaultSwitch(models.Model):
    """The injected fault, one row (pk=1) in the database so that every server thread and process agrees."""

    SINGLETON_PK = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_PK)
    mode = models.CharField(max_length=16, choices=FaultMode.choices, default=FaultMode.NORMAL)
    # How many more /osmp/ calls the fault acts on; None = until switched back.
    count = models.PositiveIntegerField(null=True, blank=True)
    delay_ms = models.PositiveIntegerField(null=True, blank=True)
    set_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="sochi_fault_switch_is_a_singleton"),
            models.CheckConstraint(
                condition=models.Q(count__isnull=True) | models.Q(count__gt=0), name="sochi_fault_count_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.mode


class AccountFault(models.Model):
    """An injected fault for one company (its INN, the protocol's account) beside the global switch, so that two
    trainees staging different cases do not break each other's. Mode normal is never stored: clearing deletes."""

    account = models.CharField(max_length=INN_LENGTH, unique=True)
    mode = models.CharField(max_length=16, choices=FaultMode.choices)
    # How many more calls for the account the fault acts on; None = until cleared (or expired).
    count = models.PositiveIntegerField(null=True, blank=True)
    delay_ms = models.PositiveIntegerField(null=True, blank=True)
    # Held until released: no count; the first status call about the account's payments ends it (sochi/faults.py).
    hold = models.BooleanField(default=False)
    # The case's time limit: after it the fault no longer applies (and is deleted on the next look).
    expires_at = models.DateTimeField(null=True, blank=True)
    set_at = models.DateTimeField()

    class Meta:
        ordering = ["account"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(count__isnull=True) | models.Q(count__gt=0),
                name="sochi_account_fault_count_positive",
            ),
            models.CheckConstraint(condition=~models.Q(mode="normal"), name="sochi_account_fault_not_normal"),
            models.CheckConstraint(
                condition=models.Q(hold=False) | models.Q(count__isnull=True), name="sochi_account_fault_held_uncounted"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.mode}"
