"""Favourites: a service and an account saved under a name, to pay again in two taps."""

from django.db import IntegrityError, transaction

from api.errors import (
    MSG_FAVOURITE_EXISTS,
    MSG_FAVOURITE_NAME,
    MSG_FAVOURITE_NOT_FOUND,
    MSG_FAVOURITES_LIMIT,
    ApiError,
    Conflict,
    NotFound,
)
from api.models import Favourite
from services.account_rules import account_parse
from services.models import Service
from wallet.models import Wallet

FAVOURITES_MAX = 50
NAME_MAX = 60


def favourite_list(*, wallet: Wallet) -> list[Favourite]:
    return list(Favourite.objects.select_related("service").filter(wallet=wallet).order_by("-created_at", "-id"))


def favourite_get(*, wallet: Wallet, favourite_id: int) -> Favourite:
    """The holder's favourite; another holder's is not found, like an unknown one."""
    favourite = Favourite.objects.select_related("service").filter(pk=favourite_id, wallet=wallet).first()
    if favourite is None:
        raise NotFound(MSG_FAVOURITE_NOT_FOUND, code="favourite_not_found")
    return favourite


@transaction.atomic
def favourite_create(*, wallet: Wallet, name: str, service: Service, account: str) -> Favourite:
    """Save service + account (checked and normalised by the service's rule, as a payment would be) under a name.
    Raises InvalidAccount, Conflict (already saved), ApiError (name, limit)."""
    name = " ".join((name or "").split())
    if not 1 <= len(name) <= NAME_MAX:
        raise ApiError(MSG_FAVOURITE_NAME, code="invalid_name")
    normalized = account_parse(
        rule=service.account_rule,
        raw=account,
        min_length=service.account_min_length,
        max_length=service.account_max_length,
    )
    # The wallet's row is locked so that two saves at once cannot both pass the count.
    Wallet.objects.select_for_update().filter(pk=wallet.pk).values_list("pk", flat=True).first()
    if Favourite.objects.filter(wallet=wallet).count() >= FAVOURITES_MAX:
        raise ApiError(MSG_FAVOURITES_LIMIT, code="favourites_limit", limit=FAVOURITES_MAX)
    try:
        with transaction.atomic():
            return Favourite.objects.create(wallet=wallet, name=name, service=service, account=normalized)
    except IntegrityError as exc:
        raise Conflict(MSG_FAVOURITE_EXISTS, code="favourite_exists") from exc


def favourite_delete(*, wallet: Wallet, favourite_id: int) -> None:
    deleted, _rows = Favourite.objects.filter(pk=favourite_id, wallet=wallet).delete()
    if not deleted:
        raise NotFound(MSG_FAVOURITE_NOT_FOUND, code="favourite_not_found")
