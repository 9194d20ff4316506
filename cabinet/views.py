"""The web cabinet (seed section 3): «Войти» by wallet number, registration with the public offer and an SMS
code, sign-in, «Услуги» -> «Другие» -> «DosTek group» -> «Далее» -> confirm («Назад» / «Оплатить») -> success,
history and receipts. Each view validates, calls one domain function, renders."""

import re
import time
from datetime import datetime
from decimal import Decimal
from functools import wraps
from urllib.parse import urlencode

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.hashers import make_password
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.codes import CodeCheck, phone_code_allowance, phone_code_check, phone_code_guesses_left, phone_code_send
from accounts.errors import (
    MSG_CODE_EXPIRED,
    MSG_CODE_NO_MORE,
    MSG_CODE_VOID,
    MSG_CODE_WAIT,
    MSG_CODE_WRONG,
    CodeRateLimited,
    WebAccountExists,
)
from accounts.models import CodePurpose, User
from accounts.operations import OFFER_VERSION, web_account_register, web_password_set
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
    WalletOpenForm,
)
from cabinet.session import (
    AUTH_AT_KEY,
    LAST_SEEN_KEY,
    LOGIN_PHONE_KEY,
    OPENING_KEY,
    REGISTRATION_KEY,
    CodeFlow,
    PendingPayment,
    WalletOpening,
    login_phone_get,
    login_phone_set,
)
from cabinet.throttles import (
    lookup_allowed,
    sign_in_attempt,
    sign_in_blocked,
    sign_in_reset,
    sign_in_succeeded,
)
from core.errors import DomainError
from core.net import client_ip
from core.pagecache import same_page_for_new_visitors
from services.catalog import catalog
from services.errors import IdempotencyConflict, ProviderRefusedAccount, ProviderUnavailable
from services.models import Channel, Payment, PaymentStatus, Service
from services.payments import payment_check, payment_execute, payment_prepare
from wallet.errors import InvalidName, WalletBlocked, WalletExists, WalletNotFound
from wallet.inn import InvalidInn
from wallet.models import Language, OpenedChannel, Wallet
from wallet.operations import wallet_ensure_active, wallet_get, wallet_register
from wallet.phone import phone_parse

MSG_ENTER_NUMBER = _("Введите номер кошелька ЭЛСОМ.")
MSG_WRONG_PASSWORD = _("Неверный пароль. После 5 неверных попыток вход закрывается на 15 минут.")
MSG_LOCKED = _(
    "Слишком много неверных попыток. Вход для этого номера с вашего адреса закрыт на 15 минут. "
    "Попробуйте позже или восстановите пароль по SMS-коду."
)
MSG_CODE_SENT = _("Код отправлен в SMS на номер %(phone)s.")
MSG_REGISTERED = _("Регистрация завершена. Добро пожаловать в личный кабинет!")
MSG_SIGNED_OUT = _("Вы вышли из личного кабинета.")
MSG_PASSWORD_CHANGED = _("Пароль изменен.")
MSG_FILL_FORM = _("Заполните форму платежа.")
MSG_CONFIRM_STALE = _(
    "Данные платежа изменились (например, в другой вкладке). Ничего не списано. Проверьте данные и подтвердите снова."
)
MSG_CONFIRM_EXPIRED = _("Время на подтверждение истекло. Ничего не списано. Заполните форму снова.")
MSG_NO_WEB_ACCOUNT = _("Для этого номера еще нет входа на сайт. Зарегистрируйтесь.")
MSG_OPEN_EXISTS = _("Кошелек с номером %(phone)s уже открыт. Войдите в личный кабинет.")
MSG_OPEN_CONFIRM_FIRST = _("Сначала подтвердите номер кодом из SMS.")
MSG_TOO_MANY_LOOKUPS = _("Слишком много проверок номеров подряд. Подождите 10 минут и попробуйте снова.")

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
    for key in (LOGIN_PHONE_KEY, REGISTRATION_KEY, OPENING_KEY, NEXT_KEY):
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


def _wallet_language() -> str:
    """The page's language as a wallet language (the SMS and the USSD menus of a new wallet speak it)."""
    language = (get_language() or "")[:2]
    return language if language in Language.values else Language.RU


