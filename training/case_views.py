"""«Мои обращения» (`/staff/cases/`): a trainee's own cases and the caller's card of each. The card shows what the
caller says and the number calling — never the scenario (the trainer's page at /staff/training/runs/<id>/ does).
Demo mode only, like the rest of training. No JavaScript."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from audit.roles import StaffPermission
from training.cases import caller_card, run_open, trainee_case_get, trainee_cases, trainee_of


def console_user_required(view):
    """Demo mode (404 otherwise); a signed-in active staff member of the console (sign-in page / 403 otherwise)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEMO_MODE:
            raise Http404
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("staff:login"))
        if not (user.is_active and user.is_staff and user.has_perm(StaffPermission.USE_CONSOLE)):
            return render(request, "staff/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapped


@require_GET
@console_user_required
def cases(request):
    trainee = trainee_of(request.user)
    if trainee is None:
        if request.user.has_perm(StaffPermission.RUN_TRAINING):
            return redirect("training:board")
        raise Http404
    return render(request, "training/cases.html", {"trainee": trainee, "runs": list(trainee_cases(trainee=trainee))})


@require_GET
@console_user_required
def case(request, pk):
    """The caller's card; its first opening starts the case. A trainer is sent to the whole scenario."""
    if request.user.has_perm(StaffPermission.RUN_TRAINING):
        return redirect("training:run", pk=pk)
    trainee = trainee_of(request.user)
    run = trainee_case_get(trainee=trainee, pk=pk) if trainee is not None else None
    if run is None:
        raise Http404
    run_open(run=run, actor=request.user)
    return render(request, "training/case.html", {"card": caller_card(run)})
