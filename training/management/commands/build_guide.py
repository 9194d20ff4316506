"""build_guide: the seed's instruction regenerated from the replica, with a real screenshot per step (HTML + PDF)."""

import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.chromium import CHROMIUM, CHROMIUM_ARGS
from core.pdf import PdfUnavailable, file_to_pdf
from sochi.testing import SochiServer
from training.guide import (
    CLOSING,
    COVERS,
    MADE_FROM,
    THANKS,
    TITLE,
    GuideError,
    GuideRun,
    manage_py,
    trainer_sheet_html,
)

READY_SECONDS = 60
PDF_SECONDS = 120  # the guide is ~20 pages of screenshots: Chromium prints it in a few seconds
STOP_GRACE_SECONDS = 5
# What the replica started here must not inherit from the calling process (a test run's settings and database).
NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SMS_BACKEND", "DJANGO_ALLOW_ASYNC_UNSAFE")

# The progress log speaks the guide's language (training/guide.py has the steps' lines).
PROGRESS_MIGRATED = _("реплика: база данных создана в %(dir)s; СОЧИ на %(url)s")
PROGRESS_SERVING = _("реплика: работает на %(url)s")
PROGRESS_WRITTEN = _("[%(language)s] HTML и PDF готовы (инструкция и часть для тренера)")
PROGRESS_SUMMARY = _("build_guide: %(guide)s и .pdf, %(trainer)s и .pdf, снимков шагов: %(count)s, за %(seconds)s с")


