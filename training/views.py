"""The trainer's scenario board (`/staff/training/`) and classes (`/staff/training/classes/`): demo mode only,
permission audit.run_training. Each view validates, calls one training function, renders or redirects with a
message. No JavaScript but the class board's refresh (static/js/class-board.js)."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AuditEntry, StaffAction
from core.errors import DomainError
from training.assignments import training_assign
from training.board import class_board
from training.classes import training_class_create, training_class_delete, training_classes_list
from training.faults import sms_gateway_fault_lift
from training.forms import AssignForm, ClassForm, ResetForm, StartForm, wallet_choices
from training.models import RunStatus, ScenarioRun, TrainingClass
from training.operations import scenario_check, scenario_reason, scenario_reset, scenario_start
from training.reset import training_reset
from training.rubrics import rubric_lines, scenario_rubric_lines
from training.scenarios import SCENARIOS, scenario_missing_parts

PERMISSION = "audit.run_training"
RUNS_SHOWN = 20
JOURNAL_SHOWN = 30
JOURNAL_ACTIONS = [StaffAction.SCENARIO_START, StaffAction.SCENARIO_RESET, StaffAction.TRAINING_RESET]

MSG_STARTED = _("Сценарий %(number)s запущен на кошельке %(phone)s.")
MSG_RESET_DONE = _("Сценарий сброшен.")
MSG_SMS_LIFTED = _("Сбой SMS-шлюза для %(phone)s снят: теперь SMS можно отправить повторно.")
MSG_SMS_NOT_FAULTY = _("Для этого номера сбоя SMS-шлюза нет.")
MSG_TRAINING_RESET = _("Учебные данные сброшены.")
MSG_FORM_INVALID = _("Проверьте форму: %(errors)s")


def trainer_required(view):
    """Demo mode (404 otherwise), a signed-in staff member with audit.run_training (403 otherwise)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEMO_MODE:
            raise Http404
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("staff:login"))
        if not request.user.is_active or not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _form_errors(form) -> str:
    return "; ".join(str(error) for errors in form.errors.values() for error in errors)


@require_GET
@trainer_required
def board(request):
    wallets = wallet_choices()  # the newest wallets' ids are read once for all the start forms
    scenarios = [
        {
            "scenario": s,
            "missing": scenario_missing_parts(s),
            "form": StartForm(scenario=s, wallets=wallets),
            "rubric": scenario_rubric_lines(s),
        }
        for s in SCENARIOS.values()
    ]
    runs = ScenarioRun.objects.select_related("wallet", "started_by", "payment")[:RUNS_SHOWN]
    journal = AuditEntry.objects.filter(action__in=JOURNAL_ACTIONS).select_related("actor", "wallet")[:JOURNAL_SHOWN]
    context = {
        "scenarios": scenarios,
        "runs": [{"run": run, "scenario": SCENARIOS.get(run.scenario)} for run in runs],
        "journal": journal,
        "reset_form": ResetForm(),
    }
    return render(request, "training/board.html", context)


