"""The web cabinet (seed section 3): «Войти» by wallet number, registration with the public offer and an SMS
code, sign-in, «Услуги» -> «Другие» -> «DosTek group» -> «Далее» -> confirm («Назад» / «Оплатить») -> success,
history and receipts. Each view validates, calls one domain function, renders."""

import re
import time
from datetime import datetime
from decimal import Decimal
from functools import wraps

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.errors import CodeRateLimited, WebAccountExists
from accounts.models import User
from accounts.operations import OFFER_VERSION, web_account_register, web_code_send, web_password_set
from cabinet import selectors
from cabinet.forms import (
    CodeForm,
    EntryForm,
    HistoryFilterForm,
    PasswordChangeForm,
    PasswordForm,
    PaymentForm,
    RegistrationForm,
    ResetForm,
)
from cabinet.session import (
    AUTH_AT_KEY,
    LAST_SEEN_KEY,
    LOGIN_PHONE_KEY,
    REGISTRATION_KEY,
    PendingPayment,
    PhoneCode,
    login_phone_get,
    login_phone_set,
)
from core.errors import DomainError
from ledger.errors import IdempotencyConflict
from services.models import Category, Payment, Service
from services.payments import payment_execute, payment_prepare
from wallet.errors import WalletBlocked, WalletNotFound
from wallet.models import Wallet
from wallet.operations import wallet_ensure_active, wallet_get
from wallet.phone import phone_parse

MSG_ENTER_NUMBER = _("Введите номер кошелька ЭЛСОМ.")
MSG_WRONG_PASSWORD = _("Неверный пароль. После 5 неверных попыток вход закрывается на 15 минут.")
MSG_LOCKED = _(
    "Слишком много неверных попыток. Вход для этого номера с вашего адреса закрыт на 15 минут. "
    "Попробуйте позже или восстановите пароль по SMS-коду."
)
MSG_CODE_SENT = _("Код отправлен в SMS на номер %(phone)s.")
MSG_CODE_WAIT = _("Новый код можно запросить через %(seconds)s с.")
MSG_CODE_NO_MORE = _("Коды на этот номер закончились. Начните заново через час.")
MSG_CODE_WRONG = _("Неверный код. Осталось попыток: %(left)s.")
MSG_CODE_EXPIRED = _("Срок действия кода истек (5 минут). Запросите новый код.")
MSG_CODE_VOID = _("Код недействителен после 3 неверных вводов. Запросите новый код.")
MSG_REGISTERED = _("Регистрация завершена. Добро пожаловать в личный кабинет!")
MSG_SIGNED_OUT = _("Вы вышли из личного кабинета.")
MSG_PASSWORD_CHANGED = _("Пароль изменен.")
MSG_FILL_FORM = _("Заполните форму платежа.")
MSG_CONFIRM_STALE = _(
    "Данные платежа изменились (например, в другой вкладке). Ничего не списано. Проверьте данные и подтвердите снова."
)
MSG_CONFIRM_EXPIRED = _("Время на подтверждение истекло. Ничего не списано. Заполните форму снова.")
MSG_NO_WEB_ACCOUNT = _("Для этого номера еще нет входа на сайт. Зарегистрируйтесь.")

TOKEN_RE = re.compile(r"[0-9a-f]{32}", re.ASCII)
NEXT_KEY = "cabinet_next"
PAGE_SIZE = 20


# --- helpers ------------------------------------------------------------------------------------------------


