from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    ACTIVE = "active", _("идет")
    FAILED = "failed", _("не удалось подготовить")
    RESET = "reset", _("сброшен")


class ScenarioRun(models.Model):
    """One start of a training scenario: on which wallet, by whom, and what the scenario's check needs to know (the
    payment it made, the wallet's state before it). Who did what is in the audit log too (SCENARIO_START / RESET)."""

    scenario = models.CharField(_("сценарий"), max_length=40)
    variant = models.CharField(_("вариант"), max_length=20, blank=True)
    wallet = models.ForeignKey(
        "wallet.Wallet", verbose_name=_("кошелек"), on_delete=models.PROTECT, related_name="training_runs"
    )
    fresh_wallet = models.BooleanField(_("новый кошелек"), default=False)
    payment = models.ForeignKey(
        "services.Payment",
        verbose_name=_("платеж"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_runs",
    )
    status = models.CharField(_("статус"), max_length=8, choices=RunStatus.choices, default=RunStatus.ACTIVE)
    # Never a PIN or a code: whether the demo PIN is the wallet's PIN, the state before, the email in the way ...
    facts = models.JSONField(_("данные сценария"), default=dict, blank=True)
    error = models.CharField(_("ошибка подготовки"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("запустил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_runs_started",
    )
    started_at = models.DateTimeField(_("запущен"), auto_now_add=True, db_index=True)
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сбросил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_runs_reset",
    )
    reset_at = models.DateTimeField(_("сброшен"), null=True, blank=True)

    class Meta:
        verbose_name = _("запуск сценария")
        verbose_name_plural = _("запуски сценариев")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scenario} {self.wallet_id} {self.started_at:%Y-%m-%d %H:%M}"


class SmsGatewayFault(models.Model):
    """A number the demo's SMS gateway cannot reach (sms.backends.failing): set by the scenario «Не пришло SMS»,
    lifted by the trainer, a scenario reset or training_reset."""

    phone = models.CharField(_("телефон"), max_length=13, unique=True)
    run = models.ForeignKey(
        ScenarioRun, verbose_name=_("сценарий"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("включен"), auto_now_add=True)

    class Meta:
        verbose_name = _("сбой SMS-шлюза для номера")
        verbose_name_plural = _("сбои SMS-шлюза для номеров")

    def __str__(self) -> str:
        return self.phone
