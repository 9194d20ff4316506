"""Signing in to the company page: INN -> role -> 6-digit PIN. Wrong PINs are counted in the database under the
user's row lock (not in the session, which an attacker can simply drop); the 5th locks that user for 15 minutes."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.hashers import check_password
from django.db import transaction
from django.utils import timezone

from sochi import conf
from sochi.models import CompanyUser


@dataclass(frozen=True)
class SignInOutcome:
    user: CompanyUser | None
    # Wrong PIN: how many attempts are left before the lock; locked: until when.
    attempts_left: int | None = None
    locked_until: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.user is not None


def company_user_sign_in(*, user_id: int, pin: str) -> SignInOutcome:
    """Check the PIN of this company user. The attempt counter is written and committed even when the PIN is
    wrong, which is why this returns an outcome instead of raising inside the transaction."""
    now = timezone.now()
    with transaction.atomic():
        user = CompanyUser.objects.select_for_update().select_related("company").get(pk=user_id)
        if user.locked_until is not None and user.locked_until > now:
            return SignInOutcome(user=None, locked_until=user.locked_until)
        if check_password(pin, user.pin_hash):
            if user.failed_attempts or user.locked_until:
                user.failed_attempts, user.locked_until = 0, None
                user.save(update_fields=["failed_attempts", "locked_until"])
            return SignInOutcome(user=user)
        user.failed_attempts += 1
        if user.failed_attempts >= conf.pin_attempts():
            user.failed_attempts, user.locked_until = 0, now + conf.pin_lock()
            user.save(update_fields=["failed_attempts", "locked_until"])
            return SignInOutcome(user=None, locked_until=user.locked_until)
        user.save(update_fields=["failed_attempts"])
        return SignInOutcome(user=None, attempts_left=conf.pin_attempts() - user.failed_attempts)
