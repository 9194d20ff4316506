"""The hanging-provider row of provider_bench.py (issue 18): DosTek's СОЧИ hangs on every call, holders go on paying
it, and the rest of the portal must not notice.

The portal is served as in production: a bare `gunicorn elsom_portal.wsgi` started in the project's directory, so
that it reads the project's gunicorn.conf.py (threaded workers; GUNICORN_WORKERS=4 as the red team ran it), with
production settings and the real OSMP adapter pointed at a real СОЧИ (sochi.testing.SochiServer, threaded, its own
throw-away database). Then:

1. СОЧИ's fault switch goes to `timeout` with a delay of --hang seconds: every call hangs, then the connection is
   dropped (nothing credited).
2. For --hang seconds, --payers holders pay DosTek over USSD (the whole payment in one gateway request, a new
   session each time, a second's pause between payments, as people do), while probes time: GET /healthz, another
   holder's USSD main menu, and another holder's top-up of a Megacom number (another provider, in process).
3. The switch goes back to normal; `process_payments --all` (the worker's step) runs until no payment is in
   progress; then every DosTek payment must be settled exactly once (each committed one credited once at СОЧИ
   under its code, no refunded one credited), `check_ledger` must pass, and `reconcile_provider` must match each
   of the run's payments.

One line:

    <db> hanging-provider: hang=<s>s payers=<n> healthz p99=<ms> ussd-menu p99=<ms> other-provider p99=<ms>
         target<500ms PASS|MISS; dostek step p50=<ms> p99=<ms>; dostek payments=<n> committed=<n> refunded=<n>
         in-progress=0 settled-once=yes books=clean reconciliation=clean

A harness failure (a server that does not start, a payment settled twice, books that do not balance) raises
HarnessError; PASS/MISS is the figure for people."""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH_DIR)]

import http_bench as hb  # noqa: E402  (servers by process group, free ports, percentiles, shell helpers)

from sochi.testing import SochiServer  # noqa: E402  (needs no Django)

TARGET_MS = 500.0
DOSTEK_INN = "01503201010011"  # a company of СОЧИ's seed
DOSTEK_PATH = "3*3*14*14"  # Платежи -> Оплатить счет -> Другие услуги -> Достэк
MEGACOM_PATH = "3*3*1*1"  # Платежи -> Оплатить счет -> Мобильная связь -> Megacom
MEGACOM_NUMBER = "0555123456"
AMOUNT = Decimal("10")
PAUSE_BETWEEN_PAYMENTS_S = 1.0
PROBE_INTERVAL_S = 0.1
SETTLE_DEADLINE_S = 240

# The run's DosTek payments, by status, and the codes of those committed and refunded.
PAYMENTS_CODE = """
import json
from services.models import Payment, PaymentStatus
rows = list(Payment.objects.filter(service__provider__code="dostek").values_list("code", "status"))
out = {"codes": {status: [code for code, s in rows if s == status] for status in PaymentStatus.values}}
print("HTTPBENCH_RESULT " + json.dumps(out))
"""


@dataclass
class Timings:
    name: str
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    screens: Counter = field(default_factory=Counter)  # DosTek payers: what the last screen said

    def p(self, percent: float) -> float:
        return hb.percentile(self.seconds, percent) * 1000


@dataclass
class HangArgs:
    database: str
    database_url: str
    hang: float
    payers: int
    tmp: Path


class HarnessError(hb.HarnessError):
    pass


