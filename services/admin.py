from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.admin import PortalAdminMixin, ReadOnlyAdmin, ReasonForm, reason_action
from ledger.models import AccountKind
from ledger.posting import ledger_account_get_or_create
from services.faults import FAULT_MODES, provider_fault_set
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
class CategoryAdmin(PortalAdminMixin, SimpleHistoryAdmin):
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
class ServiceAdmin(PortalAdminMixin, SimpleHistoryAdmin):
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


class FaultForm(ReasonForm):
    mode = forms.ChoiceField(label=_("Сбой"), choices=[(mode, mode) for mode in FAULT_MODES])
    count = forms.IntegerField(label=_("Только для следующих N обращений"), required=False, min_value=1)
    delay = forms.FloatField(label=_("Задержка, с (slow, timeout)"), required=False, min_value=0, max_value=600)


@admin.register(Provider)
class ProviderAdmin(PortalAdminMixin, SimpleHistoryAdmin):
    list_display = ("name", "code", "adapter", "call_centre_phone", "settlement_account")
    search_fields = ("name", "code")
    readonly_fields = ("settlement_account",)
    actions = ["set_fault"]

    def has_set_provider_fault_permission(self, request):
        return request.user.has_perm("services.set_provider_fault")

    @admin.action(description=_("Учебный сбой у поставщика"), permissions=["set_provider_fault"])
    def set_fault(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("Учебный сбой у поставщика"),
            form_class=FaultForm,
            perform=lambda provider, data: provider_fault_set(
                provider=provider,
                mode=data["mode"],
                count=data["count"],
                delay=data["delay"],
                actor=request.user,
                reason=data["reason"],
            ),
            done=_("Сбой включен: %(n)d."),
        )

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
    phone_search_fields = ("wallet__phone",)
    list_select_related = ("wallet", "service")
    date_hierarchy = "created_at"
