from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin
from ledger.models import LedgerAccount, LedgerAccountQuerySet, Posting, Transfer


@admin.register(LedgerAccount)
class LedgerAccountAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "current_balance", "may_go_negative")
    list_filter = ("kind",)
    search_fields = ("code", "name")
    # The view page shows the balance as read (a system account's column is 0: its balance is in its buckets).
    exclude = ("balance",)
    readonly_fields = ("current_balance",)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        assert isinstance(queryset, LedgerAccountQuerySet)  # the model's manager
        return queryset.with_balance()

    @admin.display(description=_("баланс"), ordering="current_balance")
    def current_balance(self, obj):
        """A system account's balance is the sum of its buckets (ledger.models.AccountBucket)."""
        return obj.current_balance


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
