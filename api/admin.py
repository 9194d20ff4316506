from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from api.devices import device_revoke_by_staff
from api.models import DeviceToken
from core.admin import ReadOnlyAdmin, reason_action


@admin.register(DeviceToken)
class DeviceTokenAdmin(ReadOnlyAdmin):
    """Staff see the devices signed in to a wallet and sign one out (a lost phone), with a reason for the audit
    log. The token itself is never shown: only its hash is stored."""

    list_display = ("wallet", "name", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_by")
    list_filter = ("revoked_at",)
    list_select_related = ("wallet", "revoked_by")
    search_fields = ("name",)
    phone_search_fields = ("wallet__phone",)
    exclude = ("token_hash",)
    readonly_fields = ("wallet", "name", "created_at", "last_used_at", "expires_at", "revoked_at", "revoked_by")
    actions = ["revoke"]

    def has_revoke_devicetoken_permission(self, request):
        return request.user.has_perm("api.revoke_devicetoken")

    @admin.action(description=_("Отозвать вход в приложение"), permissions=["revoke_devicetoken"])
    def revoke(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("Отозвать вход в приложение"),
            perform=lambda device, reason: device_revoke_by_staff(device=device, actor=request.user, reason=reason),
            done=_("Устройств отключено: %(n)d."),
        )
