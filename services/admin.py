from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import ReadOnlyAdmin
from ledger.models import AccountKind
from ledger.posting import ledger_account_get_or_create
from services.models import Category, Payment, Provider, Service


def _set_active(modeladmin, request, queryset, active: bool):
    # Saved one by one (not queryset.update) so that simple-history records who did it.
    for obj in queryset:
        obj.is_active = active
        obj.save(update_fields=["is_active"])
    modeladmin.message_user(request, _("Готово: %(n)d.") % {"n": queryset.count()}, messages.SUCCESS)


@admin.action(description=_("Включить"))
def activate(modeladmin, request, queryset):
    _set_active(modeladmin, request, queryset, True)


@admin.action(description=_("Выключить"))
def deactivate(modeladmin, request, queryset):
    _set_active(modeladmin, request, queryset, False)


class ServiceInline(admin.TabularInline):
    model = Service
    fields = (
        "position",
        "name",
        "ussd_number",
        "ussd_name",
        "provider",
        "min_amount",
        "max_amount",
        "commission_fixed",
        "commission_percent",
        "is_active",
    )
    extra = 0
    show_change_link = True
    ordering = ("position",)


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ("name", "parent", "ussd_number", "ussd_name", "position", "is_active")
    list_editable = ("position", "ussd_number", "is_active")
    list_filter = ("is_active", "parent")
    search_fields = ("name", "name_ky", "name_en", "ussd_name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    actions = [activate, deactivate]
    inlines = [ServiceInline]
    fieldsets = (
        (None, {"fields": ("parent", "slug", "position", "is_active")}),
        (_("Названия"), {"fields": ("name", "name_ky", "name_en")}),
        (_("USSD *900#"), {"fields": ("ussd_number", "ussd_name", "ussd_name_ky")}),
    )


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "category",
        "provider",
        "ussd_number",
        "position",
        "min_amount",
        "max_amount",
        "commission_fixed",
        "commission_percent",
        "is_active",
    )
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "category", "provider", "account_rule")
    search_fields = ("name", "name_ky", "name_en", "ussd_name", "slug", "provider__name")
    list_select_related = ("category", "provider")
    actions = [activate, deactivate]
    fieldsets = (
        (None, {"fields": ("category", "provider", "slug", "position", "is_active")}),
        (_("Названия"), {"fields": ("name", "name_ky", "name_en")}),
        (_("USSD *900#"), {"fields": ("ussd_number", "ussd_name", "ussd_name_ky")}),
        (
            _("Лицевой счет"),
            {
                "fields": (
                    "account_label",
                    "account_label_ky",
                    "account_label_en",
                    "account_rule",
                    "account_min_length",
                    "account_max_length",
                )
            },
        ),
        (_("Суммы и комиссия"), {"fields": ("min_amount", "max_amount", "commission_fixed", "commission_percent")}),
    )


@admin.register(Provider)
class ProviderAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "adapter", "call_centre_phone", "settlement_account")
    search_fields = ("name", "code")
    readonly_fields = ("settlement_account",)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.settlement_account = ledger_account_get_or_create(
                code=f"provider:{obj.code}", kind=AccountKind.PROVIDER, name=obj.name
            )
        super().save_model(request, obj, form, change)


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "code",
        "created_at",
        "wallet",
        "service",
        "account",
        "amount",
        "commission",
        "total",
        "channel",
        "status",
    )
    list_filter = ("status", "channel", "service", "created_at")
    search_fields = ("code", "account", "wallet__phone", "provider_txn_id", "idempotency_key")
    list_select_related = ("wallet", "service")
    date_hierarchy = "created_at"
