"""HTML to PDF with Chromium's own print (the engine the guide's PDF comes from), for a page rendered on the server:
a receipt now, the guide if it wants.

Each call runs `chromium --headless --print-to-pdf` as a child process of its own rather than sharing a Playwright
browser: a request thread of gunicorn (or a test) owns nothing long-lived, a hung or crashed Chromium is killed with
its whole process group when the time limit runs out, and its profile and the files are removed whatever happens.
The page is read from a file:// address and must be self-contained (inline CSS, file:// or data: images): Chromium
never calls back to our own server, which may have no thread free to answer it."""

import logging
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from core.chromium import CHROMIUM, CHROMIUM_ARGS
from core.errors import DomainError

logger = logging.getLogger(__name__)

MSG_PDF_UNAVAILABLE = _("PDF сейчас не получается сделать. Попробуйте позже или распечатайте квитанцию.")

# A Chromium takes ~150 MB and a CPU for a second or two: at most this many at once per process; a request beyond
# waits for one of them (within its own time limit) instead of starving the machine.
MAX_PARALLEL = 2
_slots = threading.BoundedSemaphore(MAX_PARALLEL)
KILL_GRACE_SECONDS = 5


class PdfUnavailable(DomainError):
    """Chromium did not make the PDF in time (or at all): nothing to send, the page is still there to print."""

    code = "pdf_unavailable"


def html_to_pdf(*, html: str, timeout: float) -> bytes:
    """The page printed on the paper its CSS asks for (@page; A4 otherwise), without Chromium's header and footer."""
    with tempfile.TemporaryDirectory(prefix="elsom-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html, encoding="utf-8")
        return file_to_pdf(path=page, timeout=timeout)


def file_to_pdf(*, path: Path, timeout: float) -> bytes:
    """An HTML file printed to PDF (relative images beside it load from the disk). PdfUnavailable when Chromium
    fails or `timeout` seconds run out, waiting for a free slot included."""
    deadline = time.monotonic() + timeout
    if not _slots.acquire(timeout=timeout):
        raise PdfUnavailable(MSG_PDF_UNAVAILABLE)
    try:
        with tempfile.TemporaryDirectory(prefix="elsom-chromium-") as tmp:
            out = Path(tmp) / "out.pdf"
            command = [
                CHROMIUM,
                *CHROMIUM_ARGS,
                f"--user-data-dir={Path(tmp) / 'profile'}",  # a profile of its own: calls never share a lock
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                path.resolve().as_uri(),
            ]
            _run(command, timeout=max(deadline - time.monotonic(), 0.1))
            data = out.read_bytes() if out.exists() else b""
    finally:
        _slots.release()
    if not data.startswith(b"%PDF-"):
        logger.error("PDF: Chromium wrote no PDF for %s", path.name)
        raise PdfUnavailable(MSG_PDF_UNAVAILABLE)
    return data


def _run(command: list[str], *, timeout: float) -> None:
    # A session of its own, so that the renderer and zygote children go with the browser when the time is up.
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:  # no Chromium here (or not executable): the operators hear of it, the holder gets a word
        logger.error("PDF: cannot start %s: %s", command[0], exc)
        raise PdfUnavailable(MSG_PDF_UNAVAILABLE) from None
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        # Killed before it is reaped, so the group id is still this Chromium's and nobody else's.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=KILL_GRACE_SECONDS)
        logger.error("PDF: Chromium did not finish in %s s and was killed", timeout)
        raise PdfUnavailable(MSG_PDF_UNAVAILABLE) from None