def holder_required(view):
    """A signed-in wallet holder; anyone else goes to «Войти». Sets request.wallet."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated or user.wallet_id is None:
            if request.method == "GET":
                request.session[NEXT_KEY] = request.get_full_path()
            return redirect("cabinet:entry")
        request.wallet = Wallet.objects.select_related("ledger_account").get(pk=user.wallet_id)
        return view(request, *args, **kwargs)

    return wrapped


def _login_wallet(request) -> Wallet | None:
    phone = login_phone_get(request)
    if not phone:
        return None
    return Wallet.objects.select_related("ledger_account").filter(phone=phone).first()


def _has_web_account(wallet: Wallet) -> bool:
    return User.objects.filter(wallet=wallet).exists()


def _sign_in(request, user: User):
    """login() rotates the session key (no fixation); the idle and absolute clocks start now."""
    next_url = request.session.get(NEXT_KEY)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    now = int(time.time())
    request.session[AUTH_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    for key in (LOGIN_PHONE_KEY, REGISTRATION_KEY, NEXT_KEY):
        request.session.pop(key, None)
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("cabinet:home")


def _simulator_url() -> str | None:
    """The phone simulator (USSD *900#) when the demo has one."""
    if not settings.DEMO_MODE:
        return None
    for name in ("simulator:phone", "ussd:simulator"):
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return None


def _national(phone: str) -> str:
    return phone_parse(phone).national


def _send_code(request, wallet: Wallet, code: PhoneCode) -> None:
    allowed, wait = code.can_send()
    if not allowed:
        if wait:
            messages.warning(request, MSG_CODE_WAIT % {"seconds": wait})
        else:
            messages.error(request, MSG_CODE_NO_MORE)
        return
    try:
        value = web_code_send(wallet=wallet, purpose=code.state["purpose"])
    except CodeRateLimited as exc:
        messages.error(request, str(exc))
        return
    code.sent(value)
    messages.info(request, MSG_CODE_SENT % {"phone": _national(wallet.phone)})


def _code_error(code: PhoneCode, result: str) -> str:
    if result == PhoneCode.WRONG:
        return MSG_CODE_WRONG % {"left": code.wrong_left()}
    if result == PhoneCode.EXPIRED:
        return str(MSG_CODE_EXPIRED)
    return str(MSG_CODE_VOID)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes lockout (AXES_LOCKOUT_CALLABLE): the password page already says so; elsewhere (admin) a page."""
    if original_response is not None and getattr(original_response, "cabinet_lockout", False):
        return original_response
    return render(request, "cabinet/locked.html", {"message": MSG_LOCKED}, status=429)


# --- entry, registration, sign-in ----------------------------------------------------------------------------


@never_cache
def entry(request):
    """Seed 3.1: the wallet number and «Войти»."""
    if request.user.is_authenticated and request.user.wallet_id:
        return redirect("cabinet:home")
    form = EntryForm(request.POST or None)
    problem = None
    if request.method == "POST" and form.is_valid():
        try:
            wallet = wallet_get(phone=form.cleaned_data["phone"])
            wallet_ensure_active(wallet)
        except WalletNotFound as exc:
            problem = {"kind": "not_found", "text": str(exc)}
        except WalletBlocked as exc:
            problem = {"kind": "blocked", "text": str(exc)}
        else:
            login_phone_set(request, wallet.phone)
            return redirect("cabinet:password" if _has_web_account(wallet) else "cabinet:register")
    return render(request, "cabinet/entry.html", {"form": form, "problem": problem, "simulator_url": _simulator_url()})


@never_cache
def register(request):
    """Seed 3.2: «Регистрация номера …», Email, Пароль, Повторите пароль, the offer, «ЗАРЕГИСТРИРОВАТЬСЯ»."""
    wallet = _login_wallet(request)
    if wallet is None:
        messages.info(request, MSG_ENTER_NUMBER)
        return redirect("cabinet:entry")
    if _has_web_account(wallet):
        return redirect("cabinet:password")
    form = RegistrationForm(request.POST or None, wallet=wallet)
    if request.method == "POST" and form.is_valid():
        request.session[REGISTRATION_KEY] = {
            "phone": wallet.phone,
            "email": form.cleaned_data["email"],
            "password_hash": make_password(form.cleaned_data["password1"]),
            "offer_version": OFFER_VERSION,
            "offer_accepted_at": timezone.now().isoformat(),
        }
        code = PhoneCode(request)
        if not code.matches(purpose="register", phone=wallet.phone):
            code.start(purpose="register", phone=wallet.phone)
        _send_code(request, wallet, code)
        return redirect("cabinet:register_code")
    return render(
        request, "cabinet/register.html", {"form": form, "wallet": wallet, "national": _national(wallet.phone)}
    )


@never_cache
def register_code(request):
    """The 6-digit SMS code that proves the phone is the registrant's; then the holder is signed in."""
    wallet = _login_wallet(request)
    registration = request.session.get(REGISTRATION_KEY)
    code = PhoneCode(request)
    if (
        wallet is None
        or not registration
        or registration["phone"] != wallet.phone
        or not code.matches(purpose="register", phone=wallet.phone)
    ):
        return redirect("cabinet:register" if wallet else "cabinet:entry")
    if request.method == "POST" and "resend" in request.POST:
        _send_code(request, wallet, code)
        return redirect("cabinet:register_code")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = code.check(form.cleaned_data["code"])
        if result == PhoneCode.VALID:
            try:
                user = web_account_register(
                    wallet=wallet,
                    email=registration["email"],
                    password_hash=registration["password_hash"],
                    offer_version=registration["offer_version"],
                    offer_accepted_at=datetime.fromisoformat(registration["offer_accepted_at"]),
                )
            except WebAccountExists as exc:
                code.clear()
                request.session.pop(REGISTRATION_KEY, None)
                messages.error(request, str(exc))
                return redirect("cabinet:entry")
            code.clear()
            messages.success(request, MSG_REGISTERED)
            return _sign_in(request, user)
        form.add_error("code", _code_error(code, result))
    allowed, wait = code.can_send()
    context = {
        "form": form,
        "national": _national(wallet.phone),
        "can_resend": allowed,
        "wait": wait,
        "simulator_url": _simulator_url(),
    }
    return render(request, "cabinet/register_code.html", context)


@never_cache
def password(request):
    """The password of a wallet that has a web account. django-axes counts failures per number and address."""
    wallet = _login_wallet(request)
    if wallet is None:
        messages.info(request, MSG_ENTER_NUMBER)
        return redirect("cabinet:entry")
    if not _has_web_account(wallet):
        messages.info(request, MSG_NO_WEB_ACCOUNT)
        return redirect("cabinet:register")
    form = PasswordForm(request.POST or None)
    locked = AxesProxyHandler.is_locked(request, credentials={"username": wallet.phone})
    if request.method == "POST" and form.is_valid() and not locked:
        try:
            wallet_ensure_active(wallet)
        except WalletBlocked as exc:
            form.add_error(None, str(exc))
        else:
            user = authenticate(request, username=wallet.phone, password=form.cleaned_data["password"])
            if user is not None:
                return _sign_in(request, user)
            if getattr(request, "axes_locked_out", False):
                locked = True
            else:
                form.add_error("password", MSG_WRONG_PASSWORD)
    context = {"form": form, "national": _national(wallet.phone), "locked": locked, "locked_message": MSG_LOCKED}
    response = render(request, "cabinet/password.html", context, status=429 if locked else 200)
    response.cabinet_lockout = locked
    return response


@require_POST
def password_forgot(request):
    """Send a code to reset the password of the wallet typed at «Войти»."""
    wallet = _login_wallet(request)
    if wallet is None or not _has_web_account(wallet):
        return redirect("cabinet:entry")
    code = PhoneCode(request)
    if not code.matches(purpose="reset", phone=wallet.phone):
        code.start(purpose="reset", phone=wallet.phone)
    _send_code(request, wallet, code)
    return redirect("cabinet:password_reset")


@never_cache
def password_reset(request):
    wallet = _login_wallet(request)
    code = PhoneCode(request)
    user = User.objects.filter(wallet=wallet).first() if wallet is not None else None
    if user is None or not code.matches(purpose="reset", phone=wallet.phone):
        return redirect("cabinet:entry")
    if request.method == "POST" and "resend" in request.POST:
        _send_code(request, wallet, code)
        return redirect("cabinet:password_reset")
    form = ResetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        result = code.check(form.cleaned_data["code"])
        if result == PhoneCode.VALID:
            web_password_set(user=user, password=form.cleaned_data["password1"])
            code.clear()
            axes_reset(username=wallet.phone)  # the holder proved the phone is theirs
            messages.success(request, MSG_PASSWORD_CHANGED)
            return _sign_in(request, user)
        form.add_error("code", _code_error(code, result))
    allowed, wait = code.can_send()
    context = {"form": form, "national": _national(wallet.phone), "can_resend": allowed, "wait": wait}
    return render(request, "cabinet/password_reset.html", context)


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, MSG_SIGNED_OUT)
    return redirect("cabinet:entry")


