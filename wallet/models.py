from django.db import models
from django.utils.translation import gettext_lazy as _

from wallet.phone import Operator


class WalletStatus(models.TextChoices):
    ACTIVE = "active", _("активен")
    BLOCKED = "blocked", _("заблокирован")


class Language(models.TextChoices):
    RU = "ru", "Русский"
    KY = "ky", "Кыргызча"
    EN = "en", "English"


class OpenedChannel(models.TextChoices):
    USSD = "ussd", _("USSD *900#")
    BRANCH = "branch", _("отделение KICB")
    APP = "app", _("приложение")
    WEB = "web", _("сайт")
    DEMO = "demo", _("демо-данные")


class CashInChannel(models.TextChoices):
    """Where cash is handed in for a wallet. Each has its own ledger account (LedgerAccount.cash_in_channel) and its
    limit per operation (settings.CASH_IN_LIMITS)."""

    KICB_BRANCH = "kicb-branch", _("KICB, отделение банка")
    KICB_TERMINAL = "kicb-terminal", _("KICB, терминал")
    MOBILNIK = "mobilnik", _("Мобильник, терминал")
    QIWI = "qiwi", _("QIWI, терминал")


class Wallet(models.Model):
    """An ELSOM wallet. Its number is the holder's mobile number in E.164."""

    phone = models.CharField(_("номер кошелька"), max_length=13, unique=True)
    first_name = models.CharField(_("имя"), max_length=60)
    last_name = models.CharField(_("фамилия"), max_length=60)
    inn = models.CharField(_("личный ИНН"), max_length=14, db_index=True)
    operator = models.CharField(_("оператор"), max_length=8, choices=Operator.choices)
    language = models.CharField(_("язык"), max_length=2, choices=Language.choices, default=Language.RU)
    status = models.CharField(_("статус"), max_length=8, choices=WalletStatus.choices, default=WalletStatus.ACTIVE)
    pin_hash = models.CharField(_("хеш PIN"), max_length=256)
    pin_failed_attempts = models.PositiveSmallIntegerField(_("неверных вводов PIN"), default=0)
    pin_locked_at = models.DateTimeField(_("PIN заблокирован"), null=True, blank=True)
    opened_channel = models.CharField(_("открыт через"), max_length=8, choices=OpenedChannel.choices)
    # The public offer the holder accepted when opening the wallet on the website or in the app (empty: opened
    # where the offer is accepted otherwise, on *900# or at a branch).
    offer_version = models.CharField(_("версия оферты"), max_length=20, blank=True)
    offer_accepted_at = models.DateTimeField(_("оферта принята"), null=True, blank=True)
    ledger_account = models.OneToOneField(
        "ledger.LedgerAccount", verbose_name=_("счет книги"), on_delete=models.PROTECT, related_name="wallet"
    )
    created_at = models.DateTimeField(_("открыт"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменен"), auto_now=True)

    class Meta:
        verbose_name = _("кошелек")
        verbose_name_plural = _("кошельки")
        ordering = ["-created_at"]
        permissions = [
            ("unlock_pin", _("Разблокировать PIN")),
            ("unlock_sign_in", _("Снять блокировку входа на сайт")),
            ("send_new_pin", _("Отправить новый PIN по SMS")),
            ("block_wallet", _("Заблокировать кошелек")),
            ("unblock_wallet", _("Разблокировать кошелек")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(phone__regex=r"^\+996[0-9]{9}$"), name="wallet_phone_e164"),
            models.CheckConstraint(condition=models.Q(inn__regex=r"^[12][0-9]{13}$"), name="wallet_inn_personal"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} {self.full_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def balance(self):
        return self.ledger_account.balance

    @property
    def is_pin_locked(self) -> bool:
        return self.pin_locked_at is not None

    @property
    def is_active(self) -> bool:
        return self.status == WalletStatus.ACTIVE
