"""Which wallets a staff member may see and act on (audit.models.StaffScope). The console filters its pages with
it; every staff action's domain function checks it again through `staff_require(..., wallet=...)`.

The scope is read once per user object (cached on it): a console page and the action it calls ask the database
once between them."""

from typing import Any

from django.db.models import Q

from audit.models import StaffScope

_CACHE = "_staff_scope_prefixes"


def staff_scope_prefixes(actor: Any) -> tuple[str, ...] | None:
    """The number prefixes `actor` is limited to, or None: no limit (no scope row, the portal itself, no one)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or getattr(actor, "pk", None) is None:
        return None
    if hasattr(actor, _CACHE):
        cached: tuple[str, ...] | None = getattr(actor, _CACHE)
        return cached
    row = StaffScope.objects.filter(user_id=actor.pk).values_list("prefixes", flat=True).first()
    prefixes = None if row is None else tuple(str(prefix) for prefix in row)
    setattr(actor, _CACHE, prefixes)
    return prefixes


def staff_scope_forget(actor: Any) -> None:
    """Drop the cached scope of this user object (after the scope row changed)."""
    if actor is not None and _CACHE in getattr(actor, "__dict__", {}):
        delattr(actor, _CACHE)


def staff_scope_limited(actor: Any) -> bool:
    """Whether `actor` sees only some wallets (a trainee): the console then also hides how a case was staged."""
    return staff_scope_prefixes(actor) is not None


def staff_scope_allows(*, actor: Any, phone: str) -> bool:
    """Whether `actor` may see and act on the wallet of this E.164 number."""
    prefixes = staff_scope_prefixes(actor)
    return prefixes is None or any((phone or "").startswith(prefix) for prefix in prefixes if prefix)


def staff_scope_filter(actor: Any, field: str = "phone") -> Q | None:
    """A filter for a queryset whose `field` is a wallet's number (`"wallet__phone"` …), or None: no limit. A scope
    without prefixes matches nothing."""
    prefixes = staff_scope_prefixes(actor)
    if prefixes is None:
        return None
    condition = Q(pk__in=[])
    for prefix in prefixes:
        if prefix:
            condition |= Q(**{f"{field}__startswith": prefix})
    return condition
