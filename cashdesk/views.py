"""The KICB branch cash desk (role Кассир) and the terminal screens of QIWI, Мобильник and KICB (demo mode only: a
trainee stands at one as a customer does). Each credit is one call of a cashdesk.operations function."""

from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry, StaffAction
from cashdesk import operations
from cashdesk.forms import BranchCreditForm, FindWalletForm
from core.errors import DomainError
from core.money import format_som
from staff.views import staff_permission_required
from wallet.models import CashInChannel, Wallet, WalletStatus
from wallet.operations import wallet_get
from wallet.phone import InvalidPhone
from wallet.selectors import cash_in_get

MSG_CREDITED = _("Зачислено %(amount)s сом на кошелек %(phone)s. Квитанция %(receipt)s.")
MSG_ALREADY_CREDITED = _("Эта квитанция уже проведена (повторное нажатие): деньги зачислены один раз.")
MSG_RESTARTED = _("Операция начата заново с новой квитанцией: проверьте сумму и нажмите «Далее».")
MSG_WALLET_BLOCKED = _("Кошелек заблокирован: пополнение невозможно. Клиенту — в call-центр ЭЛСОМ %(phone)s.")

cashier_required = staff_permission_required("audit.use_cash_desk")


def _find(phone_e164: str) -> Wallet | None:
    return Wallet.objects.select_related("ledger_account").filter(phone=phone_e164).first()


# The branch operation in progress, in the session: the wallet and the receipt number the server drew for it. The
# number is never taken from the browser: a number the cashier's page could choose (a hidden field) was credited
# forged. It stays after the credit (marked done), so a double submit of «Зачислить» credits under the same number,
# once; the next operation draws a new one.
BRANCH_SESSION_KEY = "cashdesk_branch"


def _branch_start(request, wallet: Wallet) -> dict:
    pending = {
        "wallet_id": wallet.pk,
        "receipt": operations.receipt_new(channel=operations.BRANCH_CHANNEL),
        "done": False,
    }
    request.session[BRANCH_SESSION_KEY] = pending
    return pending


def _branch_pending(request, wallet: Wallet, *, confirming: bool) -> dict | None:
    """The operation this POST belongs to: for this wallet, and not finished unless this is a repeated confirm."""
    pending = request.session.get(BRANCH_SESSION_KEY)
    if not isinstance(pending, dict) or pending.get("wallet_id") != wallet.pk:
        return None
    if pending.get("done") and not confirming:
        return None
    return pending


@cashier_required
def branch(request):
    """Find the wallet by number -> compare the holder's name with the ID card, type the amount -> confirm ->
    credited, receipt printed. The receipt number is drawn by the server when the amount form is shown and kept in
    the session (BRANCH_SESSION_KEY); the pages only show it."""
    source = request.POST if request.method == "POST" else request.GET
    find = FindWalletForm(source if "phone" in source else None)
    wallet = None
    if find.is_bound and find.is_valid():
        wallet = _find(find.cleaned_data["phone"])
    context = {"find": find, "wallet": wallet, "searched": find.is_bound}
    if wallet is None:
        return render(request, "cashdesk/branch.html", context)
    if wallet.status != WalletStatus.ACTIVE:
        context["blocked"] = MSG_WALLET_BLOCKED % {"phone": settings.CALL_CENTRE_PHONE}
        return render(request, "cashdesk/branch.html", context)
    if request.method != "POST":
        context["form"] = BranchCreditForm()
        context["receipt"] = _branch_start(request, wallet)["receipt"]
        return render(request, "cashdesk/branch.html", context)
    form = BranchCreditForm(request.POST)
    context["form"] = form
    pending = _branch_pending(request, wallet, confirming="confirm" in request.POST)
    if pending is None:
        # Another wallet's operation, one already credited, or none (a page from an older session): this one gets
        # a new number; a confirm of it goes back to the amount, as the number it showed is not the one credited.
        pending = _branch_start(request, wallet)
        if "confirm" in request.POST:
            context["receipt"] = pending["receipt"]
            form.is_valid()
            form.add_error(None, str(MSG_RESTARTED))
            return render(request, "cashdesk/branch.html", context)
    context["receipt"] = pending["receipt"]
    if not form.is_valid() or "back" in request.POST:
        return render(request, "cashdesk/branch.html", context)
    if "confirm" not in request.POST:
        return render(request, "cashdesk/branch_confirm.html", context)
    try:
        done = operations.cash_desk_credit(
            wallet=wallet, amount=form.cleaned_data["amount"], receipt=pending["receipt"], actor=request.user
        )
    except DomainError as error:
        form.add_error(None, str(error))
        return render(request, "cashdesk/branch.html", context)
    request.session[BRANCH_SESSION_KEY] = {**pending, "done": True}
    if done.created:
        messages.success(
            request,
            MSG_CREDITED
            % {"amount": format_som(form.cleaned_data["amount"]), "phone": wallet.phone, "receipt": done.receipt},
        )
    else:
        messages.info(request, MSG_ALREADY_CREDITED)
    return redirect("cashdesk:branch_receipt", receipt=done.receipt)