def _simulator_inbox_url(phone: str) -> str | None:
    """The phone simulator opened on this number (its inbox shows the number's SMS), in demo mode."""
    url = _simulator_url()
    return f"{url}?{urlencode({'phone': '0' + phone[4:]})}" if url else None


def _national(phone: str) -> str:
    return phone_parse(phone).national


def _send_code(request, wallet: Wallet | None, challenge) -> None:
    """Send the flow's code to its phone; `wallet` is None while a wallet is being opened."""
    try:
        allowance = phone_code_send(
            challenge=challenge, wallet=wallet, language=_wallet_language(), client_ip=client_ip(request)
        )
    except CodeRateLimited as exc:
        messages.error(request, str(exc))
        return
    if allowance.allowed:
        messages.info(request, MSG_CODE_SENT % {"phone": _national(challenge.phone)})
    elif allowance.exhausted:
        messages.error(request, MSG_CODE_NO_MORE)
    else:
        messages.warning(request, MSG_CODE_WAIT % {"seconds": allowance.wait_seconds})


def _code_error(challenge, result: str) -> str:
    if result == CodeCheck.WRONG:
        return MSG_CODE_WRONG % {"left": phone_code_guesses_left(challenge)}
    if result == CodeCheck.EXPIRED:
        return str(MSG_CODE_EXPIRED)
    return str(MSG_CODE_VOID)


def _code_context(challenge) -> dict:
    allowance = phone_code_allowance(challenge)
    return {"can_resend": allowance.allowed, "wait": allowance.wait_seconds}


def lockout_response(request, original_response=None, credentials=None):
    """django-axes lockout (AXES_LOCKOUT_CALLABLE): the password page already says so; elsewhere (admin) a page."""
    if original_response is not None and getattr(original_response, "cabinet_lockout", False):
        return original_response
    return render(request, "cabinet/locked.html", {"message": MSG_LOCKED}, status=429)


# --- entry, registration, sign-in ----------------------------------------------------------------------------


@never_cache
@same_page_for_new_visitors
def entry(request):
    """Seed 3.1: the wallet number and «Войти»."""
    if request.user.is_authenticated and request.user.wallet_id:
        return redirect("cabinet:home")
    form = EntryForm(request.POST or None)
    problem = None
    if request.method == "POST" and form.is_valid() and not lookup_allowed(request):
        # Each answer tells whether a number has a wallet: no enumerating them.
        problem = {"kind": "throttled", "text": str(MSG_TOO_MANY_LOOKUPS)}
        response = render(request, "cabinet/entry.html", {"form": form, "problem": problem}, status=429)
        return response
    if request.method == "POST" and form.is_valid():
        try:
            wallet = wallet_get(phone=form.cleaned_data["phone"])
            wallet_ensure_active(wallet)
        except WalletNotFound:
            # Any Kyrgyz mobile number, O! included (which *900# does not serve), opens its wallet here.
            WalletOpening(request).start(form.cleaned_data["phone"])
            return redirect("cabinet:open_wallet")
        except WalletBlocked as exc:
            problem = {"kind": "blocked", "text": str(exc)}
        else:
            login_phone_set(request, wallet.phone)
            return redirect("cabinet:password" if _has_web_account(wallet) else "cabinet:register")
    return render(request, "cabinet/entry.html", {"form": form, "problem": problem})


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
    opening = WalletOpening(request)
    if request.method == "POST" and form.is_valid() and opening.opened_just_now(wallet.phone):
        # The wallet was opened in this browser with a confirmed SMS code minutes ago: no second code.
        opening.clear()
        try:
            user = web_account_register(
                wallet=wallet,
                email=form.cleaned_data["email"],
                password_hash=make_password(form.cleaned_data["password1"]),
                offer_version=OFFER_VERSION,
                offer_accepted_at=timezone.now(),
            )
        except WebAccountExists as exc:
            messages.error(request, str(exc))
            return redirect("cabinet:entry")
        messages.success(request, MSG_REGISTERED)
        return _sign_in(request, user)
    if request.method == "POST" and form.is_valid():
        request.session[REGISTRATION_KEY] = {
            "phone": wallet.phone,
            "email": form.cleaned_data["email"],
            "password_hash": make_password(form.cleaned_data["password1"]),
            "offer_version": OFFER_VERSION,
            "offer_accepted_at": timezone.now().isoformat(),
        }
        challenge = CodeFlow(request).get_or_start(purpose=CodePurpose.REGISTER, phone=wallet.phone)
        _send_code(request, wallet, challenge)
        return redirect("cabinet:register_code")
    return render(
        request, "cabinet/register.html", {"form": form, "wallet": wallet, "national": _national(wallet.phone)}
    )


