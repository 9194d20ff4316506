from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from wallet.models import Wallet, WalletStatus
from wallet.operations import wallet_pin_unlock, wallet_set_status


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("phone", "full_name", "operator", "status", "balance", "pin_locked", "opened_channel", "created_at")
    list_filter = ("operator", "status", "opened_channel", "language")
    search_fields = ("phone", "first_name", "last_name", "inn")
    list_select_related = ("ledger_account",)
    exclude = ("pin_hash",)
    readonly_fields = (
        "phone",
        "first_name",
        "last_name",
        "inn",
        "operator",
        "language",
        "status",
        "pin_failed_attempts",
        "pin_locked_at",
        "opened_channel",
        "ledger_account",
        "created_at",
    )
    actions = ["unlock_pin", "block", "unblock"]

    @admin.display(description=_("баланс"))
    def balance(self, obj):
        return obj.ledger_account.balance

    @admin.display(description=_("PIN заблокирован"), boolean=True)
    def pin_locked(self, obj):
        return obj.is_pin_locked

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff and obj is None

    @admin.action(description=_("Разблокировать PIN (личность проверена)"))
    def unlock_pin(self, request, queryset):
        for wallet in queryset:
            wallet_pin_unlock(wallet=wallet)
        self.message_user(request, _("PIN разблокирован."), messages.SUCCESS)

    @admin.action(description=_("Заблокировать кошелек"))
    def block(self, request, queryset):
        for wallet in queryset:
            wallet_set_status(wallet=wallet, status=WalletStatus.BLOCKED)
        self.message_user(request, _("Кошельки заблокированы."), messages.SUCCESS)

    @admin.action(description=_("Разблокировать кошелек"))
    def unblock(self, request, queryset):
        for wallet in queryset:
            wallet_set_status(wallet=wallet, status=WalletStatus.ACTIVE)
        self.message_user(request, _("Кошельки разблокированы."), messages.SUCCESS)
