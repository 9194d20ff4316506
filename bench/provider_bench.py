#!/usr/bin/env python
"""Payments per second through DosTek group's real СОЧИ server, and what a slow provider costs everybody else.

For every database (a throw-away SQLite file, throw-away PostgreSQL databases) it starts two СОЧИ servers
(sochi_site, each with a database of its own: the "normal" one and the "slow" one, whose fault switch is set to
`slow`), then times `services.payments.payment_execute` in worker processes (forked, like gunicorn's sync
workers, one funded wallet each) and prints one line per row:

    <db> path=in-process workers=4 payments/s=<x> p50=<ms> p99=<ms>
    <db> path=osmp-http  workers=4 payments/s=<x> p50=<ms> p99=<ms> | ratio to in-process=<r>
    <db> slow-provider: others payments/s=<x> (alone <y>) ratio=<r> target>=0.9 PASS|MISS; slow step p50=<ms>
         p99=<ms> (timeout <t> s, target p99<=<t+margin> s: PASS|MISS)

* in-process     the synchronous path of today: payment_execute with DosTek's in-process adapter
                 (PROVIDER_ADAPTERS = AcceptAllProvider, as the test suite runs it): reserve, "pay", commit.
* osmp-http      the same calls with the catalog's adapter (OsmpProvider): reserve -> `pay` over HTTP to the
                 normal СОЧИ (httpx, a new connection per call, as the project does) -> commit. Every payment must
                 end COMMITTED.
* slow-provider  workers-1 wallets pay the normal СОЧИ, first alone, then while one more wallet pays a second
                 provider (`dostek-slow`, a copy of DosTek's service) whose СОЧИ answers after --slow-delay seconds,
                 longer than DOSTEK_OSMP_TIMEOUT (--timeout): each of its payments waits the timeout and stays
                 RESERVED («в обработке»). Alone and with-slow runs take turns, --repeat times; the medians are
                 compared (target: the others keep >= 0.9 of their speed). While the slow calls hang, a probe
                 locks the slow wallet's ledger row every 0.2 s (it would wait if the payment held the lock), and
                 the slow worker records at each call whether Django's connection is in a transaction and whether
                 it gave its connection back (PostgreSQL's pool; SQLite keeps it by design, without a transaction).

* hanging-provider (--rows hang; bench/provider_hang.py) the portal under its production server configuration (a
                 bare `gunicorn elsom_portal.wsgi` reading gunicorn.conf.py), СОЧИ hanging --hang seconds on every
                 call, --hang-payers holders paying DosTek over USSD; /healthz, another holder's USSD menu and
                 another provider's payments timed (target p99 < 500 ms); then every DosTek payment settled once,
                 the books, СОЧИ's credits and reconciliation checked:

    <db> hanging-provider: hang=<s>s payers=<n> healthz p99=<ms> ussd-menu p99=<ms> other-provider p99=<ms>
         target<500ms PASS|MISS; dostek step p50=<ms> p99=<ms>; dostek payments=<n> committed=<n> refunded=<n> ...

p50/p99 are the wall time of one payment_execute call, the step the holder waits for. Lines starting with '#'
are details: versions, probes, states, books and СОЧИ checks. Run from the project root:

    .venv/bin/python bench/provider_bench.py                                 # sqlite+postgres, 200 payments
    .venv/bin/python bench/provider_bench.py --databases sqlite --payments 200 --repeat 1
    .venv/bin/python bench/provider_bench.py --help

After every row the books are checked (`check_ledger`: the RESERVED payments of the slow runs are payments in
progress, which the hold account must hold exactly); then the slow provider is set back to normal and
`process_payments --all` finishes them, the books are checked again, `reconcile` (services/reconciliation.py) must
find every payment of both providers matched at СОЧИ, and each СОЧИ company's balance (`sochi_balance --json`)
must equal the sum of the payments committed to it.

It never touches the developer's databases: SQLite files live in a temporary directory; PostgreSQL databases
elsom_provider_bench_<pid> (the wallet), ..._sochi and ..._sochi_slow are created through --pg-url and dropped
WITH (FORCE) at the end, also on failure, Ctrl+C or SIGTERM. The script re-runs itself once per database
(internal option --child) so that each child configures Django once. Every server it starts runs in its own
process group and is stopped by its PID. Exit status: 0 when the harness ran (PASS or MISS are figures for
people), 1 when the harness itself failed (a server did not start, a payment ended in an unexpected state, the
books or СОЧИ do not match).
"""

import argparse
import json
import os
import platform
import queue
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "bench"
sys.path[:0] = [str(ROOT), str(BENCH_DIR)]

import http_bench as hb  # noqa: E402  (servers by process group, free ports, percentiles, PostgreSQL admin)
import ledger_bench as lb  # noqa: E402  (funded wallets, raw connections with the project's settings)
from provider_hang import run_hang  # noqa: E402  (the hanging-provider row)

PROBE_LOCK = "SELECT balance FROM ledger_ledgeraccount WHERE id = %s"

from sochi.testing import NOT_INHERITED  # noqa: E402  (sochi.testing needs no Django)
from sochi.testing import SETTINGS as SOCHI_SETTINGS  # noqa: E402