@cashier_required
def branch_receipt(request, receipt):
    credit = cash_in_get(idempotency_key=operations.receipt_key(channel=operations.BRANCH_CHANNEL, receipt=receipt))
    if credit is None:
        raise Http404
    wallet = credit.wallet
    entry = (
        AuditEntry.objects.select_related("actor")
        .filter(action=StaffAction.CASH_IN, wallet=wallet, after__receipt=receipt)
        .first()
    )
    context = {"receipt": receipt, "credit": credit, "amount": credit.amount, "wallet": wallet, "entry": entry}
    return render(request, "cashdesk/branch_receipt.html", context)


# --- terminals (demo) ------------------------------------------------------------------------------------------

TERMINALS = {
    CashInChannel.QIWI: _("QIWI (Киви)"),
    CashInChannel.MOBILNIK: _("Мобильник"),
    CashInChannel.KICB_TERMINAL: _("KICB"),
}
MSG_INSERT_NOTES = _("Вставьте купюры: нажмите на купюру нужного номинала.")
MSG_NOTE_RETURNED = _("%(place)s принимает не больше %(limit)s сом за одну операцию. Купюра %(note)s сом возвращена.")
MSG_NUMBER_INCOMPLETE = _("Наберите номер полностью: 10 цифр, например 0555 12 34 56.")
MSG_TERMINAL_PLACE = _("Терминал")


def _demo_only():
    if not settings.DEMO_MODE:
        raise Http404


def terminals(request):
    _demo_only()
    return render(request, "cashdesk/terminals.html", {"terminals": TERMINALS})


class TerminalState:
    """What the screen holds between presses, in the session: the number typed, the notes inserted, the receipt
    number drawn when the notes screen opens (the idempotency key of the credit) and, once paid, the result."""

    def __init__(self, request, channel: str):
        self.request, self.key = request, f"terminal:{channel}"
        self.data = request.session.get(self.key) or {"step": "phone", "digits": "", "inserted": 0}

    def save(self):
        self.request.session[self.key] = self.data

    def reset(self):
        self.data = {"step": "phone", "digits": "", "inserted": 0}
        self.save()


def _masked_name(wallet: Wallet) -> str:
    return f"{wallet.first_name} {wallet.last_name[:1]}."


