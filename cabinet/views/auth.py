"""Who is at the keyboard (seed sections 3.1-3.3): «Войти» by wallet number, registering the web account (email,
password, the public offer, an SMS code), the password, its reset by SMS code and its change, signing out."""

from axes.utils import reset as axes_reset
from django.contrib import messages
from django.contrib.auth import authenticate, logout, update_session_auth_hash
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.errors import WebAccountExists
from accounts.models import CodePurpose, User
from accounts.operations import (
    OFFER_VERSION,
    web_account_create,
    web_account_register,
    web_password_set,
    web_registration_start,
)
from cabinet.forms import CodeForm, EntryForm, PasswordChangeForm, PasswordForm, RegistrationForm, ResetForm
from cabinet.session import CodeFlow, PendingRegistration, WalletOpening, login_phone_set
from cabinet.throttles import (
    lookup_allowed,
    registration_allowed,
    sign_in_attempt,
    sign_in_blocked,
    sign_in_reset,
    sign_in_succeeded,
)
from cabinet.views.codes import code_send, code_step
from cabinet.views.shared import has_web_account, holder_required, login_wallet, national, sign_in, simulator_url
from core.pagecache import same_page_for_new_visitors
from wallet.errors import WalletBlocked, WalletNotFound
from wallet.operations import wallet_ensure_active, wallet_get

MSG_ENTER_NUMBER = _("Введите номер кошелька ЭЛСОМ.")
MSG_WRONG_PASSWORD = _("Неверный пароль. После 5 неверных попыток вход закрывается на 15 минут.")
MSG_LOCKED = _(
    "Слишком много неверных попыток. Вход для этого номера с вашего адреса закрыт на 15 минут. "
    "Попробуйте позже или восстановите пароль по SMS-коду."
)
MSG_REGISTERED = _("Регистрация завершена. Добро пожаловать в личный кабинет!")
MSG_SIGNED_OUT = _("Вы вышли из личного кабинета.")
MSG_PASSWORD_CHANGED = _("Пароль изменен.")
MSG_NO_WEB_ACCOUNT = _("Для этого номера еще нет входа на сайт. Зарегистрируйтесь.")
MSG_TOO_MANY_LOOKUPS = _("Слишком много проверок номеров подряд. Подождите 10 минут и попробуйте снова.")
MSG_TOO_MANY_REGISTRATIONS = _(
    "Слишком много попыток регистрации с вашего адреса. Попробуйте через час. Ничего не сохранено."
)
MSG_STAFF_LOCKED = _(
    "Слишком много неверных попыток. Вход с этим именем пользователя с вашего адреса закрыт на 15 минут."
)

# Every sign-in that is not a wallet holder's (the staff console, the admin) is counted by django-axes under this
# prefix: a wallet number typed there is another name, so a stranger's failures never reach the holder's record.
STAFF_AXES_PREFIX = "staff:"


