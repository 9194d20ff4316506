from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.admin import PortalAdminMixin


@admin.register(User)
class UserAdmin(PortalAdminMixin, DjangoUserAdmin):
    list_display = ("username", "email", "wallet", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email", "wallet__phone")
    phone_search_fields = ("username",)
    raw_id_fields = ("wallet",)
    readonly_fields = ("offer_version", "offer_accepted_at", "last_login", "date_joined")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Кошелек"), {"fields": ("wallet", "offer_version", "offer_accepted_at")}),
    )