@never_cache
def register_code(request):
    """The 6-digit SMS code that proves the phone is the registrant's; then the holder is signed in."""
    wallet = _login_wallet(request)
    registration = request.session.get(REGISTRATION_KEY)
    flow = CodeFlow(request)
    challenge = flow.get(purpose=CodePurpose.REGISTER, phone=wallet.phone) if wallet else None
    if wallet is None or not registration or registration["phone"] != wallet.phone or challenge is None:
        return redirect("cabinet:register" if wallet else "cabinet:entry")
    if request.method == "POST" and "resend" in request.POST:
        _send_code(request, wallet, challenge)
        return redirect("cabinet:register_code")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = phone_code_check(challenge=challenge, code=form.cleaned_data["code"])
        if result == CodeCheck.VALID:
            flow.clear()
            try:
                user = web_account_register(
                    wallet=wallet,
                    email=registration["email"],
                    password_hash=registration["password_hash"],
                    offer_version=registration["offer_version"],
                    offer_accepted_at=datetime.fromisoformat(registration["offer_accepted_at"]),
                )
            except WebAccountExists as exc:
                request.session.pop(REGISTRATION_KEY, None)
                messages.error(request, str(exc))
                return redirect("cabinet:entry")
            messages.success(request, MSG_REGISTERED)
            return _sign_in(request, user)
        form.add_error("code", _code_error(challenge, result))
    context = {
        "form": form,
        "national": _national(wallet.phone),
        "simulator_url": _simulator_url(),
        **_code_context(challenge),
    }
    return render(request, "cabinet/register_code.html", context)


# --- opening a wallet (any Kyrgyz mobile number; O! cannot open one over *900#) -------------------------------

OPEN_FIELD_ERRORS = {InvalidName: "full_name", InvalidInn: "inn"}


def _opening_phone(request) -> str | None:
    return WalletOpening(request).phone


def _opened_already(request, phone: str):
    """The number got a wallet meanwhile (another tab, *900#, a branch): nothing to open, sign in instead."""
    WalletOpening(request).clear()
    CodeFlow(request).clear()
    login_phone_set(request, phone)
    messages.info(request, MSG_OPEN_EXISTS % {"phone": _national(phone)})
    return redirect("cabinet:entry")


@never_cache
def open_wallet(request):
    """A number without a wallet: say so and send the SMS code that proves the phone is the one opening it."""
    phone = _opening_phone(request)
    if phone is None:
        return redirect("cabinet:entry")
    if Wallet.objects.filter(phone=phone).exists():
        return _opened_already(request, phone)
    if request.method == "POST":
        challenge = CodeFlow(request).get_or_start(purpose=CodePurpose.REGISTER, phone=phone)
        _send_code(request, None, challenge)
        return redirect("cabinet:open_code")
    return render(request, "cabinet/open_wallet.html", {"national": _national(phone)})


@never_cache
def open_code(request):
    phone = _opening_phone(request)
    flow = CodeFlow(request)
    challenge = flow.get(purpose=CodePurpose.REGISTER, phone=phone) if phone else None
    if challenge is None:
        return redirect("cabinet:open_wallet" if phone else "cabinet:entry")
    if request.method == "POST" and "resend" in request.POST:
        _send_code(request, None, challenge)
        return redirect("cabinet:open_code")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = phone_code_check(challenge=challenge, code=form.cleaned_data["code"])
        if result == CodeCheck.VALID:
            flow.clear()
            WalletOpening(request).mark_verified()
            return redirect("cabinet:open_details")
        form.add_error("code", _code_error(challenge, result))
    context = {
        "form": form,
        "national": _national(phone),
        "simulator_url": _simulator_inbox_url(phone),
        "other_number_url": reverse("cabinet:entry"),
        **_code_context(challenge),
    }
    return render(request, "cabinet/register_code.html", context)


