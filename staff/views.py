"""The agent console (/staff/): one search box, the customer's page, a payment's file, the supervisor's refund
queue, and the staff actions, each with a reason and a confirmation step. Every view is gated by Django
permissions (the roles of staff/migrations/0002_roles.py); plain is_staff opens nothing. Each action is one domain
function, which writes its audit entry in its own transaction."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.operations import web_sign_in_unlock
from api.devices import device_revoke_all_by_staff
from audit.roles import StaffPermission
from audit.selectors import staff_scope_allows, staff_scope_limited
from casework import selectors as case_selectors
from casework.identity import IDENTITY_CHECK_VALID_FOR, MSG_IDENTITY_NOT_VERIFIED, identity_check_valid
from core.errors import DomainError
from core.money import format_som
from core.once import once_claim
from services.models import PaymentStatus, RefundRequest, RefundStatus
from services.payments import ProviderSaid, payment_provider_query
from services.refunds import refund_approve, refund_reject, refund_request
from sms.outbox import sms_resend_payment
from staff import selectors
from staff.forms import (
    CaseNoteForm,
    EscalationForm,
    IdentityCheckForm,
    InlineSearchForm,
    ReasonForm,
    SearchForm,
    StaffSignInForm,
)
from wallet.models import WalletStatus
from wallet.operations import wallet_pin_reset, wallet_pin_unlock, wallet_set_status

CONFIRM_KEY = "staff_confirm"
MAX_PENDING_CONFIRMS = 20
TIMELINE_PAGE_SIZE = 20

MSG_DONE_ALREADY = _("Это действие уже выполнено (повторное нажатие). Ничего не изменено.")
MSG_NOT_APPLICABLE = _("Сейчас это действие неприменимо. Ничего не изменено.")
MSG_REASON_CHANGED = _(
    "Причина отличается от показанной при подтверждении. Ничего не изменено: проверьте причину и нажмите «Далее»."
)
MSG_PAYMENT_NOT_FOUND = _("Платеж с таким кодом не найден.")


# --- access ------------------------------------------------------------------------------------------------------


def _forbidden(request):
    return render(request, "staff/forbidden.html", status=403)


def staff_permission_required(*permissions: str):
    """A signed-in staff member holding every permission named. Anonymous: to the console's sign-in; anyone else
    (plain staff, a wallet holder, a cashier on an agent's page): 403, whatever they post."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("staff:login"))
            if not (user.is_active and user.is_staff and user.has_perms(permissions)):
                return _forbidden(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


console_required = staff_permission_required("audit.use_console")


class SignInView(auth_views.LoginView):
    template_name = "staff/login.html"
    form_class = StaffSignInForm

    def get_default_redirect_url(self):
        return reverse("staff:home")


class SignOutView(auth_views.LogoutView):
    next_page = "staff:login"


# --- actions -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """A staff action as the console offers it: who may (`permission`), when it makes sense (`applies`), what it
    does (`explain`, shown on the confirm page) and the one domain function that does it (`perform`)."""

    slug: str
    permission: str
    title: Promise
    explain: Promise
    done: Promise
    perform: Callable
    applies: Callable = lambda target: True
    danger: bool = False
    # Hands the wallet to whoever is on the phone: the domain refuses it without the actor's own identity check of
    # the caller in the last 15 minutes (casework/identity.py); the page says so before the reason is typed.
    needs_identity: bool = False


def _query_provider(actor, payment, reason):
    result = payment_provider_query(payment=payment, actor=actor, reason=reason)
    said = {
        ProviderSaid.FOUND: _("Поставщик нашел платеж: он проведен."),
        ProviderSaid.NOT_FOUND: _("У поставщика платежа нет: платеж отправлен ему снова."),
        ProviderSaid.NO_ANSWER: _("Поставщик не ответил. Платеж остается в обработке, система спросит снова сама."),
    }[result.said]
    return f"{said} {_('Статус')}: {result.payment.get_status_display()}."


WALLET_ACTIONS = {
    action.slug: action
    for action in [
        Action(
            slug="unlock-pin",
            permission="wallet.unlock_pin",
            title=_("Разблокировать PIN"),
            explain=_(
                "Снимает блокировку PIN и обнуляет счетчик неверных вводов. PIN остается прежним. "
                "Только после проверки личности (ИНН, имя, последние операции)."
            ),
            done=_("PIN разблокирован."),
            perform=lambda actor, wallet, reason: wallet_pin_unlock(wallet=wallet, actor=actor, reason=reason),
            applies=lambda wallet: wallet.pin_locked_at is not None or wallet.pin_failed_attempts > 0,
            needs_identity=True,
        ),
        Action(
            slug="new-pin",
            permission="wallet.send_new_pin",
            title=_("Отправить новый PIN по SMS"),
            explain=_(
                "Придумывает новый PIN, снимает блокировку и отправляет PIN в SMS на номер кошелька. "
                "Вы PIN не увидите. Старый PIN перестает действовать."
            ),
            done=_("Новый PIN отправлен в SMS."),
            perform=lambda actor, wallet, reason: wallet_pin_reset(wallet=wallet, actor=actor, reason=reason),
            applies=lambda wallet: wallet.status == WalletStatus.ACTIVE,
            needs_identity=True,
        ),
        Action(
            slug="unlock-sign-in",
            permission="wallet.unlock_sign_in",
            title=_("Снять блокировку входа на сайт"),
            explain=_("Обнуляет счетчики неверных паролей этого номера: клиент снова может войти на сайт."),
            done=_("Блокировка входа на сайт снята."),
            perform=lambda actor, wallet, reason: web_sign_in_unlock(wallet=wallet, actor=actor, reason=reason),
            needs_identity=True,
        ),
        Action(
            slug="resend-sms",
            permission="sms.resend_sms",
            title=_("Повторить SMS о последнем платеже"),
            explain=_("Ставит в очередь копию последнего SMS о платеже. Первое SMS остается в истории как было."),
            done=_("SMS поставлено в очередь повторно."),
            perform=lambda actor, wallet, reason: sms_resend_payment(wallet=wallet, actor=actor, reason=reason),
        ),
        Action(
            slug="sign-out-app",
            permission="api.revoke_devicetoken",
            title=_("Выйти из приложения на всех устройствах"),
            explain=_(
                "Отменяет вход в приложение ЭЛСОМ на всех устройствах клиента (потерянный или украденный телефон). "
                "Клиент войдет снова по SMS-коду на свой номер."
            ),
            done=_("Вход в приложение отменен на всех устройствах."),
            perform=lambda actor, wallet, reason: device_revoke_all_by_staff(wallet=wallet, actor=actor, reason=reason),
            applies=lambda wallet: bool(getattr(wallet, "app_devices", 0)),
            danger=True,
        ),
        Action(
            slug="block",
            permission="wallet.block_wallet",
            title=_("Заблокировать кошелек"),
            explain=_("Кошелек перестает платить, пополняться и входить на сайт, пока старший смены не разблокирует."),
            done=_("Кошелек заблокирован."),
            perform=lambda actor, wallet, reason: wallet_set_status(
                wallet=wallet, status=WalletStatus.BLOCKED, actor=actor, reason=reason
            ),
            applies=lambda wallet: wallet.status == WalletStatus.ACTIVE,
            danger=True,
            needs_identity=True,
        ),
        Action(
            slug="unblock",
            permission="wallet.unblock_wallet",
            title=_("Разблокировать кошелек"),
            explain=_("Кошелек снова работает: платежи, пополнения, вход на сайт."),
            done=_("Кошелек разблокирован."),
            perform=lambda actor, wallet, reason: wallet_set_status(
                wallet=wallet, status=WalletStatus.ACTIVE, actor=actor, reason=reason
            ),
            applies=lambda wallet: wallet.status == WalletStatus.BLOCKED,
        ),
    ]
}

PAYMENT_ACTIONS = {
    action.slug: action
    for action in [
        Action(
            slug="provider-query",
            permission="services.query_provider",
            title=_("Спросить поставщика о платеже"),
            explain=_(
                "Спрашивает у поставщика, дошел ли платеж. Нашел — платеж проводится с номером поставщика; "
                "не нашел — платеж отправляется ему снова (деньги спишутся у поставщика один раз); "
                "не ответил — ничего не меняется."
            ),
            done=_("Поставщик опрошен."),
            perform=_query_provider,
            applies=lambda payment: payment.status == PaymentStatus.RESERVED,
        ),
        Action(
            slug="refund-request",
            permission="services.request_refund",
            title=_("Запросить возврат платежа"),
            explain=_(
                "Создает запрос на возврат. Деньги не двигаются, пока другой сотрудник (старший смены) не одобрит "
                "запрос. Нужен, например, когда клиент ошибся ИНН и поставщик согласен вернуть деньги."
            ),
            done=_("Запрос на возврат создан; он ждет решения старшего смены."),
            perform=lambda actor, payment, reason: refund_request(payment=payment, actor=actor, reason=reason),
            # Offered for a payment in progress too: the domain refuses it there and records the attempt (an
            # automatic fail in training: the money is still with the provider). Aborted or returned: nothing to ask.
            applies=lambda payment: payment.status in (PaymentStatus.COMMITTED, PaymentStatus.RESERVED),
            needs_identity=True,
        ),
        Action(
            slug="resend-sms",
            permission="sms.resend_sms",
            title=_("Повторить SMS об этом платеже"),
            explain=_("Ставит в очередь копию последнего SMS об этом платеже."),
            done=_("SMS поставлено в очередь повторно."),
            perform=lambda actor, payment, reason: sms_resend_payment(
                wallet=payment.wallet, payment=payment, actor=actor, reason=reason
            ),
            applies=lambda payment: payment.status != PaymentStatus.RESERVED,
        ),
    ]
}

REFUND_ACTIONS = {
    action.slug: action
    for action in [
        Action(
            slug="approve",
            permission="services.approve_refund",
            title=_("Одобрить возврат"),
            explain=_(
                "Возвращает сумму и комиссию на кошелек клиента (платеж станет «возвращен», клиент получит SMS). "
                "Свой собственный запрос одобрить нельзя."
            ),
            done=_("Возврат одобрен: деньги на кошельке клиента."),
            perform=lambda actor, refund, reason: refund_approve(request=refund, actor=actor, reason=reason),
            applies=lambda refund: refund.status == RefundStatus.PENDING,
        ),
        Action(
            slug="reject",
            permission="services.approve_refund",
            title=_("Отклонить возврат"),
            explain=_("Запрос закрывается без движения денег; причина видна агенту в журнале."),
            done=_("Запрос на возврат отклонен."),
            perform=lambda actor, refund, reason: refund_reject(request=refund, actor=actor, reason=reason),
            applies=lambda refund: refund.status == RefundStatus.PENDING,
            danger=True,
        ),
    ]
}


def _offered(user, actions: dict[str, Action], target) -> list[Action]:
    return [a for a in actions.values() if user.has_perm(a.permission) and a.applies(target)]


def _confirm_token(request, signature: str, reason: str) -> str:
    """A token for the confirm page, remembering (in the session, not the page) the action and the reason shown."""
    pending = request.session.get(CONFIRM_KEY, {})
    if len(pending) >= MAX_PENDING_CONFIRMS:
        pending = dict(list(pending.items())[-(MAX_PENDING_CONFIRMS - 1) :])
    token = secrets.token_hex(16)
    pending[token] = {"signature": signature, "reason": reason}
    request.session[CONFIRM_KEY] = pending
    return token


def _confirm_reason_shown(request, token: str, signature: str) -> str | None:
    """The reason the confirm page of `token` showed for this action, or None for an unknown token."""
    entry = request.session.get(CONFIRM_KEY, {}).get(token)
    if not isinstance(entry, dict) or entry.get("signature") != signature:
        return None
    return entry.get("reason")


def _confirm_take(request, token: str, signature: str) -> bool:
    """One confirmation, one action: a double click, a reload of the confirm POST or ten parallel POSTs of it find
    its token used. The session says which action the token confirms; the claim in the database says whether it
    was used (concurrent requests each read the session before any of them writes it back)."""
    pending = request.session.get(CONFIRM_KEY, {})
    if _confirm_reason_shown(request, token, signature) is None or not once_claim(f"staff-confirm:{token}"):
        return False
    del pending[token]
    request.session[CONFIRM_KEY] = pending
    return True


def _run_action(request, *, action: Action, target, target_label: str, signature: str, back_url: str, context: dict):
    """Reason -> «Далее» -> the confirm page (what will happen, to whom, why) -> «Подтвердить» -> the domain
    function -> back with its message. «Назад» on the confirm page returns to the reason, still filled in. An
    action that needs the caller's identity checked first says so, with a link to the check, instead of the form."""
    if not request.user.has_perm(action.permission):
        return _forbidden(request)
    wallet = context.get("wallet")
    identity_missing = (
        action.needs_identity
        and wallet is not None
        and identity_check_valid(wallet_id=wallet.pk, actor=request.user) is None
    )
    form = ReasonForm(request.POST or None)
    step = "reason"
    token = ""
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        token = request.POST.get("token", "")
        shown = _confirm_reason_shown(request, token, signature)
        if "confirm" in request.POST and shown is not None and shown != reason:
            # The reason travels back in the confirm form, where anyone can change it: the journal must say what
            # the agent confirmed. Asked again, the changed reason in the field, nothing done.
            form.add_error("reason", MSG_REASON_CHANGED)
        elif "confirm" in request.POST:
            if not _confirm_take(request, token, signature):
                messages.info(request, MSG_DONE_ALREADY)
                return redirect(back_url)
            if not action.applies(target):
                messages.warning(request, MSG_NOT_APPLICABLE)
                return redirect(back_url)
            try:
                result = action.perform(request.user, target, reason)
            except DomainError as error:
                messages.error(request, str(error))
                return redirect(back_url)
            messages.success(request, result if isinstance(result, str) else str(action.done))
            return redirect(back_url)
        elif "back" not in request.POST and not identity_missing:
            step = "confirm"
            token = _confirm_token(request, signature, reason)
    page = {
        "action": action,
        "form": form,
        "step": step,
        "token": token,
        "target_label": target_label,
        "back_url": back_url,
        "applicable": action.applies(target),
        "identity_missing": identity_missing,
        "identity_message": MSG_IDENTITY_NOT_VERIFIED,
        **context,
    }
    return render(request, "staff/action.html", page)


# --- pages -----------------------------------------------------------------------------------------------------------


def home(request):
    """/staff/: the search box for agents; a cashier lands on the cash desk; plain staff see a 403."""
    user = request.user
    if user.is_authenticated and user.is_staff and not user.has_perm("audit.use_console") and not request.GET:
        if user.has_perm("audit.use_cash_desk"):
            return redirect("cashdesk:branch")
    return _search(request)


@console_required
def _search(request):
    form = SearchForm(request.GET or None)
    result = None
    if form.is_bound:
        if form.is_valid():
            result = selectors.console_search(query=form.cleaned_data["q"], viewer=request.user)
        else:
            result = selectors.SearchResult(hits=[], problem=" ".join(form.errors.get("q", [])))
    return render(request, "staff/search.html", {"form": form, "result": result})


def customer_in_scope(request, number: str):
    """The customer's wallet if the viewer may see it (a trainee: their own sandbox only); 404 otherwise, as for
    a number without a wallet: the console does not tell a trainee that someone else's customer exists."""
    if not staff_scope_allows(actor=request.user, phone=f"+{number}"):
        raise Http404
    wallet = selectors.customer_get(number=number)
    if wallet is None:
        raise Http404
    return wallet


def payment_file_in_scope(request, code: str):
    """A payment's file if the viewer may see its wallet; 404 otherwise."""
    file = selectors.payment_file_get(code=code, discreet=staff_scope_limited(request.user))
    if file is None or not staff_scope_allows(actor=request.user, phone=file.payment.wallet.phone):
        raise Http404
    return file


@staff_permission_required("audit.use_console", "wallet.view_wallet")
def customer(request, number):
    return customer_page(request, customer_in_scope(request, number))


def customer_page(request, wallet, **forms):
    """The customer's page; `forms` are the case forms posted with errors (identity, escalation, note)."""
    try:
        page_number = int(request.GET.get("page", "1"))
    except ValueError:
        page_number = 1
    page_number = min(max(page_number, 1), 10_000)
    discreet = staff_scope_limited(request.user)
    timeline = selectors.CustomerTimeline(wallet=wallet, discreet=discreet).page(page_number, size=TIMELINE_PAGE_SIZE)
    context = {
        "wallet": wallet,
        "timeline": timeline,
        "actions": _offered(request.user, WALLET_ACTIONS, wallet),
        "search": InlineSearchForm(),
        **_case_context(request, wallet, forms),
    }
    return render(request, "staff/customer.html", context)


def _case_context(request, wallet, forms: dict) -> dict:
    """The card's case work: the last identity check (and whether the viewer's own one is valid), the open
    escalations, the notes, and the forms for each (those the viewer may use)."""
    user, number = request.user, wallet.number
    last = case_selectors.identity_check_last(wallet_id=wallet.pk)
    if last is None:
        mine = None  # nobody ever checked: no second statement
    elif last.actor_id == user.pk and last.passed and last.created_at >= timezone.now() - IDENTITY_CHECK_VALID_FOR:
        mine = last
    else:
        mine = identity_check_valid(wallet_id=wallet.pk, actor=user)
    forms = {
        "identity_form": IdentityCheckForm(action=reverse("staff:identity_check", args=[number])),
        "escalation_form": EscalationForm(action=reverse("staff:escalate", args=[number])),
        "note_form": CaseNoteForm(action=reverse("staff:case_note", args=[number])),
        **forms,
    }
    return {
        "identity_last": last,
        "identity_mine": mine,
        "escalations": list(case_selectors.escalations_open(wallet_id=wallet.pk)),
        "notes": case_selectors.case_notes(wallet_id=wallet.pk),
        "may_check_identity": user.has_perm(StaffPermission.CHECK_IDENTITY),
        "may_escalate": user.has_perm(StaffPermission.ESCALATE),
        "may_note": user.has_perm(StaffPermission.ADD_CASE_NOTE),
        **forms,
    }


@staff_permission_required("audit.use_console", "wallet.view_wallet")
def wallet_action(request, number, slug):
    action = WALLET_ACTIONS.get(slug)
    if action is None:
        raise Http404
    wallet = customer_in_scope(request, number)
    back_url = reverse("staff:customer", args=[wallet.number])
    return _run_action(
        request,
        action=action,
        target=wallet,
        target_label=f"{wallet.full_name}, {wallet.phone}",
        signature=f"wallet:{wallet.pk}:{slug}",
        back_url=back_url,
        context={"wallet": wallet},
    )


@staff_permission_required("audit.use_console", "services.view_payment")
def payment(request, code):
    file = payment_file_in_scope(request, code)
    context = {
        "file": file,
        "payment": file.payment,
        "actions": _offered(request.user, PAYMENT_ACTIONS, file.payment),
        "search": InlineSearchForm(),
    }
    return render(request, "staff/payment.html", context)


@staff_permission_required("audit.use_console", "services.view_payment")
def payment_action(request, code, slug):
    action = PAYMENT_ACTIONS.get(slug)
    if action is None:
        raise Http404
    file = payment_file_in_scope(request, code)
    payment = file.payment
    return _run_action(
        request,
        action=action,
        target=payment,
        target_label=f"{payment.code}, {payment.service.display_name}, {payment.account}",
        signature=f"payment:{payment.pk}:{slug}",
        back_url=reverse("staff:payment", args=[payment.code]),
        context={"payment": payment, "wallet": payment.wallet},
    )


@staff_permission_required("audit.use_console", "services.approve_refund")
def refunds(request):
    context = {"queue": list(selectors.refund_queue()), "recent": selectors.refund_recent()}
    return render(request, "staff/refunds.html", context)


@staff_permission_required("audit.use_console", "services.approve_refund")
def refund_action(request, pk, slug):
    action = REFUND_ACTIONS.get(slug)
    refund = (
        RefundRequest.objects.select_related("payment__wallet", "payment__service", "requested_by")
        .filter(pk=pk)
        .first()
        if action
        else None
    )
    if refund is None:
        raise Http404
    payment = refund.payment
    payment.wallet.number = selectors.wallet_number(payment.wallet)
    return _run_action(
        request,
        action=action,
        target=refund,
        target_label=f"{payment.code}, {format_som(payment.total)} {_('сом')}, {payment.wallet.full_name}",
        signature=f"refund:{refund.pk}:{slug}",
        back_url=reverse("staff:refunds"),
        context={"refund": refund, "payment": payment, "wallet": payment.wallet},
    )
