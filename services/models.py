from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.dispatch import Signal
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import MoneyField, percent_of
from services.account_rules import ACCOUNT_RULE_CHOICES

DOSTEK_PROVIDER_CODE = "dostek"  # DosTek group, СОЧИ's operator


# Sent after a bulk update or delete of categories, services or providers, which bypass post_save and post_delete.
# The cached catalog (services/catalog.py) listens, as it does to those (services/apps.py connects them): the
# models know nothing of the cache.
catalog_changed = Signal()


class CatalogQuerySet(models.QuerySet):
    """Bulk changes say so themselves (catalog_changed): post_save and post_delete are not sent for them."""

    def update(self, **kwargs):
        updated = super().update(**kwargs)
        catalog_changed.send(sender=self.model)
        return updated

    def delete(self):
        deleted = super().delete()
        catalog_changed.send(sender=self.model)
        return deleted


class TranslatedNameMixin:
    """Names are kept in Russian with optional Kyrgyz and English variants; a missing one falls back to Russian."""

    def localized(self, field: str, language: str | None = None) -> str:
        language = (language or get_language() or "ru")[:2]
        if language != "ru":
            value = getattr(self, f"{field}_{language}", "")
            if value:
                return value
        return getattr(self, field)

    @property
    def display_name(self) -> str:
        return self.localized("name")