def offer(request):
    return render(request, "cabinet/offer.html", {"offer_version": OFFER_VERSION})


# --- the cabinet -----------------------------------------------------------------------------------------------


def _categories():
    return Category.objects.filter(is_active=True, services__is_active=True).distinct().order_by("position", "name")


@holder_required
def home(request):
    operations = selectors.wallet_operations(wallet=request.wallet)[:5]
    context = {"wallet": request.wallet, "categories": _categories(), "operations": operations}
    return render(request, "cabinet/home.html", context)


@holder_required
def services(request):
    return render(request, "cabinet/services.html", {"wallet": request.wallet, "categories": _categories()})


@holder_required
def category(request, slug):
    chosen = get_object_or_404(Category, slug=slug, is_active=True)
    items = chosen.services.filter(is_active=True).order_by("position", "name")
    return render(request, "cabinet/category.html", {"wallet": request.wallet, "category": chosen, "items": items})


def _service(slug) -> Service:
    return get_object_or_404(
        Service.objects.select_related("category", "provider__settlement_account"),
        slug=slug,
        is_active=True,
        category__is_active=True,
    )


@holder_required
@never_cache
def pay_form(request, slug):
    """Seed 3.4: the service's account field and «Сумма», «Далее». Also where «Назад» returns to."""
    service, wallet = _service(slug), request.wallet
    store = PendingPayment(request)
    if request.method == "POST":
        form = PaymentForm(request.POST, wallet=wallet, service=service)
        if form.is_valid():
            quote = form.quote
            store.put(wallet_id=wallet.pk, service_id=service.pk, account=quote.account, amount=str(quote.amount))
            return redirect("cabinet:pay_confirm", slug=service.slug)
    else:
        pending = store.get()
        initial = {}
        if pending and pending.service_id == service.pk and pending.wallet_id == wallet.pk:
            initial = {"account": pending.account, "amount": pending.amount}
        form = PaymentForm(initial=initial, wallet=wallet, service=service)
    return render(request, "cabinet/pay_form.html", {"wallet": wallet, "service": service, "form": form})


