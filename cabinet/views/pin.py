"""The wallet's PIN on the website (issue 19): the holder changes it (as on *900# -> 8 -> 3, which O! numbers do
not reach) and gets a forgotten one back: number -> SMS code -> personal INN -> a new PIN by SMS. The rules, the
limits and the SMS are the domain's (wallet_pin_change, wallet/pin_forgotten.py); these views only ask and tell."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.models import CodePurpose
from cabinet.forms import PinChangeForm, PinForgotForm, PinResetForm
from cabinet.session import CodeFlow, login_phone_get
from cabinet.views.codes import code_send, code_step
from cabinet.views.shared import holder_required, national, simulator_url
from core.errors import DomainError
from services.models import Channel
from wallet.errors import InvalidPin, WrongPin
from wallet.operations import wallet_pin_change
from wallet.pin_forgotten import pin_reset_code_send, wallet_pin_forgotten_reset

MSG_PIN_CHANGED = _("PIN изменен. Вам придет SMS.")
MSG_PIN_SENT = _("Новый PIN отправлен в SMS на номер %(phone)s.")


@holder_required
def pin_change(request):
    """Current PIN, new PIN twice. A wrong current PIN counts toward the lock as at a payment (the third locks it)."""
    form = PinChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wallet_pin_change(
                wallet=request.wallet,
                current_pin=data["current_pin"],
                new_pin=data["new_pin1"],
                new_pin_repeat=data["new_pin2"],
            )
        except WrongPin as exc:
            form.add_error("current_pin", str(exc))
        except InvalidPin as exc:  # format, too easy, the same as now
            form.add_error("new_pin1", str(exc))
        except DomainError as exc:  # PinLocked, WalletBlocked: nothing to correct in a field
            form.add_error(None, str(exc))
        else:
            messages.success(request, MSG_PIN_CHANGED)
            return redirect("cabinet:home")
    return render(request, "cabinet/pin_change.html", {"wallet": request.wallet, "form": form})


def _signed_in_phone(request) -> str | None:
    user = request.user
    return user.username if user.is_authenticated and user.wallet_id else None


@never_cache
def pin_forgot(request):
    """«Забыли PIN?»: the wallet's number; its code is sent (a number without a wallet, or a blocked one, is
    answered alike and gets nothing: pin_reset_code_send)."""
    initial = _signed_in_phone(request) or login_phone_get(request)
    form = PinForgotForm(request.POST or None, initial={"phone": national(initial) if initial else ""})
    if request.method == "POST" and form.is_valid():
        challenge = CodeFlow(request).get_or_start(purpose=CodePurpose.PIN_RESET, phone=form.cleaned_data["phone"])
        code_send(request, challenge=challenge, wallet=None, issue=pin_reset_code_send)
        return redirect("cabinet:pin_reset")
    return render(request, "cabinet/pin_forgot.html", {"form": form})


@never_cache
def pin_reset(request):
    """The code and the personal INN; then a new PIN goes by SMS (and a lock of the PIN is lifted)."""
    flow = CodeFlow(request)
    phone = flow.phone(purpose=CodePurpose.PIN_RESET)
    challenge = flow.get(purpose=CodePurpose.PIN_RESET, phone=phone) if phone else None
    if challenge is None:
        return redirect("cabinet:pin_forgot")

    def verify(data):
        wallet_pin_forgotten_reset(challenge=challenge, code=data["code"], inn=data["inn"], channel=Channel.WEB)

    def confirmed(_data):
        messages.success(request, MSG_PIN_SENT % {"phone": national(challenge.phone)})
        return redirect("cabinet:home" if _signed_in_phone(request) else "cabinet:entry")

    return code_step(
        request,
        flow=flow,
        challenge=challenge,
        wallet=None,
        form=PinResetForm(request.POST or None),
        url_name="cabinet:pin_reset",
        template="cabinet/pin_reset.html",
        context={"national": national(challenge.phone), "simulator_url": simulator_url()},
        confirmed=confirmed,
        issue=pin_reset_code_send,
        verify=verify,
    )
