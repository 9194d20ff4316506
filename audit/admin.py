from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin

from audit.models import AuditEntry, StaffScope
from audit.selectors import staff_scope_limited
from core.admin import PortalAdminMixin, ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "wallet", "payment", "reason")
    list_filter = ("action",)
    search_fields = ("wallet__phone", "payment__code", "actor__username", "reason")
    phone_search_fields = ("wallet__phone",)
    list_select_related = ("actor", "wallet", "payment")
    readonly_fields = ("created_at", "actor", "action", "wallet", "payment", "reason", "before", "after")
    fields = readonly_fields


# django-axes' pages of sign-ins and failures: a holder's username is the wallet number, found in any usual form.
for _model in (AccessAttempt, AccessLog, AccessFailureLog):
    _registered = admin.site._registry.get(_model)
    if _registered is not None:
        admin.site.unregister(_model)
        admin.site.register(
            _model,
            type(
                type(_registered).__name__,
                (PortalAdminMixin, type(_registered)),
                {"phone_search_fields": ("username",)},
            ),
        )


@admin.register(StaffScope)
class StaffScopeAdmin(PortalAdminMixin, admin.ModelAdmin):
    list_display = ("user", "prefixes", "created_at")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    raw_id_fields = ("user",)


# A staff member with a scope (a trainee) works in the console only: the admin lists every wallet and every audit
# reason, which the console's scope would not let them see.
_site_has_permission = admin.site.has_permission


def _has_permission(request) -> bool:
    return _site_has_permission(request) and not staff_scope_limited(request.user)


admin.site.has_permission = _has_permission  # type: ignore[method-assign]
