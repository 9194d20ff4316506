from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin import ReadOnlyAdmin
from sms.backends.base import masked_text
from sms.models import SmsMessage
from sms.outbox import sms_requeue


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "phone", "kind", "status", "attempts", "shown_text")
    list_filter = ("status", "kind")
    search_fields = ("phone", "payment__code")
    fields = (
        "phone",
        "kind",
        "status",
        "shown_text",
        "attempts",
        "next_attempt_at",
        "last_error",
        "payment",
        "created_at",
        "sent_at",
    )
    readonly_fields = fields
    actions = ["requeue"]

    @admin.display(description=_("текст"))
    def shown_text(self, obj):
        # PINs and one-time codes are not for staff eyes either.
        return masked_text(obj)

    @admin.action(description=_("Отправить повторно (только неотправленные с ошибкой)"))
    def requeue(self, request, queryset):
        count = sum(sms_requeue(message=message) for message in queryset)
        self.message_user(
            request,
            ngettext("%(n)d SMS снова в очереди.", "%(n)d SMS снова в очереди.", count) % {"n": count},
            messages.SUCCESS if count else messages.WARNING,
        )

    def has_change_permission(self, request, obj=None):
        # The action needs change permission on the list; the form itself stays read-only (all fields are).
        return request.user.is_active and request.user.is_staff and obj is None