@holder_required
@never_cache
def pay_confirm(request, slug):
    """Seed 3.5: service, INN, amount, commission, total; «Оплатить» (POST with the one-time token) or «Назад»."""
    service, wallet = _service(slug), request.wallet
    store = PendingPayment(request)
    if request.method == "POST":
        return _pay(request, service, wallet, store)
    pending = store.get()
    if pending is None or pending.service_id != service.pk or pending.wallet_id != wallet.pk:
        messages.info(request, MSG_FILL_FORM)
        return redirect("cabinet:pay_form", slug=service.slug)
    if pending.expired:
        store.clear()
        messages.error(request, MSG_CONFIRM_EXPIRED)
        return redirect("cabinet:pay_form", slug=service.slug)
    try:
        quote = payment_prepare(wallet=wallet, service=service, account=pending.account, amount=Decimal(pending.amount))
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("cabinet:pay_form", slug=service.slug)
    context = {"wallet": wallet, "service": service, "quote": quote, "pending": pending}
    return render(request, "cabinet/pay_confirm.html", context)


def _pay(request, service, wallet, store):
    token = request.POST.get("token", "")
    back = redirect("cabinet:pay_form", slug=service.slug)
    if not TOKEN_RE.fullmatch(token):
        messages.error(request, MSG_CONFIRM_STALE)
        return back
    # Double click, reload, back + resubmit, a second tab: the token was used, show what it paid.
    done = Payment.objects.filter(idempotency_key=f"web:{token}", wallet=wallet).first()
    if done is not None:
        return redirect("cabinet:pay_done", code=done.code)
    pending = store.get()
    if (
        pending is None
        or pending.token != token
        or pending.service_id != service.pk
        or pending.wallet_id != wallet.pk
        or request.POST.get("account") != pending.account
        or request.POST.get("amount") != pending.amount
    ):
        messages.error(request, MSG_CONFIRM_STALE)
        return back
    if pending.expired:
        store.clear()
        messages.error(request, MSG_CONFIRM_EXPIRED)
        return back
    try:
        payment = payment_execute(
            wallet=wallet,
            service=service,
            account=pending.account,
            amount=Decimal(pending.amount),
            idempotency_key=pending.idempotency_key,
            channel="web",
        )
    except IdempotencyConflict as exc:
        store.clear()
        messages.error(request, str(exc))
        return back
    except DomainError as exc:
        messages.error(request, str(exc))
        return back
    store.clear()
    return redirect("cabinet:pay_done", code=payment.code)


@holder_required
def pay_done(request, code):
    """Seed 3.6: the confirmation window with the payment code."""
    payment = selectors.wallet_payment_get(wallet=request.wallet, code=code)
    return render(request, "cabinet/pay_done.html", {"wallet": request.wallet, "payment": payment})


@holder_required
def history(request):
    form = HistoryFilterForm(request.GET or None)
    date_from = date_to = None
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    operations = selectors.wallet_operations(wallet=request.wallet, date_from=date_from, date_to=date_to)
    page = Paginator(operations, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"wallet": request.wallet, "form": form, "page": page, "query": query.urlencode()}
    return render(request, "cabinet/history.html", context)


@holder_required
def receipt(request, code):
    payment = selectors.wallet_payment_get(wallet=request.wallet, code=code)
    return render(request, "cabinet/receipt.html", {"wallet": request.wallet, "payment": payment})


@holder_required
@never_cache
def password_change(request):
    form = PasswordChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        web_password_set(user=request.user, password=form.cleaned_data["password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, MSG_PASSWORD_CHANGED)
        return redirect("cabinet:home")
    return render(request, "cabinet/password_change.html", {"wallet": request.wallet, "form": form})