def axes_username(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: the name django-axes counts failures under. The cabinet's wallet numbers as they are
    (the console's customer page and the call-centre unlock read them so); everything else under STAFF_AXES_PREFIX.
    Only the cabinet marks its request (_authenticate_holder), so a new sign-in page lands on the staff side."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username")
    username = str(username or "")
    if getattr(request, "wallet_sign_in", False):
        return username
    return STAFF_AXES_PREFIX + username


def _authenticate_holder(request, phone: str, password: str):
    request.wallet_sign_in = True  # read by axes_username
    return authenticate(request, username=phone, password=password)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes lockout (AXES_LOCKOUT_CALLABLE): the password page already says so; elsewhere (the staff
    console, the admin) a page that says what is locked: that username from this address."""
    if original_response is not None and getattr(original_response, "cabinet_lockout", False):
        return original_response
    if getattr(request, "wallet_sign_in", False):
        return render(request, "cabinet/locked.html", {"message": MSG_LOCKED}, status=429)
    return render(request, "cabinet/locked.html", {"message": MSG_STAFF_LOCKED}, status=429)


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
            return redirect("cabinet:password" if has_web_account(wallet) else "cabinet:register")
    return render(request, "cabinet/entry.html", {"form": form, "problem": problem})


@never_cache
def register(request):
    """Seed 3.2: «Регистрация номера …», Email, Пароль, Повторите пароль, the offer, «ЗАРЕГИСТРИРОВАТЬСЯ»."""
    wallet = login_wallet(request)
    if wallet is None:
        messages.info(request, MSG_ENTER_NUMBER)
        return redirect("cabinet:entry")
    if has_web_account(wallet):
        return redirect("cabinet:password")
    form = RegistrationForm(request.POST or None, wallet=wallet)
    if request.method != "POST" or not form.is_valid():
        return render(
            request, "cabinet/register.html", {"form": form, "wallet": wallet, "national": national(wallet.phone)}
        )
    # Counted before the password is hashed (Argon2 costs a core 120-170 ms): a script posting the form gets a
    # message, not our CPU, and nothing is written.
    if not registration_allowed(request, wallet.phone):
        form.add_error(None, MSG_TOO_MANY_REGISTRATIONS)
        return render(
            request, "cabinet/register.html", {"form": form, "wallet": wallet, "national": national(wallet.phone)}
        )
    email, password = form.cleaned_data["email"], form.cleaned_data["password1"]
    opening = WalletOpening(request)
    if opening.opened_just_now(wallet.phone):
        # The wallet was opened in this browser with a confirmed SMS code minutes ago: no second code.
        opening.clear()
        try:
            user = web_account_create(wallet=wallet, email=email, password=password, offer_version=OFFER_VERSION)
        except WebAccountExists as exc:
            messages.error(request, str(exc))
            return redirect("cabinet:entry")
        messages.success(request, MSG_REGISTERED)
        return sign_in(request, user)
    PendingRegistration(request).put(web_registration_start(wallet=wallet, email=email, password=password))
    challenge = CodeFlow(request).get_or_start(purpose=CodePurpose.REGISTER, phone=wallet.phone)
    code_send(request, challenge=challenge, wallet=wallet)
    return redirect("cabinet:register_code")


@never_cache
def register_code(request):
    """The 6-digit SMS code that proves the phone is the registrant's; then the holder is signed in."""
    wallet = login_wallet(request)
    pending = PendingRegistration(request)
    registration = pending.get()
    flow = CodeFlow(request)
    challenge = flow.get(purpose=CodePurpose.REGISTER, phone=wallet.phone) if wallet else None
    if wallet is None or registration is None or registration.phone != wallet.phone or challenge is None:
        return redirect("cabinet:register" if wallet else "cabinet:entry")

    def confirmed(_data):
        try:
            user = web_account_register(wallet=wallet, registration=registration)
        except WebAccountExists as exc:
            pending.clear()
            messages.error(request, str(exc))
            return redirect("cabinet:entry")
        messages.success(request, MSG_REGISTERED)
        return sign_in(request, user)

    return code_step(
        request,
        flow=flow,
        challenge=challenge,
        wallet=wallet,
        form=CodeForm(request.POST or None),
        url_name="cabinet:register_code",
        template="cabinet/register_code.html",
        context={"national": national(wallet.phone), "simulator_url": simulator_url()},
        confirmed=confirmed,
    )


@never_cache
def password(request):
    """The password of a wallet that has a web account. Failures are counted per number and address (ours and
    django-axes'): a stranger elsewhere never locks the holder out."""
    wallet = login_wallet(request)
    if wallet is None:
        messages.info(request, MSG_ENTER_NUMBER)
        return redirect("cabinet:entry")
    if request.method != "POST" and not has_web_account(wallet):  # a POST without one simply fails to sign in
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
                user = _authenticate_holder(request, wallet.phone, form.cleaned_data["password"])
                if user is not None:
                    sign_in_succeeded(request, wallet.phone)
                    return sign_in(request, user)
                if getattr(request, "axes_locked_out", False):
                    locked = True
                else:
                    form.add_error("password", MSG_WRONG_PASSWORD)
    context = {"form": form, "national": national(wallet.phone), "locked": locked, "locked_message": MSG_LOCKED}
    response = render(request, "cabinet/password.html", context, status=429 if locked else 200)
    response.cabinet_lockout = locked
    return response


@require_POST
def password_forgot(request):
    """Send a code to reset the password of the wallet typed at «Войти»."""
    wallet = login_wallet(request)
    if wallet is None or not has_web_account(wallet):
        return redirect("cabinet:entry")
    challenge = CodeFlow(request).get_or_start(purpose=CodePurpose.RESET, phone=wallet.phone)
    code_send(request, challenge=challenge, wallet=wallet)
    return redirect("cabinet:password_reset")


@never_cache
def password_reset(request):
    """The code sent by «Забыли пароль?» and the new password; then the holder is signed in."""
    wallet = login_wallet(request)
    flow = CodeFlow(request)
    user = User.objects.filter(wallet=wallet).first() if wallet is not None else None
    challenge = flow.get(purpose=CodePurpose.RESET, phone=wallet.phone) if user is not None else None
    if challenge is None:
        return redirect("cabinet:entry")

    def confirmed(data):
        web_password_set(user=user, password=data["password1"])
        axes_reset(username=wallet.phone)  # the holder proved the phone is theirs
        sign_in_reset(wallet.phone)
        messages.success(request, MSG_PASSWORD_CHANGED)
        return sign_in(request, user)

    return code_step(
        request,
        flow=flow,
        challenge=challenge,
        wallet=wallet,
        form=ResetForm(request.POST or None, user=user),
        url_name="cabinet:password_reset",
        template="cabinet/password_reset.html",
        context={"national": national(wallet.phone)},
        confirmed=confirmed,
    )


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


@require_POST
def sign_out(request):
    logout(request)
    messages.info(request, MSG_SIGNED_OUT)
    return redirect("cabinet:entry")


def offer(request):
    return render(request, "cabinet/offer.html", {"offer_version": OFFER_VERSION})