def _env(args: HangArgs, sochi: SochiServer, port: int, ussd_secret: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "PYTHONPATH")}
    return dict(
        hb.production_env(
            dict(base, LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1"),
            database_url=args.database_url,
            port=port,
            ussd_secret=ussd_secret,
            static_root=args.tmp / "static",
        ),
        DOSTEK_OSMP_URL=sochi.url,
        DOSTEK_OSMP_USER=sochi.user,
        DOSTEK_OSMP_PASSWORD=sochi.password,
        # The production configuration, as gunicorn.conf.py and the settings have it; only the bind and the
        # worker count (the red team's `-w 4`) are the harness's.
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="4",
    )


class HangRow:
    def __init__(self, args: HangArgs) -> None:
        self.args = args
        self.port = hb.free_port()
        self.ussd_secret = secrets.token_urlsafe(24)
        self.sochi = SochiServer(database_url="")
        self.server: hb.Server | None = None
        self.env: dict[str, str] = {}
        self.pin = ""
        self.payers: list[str] = []
        self.menu_phone = self.other_phone = ""

    def say(self, text: str) -> None:
        print(f"# {self.args.database}: hanging-provider: {text}", flush=True)

    def run(self) -> str:
        try:
            self.sochi.start()
            self.env = _env(self.args, self.sochi, self.port, self.ussd_secret)
            self.prepare()
            self.serve()
            self.warm_up()
            timings = self.hang()
            self.sochi.set_fault("normal")
            return self.settle_and_check(timings)
        except BaseException:
            if self.server is not None:
                print(hb.tail(self.server.log_path), flush=True)
            raise
        finally:
            if self.server is not None:
                self.server.stop()
            self.sochi.close()

    def prepare(self) -> None:
        hb.manage(ROOT, self.env, "migrate", "--noinput", "-v", "0")
        hb.manage(ROOT, self.env, "collectstatic", "--noinput", "-v", "0")
        phones = [f"+99655572{index:04d}" for index in range(self.args.payers + 2)]
        fund = AMOUNT * 400
        setup = hb.shell(
            ROOT,
            self.env,
            hb.SETUP_CODE,
            {
                "phones": phones,
                "name": hb.HOLDER_NAME,
                "inn": hb.HOLDER_INN,
                "fund": str(fund),
                "chunk": str(hb.CASH_IN_CHUNK),
                "password": "Hang-" + secrets.token_urlsafe(12),
            },
        )
        self.pin = setup["pin"]
        self.payers, self.menu_phone, self.other_phone = phones[:-2], phones[-2], phones[-1]
        self.say(f"{len(phones)} wallets of {fund} som; СОЧИ at {self.sochi.url}")

    def serve(self) -> None:
        # Bare, as production starts it: gunicorn reads ./gunicorn.conf.py (the project's) by itself.
        self.server = hb.Server(
            "project", "elsom_portal.wsgi", ROOT, self.env, self.port, 1, self.args.tmp / "hang.log"
        )
        self.server.argv = [sys.executable, "-m", "gunicorn", "elsom_portal.wsgi"]
        self.server.start("/healthz")
        if "Using worker: gthread" not in self.server.log_path.read_text(errors="replace"):
            raise HarnessError(
                f"gunicorn did not take the project's gunicorn.conf.py:\n{hb.tail(self.server.log_path)}"
            )
        self.say(f"serving {self.server.base}: bare `gunicorn elsom_portal.wsgi` with the project's gunicorn.conf.py")

    def ussd(self, client: httpx.Client, phone: str, text: str) -> str:
        response = client.post(
            "/ussd/gateway/",
            data={
                "sessionId": f"hang-{secrets.token_hex(8)}",
                "serviceCode": "*900#",
                "phoneNumber": phone,
                "text": text,
            },
            headers={"X-USSD-Secret": self.ussd_secret},
        )
        if response.status_code != 200:
            raise HarnessError(f"USSD answered HTTP {response.status_code}: {response.text[:200]}")
        return response.text

    def warm_up(self) -> None:
        """Every worker process past its first requests (URLs, templates, catalogues, the provider's client), and
        one DosTek payment per payer while СОЧИ answers: new connections, so that they spread over the workers."""
        base = self.server.base if self.server else ""
        for _ in range(12):
            with httpx.Client(base_url=base, timeout=60) as client:
                client.get("/healthz")
                self.ussd(client, self.menu_phone, "")
        for phone in self.payers:
            with httpx.Client(base_url=base, timeout=60) as client:
                screen = self.ussd(client, phone, f"{DOSTEK_PATH}*{DOSTEK_INN}*{AMOUNT}*{self.pin}")
                if not screen.startswith("END"):
                    raise HarnessError(f"a DosTek payment while СОЧИ answers ended on {screen[:160]!r}")
        self.say("warmed up: 12 health and menu requests, one DosTek payment per payer")

    def hang(self) -> dict[str, Timings]:
        timings = {name: Timings(name) for name in ("healthz", "ussd-menu", "other-provider", "dostek")}
        stop = threading.Event()
        base = self.server.base if self.server else ""

        def timed(name: str, call) -> None:
            with httpx.Client(base_url=base, timeout=60) as client:
                while not stop.is_set():
                    started = time.monotonic()
                    try:
                        screen = call(client)
                    except (httpx.HTTPError, HarnessError) as exc:
                        timings[name].errors.append(f"{type(exc).__name__}: {exc}"[:200])
                        continue
                    timings[name].seconds.append(time.monotonic() - started)
                    if name == "dostek":
                        timings[name].screens[_screen_kind(screen)] += 1
                    if name == "other-provider" and "END" not in screen[:4]:
                        timings[name].errors.append(f"not a final screen: {screen[:120]!r}")
                    stop.wait(PAUSE_BETWEEN_PAYMENTS_S if name in ("dostek", "other-provider") else PROBE_INTERVAL_S)

        def health(client: httpx.Client) -> str:
            response = client.get("/healthz")
            if response.status_code != 200:
                raise HarnessError(f"/healthz answered HTTP {response.status_code}")
            return response.text

        def payer(phone: str):
            return lambda client: self.ussd(client, phone, f"{DOSTEK_PATH}*{DOSTEK_INN}*{AMOUNT}*{self.pin}")

        self.sochi.set_fault("timeout", delay=self.args.hang)
        self.say(f"СОЧИ's switch at timeout, every call hangs {self.args.hang:g} s; {len(self.payers)} payers start")
        threads = [
            threading.Thread(target=timed, args=("healthz", health)),
            threading.Thread(target=timed, args=("ussd-menu", lambda c: self.ussd(c, self.menu_phone, ""))),
            threading.Thread(
                target=timed,
                args=(
                    "other-provider",
                    lambda c: self.ussd(c, self.other_phone, f"{MEGACOM_PATH}*{MEGACOM_NUMBER}*{AMOUNT}*{self.pin}"),
                ),
            ),
            *(threading.Thread(target=timed, args=("dostek", payer(phone))) for phone in self.payers),
        ]
        for thread in threads:
            thread.start()
        stop.wait(self.args.hang)
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        return timings

    def payments(self) -> dict[str, list[str]]:
        return hb.shell(ROOT, self.env, PAYMENTS_CODE)["codes"]

    def settle_and_check(self, timings: dict[str, Timings]) -> str:
        deadline = time.monotonic() + SETTLE_DEADLINE_S
        while self.payments()["reserved"]:
            if time.monotonic() > deadline:
                raise HarnessError(f"payments still in progress after {SETTLE_DEADLINE_S} s")
            hb.manage(ROOT, self.env, "process_payments", "--all")
        codes = self.payments()
        committed, refunded = codes["committed"], codes["aborted"]
        problems = [f"{name}: {len(t.errors)} errors, first {t.errors[0]}" for name, t in timings.items() if t.errors]
        credits = [credit["txn_id"] for credit in self.sochi.balance(DOSTEK_INN)["credits"]]
        ours = set(committed) | set(refunded)
        twice = sorted({code for code in credits if credits.count(code) > 1 and code in ours})
        missing = sorted(set(committed) - set(credits))
        refunded_credited = sorted(set(refunded) & set(credits))
        if twice or missing or refunded_credited:
            problems.append(
                f"credited twice {twice[:5]}, committed not credited {missing[:5]}, refunded but credited "
                f"{refunded_credited[:5]}"
            )
        books = hb.run_checked(
            [sys.executable, "manage.py", "check_ledger"], cwd=ROOT, env=self.env, what="check_ledger"
        )
        self.say(f"check_ledger: {books.strip().splitlines()[-1] if books.strip() else 'ok'}")
        # Exit 1 is expected: СОЧИ's seed has credits of its own that are not ours. Only the run's payments count.
        reconciled = subprocess.run(
            [sys.executable, "manage.py", "reconcile_provider", "dostek", "--json"],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if reconciled.returncode not in (0, 1):
            raise HarnessError(f"reconcile_provider exited {reconciled.returncode}: {reconciled.stderr[-800:]}")
        consistent = {"matched", "aborted_not_credited"}
        lines = json.loads(reconciled.stdout)["lines"]
        unmatched = [line for line in lines if line["txn_id"] in ours and line["match"] not in consistent]
        if len([line for line in lines if line["txn_id"] in ours]) != len(ours):
            problems.append("reconciliation: not every payment of the run is in the report")
        if unmatched:
            problems.append(f"reconciliation: {unmatched[:3]}")
        if problems:
            raise HarnessError("; ".join(problems))
        dostek = timings["dostek"]
        probes = [timings[name] for name in ("healthz", "ussd-menu", "other-provider")]
        verdict = "PASS" if all(t.seconds and t.p(99) < TARGET_MS for t in probes) else "MISS"
        self.say(f"DosTek payers' screens: {dict(dostek.screens)}")
        for t in probes:
            self.say(f"{t.name}: {len(t.seconds)} requests, p50={t.p(50):.0f}ms max={max(t.seconds) * 1000:.0f}ms")
        return (
            f"{self.args.database} hanging-provider: hang={self.args.hang:g}s payers={len(self.payers)} "
            + " ".join(f"{t.name} p99={t.p(99):.0f}ms" for t in probes)
            + f" target<{TARGET_MS:.0f}ms {verdict}; dostek step p50={dostek.p(50):.0f}ms p99={dostek.p(99):.0f}ms; "
            f"dostek payments={len(ours)} committed={len(committed)} refunded={len(refunded)} in-progress=0 "
            "settled-once=yes books=clean reconciliation=clean"
        )


def _screen_kind(screen: str) -> str:
    text = screen.lower()
    for kind in ("в обработку", "не отвечает", "недоступ", "платеж принят."):
        if kind in text:
            return kind
    return screen[4:60]


def run_hang(*, database: str, database_url: str, hang: float, payers: int) -> str:
    tmp = Path(tempfile.mkdtemp(prefix="elsom_provider_hang_"))
    try:
        return HangRow(HangArgs(database, database_url, hang, payers, tmp)).run()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
