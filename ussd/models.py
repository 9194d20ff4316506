from django.db import models
from django.utils.translation import gettext_lazy as _


class UssdSession(models.Model):
    """Where one *900# session is. Holds no PIN: secret inputs are read again from the gateway's `text`,
    which repeats every input of the session, and `last_text_digest` is an HMAC, not the text."""

    session_id = models.CharField(_("сессия"), max_length=100, unique=True)
    phone = models.CharField(_("телефон"), max_length=13)
    state = models.JSONField(_("состояние"), default=dict)
    consumed = models.PositiveSmallIntegerField(_("обработано вводов"), default=0)
    last_text_digest = models.CharField(max_length=64, blank=True)
    # The last screen the phone showed (its text only); whether it ended the session is `ended`.
    last_response = models.TextField(_("последний экран"), blank=True)
    ended = models.BooleanField(_("завершена"), default=False)
    created_at = models.DateTimeField(_("начата"), auto_now_add=True)
    updated_at = models.DateTimeField(_("последний ввод"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("USSD-сессия")
        verbose_name_plural = _("USSD-сессии")

    def __str__(self) -> str:
        return f"{self.session_id} {self.phone}"
