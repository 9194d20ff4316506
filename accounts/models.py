from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Staff (no wallet) and wallet holders with a web account (username = wallet number in E.164)."""

    wallet = models.OneToOneField(
        "wallet.Wallet",
        verbose_name=_("кошелек"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="web_account",
    )
    offer_version = models.CharField(_("версия оферты"), max_length=20, blank=True)
    offer_accepted_at = models.DateTimeField(_("оферта принята"), null=True, blank=True)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs does not declare it
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_unique_ci"
            ),
        ]


class CodePurpose(models.TextChoices):
    REGISTER = "register", _("регистрация на сайте")
    RESET = "reset", _("смена пароля")
    APP_SIGN_IN = "app", _("вход в приложение")
    PIN_RESET = "pin_reset", _("восстановление PIN")


class PhoneCode(models.Model):
    """One flow of one-time SMS codes (registration, password reset): a keyed hash of the current code, its
    expiry, how many codes were sent and how many guesses are left. Counted by conditional UPDATEs
    (accounts/codes.py), so concurrent guesses cannot exceed the limit; the session holds only this row's id."""

    purpose = models.CharField(_("назначение"), max_length=10, choices=CodePurpose.choices)
    phone = models.CharField(_("телефон"), max_length=13, db_index=True)
    code_hash = models.CharField(_("хеш кода"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("действует до"), null=True, blank=True)
    guesses = models.PositiveSmallIntegerField(_("неверных вводов"), default=0)
    sends = models.PositiveSmallIntegerField(_("отправлено кодов"), default=0)
    last_sent_at = models.DateTimeField(_("последняя отправка"), null=True, blank=True)
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), auto_now_add=True)

    class Meta:
        verbose_name = _("код подтверждения")
        verbose_name_plural = _("коды подтверждения")

    def __str__(self) -> str:
        return f"{self.purpose} {self.phone}"