DEFAULT_PG_URL = lb.DEFAULT_PG_URL
DATABASES = lb.DATABASES
AMOUNT = lb.AMOUNT
COMPANY_INN = lb.PAYER_ACCOUNT  # one СОЧИ company per server, without reports: its balance is its credits
COMPANY_NAME = "ОсОО «Бенч Провайдер»"
SERVICE_SLUG = lb.SERVICE_SLUG
SLOW_CODE = "dostek-slow"  # the second provider (and its service): DosTek's copy at the slow СОЧИ
IN_PROCESS_ADAPTER = "services.providers.AcceptAllProvider"
TARGET_RATIO = 0.9  # issue 8: other wallets keep paying "at full speed" while one provider call hangs
PROBE_INTERVAL_S = 0.2
RESULT_MARKER = "PROVIDERBENCH_RESULT "
SOCHI_READY_PATH = "/osmp/"  # any HTTP answer (401 without credentials) means the server is up
SOCHI_WAIT_S = 180  # the parent's СОЧИ start-up (migrate, company, server) on a loaded machine
FINISH_ROUNDS = 20  # process_payments --all rounds at most, when finishing the slow runs' payments
CLIENT_SAMPLES = 5  # httpx.Client() made and closed, to show what one costs


class HarnessError(hb.HarnessError):
    pass


# --- Command line ------------------------------------------------------------------------------------------------


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from exc
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError("seconds must be > 0 and <= 600")
    return value


ROWS = ("paths", "slow", "hang")


def _row_list(text: str) -> list[str]:
    rows = [row.strip() for row in text.split(",") if row.strip()]
    unknown = [row for row in rows if row not in ROWS]
    if not rows or unknown:
        raise argparse.ArgumentTypeError(f"rows are a comma-separated subset of {','.join(ROWS)}")
    return rows


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="provider_bench.py",
        description="Payments/s through payment_execute with DosTek in process and over HTTP to a real СОЧИ server, "
        "and the other wallets' payments/s while one provider answers slower than the timeout; SQLite and "
        "PostgreSQL.",
        epilog="Output: one line per row (path=in-process, path=osmp-http, slow-provider); lines starting with '#' "
        "are details. Exit 0 whether targets are met or missed, 1 when the harness failed.",
    )
    parser.add_argument(
        "--payments",
        type=int,
        default=200,
        metavar="N",
        help="payments per measured run, split evenly over the workers (default 200)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=4,
        metavar="N",
        help="concurrent worker processes, one wallet each (default 4); in the slow-provider row one of them "
        "pays the slow provider",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="R",
        help="measured runs per row; the median rate is printed, p50/p99 over all runs (default 3)",
    )
    parser.add_argument(
        "--warmup", type=int, default=5, metavar="W", help="untimed payments per worker before each run (default 5)"
    )
    parser.add_argument(
        "--databases",
        type=lb._db_list,
        default=list(DATABASES),
        metavar="LIST",
        help="comma-separated subset of sqlite,postgres (default both; postgres is skipped with a note when "
        "--pg-url is unreachable)",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL server for the throw-away databases; the database named in the URL is only used to "
        f"CREATE/DROP them (default $BENCH_PG_URL or {DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--timeout",
        type=_positive_float,
        default=2.0,
        metavar="S",
        help="DOSTEK_OSMP_TIMEOUT for the run: how long a payment waits for СОЧИ's answer (default 2)",
    )
    parser.add_argument(
        "--slow-delay",
        type=_positive_float,
        metavar="S",
        help="how late the slow СОЧИ answers; must exceed --timeout (default timeout + 1.5)",
    )
    parser.add_argument(
        "--margin",
        type=_positive_float,
        default=0.5,
        metavar="S",
        help="the slow step's p99 may exceed the timeout by this much (reserve and defer; default 0.5)",
    )
    parser.add_argument(
        "--sochi-server",
        choices=("gunicorn", "serve"),
        default="gunicorn",
        help="how the normal СОЧИ is served: `gunicorn sochi_site.wsgi` (sync workers, default) or "
        "`manage.py sochi_serve` (one threaded process, as `make run` and the tests). The slow СОЧИ always runs "
        "sochi_serve: its hanging calls must not queue behind each other",
    )
    parser.add_argument(
        "--sochi-workers",
        type=int,
        default=2,
        metavar="N",
        help="gunicorn workers of the normal СОЧИ (default 2)",
    )
    parser.add_argument(
        "--rows",
        type=_row_list,
        default=list(ROWS),
        metavar="LIST",
        help="comma-separated subset of paths (in-process and osmp-http), slow (slow-provider) and hang "
        "(hanging-provider: the portal under its production gunicorn configuration while СОЧИ hangs; "
        "bench/provider_hang.py); default all three",
    )
    parser.add_argument(
        "--hang",
        type=_positive_float,
        default=30.0,
        metavar="S",
        help="hanging-provider: how long every СОЧИ call hangs, and how long the payers pay (default 30)",
    )
    parser.add_argument(
        "--hang-payers",
        type=int,
        default=6,
        metavar="N",
        help="hanging-provider: holders paying DosTek at once over USSD (default 6)",
    )
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary directory (server logs)")
    parser.add_argument("--child", choices=DATABASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.workers < 2:
        parser.error("--workers must be at least 2 (the slow-provider row needs one slow and one other worker)")
    if args.payments < args.workers or args.repeat < 1 or args.warmup < 0 or args.sochi_workers < 1:
        parser.error("--payments must be at least --workers; --repeat and --sochi-workers >= 1; --warmup >= 0")
    if args.slow_delay is None:
        args.slow_delay = args.timeout + 1.5
    if args.slow_delay <= args.timeout:
        parser.error("--slow-delay must be longer than --timeout (the slow provider must miss the timeout)")
    return args


# --- Parent: СОЧИ servers and one child per database -------------------------------------------------------------


class Sochi:
    """One СОЧИ: its own database (migrated, one company without reports) and server, in its own process group."""

    def __init__(self, name: str, database_url: str, tmp: Path, *, server: str, workers: int, credentials) -> None:
        self.name, self.database_url, self.tmp = name, database_url, tmp
        self.user, self.password = credentials
        self.port = hb.free_port()
        self.env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": SOCHI_SETTINGS,
                "SOCHI_DATABASE_URL": database_url,
                "DEBUG": "0",
                "DEMO_MODE": "0",
                "SOCHI_SECRET_KEY": secrets.token_urlsafe(50),
                "SOCHI_ALLOWED_HOSTS": "127.0.0.1",
                "SOCHI_SECURE_SSL_REDIRECT": "0",  # plain http on loopback
                "SOCHI_SECURE_HSTS_SECONDS": "0",
                "SOCHI_FAULTS_ENABLED": "1",
                "DOSTEK_OSMP_USER": self.user,
                "DOSTEK_OSMP_PASSWORD": self.password,
                "LOG_LEVEL": "WARNING",
                "PYTHONUNBUFFERED": "1",
            }
        )
        log = tmp / f"{name}.log"
        self.server = hb.Server(name, "sochi_site.wsgi", ROOT, self.env, self.port, workers, log)
        if server == "serve":
            self.server.argv = [
                sys.executable,
                "manage.py",
                "sochi_serve",
                f"127.0.0.1:{self.port}",
                f"--settings={SOCHI_SETTINGS}",
            ]
        self.kind = "gunicorn sochi_site.wsgi" + f" --workers {workers}" if server == "gunicorn" else "sochi_serve"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/osmp/"

    def manage(self, *argv: str) -> str:
        return hb.run_checked(
            [sys.executable, "manage.py", *argv, f"--settings={SOCHI_SETTINGS}"],
            cwd=ROOT,
            env=self.env,
            what=f"СОЧИ {self.name}: manage.py {argv[0]}",
            timeout=300,
        )

    def prepare(self) -> None:
        self.manage("migrate", "--no-input", "-v", "0")
        self.manage("sochi_company", COMPANY_INN, "--name", COMPANY_NAME)

    def start(self) -> None:
        self.server.start(SOCHI_READY_PATH)

    def stop(self) -> None:
        self.server.stop()

    def balance(self) -> dict:
        return json.loads(self.manage("sochi_balance", COMPANY_INN, "--json"))


