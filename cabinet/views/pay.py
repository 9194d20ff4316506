"""Paying a service (seed 3.4-3.6): «Услуги» -> «Другие» -> «DosTek group» -> the account and «Сумма», «Далее» ->
confirm («Назад» / «Оплатить», a one-time token) -> the payment's page. The pending payment waits in the session
(cabinet/session.py); a repeated «Оплатить» shows the payment the first one made."""

import re
from decimal import Decimal

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from cabinet import selectors
from cabinet.forms import PaymentForm
from cabinet.session import PendingPayment
from cabinet.views.shared import holder_required
from core.errors import DomainError
from core.idempotency import idempotency_key_web
from services.catalog import catalog
from services.errors import IdempotencyConflict
from services.models import Channel, Payment, PaymentStatus, Service
from services.payments import payment_execute, payment_quote_again

MSG_FILL_FORM = _("Заполните форму платежа.")
MSG_CONFIRM_STALE = _(
    "Данные платежа изменились (например, в другой вкладке). Ничего не списано. Проверьте данные и подтвердите снова."
)
MSG_CONFIRM_EXPIRED = _("Время на подтверждение истекло. Ничего не списано. Заполните форму снова.")

TOKEN_RE = re.compile(r"[0-9a-f]{32}", re.ASCII)
REFRESH_SECONDS = 3


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
            store.put(
                wallet_id=wallet.pk,
                service_id=service.pk,
                account=quote.account,
                amount=str(quote.amount),
                account_holder=quote.account_holder,
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
        # The provider took this account at «Далее»: the confirm page (shown again on a reload) does not ask again.
        quote = payment_quote_again(
            wallet=wallet,
            service=service,
            account=pending.account,
            amount=Decimal(pending.amount),
            account_holder=pending.account_holder,
        )
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
        done = Payment.objects.filter(idempotency_key=idempotency_key_web(token), wallet=wallet).only("code").first()
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


@holder_required
def pay_done(request, code):
    """Seed 3.6: the confirmation window with the payment code, or the truth when it is not done yet: a payment in
    progress refreshes itself (a meta refresh: no script needed) until the provider's answer is in."""
    payment = selectors.wallet_payment_get(wallet=request.wallet, code=code)
    if payment is None:  # another holder's code is a 404, exactly as an unknown one
        raise Http404
    context = {
        "wallet": request.wallet,
        "payment": payment,
        "refresh_seconds": REFRESH_SECONDS if payment.status == PaymentStatus.RESERVED else None,
    }
    return render(request, "cabinet/pay_done.html", context)