@never_cache
def open_details(request):
    """Seed 1.4-1.7 on the website: name and surname, the personal INN, the public offer; then the wallet opens
    with the same wallet_register as on *900# and the PIN comes by SMS."""
    opening = WalletOpening(request)
    phone = opening.phone
    if phone is None:
        return redirect("cabinet:entry")
    if not opening.verified(phone):
        messages.info(request, MSG_OPEN_CONFIRM_FIRST)
        return redirect("cabinet:open_wallet")
    form = WalletOpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            wallet, _pin = wallet_register(
                phone=phone,
                full_name=form.cleaned_data["full_name"],
                inn=form.cleaned_data["inn"],
                channel=OpenedChannel.WEB,
                language=_wallet_language(),
                offer_version=OFFER_VERSION,
            )
        except WalletExists:
            return _opened_already(request, phone)
        except (InvalidName, InvalidInn) as exc:
            form.add_error(OPEN_FIELD_ERRORS[type(exc)], str(exc))
        else:
            opening.mark_opened()
            login_phone_set(request, wallet.phone)
            return redirect("cabinet:open_done")
    return render(request, "cabinet/open_details.html", {"form": form, "national": _national(phone)})


@never_cache
def open_done(request):
    """The wallet is open and the PIN is on its way; next: a web login (email and password) or the app."""
    wallet = _login_wallet(request)
    if wallet is None or not WalletOpening(request).opened_just_now(wallet.phone):
        return redirect("cabinet:entry")
    context = {
        "wallet": wallet,
        "national": _national(wallet.phone),
        "simulator_url": _simulator_inbox_url(wallet.phone),
    }
    return render(request, "cabinet/open_done.html", context)


@never_cache
def password(request):
    """The password of a wallet that has a web account. django-axes counts failures per number and address."""
    wallet = _login_wallet(request)
    if wallet is None:
        messages.info(request, MSG_ENTER_NUMBER)
        return redirect("cabinet:entry")
    if request.method != "POST" and not _has_web_account(wallet):  # a POST without one simply fails to sign in
        messages.info(request, MSG_NO_WEB_ACCOUNT)
        return redirect("cabinet:register")
    form = PasswordForm(request.POST or None)
    # On a POST the attempt counter itself refuses; the read is for showing the page.
    locked = request.method != "POST" and sign_in_blocked(request, wallet.phone)
    if request.method == "POST" and form.is_valid():
        try:
            wallet_ensure_active(wallet)
        except WalletBlocked as exc:
            form.add_error(None, str(exc))
        else:
            # The attempt is counted before the password is checked, atomically: a burst of parallel guesses
            # gets the limit, no more (django-axes records the failures too, for the staff's eyes).
            if not sign_in_attempt(request, wallet.phone):
                locked = True
            else:
                user = authenticate(request, username=wallet.phone, password=form.cleaned_data["password"])
                if user is not None:
                    sign_in_succeeded(request, wallet.phone)
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
    challenge = CodeFlow(request).get_or_start(purpose=CodePurpose.RESET, phone=wallet.phone)
    _send_code(request, wallet, challenge)
    return redirect("cabinet:password_reset")


@never_cache
def password_reset(request):
    wallet = _login_wallet(request)
    flow = CodeFlow(request)
    user = User.objects.filter(wallet=wallet).first() if wallet is not None else None
    challenge = flow.get(purpose=CodePurpose.RESET, phone=wallet.phone) if user is not None else None
    if challenge is None:
        return redirect("cabinet:entry")
    if request.method == "POST" and "resend" in request.POST:
        _send_code(request, wallet, challenge)
        return redirect("cabinet:password_reset")
    form = ResetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        result = phone_code_check(challenge=challenge, code=form.cleaned_data["code"])
        if result == CodeCheck.VALID:
            web_password_set(user=user, password=form.cleaned_data["password1"])
            flow.clear()
            axes_reset(username=wallet.phone)  # the holder proved the phone is theirs
            sign_in_reset(wallet.phone)
            messages.success(request, MSG_PASSWORD_CHANGED)
            return _sign_in(request, user)
        form.add_error("code", _code_error(challenge, result))
    context = {"form": form, "national": _national(wallet.phone), **_code_context(challenge)}
    return render(request, "cabinet/password_reset.html", context)


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, MSG_SIGNED_OUT)
    return redirect("cabinet:entry")


def offer(request):
    return render(request, "cabinet/offer.html", {"offer_version": OFFER_VERSION})


# --- the cabinet -----------------------------------------------------------------------------------------------