def _child_env(args, database_url: str, normal: Sochi, slow: Sochi) -> dict:
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        {
            "DATABASE_URL": database_url,
            # Production-like (DEBUG on would record every query); throw-away keys.
            "DEBUG": "0",
            "DEMO_MODE": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PIN_HASH_KEY": secrets.token_urlsafe(32),
            "DJANGO_SETTINGS_MODULE": "elsom_portal.settings",
            "LOG_LEVEL": "WARNING",
            "SMS_BACKEND": "sms.backends.console.ConsoleBackend",  # nothing is delivered: the outbox only fills
            "DOSTEK_OSMP_URL": normal.url,
            "DOSTEK_OSMP_USER": normal.user,
            "DOSTEK_OSMP_PASSWORD": normal.password,
            "DOSTEK_OSMP_TIMEOUT": str(args.timeout),
            "DOSTEK_OSMP_CONNECT_TIMEOUT": str(min(args.timeout, 2.0)),
            "PROVIDER_BENCH_SLOW_URL": slow.url,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
        }
    )
    return env


def _child_command(args, database: str) -> list[str]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", database]
    for option in ("payments", "workers", "repeat", "warmup", "timeout", "slow_delay", "margin"):
        argv += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    return [*argv, "--rows", ",".join(args.rows)]


def _start_sochi(sochi: "Sochi", errors: list[str], child: list) -> None:
    """In a thread, while the child migrates the wallet's database: a failure stops the child (it waits for СОЧИ)."""
    try:
        sochi.prepare()
        sochi.start()
    except Exception as exc:  # reported by run_database
        errors.append(f"СОЧИ {sochi.name}: {exc}")
        if child and child[0].poll() is None:
            child[0].terminate()


