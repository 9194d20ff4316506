"""Opening a wallet on the website (seed 1.4-1.7 off *900#): a number without a wallet -> its SMS code -> name,
INN and the public offer -> the wallet opens and the PIN comes by SMS. Any Kyrgyz mobile number, O! included."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.models import CodePurpose
from accounts.operations import OFFER_VERSION
from cabinet.forms import CodeForm, WalletOpenForm
from cabinet.session import CodeFlow, WalletOpening, login_phone_set
from cabinet.views.codes import code_send, code_step
from cabinet.views.shared import login_wallet, national, simulator_inbox_url, wallet_language
from wallet.errors import InvalidName, WalletExists
from wallet.inn import InvalidInn
from wallet.models import OpenedChannel, Wallet
from wallet.operations import wallet_register

MSG_OPEN_EXISTS = _("Кошелек с номером %(phone)s уже открыт. Войдите в личный кабинет.")
MSG_OPEN_CONFIRM_FIRST = _("Сначала подтвердите номер кодом из SMS.")

OPEN_FIELD_ERRORS = {InvalidName: "full_name", InvalidInn: "inn"}


def _opened_already(request, phone: str):
    """The number got a wallet meanwhile (another tab, *900#, a branch): nothing to open, sign in instead."""
    WalletOpening(request).clear()
    CodeFlow(request).clear()
    login_phone_set(request, phone)
    messages.info(request, MSG_OPEN_EXISTS % {"phone": national(phone)})
    return redirect("cabinet:entry")


@never_cache
def open_wallet(request):
    """A number without a wallet: say so and send the SMS code that proves the phone is the one opening it."""
    phone = WalletOpening(request).phone
    if phone is None:
        return redirect("cabinet:entry")
    if Wallet.objects.filter(phone=phone).exists():
        return _opened_already(request, phone)
    if request.method == "POST":
        challenge = CodeFlow(request).get_or_start(purpose=CodePurpose.REGISTER, phone=phone)
        code_send(request, challenge=challenge, wallet=None)
        return redirect("cabinet:open_code")
    return render(request, "cabinet/open_wallet.html", {"national": national(phone)})


@never_cache
def open_code(request):
    phone = WalletOpening(request).phone
    flow = CodeFlow(request)
    challenge = flow.get(purpose=CodePurpose.REGISTER, phone=phone) if phone else None
    if challenge is None:
        return redirect("cabinet:open_wallet" if phone else "cabinet:entry")

    def confirmed(_data):
        WalletOpening(request).mark_verified()
        return redirect("cabinet:open_details")

    context = {
        "national": national(phone),
        "simulator_url": simulator_inbox_url(phone),
        "other_number_url": reverse("cabinet:entry"),
    }
    return code_step(
        request,
        flow=flow,
        challenge=challenge,
        wallet=None,
        form=CodeForm(request.POST or None),
        url_name="cabinet:open_code",
        template="cabinet/register_code.html",
        context=context,
        confirmed=confirmed,
    )


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
                language=wallet_language(),
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
    return render(request, "cabinet/open_details.html", {"form": form, "national": national(phone)})


@never_cache
def open_done(request):
    """The wallet is open and the PIN is on its way; next: a web login (email and password) or the app."""
    wallet = login_wallet(request)
    if wallet is None or not WalletOpening(request).opened_just_now(wallet.phone):
        return redirect("cabinet:entry")
    context = {
        "wallet": wallet,
        "national": national(wallet.phone),
        "simulator_url": simulator_inbox_url(wallet.phone),
    }
    return render(request, "cabinet/open_done.html", context)
