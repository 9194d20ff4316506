"""The audit log: what staff did (one append-only row per action) and the actions' names."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffAction(models.TextChoices):
    PIN_UNLOCK = "pin_unlock", _("разблокировка PIN")
    SIGN_IN_UNLOCK = "sign_in_unlock", _("снятие блокировки входа на сайт")
    WALLET_BLOCK = "wallet_block", _("блокировка кошелька")
    WALLET_UNBLOCK = "wallet_unblock", _("разблокировка кошелька")
    SMS_RESEND = "sms_resend", _("повторная отправка SMS")
    PIN_RESET = "pin_reset", _("новый PIN по SMS")
    # Not a staff action: the holder's own reset (SMS code + personal INN), kept here so that the console's
    # timeline and the call-centre see it beside the agents' PIN resets (actor empty, channel in `after`).
    PIN_SELF_RESET = "pin_self_reset", _("новый PIN по SMS-коду и ИНН (сам клиент)")
    REFUND_REQUEST = "refund_request", _("запрос на возврат платежа")
    REFUND_APPROVE = "refund_approve", _("возврат платежа одобрен")
    REFUND_REJECT = "refund_reject", _("возврат платежа отклонен")
    PROVIDER_QUERY = "provider_query", _("запрос к поставщику")
    PROVIDER_FAULT = "provider_fault", _("сбой поставщика (тренировка)")
    CASH_IN = "cash_in", _("пополнение в кассе")
    SCENARIO_START = "scenario_start", _("запуск сценария")
    SCENARIO_RESET = "scenario_reset", _("сброс сценария")
    TRAINING_RESET = "training_reset", _("сброс учебных данных")
    DEVICE_REVOKE = "device_revoke", _("отзыв входа в приложение")
    BALANCE_ADJUST = "balance_adjust", _("корректировка баланса (учеба)")
    PIN_SET = "pin_set", _("демо-PIN восстановлен (учеба)")
    IDENTITY_CHECK = "identity_check", _("проверка личности")
    ESCALATE = "escalate", _("передано старшему смены")
    ESCALATION_CLOSE = "escalation_close", _("обращение закрыто старшим смены")
    CASE_NOTE = "case_note", _("заметка по обращению")
    CLASS_CREATE = "class_create", _("создание учебной группы")
    CLASS_DELETE = "class_delete", _("удаление учебной группы")
    RUN_ASSIGN = "run_assign", _("назначение учебного случая")


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("the audit log is append-only")

    def delete(self):
        raise TypeError("the audit log is append-only")


class AuditEntry(models.Model):
    """Who did what to which wallet or payment, why, and what it looked like before and after. Written by the
    domain function of the action, in its transaction; never changed or deleted."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        help_text=_("Пусто — действие системы (демо-данные, сценарий)."),
    )
    action = models.CharField(_("действие"), max_length=20, choices=StaffAction.choices)
    wallet = models.ForeignKey(
        "wallet.Wallet",
        verbose_name=_("кошелек"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    payment = models.ForeignKey(
        "services.Payment",
        verbose_name=_("платеж"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    reason = models.TextField(_("причина"))
    before = models.JSONField(_("до"), default=dict, blank=True)
    after = models.JSONField(_("после"), default=dict, blank=True)
    created_at = models.DateTimeField(_("когда"), auto_now_add=True, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("запись журнала действий")
        verbose_name_plural = _("журнал действий персонала")
        # The table kept its name when the model moved from the console app (staff) to audit: no data moved.
        db_table = "staff_auditentry"
        ordering = ["-created_at", "-id"]
        permissions = [
            ("use_console", _("Работать в консоли call-центра")),
            ("run_training", _("Запускать учебные сценарии")),
            ("use_cash_desk", _("Работать в кассе (пополнение кошельков)")),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("the audit log is append-only")


class StaffScope(models.Model):
    """The wallets a staff member may see and act on: those whose E.164 number starts with one of `prefixes`. No row:
    no limit (agents, supervisors, trainers). A trainee's row holds their sandbox block (training_class_create), so
    that the console finds only their own customers and every staff action's domain function refuses any other
    wallet (audit.operations.staff_require)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("сотрудник"), on_delete=models.CASCADE, related_name="staff_scope"
    )
    prefixes = models.JSONField(
        _("начала номеров"),
        default=list,
        blank=True,
        help_text=_("Номера кошельков, которые сотрудник видит, начинаются с одного из них (+99655590010…)."),
    )
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("ограничение доступа сотрудника")
        verbose_name_plural = _("ограничения доступа сотрудников")

    def __str__(self) -> str:
        return ", ".join(self.prefixes)
