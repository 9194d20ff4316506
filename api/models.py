"""The app channel's own records: the devices signed in to a wallet (bearer tokens, stored hashed) and the
holder's favourites (a saved service + account to pay again)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceToken(models.Model):
    """One signed-in device. The secret is shown once, at sign-in; only its SHA-256 is kept (the secret is 32
    random bytes, so a plain hash is enough: there is nothing to brute-force). A token works until `expires_at`
    (a fixed lifetime from sign-in, not extended by use) or until the holder or staff revoke it."""

    wallet = models.ForeignKey(
        "wallet.Wallet", verbose_name=_("кошелек"), on_delete=models.PROTECT, related_name="devices"
    )
    name = models.CharField(_("устройство"), max_length=60)
    token_hash = models.CharField(_("хеш токена"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("вход выполнен"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("последнее обращение"), null=True, blank=True)
    expires_at = models.DateTimeField(_("действует до"))
    revoked_at = models.DateTimeField(_("отозван"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("отозван сотрудником"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revoked_devices",
    )

    class Meta:
        verbose_name = _("устройство приложения")
        verbose_name_plural = _("устройства приложения")
        ordering = ["-created_at"]
        permissions = [("revoke_devicetoken", _("Отозвать вход в приложение"))]
        indexes = [models.Index(fields=["wallet", "-created_at"], name="devicetoken_wallet_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.wallet_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Favourite(models.Model):
    """A saved payment: a service and an account (e.g. a company's INN) under a name the holder chose."""

    wallet = models.ForeignKey(
        "wallet.Wallet", verbose_name=_("кошелек"), on_delete=models.CASCADE, related_name="favourites"
    )
    name = models.CharField(_("название"), max_length=60)
    service = models.ForeignKey(
        "services.Service", verbose_name=_("услуга"), on_delete=models.CASCADE, related_name="favourites"
    )
    account = models.CharField(_("лицевой счет"), max_length=30)
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)

    class Meta:
        verbose_name = _("избранный платеж")
        verbose_name_plural = _("избранные платежи")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["wallet", "service", "account"], name="favourite_unique_per_wallet")
        ]

    def __str__(self) -> str:
        return self.name
