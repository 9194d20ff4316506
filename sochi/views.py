"""The company page, as on sochi.dostek.kg: sign in with INN -> role -> PIN, then balance, payments and reports.

Signed-in state lives in the session (СОЧИ has no Django auth); the company shown is always the signed-in user's own.
Every page is `never_cache` (company data must not stay in a shared browser's cache).
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sochi import conf
from sochi.forms import InnForm, PinForm, RoleForm
from sochi.models import Company, CompanyUser, Role
from sochi.signin import company_user_sign_in

SIGNIN_KEY = "sochi_signin"
USER_KEY = "sochi_user_id"

MSG_COMPANY_NOT_FOUND = _("Организация с таким ИНН не найдена в СОЧИ.")
MSG_NO_USERS = _("У этой организации нет пользователей. Обратитесь в call-центр DosTek group.")
MSG_START_AGAIN = _("Начните вход заново: введите ИНН.")
MSG_WRONG_PIN = _("Неверный ПИН-код. Осталось попыток: %(left)s.")
MSG_LOCKED = _("Вход заблокирован после 5 неверных ПИН-кодов. Попробуйте снова после %(time)s.")
MSG_SIGNED_OUT = _("Вы вышли из СОЧИ.")


def _signed_in_user(request: HttpRequest) -> CompanyUser | None:
    user_id = request.session.get(USER_KEY)
    if user_id is None:
        return None
    return CompanyUser.objects.select_related("company").filter(pk=user_id).first()


def _pending(request: HttpRequest) -> dict:
    pending = request.session.get(SIGNIN_KEY)
    return pending if isinstance(pending, dict) else {}


def _pending_company(request: HttpRequest) -> Company | None:
    company_id = _pending(request).get("company_id")
    return Company.objects.filter(pk=company_id).first() if company_id else None


@never_cache
def home(request: HttpRequest) -> HttpResponse:
    return redirect("sochi:company" if _signed_in_user(request) else "sochi:signin")


@never_cache
@require_http_methods(["GET", "POST"])
def signin_inn(request: HttpRequest) -> HttpResponse:
    if _signed_in_user(request):
        return redirect("sochi:company")
    form = InnForm(request.POST or None, initial={"inn": _pending(request).get("inn", "")})
    if request.method == "POST" and form.is_valid():
        company = Company.objects.filter(inn=form.cleaned_data["inn"]).first()
        if company is None:
            form.add_error("inn", MSG_COMPANY_NOT_FOUND)
        else:
            request.session[SIGNIN_KEY] = {"company_id": company.pk, "inn": company.inn}
            return redirect("sochi:signin_role")
    return render(request, "sochi/signin_inn.html", {"form": form, "step": 1})


@never_cache
@require_http_methods(["GET", "POST"])
def signin_role(request: HttpRequest) -> HttpResponse:
    company = _pending_company(request)
    if company is None:
        messages.info(request, MSG_START_AGAIN)
        return redirect("sochi:signin")
    roles = list(CompanyUser.objects.filter(company=company).values_list("role", flat=True))
    form = RoleForm(request.POST or None, roles=roles)
    if not roles:
        form.add_error(None, MSG_NO_USERS)
    elif request.method == "POST" and form.is_valid():
        request.session[SIGNIN_KEY] = {**_pending(request), "role": form.cleaned_data["role"]}
        return redirect("sochi:signin_pin")
    return render(request, "sochi/signin_role.html", {"form": form, "company": company, "step": 2})


@never_cache
@require_http_methods(["GET", "POST"])
def signin_pin(request: HttpRequest) -> HttpResponse:
    company = _pending_company(request)
    role = _pending(request).get("role")
    user = CompanyUser.objects.filter(company=company, role=role).first() if company and role else None
    if user is None:
        messages.info(request, MSG_START_AGAIN)
        return redirect("sochi:signin")
    form = PinForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outcome = company_user_sign_in(user_id=user.pk, pin=form.cleaned_data["pin"])
        if outcome.ok:
            # A new session key at sign-in: a key planted before it (session fixation) is worth nothing after.
            request.session.cycle_key()
            request.session.pop(SIGNIN_KEY, None)
            request.session[USER_KEY] = outcome.user.pk
            return redirect("sochi:company")
        if outcome.locked_until is not None:
            form.add_error(None, MSG_LOCKED % {"time": date_format(timezone.localtime(outcome.locked_until), "H:i")})
        else:
            form.add_error("pin", MSG_WRONG_PIN % {"left": outcome.attempts_left})
    return render(
        request,
        "sochi/signin_pin.html",
        {"form": form, "company": company, "role_label": Role(role).label, "step": 3},
    )


@never_cache
def company(request: HttpRequest) -> HttpResponse:
    user = _signed_in_user(request)
    if user is None:
        return redirect("sochi:signin")
    company = user.company
    context = {
        "company_user": user,
        "company": company,
        "company_name": company.display_name(get_language() or "ru"),
        "payments": company.payments.order_by("-credited_at", "-id"),
        "reports": company.reports.order_by("-created_at", "-id"),
        "call_centre_phone": conf.call_centre_phone(),
    }
    return render(request, "sochi/company.html", context)


@never_cache
@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    request.session.flush()
    messages.info(request, MSG_SIGNED_OUT)
    return redirect("sochi:signin")