def terminal(request, channel):
    _demo_only()
    if channel not in TERMINALS:
        raise Http404
    state = TerminalState(request, channel)
    problem = ""
    if request.method == "POST":
        problem = _terminal_press(request, channel, state)
        state.save()
        if not problem:
            return redirect("terminals:screen", channel=channel)
    data = state.data
    wallet = None
    if data.get("wallet_id"):
        wallet = Wallet.objects.select_related("ledger_account").filter(pk=data["wallet_id"]).first()
    digits = data.get("digits", "")
    context = {
        "channel": channel,
        "name": TERMINALS[channel],
        "step": data["step"],
        "display": _display_digits(digits),
        "inserted": data.get("inserted", 0),
        "limit": operations.cash_limit(channel),
        "notes": operations.NOTES,
        "keys": ["1", "2", "3", "4", "5", "6", "7", "8", "9"],
        "wallet": wallet,
        "holder": _masked_name(wallet) if wallet else "",
        "receipt": data.get("receipt", ""),
        "paid_at": data.get("paid_at", ""),
        "problem": problem,
    }
    return render(request, "cashdesk/terminal.html", context, status=400 if problem else 200)


def _display_digits(digits: str) -> str:
    d = digits
    parts = [d[:4], d[4:6], d[6:8], d[8:10]]
    return " ".join(p for p in parts if p)


def _terminal_press(request, channel: str, state: TerminalState) -> str:
    """One button pressed. Returns a message for the screen when the press is refused (nothing changed)."""
    data, post = state.data, request.POST
    if "new" in post:
        state.reset()
        return ""
    if data["step"] == "done":
        return ""  # «Оплатить» pressed twice, or any key on the receipt screen: the receipt stays as it is
    if data["step"] == "phone":
        return _press_phone(post, data, channel)
    if "back" in post and data.get("inserted", 0) == 0:
        data.update(step="phone", wallet_id=None)
        return ""
    if "note" in post:
        return _press_note(post.get("note", ""), channel, data)
    if "pay" in post:
        return _press_pay(channel, data)
    return ""


def _press_phone(post, data, channel: str) -> str:
    digits = data.get("digits", "")
    key = post.get("key", "")
    if key and len(key) == 1 and key.isdigit() and key.isascii():
        if len(digits) < 10:
            data["digits"] = digits + key
        return ""
    if "del" in post:
        data["digits"] = digits[:-1]
        return ""
    if "clear" in post:
        data["digits"] = ""
        return ""
    if "next" in post:
        if len(digits) != 10:
            return str(MSG_NUMBER_INCOMPLETE)
        try:
            wallet = wallet_get(phone=digits)
        except (InvalidPhone, DomainError) as error:
            return str(error)
        if wallet.status != WalletStatus.ACTIVE:
            return str(MSG_WALLET_BLOCKED % {"phone": settings.CALL_CENTRE_PHONE})
        # The receipt number is drawn now, before any «Оплатить»: two presses racing each other carry the same one.
        data.update(step="notes", wallet_id=wallet.pk, inserted=0, receipt=operations.receipt_new(channel=channel))
        return ""
    return ""


def _press_note(raw: str, channel: str, data) -> str:
    try:
        note = int(raw)
    except ValueError:
        return ""
    if note not in operations.NOTES:
        return ""
    limit = operations.cash_limit(channel)
    if data.get("inserted", 0) + note > limit:
        return str(
            MSG_NOTE_RETURNED % {"place": TERMINALS[channel], "limit": format_som(limit), "note": format_som(note)}
        )
    data["inserted"] = data.get("inserted", 0) + note
    return ""


def _press_pay(channel: str, data) -> str:
    inserted = data.get("inserted", 0)
    if inserted <= 0:
        return str(MSG_INSERT_NOTES)
    wallet = Wallet.objects.select_related("ledger_account").filter(pk=data.get("wallet_id")).first()
    if wallet is None:
        data.update(step="phone")
        return str(MSG_NUMBER_INCOMPLETE)
    try:
        operations.terminal_credit(wallet=wallet, amount=Decimal(inserted), receipt=data["receipt"], channel=channel)
    except DomainError as error:
        return str(error)
    data.update(step="done", paid_at=timezone.localtime().strftime("%d.%m.%Y %H:%M:%S"))
    return ""
