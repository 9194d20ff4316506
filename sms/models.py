from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsKind(models.TextChoices):
    WALLET_OPENED = "wallet_opened", _("кошелек открыт")
    PIN_CHANGED = "pin_changed", _("PIN изменен")
    PIN_LOCKED = "pin_locked", _("PIN заблокирован")
    CASH_IN = "cash_in", _("пополнение")
    PAYMENT = "payment", _("платеж")
    PAYMENT_ABORTED = "payment_aborted", _("платеж отменен")
    REVERSAL = "reversal", _("возврат")
    CODE = "code", _("одноразовый код")
    PIN_RESET = "pin_reset", _("новый PIN от call-центра")


# Messages whose text carries a secret (PIN, one-time code): queued only with the secret named (sms_queue's
# `secret`), never printed in clear by a console or a log, and kept in clear only until they leave the outbox.
SECRET_KINDS = {SmsKind.WALLET_OPENED, SmsKind.CODE, SmsKind.PIN_RESET}
# What stands for each character of a PIN or code in the text kept at rest and shown to staff: «Ваш PIN: ****».
SECRET_MASK = "*"


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("в очереди")
    SENDING = "sending", _("отправляется")
    SENT = "sent", _("отправлено")
    FAILED = "failed", _("ошибка")


class SmsMessage(models.Model):
    """Transactional outbox: written in the same transaction as the event it reports, delivered later."""

    phone = models.CharField(_("телефон"), max_length=16, db_index=True)
    # The text to deliver. A PIN or code in it is kept only while the message is in the outbox: the UPDATE that
    # marks it sent (or failed for good) puts text_masked in its place, so a stolen database gives no PIN away.
    text = models.TextField(_("текст"))
    # The text with its PIN or code starred, made from the secret the caller named; blank when the text carries
    # no secret or no longer does (delivered, failed).
    text_masked = models.TextField(_("текст без PIN и кода"), blank=True, default="")
    kind = models.CharField(_("вид"), max_length=16, choices=SmsKind.choices)
    status = models.CharField(_("статус"), max_length=8, choices=SmsStatus.choices, default=SmsStatus.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    next_attempt_at = models.DateTimeField(_("следующая попытка"), db_index=True)
    claimed_by = models.CharField(_("отправитель"), max_length=64, blank=True)
    claimed_at = models.DateTimeField(_("взято в отправку"), null=True, blank=True)
    last_error = models.CharField(_("последняя ошибка"), max_length=255, blank=True)
    payment = models.ForeignKey(
        "services.Payment",
        verbose_name=_("платеж"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sms_messages",
    )
    # A call-centre resend is a new message (the first stays as it was, for the record) that points at the first:
    # the books count each payment's SMS once, however many copies the holder was sent.
    resent_from = models.ForeignKey(
        "self",
        verbose_name=_("копия сообщения"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="copies",
    )
    created_at = models.DateTimeField(_("создано"), auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("SMS")
        verbose_name_plural = _("SMS")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="sms_due_idx")]
        permissions = [("resend_sms", _("Отправить SMS повторно"))]

    def __str__(self) -> str:
        return f"{self.phone} {self.kind} {self.status}"

    @property
    def is_secret(self) -> bool:
        return self.kind in SECRET_KINDS


class DemoInbox(models.Model):
    """The demo's virtual phone keeps what it received, PINs and codes in clear, in its own store: the phone
    simulator's inbox is how trainees and demo users read them, while the outbox keeps only the starred text.
    Written by sms.backends.virtual in demo mode only; production backends record nothing."""

    message = models.OneToOneField(
        SmsMessage, verbose_name=_("SMS"), on_delete=models.CASCADE, primary_key=True, related_name="demo_inbox"
    )
    text = models.TextField(_("полученный текст"))

    class Meta:
        verbose_name = _("SMS на виртуальном телефоне")
        verbose_name_plural = _("SMS на виртуальном телефоне")

    def __str__(self) -> str:
        return f"{self.message_id}"
