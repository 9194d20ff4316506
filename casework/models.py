"""The call-centre's record of a call: who checked the caller's identity and what the caller knew
(`IdentityCheck`), what an agent handed to the shift supervisor (`Escalation`) and the notes kept on a customer
(`CaseNote`). Wallets and payments are referred to by name ("wallet.Wallet"): the wallet's and the payments' staff
actions ask `casework.identity` whether the caller was checked, so this app imports neither of them."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class IdentityFact(models.TextChoices):
    """What a caller may be asked; a check passes when at least two were answered correctly (identity.py)."""

    FULL_NAME = "full_name", _("имя и фамилия")
    INN = "inn", _("личный ИНН (или его последние 4 цифры)")
    LAST_TOP_UP = "last_top_up", _("последнее пополнение (сумма или дата)")


class IdentityCheck(models.Model):
    """One identity check of a caller by a staff member: the facts answered correctly and whether that was enough.
    Append-only: a later check is a new row."""

    wallet = models.ForeignKey(
        "wallet.Wallet", verbose_name=_("кошелек"), on_delete=models.PROTECT, related_name="identity_checks"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сотрудник"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="identity_checks",
        help_text=_("Пусто — система."),
    )
    full_name_ok = models.BooleanField(_("верно назвал имя и фамилию"), default=False)
    inn_ok = models.BooleanField(_("верно назвал личный ИНН"), default=False)
    last_top_up_ok = models.BooleanField(_("верно назвал последнее пополнение"), default=False)
    passed = models.BooleanField(_("личность подтверждена"), default=False)
    created_at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("проверка личности")
        verbose_name_plural = _("проверки личности")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["wallet", "actor", "created_at"], name="casework_identity_recent")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.facts_count}/3"

    @property
    def facts(self) -> list[IdentityFact]:
        answered = {
            IdentityFact.FULL_NAME: self.full_name_ok,
            IdentityFact.INN: self.inn_ok,
            IdentityFact.LAST_TOP_UP: self.last_top_up_ok,
        }
        return [fact for fact, ok in answered.items() if ok]

    @property
    def facts_count(self) -> int:
        return len(self.facts)


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("ждет старшего смены")
    CLOSED = "closed", _("закрыто")


class Escalation(models.Model):
    """A case an agent hands to the shift supervisor, with a note; the supervisor closes it with a resolution."""

    wallet = models.ForeignKey(
        "wallet.Wallet", verbose_name=_("кошелек"), on_delete=models.PROTECT, related_name="escalations"
    )
    payment = models.ForeignKey(
        "services.Payment",
        verbose_name=_("платеж"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
    )
    note = models.TextField(_("что передано"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("передал"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_opened",
    )
    created_at = models.DateTimeField(_("когда передано"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("статус"), max_length=10, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("закрыл"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations_closed",
    )
    closed_at = models.DateTimeField(_("когда закрыто"), null=True, blank=True)
    resolution = models.TextField(_("решение"), blank=True)

    class Meta:
        verbose_name = _("обращение к старшему смены")
        verbose_name_plural = _("обращения к старшему смены")
        ordering = ["-created_at", "-id"]
        permissions = [("close_escalation", _("Закрывать обращения, переданные старшему смены"))]
        indexes = [models.Index(fields=["status", "created_at"], name="casework_escalation_queue")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class CaseNote(models.Model):
    """A staff member's note on a customer (optionally on one payment): what the caller said, what was agreed."""

    wallet = models.ForeignKey(
        "wallet.Wallet", verbose_name=_("кошелек"), on_delete=models.PROTECT, related_name="case_notes"
    )
    payment = models.ForeignKey(
        "services.Payment",
        verbose_name=_("платеж"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("автор"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_notes",
    )
    text = models.TextField(_("текст"))
    created_at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("заметка по обращению")
        verbose_name_plural = _("заметки по обращениям")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.text[:40]}"