class OwnReplica:
    """The replica as `make run` serves it, started for the guide alone: a fresh SQLite database in a temporary
    directory, СОЧИ (sochi.testing.SochiServer, its own database) for DosTek group, `runserver` on 127.0.0.1 and a
    free port. Everything is stopped by PID and removed at the end."""

    def __init__(self, log):
        self.log = log
        self.tmp = Path(tempfile.mkdtemp(prefix="build-guide-"))
        self.sochi = None
        self.process = None
        self.env: dict[str, str] = {}
        self.base_url = ""

    def __enter__(self) -> "OwnReplica":
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _start(self) -> None:
        self.sochi = SochiServer(database_url="")
        self.sochi.start()
        self.env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        self.env.update(
            DEBUG="1",
            DEMO_MODE="1",
            DATABASE_URL=f"sqlite:///{self.tmp / 'wallet.sqlite3'}",
            DOSTEK_OSMP_URL=self.sochi.url,
            DOSTEK_OSMP_USER=self.sochi.user,
            DOSTEK_OSMP_PASSWORD=self.sochi.password,
            PYTHONUNBUFFERED="1",
        )
        migrated = manage_py("migrate", "--no-input", "-v", "0", env=self.env, timeout=300)
        if migrated.returncode != 0:
            raise CommandError(f"migrate failed: {migrated.stderr[-2000:]}")
        self.log(PROGRESS_MIGRATED % {"dir": self.tmp, "url": self.sochi.base_url})
        for _attempt in range(3):
            port = _free_port()
            log_file = open(self.tmp / "runserver.log", "a", encoding="utf-8")  # noqa: SIM115 - handed to the child
            try:
                self.process = subprocess.Popen(
                    [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
                    cwd=settings.BASE_DIR,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                )
            finally:
                log_file.close()
            if self._ready(f"http://127.0.0.1:{port}"):
                self.base_url = f"http://127.0.0.1:{port}"
                self.log(PROGRESS_SERVING % {"url": self.base_url})
                return
            self._stop_server()  # the port was taken meanwhile: another one
        raise CommandError(f"the replica did not start: {(self.tmp / 'runserver.log').read_text()[-2000:]}")

    def _ready(self, base: str) -> bool:
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        return False

    def cash_in(self, phone: str, amount: str) -> None:
        _cash_in(phone, amount, env=self.env)

    def _stop_server(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_GRACE_SECONDS)

    def close(self) -> None:
        self._stop_server()
        if self.sochi is not None:
            self.sochi.close()
            self.sochi = None
        shutil.rmtree(self.tmp, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cash_in(phone: str, amount: str, *, env: dict[str, str] | None) -> None:
    """What a KICB branch does for the new wallet (seed section 1), through the replica's own command."""
    result = manage_py("cash_in", phone, amount, "--channel", "kicb-branch", env=env)
    if result.returncode != 0:
        raise CommandError(f"cash_in {phone} {amount} failed: {result.stderr.strip()[-1000:]}")


class Command(BaseCommand):
    help = (
        "Regenerate the seed's instruction (../shared/seed) from the replica: headless Chromium goes through its four "
        "sections (USSD opening and payment on the phone simulator, the website, the app at /app/ on a phone-sized "
        "screen) and takes a "
        "screenshot per step; writes guide-<lang>.html and guide-<lang>.pdf with the call-centre numbers, and the "
        "trainer's part, trainer-<lang>.html and .pdf (each scenario's rubric). By default "
        "it starts a replica of its own (fresh database, СОЧИ, 127.0.0.1, a free port) and removes it afterwards; "
        "--base-url drives a running one instead (make run: it must use this checkout's database, which gets a new "
        "wallet and three payments)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--lang", choices=["ru", "ky"], default="ru", help="Language of the guide (default ru)")
        parser.add_argument(
            "--out", default=str(settings.BASE_DIR / "guide"), help="Output directory (default: guide/, git-ignored)"
        )
        parser.add_argument(
            "--base-url", default="", help="A running replica to drive, e.g. http://127.0.0.1:8000 (make run)"
        )

    def handle(self, *args, **options):
        logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per step is the progress, not per request
        if not Path(CHROMIUM).exists():
            raise CommandError(f"{CHROMIUM} is needed (Debian's chromium package)")
        out = Path(options["out"]).resolve()
        out.mkdir(parents=True, exist_ok=True)
        call_command("compile_translations", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
        language = options["lang"]
        started = time.monotonic()
        base_url = options["base_url"].rstrip("/")
        if base_url and not base_url.startswith(("http://", "https://")):
            raise CommandError("--base-url must start with http:// or https://")
        with translation.override(language):
            if base_url:
                sections = self._build(base_url, language, out, cash_in=lambda p, a: _cash_in(p, a, env=None))
            else:
                with OwnReplica(log=self.stdout.write) as replica:
                    sections = self._build(replica.base_url, language, out, cash_in=replica.cash_in)
            summary = {
                "guide": out / f"guide-{language}.html",
                "trainer": out / f"trainer-{language}.html",
                "count": sum(len(step.figures) for section in sections for step in section.steps),
                "seconds": f"{time.monotonic() - started:.0f}",
            }
            self.stdout.write(PROGRESS_SUMMARY % summary)

    def _build(self, base_url: str, language: str, out: Path, *, cash_in):
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright

        with translation.override(language), sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                run = GuideRun(
                    browser=browser,
                    base_url=base_url,
                    language=language,
                    out_dir=out,
                    cash_in=cash_in,
                    progress=self.stdout.write,
                )
                try:
                    sections = run.run()
                except (GuideError, PlaywrightError) as exc:
                    raise CommandError(f"the seed's steps do not all work on {base_url}: {exc}") from exc
                # the seed's instruction, and the trainer's part beside it (each scenario's rubric)
                for name, text in (
                    (f"guide-{language}", self._render(sections, language)),
                    (f"trainer-{language}", trainer_sheet_html(language)),
                ):
                    html = out / f"{name}.html"
                    html.write_text(text, encoding="utf-8")
                    # printed as the receipts are (core/pdf.py): paper and margins are the page's own @page
                    try:
                        (out / f"{name}.pdf").write_bytes(file_to_pdf(path=html, timeout=PDF_SECONDS))
                    except PdfUnavailable as exc:
                        raise CommandError(f"{name}.pdf: {exc}") from exc
            finally:
                browser.close()
            self.stdout.write(PROGRESS_WRITTEN % {"language": language})
        return sections

    def _render(self, sections, language: str) -> str:
        return render_to_string(
            "training/guide.html",
            {
                "language": language,
                "title": TITLE,
                "covers": COVERS,
                "sections": sections,
                "closing": CLOSING % {"dostek": settings.DOSTEK_CALL_CENTRE_PHONE, "elsom": settings.CALL_CENTRE_PHONE},
                "thanks": THANKS,
                "made_from": MADE_FROM % {"date": timezone.localtime().strftime("%d.%m.%Y")},
            },
        )