def run_database(args, database: str, wallet_url: str, sochi_urls: dict[str, str], tmp: Path) -> None:
    """Prepare and serve both СОЧИ while the child migrates, stream the child's lines, then compare СОЧИ's balances
    with what the child committed."""
    credentials = ("elsom-bench", secrets.token_urlsafe(16))
    normal = Sochi(
        "sochi", sochi_urls["sochi"], tmp, server=args.sochi_server, workers=args.sochi_workers, credentials=credentials
    )
    slow = Sochi("sochi_slow", sochi_urls["sochi_slow"], tmp, server="serve", workers=1, credentials=credentials)
    print(f"# {database}: СОЧИ normal: {normal.kind} at {normal.url}; slow: {slow.kind} at {slow.url}", flush=True)
    proc, child, errors, starters = None, [], [], []
    try:
        proc = subprocess.Popen(
            _child_command(args, database),
            cwd=ROOT,
            env=_child_env(args, wallet_url, normal, slow),
            stdout=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        child.append(proc)
        starters = [threading.Thread(target=_start_sochi, args=(s, errors, child)) for s in (normal, slow)]
        for starter in starters:
            starter.start()
        result = None
        for line in proc.stdout:  # streamed: the rows appear as they are measured
            if line.startswith(RESULT_MARKER):
                result = json.loads(line[len(RESULT_MARKER) :])
            else:
                print(line, end="", flush=True)
        for starter in starters:
            starter.join()
        if errors:
            raise HarnessError("; ".join(errors))
        if proc.wait() != 0 or result is None:
            raise HarnessError(f"the {database} child failed (exit {proc.returncode})")
        problems = []
        with ThreadPoolExecutor(max_workers=2) as pool:
            balances = list(pool.map(Sochi.balance, (normal, slow)))
        for sochi, code, there in ((normal, SERVICE_SLUG, balances[0]), (slow, SLOW_CODE, balances[1])):
            credited = sum((Decimal(credit["sum"]) for credit in there["credits"]), Decimal("0"))
            committed = Decimal(result["committed"][code])
            same = Decimal(there["balance"]) == credited == committed
            print(
                f"#   СОЧИ {sochi.name}: company {COMPANY_INN} balance {there['balance']} som, "
                f"{len(there['credits'])} credits of {credited} som; committed to {code} here: {committed} som in "
                f"{result['count'][code]} payments: {'equal' if same else 'DIFFERENT'}",
                flush=True,
            )
            if not same:
                problems.append(f"СОЧИ {sochi.name} holds {there['balance']} som, {committed} committed here")
        if problems:
            raise HarnessError("; ".join(problems))
    finally:
        if proc is not None and proc.poll() is None:
            proc.terminate()  # interrupted: the child stops its workers (SIGTERM is its KeyboardInterrupt)
            proc.wait(timeout=60)
        for starter in starters:
            starter.join()
        for sochi in (normal, slow):
            sochi.stop()
        for sochi in (normal, slow):
            if sochi.server.log_path.exists() and "Traceback" in sochi.server.log_path.read_text(errors="replace"):
                print(f"# {database}: СОЧИ {sochi.name} logged a traceback:\n{hb.tail(sochi.server.log_path)}")


def bench_sqlite(args) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="elsom_provider_bench_"))
    try:
        urls = {name: f"sqlite:///{tmp / (name + '.sqlite3')}" for name in ("sochi", "sochi_slow")}
        run_database(args, "sqlite", f"sqlite:///{tmp / 'wallet.sqlite3'}", urls, tmp)
    finally:
        if args.keep_temp:
            print(f"# sqlite: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def bench_postgres(args) -> None:
    from psycopg import sql

    admin, reason = hb.postgres_admin(args.pg_url)
    if admin is None:
        print(f"# postgres: skipped, {args.pg_url} is unreachable: {reason}", flush=True)
        return
    base = f"elsom_provider_bench_{os.getpid()}"
    names = {"wallet": base, "sochi": f"{base}_sochi", "sochi_slow": f"{base}_sochi_slow"}
    tmp = Path(tempfile.mkdtemp(prefix="elsom_provider_bench_"))
    with admin:
        try:
            for name in names.values():
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            urls = {key: hb._with_database(args.pg_url, name) for key, name in names.items()}
            run_database(args, "postgres", urls["wallet"], {k: urls[k] for k in ("sochi", "sochi_slow")}, tmp)
        finally:
            for name in names.values():
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            if args.keep_temp:
                print(f"# postgres: kept {tmp}")
            else:
                shutil.rmtree(tmp, ignore_errors=True)


def bench_hang(args, database: str) -> None:
    """The hanging-provider row on a throw-away wallet database of its own."""
    if database == "sqlite":
        tmp = Path(tempfile.mkdtemp(prefix="elsom_provider_hang_db_"))
        try:
            print(run_hang(database=database, database_url=f"sqlite:///{tmp / 'wallet.sqlite3'}", **_hang(args)))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return
    from psycopg import sql

    admin, reason = hb.postgres_admin(args.pg_url)
    if admin is None:
        print(f"# postgres: hanging-provider skipped, {args.pg_url} is unreachable: {reason}", flush=True)
        return
    name = f"elsom_provider_hang_{os.getpid()}"
    with admin:
        try:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(run_hang(database=database, database_url=hb._with_database(args.pg_url, name), **_hang(args)))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _hang(args) -> dict:
    return {"hang": args.hang, "payers": args.hang_payers}


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main_parent(args) -> int:
    signal.signal(signal.SIGTERM, _terminate)
    print(
        f"# elsom-portal provider bench: {args.payments} payments of {AMOUNT} som per run, {args.workers} worker "
        f"processes (one wallet each), median of {args.repeat} run(s), warm-up {args.warmup}/worker; "
        f"DOSTEK_OSMP_TIMEOUT={args.timeout:g} s, slow СОЧИ answers after {args.slow_delay:g} s",
        flush=True,
    )
    print(
        f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPU(s), load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; workers, СОЧИ and the database share the CPUs",
        flush=True,
    )
    failed = 0
    for database in args.databases:
        try:
            if "paths" in args.rows or "slow" in args.rows:
                (bench_sqlite if database == "sqlite" else bench_postgres)(args)
            if "hang" in args.rows:
                bench_hang(args, database)
        except hb.HarnessError as exc:
            failed += 1
            print(f"# {database}: HARNESS FAILED: {exc}", flush=True)
        except KeyboardInterrupt:
            print(f"# {database}: interrupted; servers stopped, throw-away databases dropped", flush=True)
            return 130
    return 1 if failed else 0


# --- Child: Django is configured for the wallet's throw-away database ---------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One worker's part of a run: whom it pays, how many times (None: until the counted workers are done)."""

    index: int
    wallet_pk: int
    service_pk: int
    count: int | None
    warmup: int
    key_prefix: str
    observe: bool = False


def _observe_provider_calls(observations: list) -> None:
    """In this (slow) worker process only: note, at each call to the provider, whether Django's connection is in a
    transaction and whether it is held. Observation only: the call itself goes on unchanged."""
    from django.db import connection

    from services.osmp import OsmpClient

    call = OsmpClient.call

    def observed(self, command, params):
        observations.append({"atomic": connection.in_atomic_block, "held": connection.connection is not None})
        return call(self, command, params)

    OsmpClient.call = observed


def _worker(plan: Plan, start, stop, results) -> None:
    from django.db import connection

    from services.models import Service
    from services.payments import payment_execute
    from wallet.models import Wallet

    observations: list = []
    try:
        service = Service.objects.select_related("provider__settlement_account", "category").get(pk=plan.service_pk)
        wallet = Wallet.objects.select_related("ledger_account").get(pk=plan.wallet_pk)
        if plan.observe:
            _observe_provider_calls(observations)

        def pay(key: str) -> tuple[float, str]:
            began = time.perf_counter()
            payment = payment_execute(
                wallet=wallet,
                service=service,
                account=COMPANY_INN,
                amount=AMOUNT,
                idempotency_key=key,
                channel=lb.CHANNEL,
            )
            return time.perf_counter() - began, payment.status

        for i in range(plan.warmup):
            pay(f"{plan.key_prefix}-warm-{i}")
        start.wait()
        latencies, statuses, i = [], Counter(), 0
        parent = os.getppid()
        while os.getppid() == parent:  # an orphan (the bench was killed) stops paying
            seconds, status = pay(f"{plan.key_prefix}-{i}")
            latencies.append(seconds)
            statuses[status] += 1
            i += 1
            if (plan.count is not None and i >= plan.count) or (plan.count is None and stop.is_set()):
                break
        results.put((plan.index, time.perf_counter(), latencies, dict(statuses), observations, None))
    except BaseException as exc:  # reported by the parent
        start.abort()
        results.put((plan.index, None, [], {}, observations, f"{type(exc).__name__}: {exc}"))
    finally:
        connection.close()


def _close_for_fork() -> None:
    """Every forked worker must open its own connections: close ours, and on PostgreSQL the pool itself (a pool
    inherited through fork would hand the parent's sockets to every child)."""
    from django.db import connections

    for conn in connections.all():
        conn.close()
        if conn.vendor == "postgresql" and conn.settings_dict.get("OPTIONS", {}).get("pool"):
            conn.close_pool()


@dataclass
class RunResult:
    seconds: float  # from the start barrier to the last counted worker's last payment
    counted: int  # payments of the counted workers
    latencies: list[float]  # of the counted workers
    statuses: Counter  # of the counted workers
    loop_latencies: list[float]  # of the uncounted (slow) worker
    loop_statuses: Counter
    observations: list

    @property
    def rate(self) -> float:
        return self.counted / self.seconds


def run_workers(plans: list[Plan], *, during=None) -> RunResult:
    """Fork one process per plan; the clock starts when all have warmed up. `during(stop)` runs in a thread of this
    process meanwhile (the lock probe) and must return when `stop` is set."""
    import multiprocessing

    _close_for_fork()
    context = multiprocessing.get_context("fork")
    start, stop, results = context.Barrier(len(plans) + 1), context.Event(), context.Queue()
    processes = [context.Process(target=_worker, args=(plan, start, stop, results)) for plan in plans]
    for process in processes:
        process.start()
    probe_stop, probe = threading.Event(), None
    try:
        start.wait()
    except threading.BrokenBarrierError:
        pass
    began = time.perf_counter()
    if during is not None:
        probe = threading.Thread(target=during, args=(probe_stop,), name="bench-probe")
        probe.start()
    counted = {plan.index for plan in plans if plan.count is not None}
    reports, errors = {}, []
    try:
        while len(reports) + len(errors) < len(plans):
            try:
                index, finished, latencies, statuses, observations, error = results.get(timeout=1)
            except queue.Empty:
                if not any(process.is_alive() for process in processes) and results.empty():
                    errors.append("a worker process died without reporting")
                    break
                continue
            if error:
                errors.append(f"worker {index}: {error}")
                stop.set()
                continue
            reports[index] = (finished, latencies, statuses, observations)
            if counted <= reports.keys():
                stop.set()  # the slow worker finishes the call it is in, then reports
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    finally:
        stop.set()
        probe_stop.set()
        if probe is not None:
            probe.join()
        for process in processes:
            process.join()
    if errors:
        raise HarnessError(errors[0])
    result = RunResult(0.0, 0, [], Counter(), [], Counter(), [])
    for index, (finished, latencies, statuses, observations) in reports.items():
        if index in counted:
            result.seconds = max(result.seconds, finished - began)
            result.counted += len(latencies)
            result.latencies += latencies
            result.statuses.update(statuses)
        else:
            result.loop_latencies += latencies
            result.loop_statuses.update(statuses)
            result.observations += observations
    return result


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}ms"


