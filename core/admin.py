from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from audit.operations import audit_reason
from core.errors import DomainError
from wallet.phone import InvalidPhone, phone_parse

# Django's own titles glue the model's name into a phrase («Изменить %s» -> «Изменить услуга», «Выберите %s для
# изменения»), which Russian and Kyrgyz cannot decline; ours put the name first.
TITLE_ADD = _("%(name)s: добавление")
TITLE_CHANGE = _("%(name)s: изменение")
TITLE_VIEW = _("%(name)s: просмотр")

admin.site.site_header = _("ЭЛСОМ: администрирование")
admin.site.site_title = _("ЭЛСОМ: администрирование")
admin.site.index_title = _("Разделы")


if TYPE_CHECKING:  # the mixin always stands before a ModelAdmin (ours, axes', simple-history's)
    _AdminBase = admin.ModelAdmin
else:
    _AdminBase = object


class PortalAdminMixin(_AdminBase):
    """What every admin page of ours does: titles that read well in Russian and Kyrgyz, and a search that finds a
    wallet number typed in any usual form («0555 77 88 99», «0555778899», «+996 555 …»), matched exactly on
    `phone_search_fields` beside the admin's ordinary search."""

    phone_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if not self.phone_search_fields or not search_term.strip():
            return found, may_have_duplicates
        try:
            number = phone_parse(search_term)
        except InvalidPhone:
            return found, may_have_duplicates
        by_number = queryset.filter(reduce(or_, (Q(**{name: number.e164}) for name in self.phone_search_fields)))
        return found | by_number, may_have_duplicates

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        name = capfirst(self.model._meta.verbose_name)
        if object_id is None:
            title = TITLE_ADD
        elif self.has_change_permission(request):
            title = TITLE_CHANGE
        else:
            title = TITLE_VIEW
        extra_context = {"title": title % {"name": name}, **(extra_context or {})}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"title": capfirst(self.model._meta.verbose_name_plural), **(extra_context or {})}
        return super().changelist_view(request, extra_context)


class ReadOnlyAdmin(PortalAdminMixin, admin.ModelAdmin):
    """Visible to staff with the model's view permission, changed by nobody: money and its records change only
    through domain functions (the admin actions below, each gated by its own permission)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Запишется в журнал действий: например, «личность проверена по паспорту, звонок в 10:15»."),
    )

    def clean_reason(self):
        try:
            return audit_reason(self.cleaned_data["reason"])
        except DomainError as error:
            raise forms.ValidationError(str(error)) from error


def reason_action(
    modeladmin, request, queryset, *, title: str | Promise, perform, done: str | Promise, form_class=ReasonForm
):
    """An admin action that asks for the reason first (a staff action without a why is not taken), then calls
    `perform(obj, reason)` — or `perform(obj, cleaned_data)` with another `form_class` — for each selected object:
    the domain function, which writes the audit entry."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_bound and form.is_valid():
        count = 0
        argument = form.cleaned_data["reason"] if form_class is ReasonForm else form.cleaned_data
        for obj in queryset:
            try:
                count += 1 if perform(obj, argument) is not False else 0
            except DomainError as error:
                modeladmin.message_user(request, f"{obj}: {error}", messages.ERROR)
        modeladmin.message_user(request, done % {"n": count}, messages.SUCCESS if count else messages.WARNING)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": list(queryset),
        "action": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/reason_action.html", context)