class Category(TranslatedNameMixin, models.Model):
    """A node of the catalog tree: web «Услуги» -> «Другие», USSD 3 -> 3 -> 14 «Другие услуги»."""

    parent = models.ForeignKey(
        "self", verbose_name=_("родитель"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    slug = models.SlugField(_("код"), max_length=50, unique=True)
    name = models.CharField(_("название"), max_length=80)
    name_ky = models.CharField(_("название (кыргызча)"), max_length=80, blank=True)
    name_en = models.CharField(_("название (English)"), max_length=80, blank=True)
    ussd_name = models.CharField(_("название в USSD"), max_length=40, blank=True)
    ussd_name_ky = models.CharField(_("название в USSD (кыргызча)"), max_length=40, blank=True)
    ussd_number = models.PositiveSmallIntegerField(
        _("номер в USSD"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(97)],
        help_text=_("Номер пункта в меню *900# (1–97; 98 и 0 заняты навигацией). Пусто — нет в USSD."),
    )
    position = models.PositiveSmallIntegerField(_("порядок на сайте"), default=100)
    is_active = models.BooleanField(_("активна"), default=True)

    history = HistoricalRecords()
    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("категория")
        verbose_name_plural = _("категории")
        ordering = ["position", "name"]
        constraints = [
            # Top-level categories have parent NULL, which a unique constraint treats as distinct on SQLite;
            # clean() covers that level.
            models.UniqueConstraint(fields=["parent", "ussd_number"], name="category_unique_ussd_number_per_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.ussd_number is None:
            return
        siblings = Category.objects.filter(parent=self.parent, ussd_number=self.ussd_number).exclude(pk=self.pk)
        if siblings.exists():
            raise ValidationError({"ussd_number": _("Этот номер USSD уже занят в этом меню.")})

    def ussd_label(self, language: str | None = None) -> str:
        return self.localized("ussd_name", language) or self.localized("name", language)


class Provider(models.Model):
    """Who receives the money of a service (DosTek group for СОЧИ) and how we talk to them."""

    code = models.SlugField(_("код"), max_length=50, unique=True)
    name = models.CharField(_("название"), max_length=120)
    adapter = models.CharField(
        _("адаптер"),
        max_length=120,
        default="services.providers.AcceptAllProvider",
        help_text=_("Класс, через который идут запросы к поставщику."),
    )
    settlement_account = models.OneToOneField(
        "ledger.LedgerAccount", verbose_name=_("счет расчетов"), on_delete=models.PROTECT, related_name="provider"
    )
    call_centre_phone = models.CharField(_("call-центр"), max_length=32, blank=True)

    history = HistoricalRecords()
    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("поставщик")
        verbose_name_plural = _("поставщики")
        ordering = ["name"]
        permissions = [("set_provider_fault", _("Включать учебные сбои поставщика"))]

    def __str__(self) -> str:
        return self.name

    @property
    def holder_call_centre(self) -> str:
        """The number a holder calls about a payment to this provider ('' if none): the catalog's, or for DosTek
        group the settings' (DOSTEK_CALL_CENTRE_PHONE), which the catalog's seed leaves to the environment."""
        if self.call_centre_phone:
            return self.call_centre_phone
        return settings.DOSTEK_CALL_CENTRE_PHONE if self.code == DOSTEK_PROVIDER_CODE else ""


class Service(TranslatedNameMixin, models.Model):
    category = models.ForeignKey(
        Category, verbose_name=_("категория"), on_delete=models.PROTECT, related_name="services"
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("поставщик"), on_delete=models.PROTECT, related_name="services"
    )
    slug = models.SlugField(_("код"), max_length=50, unique=True)
    name = models.CharField(_("название"), max_length=80)
    name_ky = models.CharField(_("название (кыргызча)"), max_length=80, blank=True)
    name_en = models.CharField(_("название (English)"), max_length=80, blank=True)
    ussd_name = models.CharField(_("название в USSD"), max_length=40, blank=True)
    ussd_name_ky = models.CharField(_("название в USSD (кыргызча)"), max_length=40, blank=True)
    ussd_number = models.PositiveSmallIntegerField(
        _("номер в USSD"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(97)],
    )
    position = models.PositiveSmallIntegerField(_("порядок на сайте"), default=100)
    account_label = models.CharField(_("подпись поля счета"), max_length=60, default="Лицевой счет")
    account_label_ky = models.CharField(_("подпись поля счета (кыргызча)"), max_length=60, blank=True)
    account_label_en = models.CharField(_("подпись поля счета (English)"), max_length=60, blank=True)
    account_rule = models.CharField(_("проверка счета"), max_length=20, choices=ACCOUNT_RULE_CHOICES, default="digits")
    account_min_length = models.PositiveSmallIntegerField(_("мин. длина счета"), default=1)
    account_max_length = models.PositiveSmallIntegerField(_("макс. длина счета"), default=30)
    min_amount = MoneyField(_("мин. сумма, сом"), default=Decimal("1.00"))
    max_amount = MoneyField(_("макс. сумма, сом"), default=Decimal("100000.00"))
    commission_fixed = MoneyField(_("комиссия фиксированная, сом"), default=Decimal("0.00"))
    commission_percent = models.DecimalField(
        _("комиссия, %"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("50"))],
    )
    is_active = models.BooleanField(_("активна"), default=True)

    history = HistoricalRecords()
    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("услуга")
        verbose_name_plural = _("услуги")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["category", "ussd_number"], name="service_unique_ussd_number_per_category"),
            models.CheckConstraint(condition=models.Q(min_amount__gt=0), name="service_min_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(max_amount__gte=models.F("min_amount")), name="service_max_not_below_min"
            ),
            models.CheckConstraint(condition=models.Q(commission_fixed__gte=0), name="service_commission_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def ussd_label(self, language: str | None = None) -> str:
        return self.localized("ussd_name", language) or self.localized("name", language)

    @property
    def display_account_label(self) -> str:
        return self.localized("account_label")

    def commission_for(self, amount: Decimal) -> Decimal:
        return self.commission_fixed + percent_of(amount, self.commission_percent)


class Channel(models.TextChoices):
    WEB = "web", _("сайт")
    USSD = "ussd", _("USSD *900#")
    APP = "app", _("приложение")
    DEMO = "demo", _("демо-данные")


class PaymentStatus(models.TextChoices):
    # Mojaloop's transfer states, so that asynchronous providers and refunds fit without a rewrite.
    # The labels are what holders and agents read: the state in words.
    RECEIVED = "received", _("принят")
    RESERVED = "reserved", _("в обработке")
    COMMITTED = "committed", _("проведен")
    ABORTED = "aborted", _("отменен, средства возвращены")
    REVERSED = "reversed", _("возвращен")


class Payment(models.Model):
    code = models.CharField(_("код платежа"), max_length=12, unique=True)
    wallet = models.ForeignKey(
        "wallet.Wallet", verbose_name=_("кошелек"), on_delete=models.PROTECT, related_name="payments"
    )
    service = models.ForeignKey(Service, verbose_name=_("услуга"), on_delete=models.PROTECT, related_name="payments")
    account = models.CharField(_("лицевой счет"), max_length=30)
    amount = MoneyField(_("сумма"))
    commission = MoneyField(_("комиссия"))
    total = MoneyField(_("итого списано"))
    channel = models.CharField(_("канал"), max_length=8, choices=Channel.choices)
    idempotency_key = models.CharField(_("ключ идемпотентности"), max_length=100, unique=True)
    fingerprint = models.CharField(_("отпечаток запроса"), max_length=64)
    status = models.CharField(_("статус"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.RECEIVED)
    # The payment's postings, each written once: the total moved to the hold account when the payment was
    # accepted; then either to the provider and the fees (committed) or back to the wallet (aborted); and for a
    # committed payment that the provider returned, the refund to the wallet.
    reserve_posting = models.OneToOneField(
        "ledger.Posting",
        verbose_name=_("проводка резерва"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reserved_payment",
    )
    settle_posting = models.OneToOneField(
        "ledger.Posting",
        verbose_name=_("проводка расчета"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="settled_payment",
    )
    refund_posting = models.OneToOneField(
        "ledger.Posting",
        verbose_name=_("проводка возврата"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunded_payment",
    )
    provider_txn_id = models.CharField(_("номер у поставщика"), max_length=64, blank=True)
    account_holder = models.CharField(_("получатель по данным поставщика"), max_length=200, blank=True)
    # The provider's last word, and where the worker stands with a payment in progress.
    provider_result = models.SmallIntegerField(_("код ответа поставщика"), null=True, blank=True)
    provider_comment = models.CharField(_("ответ поставщика"), max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(_("обращений к поставщику"), default=0)
    next_attempt_at = models.DateTimeField(_("следующее обращение"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("в работе до"), null=True, blank=True)
    balance_after = MoneyField(_("баланс после"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True, db_index=True)
    committed_at = models.DateTimeField(_("проведен"), null=True, blank=True)
    aborted_at = models.DateTimeField(_("отменен"), null=True, blank=True)
    reversed_at = models.DateTimeField(_("возвращен"), null=True, blank=True)
    updated_at = models.DateTimeField(_("изменен"), auto_now=True)

    class Meta:
        verbose_name = _("платеж")
        verbose_name_plural = _("платежи")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["wallet", "-created_at"], name="payment_wallet_history_idx"),
            models.Index(fields=["status", "next_attempt_at"], name="payment_due_idx"),
        ]
        permissions = [
            ("request_refund", _("Запросить возврат платежа")),
            ("approve_refund", _("Одобрить возврат платежа")),
            ("query_provider", _("Запросить состояние платежа у поставщика")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=models.Q(commission__gte=0), name="payment_commission_not_negative"),
            models.CheckConstraint(
                condition=models.Q(total=models.F("amount") + models.F("commission")), name="payment_total_is_sum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.service} {self.amount}"


class ExchangeOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("принято")
    REFUSED = "refused", _("отказ")
    UNKNOWN = "unknown", _("нет ответа")


class ProviderExchangeQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("provider exchanges are a log: append-only")

    def delete(self):
        raise TypeError("provider exchanges are a log: append-only")


class ProviderExchange(models.Model):
    """One call to a provider and what came back (or did not), as support needs to see it. Never the password."""

    provider = models.ForeignKey(Provider, verbose_name=_("поставщик"), on_delete=models.PROTECT)
    payment = models.ForeignKey(
        Payment,
        verbose_name=_("платеж"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exchanges",
    )
    command = models.CharField(_("команда"), max_length=10)
    txn_id = models.CharField(_("номер транзакции"), max_length=32, blank=True)
    account = models.CharField(_("лицевой счет"), max_length=30, blank=True)
    amount = MoneyField(_("сумма"), null=True, blank=True)
    outcome = models.CharField(_("итог"), max_length=8, choices=ExchangeOutcome.choices)
    result = models.SmallIntegerField(_("код ответа"), null=True, blank=True)
    comment = models.CharField(_("комментарий поставщика"), max_length=255, blank=True)
    prv_txn = models.CharField(_("номер у поставщика"), max_length=64, blank=True)
    http_status = models.SmallIntegerField(_("HTTP-статус"), null=True, blank=True)
    error = models.CharField(_("ошибка связи"), max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(_("длительность, мс"), default=0)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)

    objects = ProviderExchangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("обмен с поставщиком")
        verbose_name_plural = _("обмены с поставщиком")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.command} {self.txn_id} {self.outcome} {self.result}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("ждет решения")
    APPROVED = "approved", _("одобрен, деньги возвращены")
    REJECTED = "rejected", _("отклонен")


class RefundRequest(models.Model):
    """A committed payment to be returned (the provider agreed to give the money back): asked for by an agent,
    decided by a supervisor who is not the one who asked. Only the approval moves money (payment_reverse)."""

    payment = models.ForeignKey(Payment, verbose_name=_("платеж"), on_delete=models.PROTECT, related_name="refunds")
    status = models.CharField(_("статус"), max_length=8, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    requested_by = models.ForeignKey(
        "accounts.User", verbose_name=_("запросил"), on_delete=models.PROTECT, related_name="refund_requests"
    )
    reason = models.TextField(_("причина"))
    decided_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("решил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refund_decisions",
    )
    decision_reason = models.TextField(_("комментарий к решению"), blank=True)
    created_at = models.DateTimeField(_("запрошен"), auto_now_add=True)
    decided_at = models.DateTimeField(_("решен"), null=True, blank=True)

    class Meta:
        verbose_name = _("запрос на возврат")
        verbose_name_plural = _("запросы на возврат")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment"], condition=models.Q(status="pending"), name="refund_one_pending_per_payment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payment.code} {self.get_status_display()}"