@holder_required
def home(request):
    operations = selectors.wallet_operations_page(wallet=request.wallet, limit=5)
    context = {"wallet": request.wallet, "categories": catalog().web_categories(), "operations": operations}
    return render(request, "cabinet/home.html", context)


@holder_required
def services(request):
    return render(
        request, "cabinet/services.html", {"wallet": request.wallet, "categories": catalog().web_categories()}
    )


@holder_required
def category(request, slug):
    current = catalog()
    chosen = current.category(slug=slug)
    if chosen is None:
        raise Http404
    items = current.services_of(chosen)
    return render(request, "cabinet/category.html", {"wallet": request.wallet, "category": chosen, "items": items})


def _service(slug) -> Service:
    service = catalog().service(slug=slug)
    if service is None:
        raise Http404
    return service


@holder_required
def pay_form(request, slug):
    """Seed 3.4: the service's account field and «Сумма», «Далее». Also where «Назад» returns to."""
    service, wallet = _service(slug), request.wallet
    store = PendingPayment(request)
    if request.method == "POST":
        form = PaymentForm(request.POST, wallet=wallet, service=service)
        if form.is_valid():
            quote = form.quote
            try:
                # Once per «Далее», before any money moves: the provider says whether it takes this account.
                holder = payment_check(quote=quote)
            except ProviderRefusedAccount as exc:
                form.add_error("account", str(exc))
            except ProviderUnavailable as exc:
                form.add_error(None, str(exc))
            else:
                store.put(
                    wallet_id=wallet.pk,
                    service_id=service.pk,
                    account=quote.account,
                    amount=str(quote.amount),
                    account_holder=holder,
                )
                return redirect("cabinet:pay_confirm", slug=service.slug)
    else:
        pending = store.get()
        initial = {}
        if pending and pending.service_id == service.pk and pending.wallet_id == wallet.pk:
            initial = {"account": pending.account, "amount": pending.amount}
        form = PaymentForm(initial=initial, wallet=wallet, service=service)
    return render(request, "cabinet/pay_form.html", {"wallet": wallet, "service": service, "form": form})


@holder_required
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
    pending = store.get()
    if (
        pending is None
        or pending.token != token
        or pending.service_id != service.pk
        or pending.wallet_id != wallet.pk
        or request.POST.get("account") != pending.account
        or request.POST.get("amount") != pending.amount
    ):
        # Double click, reload, back + resubmit, a second tab: the token was used, show what it paid.
        done = Payment.objects.filter(idempotency_key=f"web:{token}", wallet=wallet).only("code").first()
        if done is not None:
            return redirect("cabinet:pay_done", code=done.code)
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
            channel=Channel.WEB,
            account_holder=pending.account_holder,
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


REFRESH_SECONDS = 3


@holder_required
def pay_done(request, code):
    """Seed 3.6: the confirmation window with the payment code, or the truth when it is not done yet: a payment in
    progress refreshes itself (a meta refresh: no script needed) until the provider's answer is in."""
    payment = selectors.wallet_payment_get(wallet=request.wallet, code=code)
    context = {
        "wallet": request.wallet,
        "payment": payment,
        "refresh_seconds": REFRESH_SECONDS if payment.status == PaymentStatus.RESERVED else None,
    }
    return render(request, "cabinet/pay_done.html", context)


@holder_required
def history(request):
    form = HistoryFilterForm(request.GET or None)
    date_from = date_to = None
    if form.is_bound and form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    entries = selectors.WalletOperations(wallet=request.wallet, date_from=date_from, date_to=date_to)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"wallet": request.wallet, "form": form, "page": page, "query": query.urlencode()}
    return render(request, "cabinet/history.html", context)


@holder_required
def receipt(request, code):
    payment = selectors.wallet_payment_get(wallet=request.wallet, code=code)
    return render(request, "cabinet/receipt.html", {"wallet": request.wallet, "payment": payment})


@holder_required
def password_change(request):
    form = PasswordChangeForm(
        request.POST or None, user=request.user, attempt=lambda: sign_in_attempt(request, request.wallet.phone)
    )
    if request.method == "POST" and form.is_valid():
        sign_in_succeeded(request, request.wallet.phone)
        web_password_set(user=request.user, password=form.cleaned_data["password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, MSG_PASSWORD_CHANGED)
        return redirect("cabinet:home")
    return render(request, "cabinet/password_change.html", {"wallet": request.wallet, "form": form})
