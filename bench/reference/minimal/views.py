"""The two views the HTTP bench compares the project with: a small template page and a locked payment."""

import re

from django.db import transaction
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from minimal.models import Balance, Posting, Sms, Transfer

AMOUNT = 1000  # tyiyn: 10 som, what the bench pays in the project
ACCOUNT_RE = re.compile(r"[0-9]{1,18}", re.ASCII)  # fits a bigint primary key


def _text(body: str, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")


def page(request):
    """A title, a paragraph and a form with one input and a button, about the size of the project's entry page."""
    return render(request, "minimal/page.html", {"title": "Reference page"})


@csrf_exempt
@require_POST
def pay(request):
    """Lock the balance row named by the form field `account`, check and debit it, write a posting, a transfer and
    an SMS row, all in one transaction. On SQLite select_for_update does nothing: the IMMEDIATE transaction
    (settings) already holds the database's write lock."""
    raw = request.POST.get("account", "")
    if not ACCOUNT_RE.fullmatch(raw):
        return _text("account: 1-18 digits", status=400)
    with transaction.atomic():
        balance = Balance.objects.select_for_update().filter(pk=int(raw)).first()
        if balance is None:
            return _text("no such account", status=404)
        if balance.amount < AMOUNT:
            return _text("insufficient funds", status=409)
        Balance.objects.filter(pk=balance.pk).update(amount=F("amount") - AMOUNT)
        posting = Posting.objects.create(balance=balance, amount=AMOUNT)
        Transfer.objects.create(posting=posting, amount=AMOUNT, kind="payment")
        Sms.objects.create(posting=posting, text=f"Paid {AMOUNT} tyiyn, code {posting.pk}")
    return _text(f"OK {posting.pk}")