class Child:
    def __init__(self, args) -> None:
        from django.conf import settings

        from services.models import Service

        self.args = args
        self.database = args.child
        self.failures: list[str] = []
        self.in_process_wallets: list[int] = []  # their payments never went to СОЧИ: not reconciled
        self.run_ids = iter(range(1, 10**9))
        self.slow_service = self._slow_provider(os.environ["PROVIDER_BENCH_SLOW_URL"])
        self.service = Service.objects.get(slug=SERVICE_SLUG)
        self.runner = lb.Runner(self.database, args.warmup)
        self.settings = settings

    # - setup -

    def _slow_provider(self, url: str):
        """A second provider with DosTek's service rules at the slow СОЧИ: its own settlement account and OSMP
        endpoint (same credentials and timeouts), so that its payments, books and reconciliation stand apart."""
        from django.conf import settings

        from ledger.posting import ledger_account_get_or_create
        from services.models import Provider, Service

        settings.OSMP_ENDPOINTS[SLOW_CODE] = dict(settings.OSMP_ENDPOINTS[SERVICE_SLUG], URL=url)
        dostek = Service.objects.select_related("provider").get(slug=SERVICE_SLUG)
        account = ledger_account_get_or_create(code=f"provider:{SLOW_CODE}", kind="provider", name="DosTek (slow)")
        if not account.may_go_negative:
            type(account).objects.filter(pk=account.pk).update(may_go_negative=True)  # as every provider account
        provider, _ = Provider.objects.get_or_create(
            code=SLOW_CODE,
            defaults={"name": "DosTek group (slow)", "adapter": dostek.provider.adapter, "settlement_account": account},
        )
        copy = {
            f.name: getattr(dostek, f.name)
            for f in Service._meta.concrete_fields
            if f.name not in ("id", "slug", "provider", "ussd_number")
        }
        service, _ = Service.objects.get_or_create(slug=SLOW_CODE, defaults={**copy, "provider": provider})
        return service

    def plans(self, service, workers: int, payments: int, run_id: int, *, first_index: int = 0) -> list[Plan]:
        counts = [payments // workers + (1 if i < payments % workers else 0) for i in range(workers)]
        targets = self.runner.make_targets(workers, max(counts))
        return [
            Plan(first_index + i, t.wallet_pk, service.pk, counts[i], self.args.warmup, f"pb-{run_id}-{i}")
            for i, t in enumerate(targets)
        ]

    def slow_plan(self, index: int, run_id: int, calls: int) -> tuple[Plan, "lb.Target"]:
        target = self.runner.make_targets(1, calls)[0]
        plan = Plan(index, target.wallet_pk, self.slow_service.pk, None, 0, f"pb-{run_id}-slow", observe=True)
        return plan, target

    # - checks -

    def check_books(self, label: str) -> None:
        from io import StringIO

        from django.core.management import CommandError, call_command

        from services.models import Payment, PaymentStatus
        from services.payments import hold_account

        out, err = StringIO(), StringIO()
        try:
            call_command("check_ledger", stdout=out, stderr=err)
        except CommandError as exc:
            self.failures.append(f"check_ledger after {label}: {exc}")
            print(f"#   check_ledger after {label} FAILED: {exc}", flush=True)
            for line in err.getvalue().splitlines()[:10]:
                print(f"#     {line}", flush=True)
            return
        reserved = Payment.objects.filter(status=PaymentStatus.RESERVED)
        hold = type(hold_account()).objects.values_list("balance", flat=True).get(pk=hold_account().pk)
        in_progress = f"; {reserved.count()} payment(s) in progress, hold account {hold} som" if hold else ""
        print(f"#   check_ledger after {label}: {out.getvalue().strip()}{in_progress}", flush=True)

    def check_rows(self, label: str, plans: list[Plan], result: RunResult) -> None:
        """The database has exactly the payments the workers were answered for (plus their warm-up ones)."""
        from services.models import Payment

        counted = [plan for plan in plans if plan.count is not None]
        expected = sum(plan.count + plan.warmup for plan in counted)
        written = Payment.objects.filter(wallet_id__in=[plan.wallet_pk for plan in counted]).count()
        if written != expected:
            self.failures.append(f"{label}: {written} payments written, {expected} made")
            print(f"#   {label}: FLAGGED: {written} payments written, {expected} made", flush=True)
        loop = [plan for plan in plans if plan.count is None]
        if loop:
            written = Payment.objects.filter(wallet_id__in=[plan.wallet_pk for plan in loop]).count()
            made = sum(result.loop_statuses.values())
            if written != made:
                self.failures.append(f"{label}: the slow wallet has {written} payments, {made} made")

    def check_states(self, label: str, result: RunResult, *, slow: bool = False) -> None:
        from services.models import PaymentStatus

        wrong = {status: n for status, n in result.statuses.items() if status != PaymentStatus.COMMITTED}
        if wrong:
            self.failures.append(f"{label}: {sum(wrong.values())} payment(s) not committed: {wrong}")
            print(f"#   {label}: FLAGGED: not every payment committed: {dict(result.statuses)}", flush=True)
        if slow:
            wrong = {s: n for s, n in result.loop_statuses.items() if s != PaymentStatus.RESERVED}
            if wrong or not result.loop_statuses:
                self.failures.append(f"{label}: the slow payments ended {dict(result.loop_statuses)}, not reserved")

    # - rows -

    def measure(self, label: str, service, workers: int) -> tuple[float, list[float], list[RunResult]]:
        runs = []
        for _ in range(self.args.repeat):
            plans = self.plans(service, workers, self.args.payments, next(self.run_ids))
            runs.append(run_workers(plans))
            self.check_rows(label, plans, runs[-1])
            self.check_states(label, runs[-1])
            if label == "in-process":
                self.in_process_wallets += [plan.wallet_pk for plan in plans]
        rate = statistics.median(run.rate for run in runs)
        latencies = [seconds for run in runs for seconds in run.latencies]
        if self.args.repeat > 1:
            print(f"#   {label} runs: {' '.join(f'{run.rate:.1f}' for run in runs)} payments/s", flush=True)
        return rate, latencies, runs

    def row_paths(self) -> float:
        workers = self.args.workers
        self.settings.PROVIDER_ADAPTERS = {SERVICE_SLUG: IN_PROCESS_ADAPTER}
        in_process, latencies, _runs = self.measure("in-process", self.service, workers)
        print(
            f"{self.database} path=in-process workers={workers} payments/s={in_process:.1f} "
            f"p50={ms(hb.percentile(latencies, 50))} p99={ms(hb.percentile(latencies, 99))}",
            flush=True,
        )
        self.check_books("in-process")
        self.wait_for_sochi()
        self.settings.PROVIDER_ADAPTERS = {}  # the catalog's adapter: OsmpProvider, over HTTP to the normal СОЧИ
        osmp, latencies, _runs = self.measure("osmp-http", self.service, workers)
        print(
            f"{self.database} path=osmp-http  workers={workers} payments/s={osmp:.1f} "
            f"p50={ms(hb.percentile(latencies, 50))} p99={ms(hb.percentile(latencies, 99))} | "
            f"ratio to in-process={osmp / in_process:.2f}",
            flush=True,
        )
        self.pay_call_details()
        self.check_books("osmp-http")
        return osmp

    def pay_call_details(self) -> None:
        """Where an OSMP payment's time goes: the pay call as the payment's history records it (a new httpx client,
        the request, СОЧИ's work, the answer), and what making that client costs here on its own."""
        import httpx

        from services.models import ProviderExchange

        calls = list(
            ProviderExchange.objects.filter(provider__code=SERVICE_SLUG, command="pay").values_list(
                "duration_ms", flat=True
            )
        )
        began = time.perf_counter()
        for _ in range(CLIENT_SAMPLES):
            with httpx.Client(timeout=self.args.timeout):
                pass
        client = (time.perf_counter() - began) / CLIENT_SAMPLES
        print(
            f"#   osmp-http: the pay call (ProviderExchange.duration_ms, {len(calls)} calls) p50 "
            f"{hb.percentile(calls, 50):.0f}ms p99 {hb.percentile(calls, 99):.0f}ms; a new httpx.Client (it loads an "
            f"SSL context) would cost {ms(client)} more per call: OsmpClient keeps one per endpoint and process",
            flush=True,
        )

    def lock_probe(self, account_pk: int, samples: list):
        """Every PROBE_INTERVAL_S: lock the slow wallet's ledger row in a transaction of a raw connection of our
        own, and note how long that took (a payment holding the row while it waits would make it wait), and on
        PostgreSQL how many backends of the wallet's database sat idle in a transaction for more than 0.5 s."""
        idle_sql = (
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state IN ('idle in transaction', 'idle in transaction (aborted)') "
            "AND now() - state_change > interval '0.5 seconds'"
        )

        def probe(stop: threading.Event) -> None:
            plain = lb.PlainConnection(self.runner.plain_db)  # opened here: the workers are forked already
            try:
                while not stop.wait(PROBE_INTERVAL_S):
                    began = time.perf_counter()
                    plain.execute(plain.begin)
                    # SQLite: BEGIN IMMEDIATE is the write lock; PostgreSQL: the row lock a posting takes
                    lock = PROBE_LOCK + (" FOR UPDATE" if plain.vendor == "postgresql" else "")
                    plain.execute(lock, (account_pk,)).fetchone()
                    plain.execute("COMMIT")
                    waited = time.perf_counter() - began
                    idle = plain.execute(idle_sql).fetchone()[0] if plain.vendor == "postgresql" else None
                    samples.append((waited, idle))
            finally:
                plain.close()

        return probe

    def row_slow(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        from services.models import ProviderExchange

        args = self.args
        others = args.workers - 1
        self.settings.PROVIDER_ADAPTERS = {}
        out = StringIO()
        call_command("provider_fault", SLOW_CODE, "slow", "--delay", f"{args.slow_delay:g}", stdout=out)
        print(f"#   {out.getvalue().strip()} (the wallet's provider_fault command, over СОЧИ's fault endpoint)")
        alone_rates, with_rates, slow_steps, observations, probes = [], [], [], [], []
        slow_targets = []
        for _ in range(args.repeat):
            plans = self.plans(self.service, others, args.payments, next(self.run_ids))
            alone = run_workers(plans)
            self.check_rows("slow-provider alone", plans, alone)
            self.check_states("slow-provider alone", alone)
            alone_rates.append(alone.rate)
            run_id = next(self.run_ids)
            plans = self.plans(self.service, others, args.payments, run_id)
            # Funded for far more calls than it can make at one per timeout.
            slow, target = self.slow_plan(others, run_id, calls=int(alone.seconds * 4 / args.timeout) + 10)
            slow_targets.append(target)
            samples: list = []
            both = run_workers([*plans, slow], during=self.lock_probe(target.wallet_account_pk, samples))
            self.check_rows("slow-provider with slow", [*plans, slow], both)
            self.check_states("slow-provider with slow", both, slow=True)
            with_rates.append(both.rate)
            slow_steps += both.loop_latencies
            observations += both.observations
            probes += samples
        alone, together = statistics.median(alone_rates), statistics.median(with_rates)
        ratio = together / alone
        step_limit = args.timeout + args.margin
        p99 = hb.percentile(slow_steps, 99)
        print(
            f"{self.database} slow-provider: others payments/s={together:.1f} (alone {alone:.1f}) ratio={ratio:.2f} "
            f"target>={TARGET_RATIO} {'PASS' if ratio >= TARGET_RATIO else 'MISS'}; slow step "
            f"p50={ms(hb.percentile(slow_steps, 50))} p99={ms(p99)} (timeout {args.timeout:g} s, target "
            f"p99<={step_limit:g} s: {'PASS' if p99 <= step_limit else 'MISS'})",
            flush=True,
        )
        print(
            f"#   runs: alone {' '.join(f'{r:.1f}' for r in alone_rates)}; with the slow provider "
            f"{' '.join(f'{r:.1f}' for r in with_rates)} payments/s; {others} other worker(s), {len(slow_steps)} "
            f"slow payment(s) ({args.slow_delay:g} s at СОЧИ), each left «в обработке» after the timeout",
            flush=True,
        )
        waited = list(
            ProviderExchange.objects.filter(provider__code=SLOW_CODE, command="pay").values_list(
                "duration_ms", flat=True
            )
        )
        print(
            f"#   of the slow step, waiting for СОЧИ (its pay calls as ProviderExchange records them, with the new "
            f"httpx client): p50 {hb.percentile(waited, 50):.0f}ms p99 {hb.percentile(waited, 99):.0f}ms; the rest "
            "is the reserve and the deferral (our own database work)",
            flush=True,
        )
        self.report_holding(observations, probes)
        self.check_books("slow-provider (payments in progress)")
        self.finish_slow(slow_targets)

    def report_holding(self, observations: list, probes: list) -> None:
        from django.db import connection

        atomic = sum(1 for o in observations if o["atomic"])
        held = sum(1 for o in observations if o["held"])
        if connection.vendor == "postgresql":
            connection_text = f"Django's connection given back to the pool in {len(observations) - held}"
        else:
            connection_text = f"SQLite connection kept (no pool, by design) in {held}"
        print(
            f"#   slow worker at its {len(observations)} provider call(s): inside a transaction {atomic}; "
            f"{connection_text} of {len(observations)}",
            flush=True,
        )
        if atomic or (connection.vendor == "postgresql" and held):
            self.failures.append("the slow payment held a transaction or a connection while it waited")
        if probes:
            waits = [w for w, _ in probes]
            limit = self.args.timeout / 2
            blocked = sum(1 for w in waits if w > limit)
            idle = [i for _, i in probes if i is not None]
            idle_text = f"; backends idle in a transaction > 0.5 s: max {max(idle)} over the samples" if idle else ""
            print(
                f"#   lock probe on the slow wallet's ledger row while its payments waited: {len(waits)} locks, "
                f"p50 {ms(hb.percentile(waits, 50))}, max {ms(max(waits))}, {blocked} longer than {limit:g} s"
                f"{idle_text}",
                flush=True,
            )
            if blocked or any(idle):
                self.failures.append("the slow wallet's row or a transaction was held while the provider waited")
        else:
            print("#   lock probe: no sample (the runs were shorter than the probe interval)", flush=True)

    def finish_slow(self, slow_targets) -> None:
        """The payments the slow runs left in progress: set the slow СОЧИ back to normal once its last delayed call
        has been answered, let process_payments finish them (same txn_id: credited once), check the books again."""
        from io import StringIO

        from django.core.management import call_command

        from services.models import Payment, PaymentStatus

        time.sleep(self.args.slow_delay + 0.5)
        call_command("provider_fault", SLOW_CODE, "normal", stdout=StringIO())
        pending = Payment.objects.filter(status=PaymentStatus.RESERVED)
        before = pending.count()
        for _ in range(FINISH_ROUNDS):
            if not pending.exists():
                break
            call_command("process_payments", "--all", stdout=StringIO())
        wallets = [t.wallet_pk for t in slow_targets]
        states = Counter(Payment.objects.filter(wallet_id__in=wallets).values_list("status", flat=True))
        print(
            f"#   slow provider back to normal; process_payments --all finished {before} payment(s) in progress: "
            f"the slow wallets' payments are now {dict(states)}",
            flush=True,
        )
        if pending.exists():
            self.failures.append(f"{pending.count()} payment(s) still in progress after process_payments --all")
        self.check_books("process_payments")

    def reconcile(self) -> dict:
        from django.db.models import Count, Sum
        from django.utils import timezone

        from services.models import Payment, PaymentStatus
        from services.reconciliation import CONSISTENT, reconcile

        committed, count = {}, {}
        in_process = set(Payment.objects.filter(wallet_id__in=self.in_process_wallets).values_list("code", flat=True))
        for code in (SERVICE_SLUG, SLOW_CODE):
            payments = Payment.objects.filter(service__provider__code=code).exclude(code__in=in_process)
            days = sorted({timezone.localdate(moment) for moment in payments.values_list("created_at", flat=True)})
            counts: Counter = Counter()
            for day in days:
                result = reconcile(provider_code=code, day=day)
                lines = [line for line in result.lines if line.txn_id not in in_process]
                counts.update(line.match for line in lines)
                bad = [line for line in lines if line.match not in CONSISTENT]
                if bad:
                    self.failures.append(f"reconcile {code} {day}: {len(bad)} mismatch(es); first: {bad[:3]}")
            totals = payments.filter(status=PaymentStatus.COMMITTED).aggregate(n=Count("id"), s=Sum("amount"))
            committed[code], count[code] = str(totals["s"] or Decimal("0.00")), totals["n"]
            print(
                f"#   reconcile {code} ({', '.join(map(str, days))}): {dict(counts)}"
                + (f" (and {len(in_process)} in-process payments, never sent)" if code == SERVICE_SLUG else ""),
                flush=True,
            )
        return {"committed": committed, "count": count}

    def wait_for_sochi(self) -> None:
        """The parent starts both СОЧИ while this process migrates; any HTTP answer means one is up."""
        import httpx
        from django.conf import settings

        deadline = time.monotonic() + SOCHI_WAIT_S
        for code in (SERVICE_SLUG, SLOW_CODE):
            url = settings.OSMP_ENDPOINTS[code]["URL"]
            while True:
                try:
                    httpx.get(url, timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise HarnessError(f"СОЧИ at {url} did not answer within {SOCHI_WAIT_S} s") from None
                    time.sleep(0.2)

    def run(self) -> int:
        if "paths" in self.args.rows:
            self.row_paths()
        if "slow" in self.args.rows:
            self.row_slow()
        totals = self.reconcile()
        for failure in self.failures:
            print(f"# {self.database}: PROBLEM: {failure}", flush=True)
        print(RESULT_MARKER + json.dumps(totals), flush=True)
        return 1 if self.failures else 0


def main_child(args) -> int:
    import django

    signal.signal(signal.SIGTERM, _terminate)  # the parent's terminate(): stop the workers, then exit
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    print(f"# {args.child}: {lb._server_version()}, django {django.get_version()}", flush=True)
    try:
        return Child(args).run()
    except HarnessError as exc:
        print(f"# {args.child}: HARNESS FAILED: {exc}", flush=True)
        return 1


def main(argv=None) -> int:
    args = parse_args(argv)
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
