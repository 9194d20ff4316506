from django.contrib import admin

from core.admin import ReadOnlyAdmin
from ledger.models import LedgerAccount, Posting, Transfer


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "balance", "may_go_negative")
    list_filter = ("kind",)
    search_fields = ("code", "name")


class TransferInline(admin.TabularInline):
    model = Transfer
    fields = ("debit_account", "credit_account", "amount", "kind", "idempotency_key")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Posting)
class PostingAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "idempotency_key", "reference", "reversal_of", "created_at")
    list_filter = ("kind",)
    search_fields = ("idempotency_key", "reference")
    inlines = [TransferInline]


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ("id", "posting", "debit_account", "credit_account", "amount", "kind", "created_at")
    list_filter = ("kind", "created_at")
    search_fields = ("idempotency_key", "debit_account__code", "credit_account__code")
    list_select_related = ("posting", "debit_account", "credit_account")
