"""The console's case work: the caller's identity check, a case handed to the shift supervisor, notes on the
customer's card (each posted from the customer's page), and the supervisors' queue of escalations. Each view is
one domain function of casework/, which checks the actor again and writes the audit entry."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.roles import StaffPermission
from casework import selectors as case_selectors
from casework.identity import identity_check_record
from casework.models import Escalation
from casework.operations import case_note_add, escalation_close, escalation_open
from core.errors import DomainError
from staff import selectors
from staff.forms import CaseNoteForm, EscalationCloseForm, EscalationForm, IdentityCheckForm
from staff.views import customer_in_scope, customer_page, staff_permission_required

CONSOLE = StaffPermission.USE_CONSOLE
VIEW_WALLET = StaffPermission.VIEW_WALLET


def _wallet_or_404(request, number: str):
    return customer_in_scope(request, number)


@require_POST
@staff_permission_required(CONSOLE, VIEW_WALLET, StaffPermission.CHECK_IDENTITY)
def identity_check(request, number):
    wallet = _wallet_or_404(request, number)
    form = IdentityCheckForm(request.POST, action=request.path)
    if not form.is_valid():
        return customer_page(request, wallet, identity_form=form)
    check = identity_check_record(wallet=wallet, actor=request.user, facts=form.cleaned_data["facts"])
    if check.passed:
        messages.success(
            request,
            _("Личность подтверждена (верно %(n)d из 3). Следующие 15 минут вы можете действовать по этому кошельку.")
            % {"n": check.facts_count},
        )
    else:
        messages.warning(
            request,
            _("Проверка не пройдена: верно %(n)d из 3, нужно два. PIN, вход на сайт, блокировка и возврат недоступны.")
            % {"n": check.facts_count},
        )
    return redirect(reverse("staff:customer", args=[wallet.number]) + "#identity")


def _wallet_form_post(request, number, *, form_class, form_name: str, perform, done, anchor: str):
    """A card's small form posted: invalid -> the customer page again with its errors; valid -> one domain call,
    its refusal or `done` as a message, back to the card's `anchor`."""
    wallet = _wallet_or_404(request, number)
    form = form_class(request.POST, action=request.path)
    if not form.is_valid():
        return customer_page(request, wallet, **{form_name: form})
    try:
        perform(wallet, form.cleaned_data)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return redirect(reverse("staff:customer", args=[wallet.number]) + anchor)


@require_POST
@staff_permission_required(CONSOLE, VIEW_WALLET, StaffPermission.ESCALATE)
def escalate(request, number):
    return _wallet_form_post(
        request,
        number,
        form_class=EscalationForm,
        form_name="escalation_form",
        perform=lambda wallet, data: escalation_open(wallet=wallet, actor=request.user, note=data["note"]),
        done=_("Обращение передано старшему смены."),
        anchor="#escalations",
    )


@require_POST
@staff_permission_required(CONSOLE, VIEW_WALLET, StaffPermission.ADD_CASE_NOTE)
def case_note(request, number):
    return _wallet_form_post(
        request,
        number,
        form_class=CaseNoteForm,
        form_name="note_form",
        perform=lambda wallet, data: case_note_add(wallet=wallet, actor=request.user, text=data["text"]),
        done=_("Заметка добавлена."),
        anchor="#notes",
    )


@staff_permission_required(CONSOLE, StaffPermission.CLOSE_ESCALATION)
def escalations(request):
    """The supervisors' queue: open escalations, the oldest first, and the ones closed lately."""
    queue = list(case_selectors.escalations_open())
    for escalation in queue:
        escalation.wallet.number = selectors.wallet_number(escalation.wallet)
    context = {"queue": queue, "closed": case_selectors.escalations_closed_recent()}
    return render(request, "staff/escalations.html", context)


@staff_permission_required(CONSOLE, StaffPermission.CLOSE_ESCALATION)
def escalation_close_view(request, pk):
    escalation = Escalation.objects.select_related("wallet", "payment", "created_by", "closed_by").filter(pk=pk).first()
    if escalation is None:
        raise Http404
    escalation.wallet.number = selectors.wallet_number(escalation.wallet)
    form = EscalationCloseForm(request.POST or None, action=request.path)
    if request.method == "POST" and form.is_valid():
        try:
            escalation_close(escalation=escalation, actor=request.user, resolution=form.cleaned_data["resolution"])
        except DomainError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Обращение закрыто."))
        return redirect("staff:escalations")
    return render(request, "staff/escalation_close.html", {"escalation": escalation, "form": form})
