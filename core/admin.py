from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """Visible to staff, changed by nobody: money and its records change only through domain functions."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
