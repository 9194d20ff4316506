from django.contrib import admin
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin, reason_action
from wallet.models import Wallet, WalletStatus
from wallet.operations import wallet_pin_unlock, wallet_set_status


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("phone", "holder", "operator", "status", "balance", "pin_state", "opened_channel", "created_at")
    list_filter = ("operator", "status", "opened_channel", "language")
    search_fields = ("phone", "first_name", "last_name", "inn")
    phone_search_fields = ("phone",)
    list_select_related = ("ledger_account",)
    exclude = ("pin_hash",)
    readonly_fields = (
        "related",
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

    @admin.display(description=_("имя и фамилия"), ordering="last_name")
    def holder(self, obj):
        return obj.full_name

    @admin.display(description=_("PIN"), ordering="pin_locked_at")
    def pin_state(self, obj):
        # Words, not Django's boolean icons: a green tick beside «PIN заблокирован» read as «all is well».
        if obj.is_pin_locked:
            return format_html('<strong class="pin-locked">{}</strong>', _("заблокирован"))
        return _("действует")

    @admin.display(description=_("смотреть также"))
    def related(self, obj):
        """Links to what belongs to this wallet elsewhere in the admin and in the console."""
        links: list[tuple[str, str | Promise]] = [
            (
                reverse("admin:services_payment_changelist") + "?" + urlencode({"wallet__id__exact": obj.pk}),
                _("платежи"),
            ),
            (reverse("admin:sms_smsmessage_changelist") + "?" + urlencode({"phone": obj.phone}), _("SMS")),
            (
                reverse("admin:audit_auditentry_changelist") + "?" + urlencode({"wallet__id__exact": obj.pk}),
                _("журнал действий"),
            ),
        ]
        web = getattr(obj, "web_account", None)
        if web is not None:
            links.append(
                (
                    reverse("admin:accounts_user_change", args=[web.pk]),
                    _("вход на сайт: %(email)s") % {"email": web.email},
                )
            )
        links.append(
            (reverse("staff:customer", args=[obj.phone.removeprefix("+")]), _("карточка в консоли call-центра"))
        )
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    # Each action needs its own permission (the roles of staff/migrations/0002_roles.py); is_staff alone opens
    # nothing. Django asks has_<name>_permission for the actions' `permissions`.
    def has_unlock_pin_permission(self, request):
        return request.user.has_perm("wallet.unlock_pin")

    def has_block_wallet_permission(self, request):
        return request.user.has_perm("wallet.block_wallet")

    def has_unblock_wallet_permission(self, request):
        return request.user.has_perm("wallet.unblock_wallet")

    @admin.action(description=_("Разблокировать PIN (личность проверена)"), permissions=["unlock_pin"])
    def unlock_pin(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("Разблокировать PIN"),
            perform=lambda wallet, reason: wallet_pin_unlock(wallet=wallet, actor=request.user, reason=reason),
            done=_("PIN разблокирован: %(n)d."),
        )

    @admin.action(description=_("Заблокировать кошелек"), permissions=["block_wallet"])
    def block(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("Заблокировать кошелек"),
            perform=lambda wallet, reason: wallet_set_status(
                wallet=wallet, status=WalletStatus.BLOCKED, actor=request.user, reason=reason
            ),
            done=_("Кошельков заблокировано: %(n)d."),
        )

    @admin.action(description=_("Разблокировать кошелек"), permissions=["unblock_wallet"])
    def unblock(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("Разблокировать кошелек"),
            perform=lambda wallet, reason: wallet_set_status(
                wallet=wallet, status=WalletStatus.ACTIVE, actor=request.user, reason=reason
            ),
            done=_("Кошельков разблокировано: %(n)d."),
        )
