from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, reason_action
from sms.backends.base import masked_text
from sms.models import SmsMessage
from sms.outbox import sms_requeue


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "phone", "kind", "status", "attempts", "shown_text")
    list_filter = ("status", "kind")
    search_fields = ("phone", "payment__code")
    phone_search_fields = ("phone",)
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

    def has_resend_sms_permission(self, request):
        return request.user.has_perm("sms.resend_sms")

    @admin.action(description=_("Отправить повторно (только неотправленные с ошибкой)"), permissions=["resend_sms"])
    def requeue(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("Отправить SMS повторно"),
            perform=lambda message, reason: sms_requeue(message=message, actor=request.user, reason=reason),
            done=_("%(n)d SMS снова в очереди."),
        )
