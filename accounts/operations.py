"""Web accounts for wallet holders (email + password on top of an existing wallet)."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from wallet.models import Wallet

OFFER_VERSION = "2024-01"


@transaction.atomic
def web_account_create(*, wallet: Wallet, email: str, password: str, offer_version: str = OFFER_VERSION) -> User:
    """The wallet holder's web cabinet login: username is the wallet number; the offer acceptance is recorded."""
    user = User(
        username=wallet.phone,
        email=email.strip().lower(),
        wallet=wallet,
        offer_version=offer_version,
        offer_accepted_at=timezone.now(),
    )
    user.set_password(password)
    user.save()
    return user
