"""What the holder sees of the wallet: the home page (balance, services, the latest operations), «История» with
its dates and pages, and the receipt of a payment (the A4 page and its PDF)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from cabinet import selectors
from cabinet.forms import HistoryFilterForm
from cabinet.views.shared import holder_required
from core.pdf import PdfUnavailable
from services.catalog import catalog
from services.receipts import receipt_pdf_response

PAGE_SIZE = 20


@holder_required
def home(request):
    operations = selectors.wallet_operations_page(wallet=request.wallet, limit=5)
    context = {"wallet": request.wallet, "categories": catalog().web_categories(), "operations": operations}
    return render(request, "cabinet/home.html", context)


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
    if payment is None:  # another holder's code is a 404, exactly as an unknown one
        raise Http404
    return render(request, "cabinet/receipt.html", {"wallet": request.wallet, "payment": payment})


@holder_required
def receipt_pdf(request, code):
    payment = selectors.wallet_payment_get(wallet=request.wallet, code=code)
    if payment is None:  # as the page: another holder's receipt does not exist for this one
        raise Http404
    try:
        return receipt_pdf_response(payment=payment)
    except PdfUnavailable as exc:
        messages.error(request, str(exc))  # the page is still there to print
        return redirect("cabinet:receipt", code=payment.code)