@require_POST
@trainer_required
def start(request, slug):
    scenario = SCENARIOS.get(slug)
    if scenario is None:
        raise Http404
    form = StartForm(request.POST, scenario=scenario)
    if not form.is_valid():
        messages.error(request, MSG_FORM_INVALID % {"errors": _form_errors(form)})
        return redirect("training:board")
    try:
        run = scenario_start(
            slug=slug,
            actor=request.user,
            wallet=form.cleaned_data["wallet"],
            variant=form.cleaned_data.get("variant", ""),
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("training:board")
    messages.success(request, MSG_STARTED % {"number": scenario.number, "phone": run.wallet.phone})
    return redirect("training:run", pk=run.pk)


def _run_or_404(pk: int) -> ScenarioRun:
    run = get_object_or_404(
        ScenarioRun.objects.select_related("wallet__ledger_account", "started_by", "payment"), pk=pk
    )
    if run.scenario not in SCENARIOS:
        raise Http404
    return run


@require_GET
@trainer_required
def run_detail(request, pk):
    run = _run_or_404(pk)
    scenario = SCENARIOS[run.scenario]
    context = {
        "run": run,
        "scenario": scenario,
        "variant": scenario.variant(run.variant),
        "customer": scenario.customer_words(run.variant),
        "check": scenario_check(run=run),
        "sms_fault": run.facts.get("sms_fault") and run.status == RunStatus.ACTIVE,
        "active": run.status == RunStatus.ACTIVE,
        "rubric": rubric_lines(run),
    }
    return render(request, "training/run.html", context)


@require_POST
@trainer_required
def run_reset(request, pk):
    run = _run_or_404(pk)
    try:
        scenario_reset(run=run, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, MSG_RESET_DONE)
    return redirect("training:run", pk=run.pk)


@require_POST
@trainer_required
def run_lift_sms(request, pk):
    run = _run_or_404(pk)
    reason = f"{scenario_reason(SCENARIOS[run.scenario])}: SMS-шлюз снова доставляет"
    if sms_gateway_fault_lift(phone=run.wallet.phone, actor=request.user, reason=reason):
        messages.success(request, MSG_SMS_LIFTED % {"phone": run.wallet.phone})
    else:
        messages.info(request, MSG_SMS_NOT_FAULTY)
    return redirect("training:run", pk=run.pk)


@require_POST
@trainer_required
def reset(request):
    form = ResetForm(request.POST)
    if not form.is_valid():
        messages.error(request, MSG_FORM_INVALID % {"errors": _form_errors(form)})
        return redirect("training:board")
    try:
        report = training_reset(actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("training:board")
    messages.success(request, MSG_TRAINING_RESET)
    for warning in report.warnings:
        messages.warning(request, warning)
    return redirect("training:board")


# --- classes ----------------------------------------------------------------------------------------------------

MSG_CLASS_DELETED = _("Группа «%(name)s» удалена, ее стажеры отключены.")


def _classes_page(request, *, form: ClassForm, created=None, status: int = 200):
    context = {"classes": list(training_classes_list()), "form": form, "created": created}
    response = render(request, "training/classes.html", context, status=status)
    if created is not None:
        response["Cache-Control"] = "no-store"  # the passwords are on this page once, never in a cache
    return response


@require_http_methods(["GET", "POST"])
@trainer_required
def classes(request):
    if request.method == "GET":
        return _classes_page(request, form=ClassForm())
    form = ClassForm(request.POST)
    if form.is_valid():
        try:
            training_class, made = training_class_create(
                name=form.cleaned_data["name"], trainees=form.cleaned_data["trainees"], actor=request.user
            )
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            # Rendered, not redirected: the passwords are shown on this answer only and kept nowhere.
            return _classes_page(request, form=ClassForm(), created={"class": training_class, "trainees": made})
    return _classes_page(request, form=form, status=400)


@require_http_methods(["GET", "POST"])
@trainer_required
def class_delete(request, pk):
    training_class = get_object_or_404(TrainingClass, pk=pk)
    if request.method == "GET":
        trainees = training_class.trainees.select_related("user")
        return render(request, "training/class_delete.html", {"class": training_class, "trainees": trainees})
    try:
        training_class_delete(training_class=training_class, actor=request.user)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, MSG_CLASS_DELETED % {"name": training_class.name})
    return redirect("training:classes")


# --- a class's live board ---------------------------------------------------------------------------------------

BOARD_REFRESH_SECONDS = 5
BOARD_PART = "table"  # ?part=table: only the table, for static/js/class-board.js to swap in


@require_GET
@trainer_required
def class_board_view(request, pk):
    """Trainees × their cases, judged on every view (training.judging): the status switches by itself. The script
    fetches ?part=table every 5 s and swaps the table; without JavaScript a meta refresh reloads the page."""
    training_class = get_object_or_404(TrainingClass, pk=pk)
    context = {
        "class": training_class,
        "rows": class_board(training_class=training_class, now=timezone.now()),
        "refresh_seconds": BOARD_REFRESH_SECONDS,
        "part": BOARD_PART,
    }
    only_table = request.GET.get("part") == BOARD_PART
    if not only_table:
        context["assign_form"] = AssignForm(training_class=training_class)
    response = render(
        request, "training/_class_board_table.html" if only_table else "training/class_board.html", context
    )
    response["Cache-Control"] = "no-store"
    return response


MSG_ASSIGNED = _("Случай «%(scenario)s» назначен: %(trainees)s.")
MSG_ASSIGN_BROKEN = _("Не удалось подготовить случай для %(username)s: %(error)s")


@require_POST
@trainer_required
def class_assign(request, pk):
    """The board's form: one scenario (and variant) for the whole class or one trainee, through training_assign."""
    training_class = get_object_or_404(TrainingClass, pk=pk)
    form = AssignForm(request.POST, training_class=training_class)
    if not form.is_valid():
        messages.error(request, MSG_FORM_INVALID % {"errors": _form_errors(form)})
        return redirect("training:class_board", pk=training_class.pk)
    data = form.cleaned_data
    try:
        runs = training_assign(
            training_class=training_class,
            scenario=data["scenario"],
            variant=data["variant"],
            trainee=data["trainee"],
            actor=request.user,
        )
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("training:class_board", pk=training_class.pk)
    staged = [run for run in runs if run.status != RunStatus.BROKEN]
    if staged:
        names = ", ".join(run.trainee.user.get_username() for run in staged if run.trainee)
        messages.success(request, MSG_ASSIGNED % {"scenario": SCENARIOS[data["scenario"]].title, "trainees": names})
    for run in runs:
        if run.status == RunStatus.BROKEN:
            username = run.trainee.user.get_username() if run.trainee else str(run.pk)
            messages.error(request, MSG_ASSIGN_BROKEN % {"username": username, "error": run.error})
    return redirect("training:class_board", pk=training_class.pk)
