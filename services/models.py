from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.money import MoneyField, percent_of
from services.account_rules import ACCOUNT_RULE_CHOICES


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

    class Meta:
        verbose_name = _("поставщик")
        verbose_name_plural = _("поставщики")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    RECEIVED = "received", _("принят")
    RESERVED = "reserved", _("средства зарезервированы")
    COMMITTED = "committed", _("проведен")
    ABORTED = "aborted", _("отменен")
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
    posting = models.OneToOneField(
        "ledger.Posting",
        verbose_name=_("проводка"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment",
    )
    provider_txn_id = models.CharField(_("номер у поставщика"), max_length=64, blank=True)
    balance_after = MoneyField(_("баланс после"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True, db_index=True)
    committed_at = models.DateTimeField(_("проведен"), null=True, blank=True)
    updated_at = models.DateTimeField(_("изменен"), auto_now=True)

    class Meta:
        verbose_name = _("платеж")
        verbose_name_plural = _("платежи")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=models.Q(commission__gte=0), name="payment_commission_not_negative"),
            models.CheckConstraint(
                condition=models.Q(total=models.F("amount") + models.F("commission")), name="payment_total_is_sum"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.service} {self.amount}"
