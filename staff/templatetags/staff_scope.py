"""`user|staff_scoped`: whether the signed-in staff member sees only some wallets (a trainee). Read once per request
(audit.selectors caches the scope on the user; the console's pages have read it already)."""

from django import template

from audit.selectors import staff_scope_limited

register = template.Library()


@register.filter
def staff_scoped(user) -> bool:
    return staff_scope_limited(user)
