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

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="accounts_user_email_unique_ci"
            ),
        ]
