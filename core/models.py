from django.db import models
from django.utils.translation import gettext_lazy as _


class Throttle(models.Model):
    """Attempts under one key (a number's sign-ins, an address's look-ups, a code's guesses) within a window.
    Changed only by single atomic UPDATEs (core/throttle.py), so a burst of concurrent requests cannot get more
    attempts than the limit, whichever process serves them."""

    key = models.CharField(_("ключ"), max_length=200, unique=True)
    hits = models.PositiveIntegerField(_("попыток"), default=0)
    window_started_at = models.DateTimeField(_("начало окна"))

    class Meta:
        verbose_name = _("счетчик попыток")
        verbose_name_plural = _("счетчики попыток")

    def __str__(self) -> str:
        return f"{self.key}: {self.hits}"


class OnceClaim(models.Model):
    """A one-time token used up (a staff confirmation's «Подтвердить»). Claimed by one INSERT against the unique
    key, so of two simultaneous requests with the same token, whatever process serves them, exactly one acts."""

    key = models.CharField(_("ключ"), max_length=80, unique=True)
    claimed_at = models.DateTimeField(_("использован"), auto_now_add=True)

    class Meta:
        verbose_name = _("использованный одноразовый ключ")
        verbose_name_plural = _("использованные одноразовые ключи")

    def __str__(self) -> str:
        return self.key
