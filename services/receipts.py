"""A payment's receipt as a PDF: the A4 page's receipt (templates/cabinet/_receipt.html) printed by Chromium
(core/pdf.py), one for the cabinet and the app. The caller has already made sure the payment is the holder's own."""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from core.pdf import html_to_pdf
from services.models import Payment

# Chromium prints a receipt in about two seconds; beyond this the holder is better served by «try again».
RECEIPT_PDF_TIMEOUT_SECONDS = 20.0


def receipt_pdf(*, payment: Payment) -> bytes:
    """The receipt in the active language, as it stands now (a payment in progress says so). PdfUnavailable if
    Chromium fails or runs out of time."""
    html = render_to_string(
        "cabinet/receipt_pdf.html",
        # what core.context_processors.portal gives the page: there is no request to render this one with
        {"payment": payment, "CALL_CENTRE_PHONE": settings.CALL_CENTRE_PHONE},
    )
    return html_to_pdf(html=html, timeout=RECEIPT_PDF_TIMEOUT_SECONDS)


def receipt_pdf_response(*, payment: Payment) -> HttpResponse:
    """The download: a file named after the payment code, never kept by a cache on the way (it names the holder)."""
    response = HttpResponse(receipt_pdf(payment=payment), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="elsom-{payment.code}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
