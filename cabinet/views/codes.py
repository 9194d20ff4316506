"""The SMS-code steps of the cabinet (registering the web account, opening a wallet, resetting the password, a
forgotten PIN): one way to send a code and one page that takes it; each step says only what happens once the phone
is proved."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from accounts.codes import phone_code_allowance, phone_code_issue, phone_code_verify
from accounts.errors import CodeRateLimited, CodeRejected, CodesExhausted, CodeTooSoon
from accounts.models import PhoneCode
from cabinet.session import CodeFlow
from cabinet.views.shared import national, wallet_language
from core.errors import DomainError
from core.net import client_ip
from wallet.models import Wallet

MSG_CODE_SENT = _("Код отправлен в SMS на номер %(phone)s.")


def code_send(
    request, *, challenge: PhoneCode, wallet: Wallet | None, issue: Callable[..., None] | None = None
) -> None:
    """Send the flow's code to its phone (`wallet` None while a wallet is being opened) and tell the holder.
    `issue`: the flow's own sender, called with challenge, client_ip and language (a forgotten PIN's, which
    decides itself whether the number gets a code)."""
    try:
        if issue is not None:
            issue(challenge=challenge, client_ip=client_ip(request), language=wallet_language())
        else:
            phone_code_issue(
                challenge=challenge, wallet=wallet, language=wallet_language(), client_ip=client_ip(request)
            )
    except CodeTooSoon as exc:  # the code sent a minute ago still works: only a warning
        messages.warning(request, str(exc))
    except (CodesExhausted, CodeRateLimited) as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, MSG_CODE_SENT % {"phone": national(challenge.phone)})


def code_step(
    request,
    *,
    flow: CodeFlow,
    challenge: PhoneCode,
    wallet: Wallet | None,
    form: forms.Form,
    url_name: str,
    template: str,
    context: dict,
    confirmed: Callable[[dict], HttpResponse],
    issue: Callable[..., None] | None = None,
    verify: Callable[[dict], None] | None = None,
) -> HttpResponse:
    """The page of one code: a POST with `resend` sends another code (back to `url_name`; `issue` as for
    code_send); a valid `form` (its `code` field and whatever else the step asks) ends the flow when the code
    proves the phone and hands the cleaned data to `confirmed`; a refused code shows at the field.

    `verify`: the step's own check of the cleaned data instead of the code alone (a forgotten PIN's: code, then
    INN, then the new PIN); its refusals show at the field they name (`field`) or above the form."""
    if request.method == "POST" and "resend" in request.POST:
        code_send(request, challenge=challenge, wallet=wallet, issue=issue)
        return redirect(url_name)
    if request.method == "POST" and form.is_valid():
        try:
            if verify is not None:
                verify(form.cleaned_data)
            else:
                phone_code_verify(challenge=challenge, code=form.cleaned_data["code"])
        except CodeRejected as exc:
            form.add_error("code", str(exc))
        except DomainError as exc:
            form.add_error(getattr(exc, "field", None), str(exc))
        else:
            flow.clear()  # the code is used up: a repeated POST finds no flow and goes back a step
            return confirmed(form.cleaned_data)
    allowance = phone_code_allowance(challenge)
    context = {**context, "form": form, "can_resend": allowance.allowed, "wait": allowance.wait_seconds}
    return render(request, template, context)
