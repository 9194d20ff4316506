#!/usr/bin/env python
"""Payments per second: services.payments.payment_execute against the same unit of work in plain SQL.

For every database (a throw-away SQLite file, a throw-away PostgreSQL database) and every worker count it
runs N payments of 30.00 som to DosTek group through `payment_execute` ("project"), then N payments as
hand-written SQL that writes the same rows ("plain", the floor), and prints one line per case:

    <sqlite|postgres> workers=<n> project=<x>/s plain=<y>/s ratio=<x/y>

Lines starting with '#' are comments (machine, versions, invariant problems). Run from the project root:

    .venv/bin/python bench/ledger_bench.py                     # 400 payments, workers 1,4, sqlite+postgres
    .venv/bin/python bench/ledger_bench.py --payments 2000 --workers 1,2,4 --databases postgres

It never touches the developer's databases: SQLite runs in a file under a temporary directory, PostgreSQL
in a database `elsom_bench_<pid>` created through --pg-url (default postgres://postgres@127.0.0.1:5432/test)
and dropped at the end. The script re-runs itself once per database (internal option --child) so that each
child configures Django once, with DATABASE_URL pointing at the throw-away database.

Workers are threads of one process (or, with --mode processes, forked processes like gunicorn's sync
workers), each with its own database connection and its own funded wallet, so that 4 workers measure
throughput rather than queueing on one wallet's lock. They all pay the same service, so they all credit
(and lock) the same provider settlement account, as real traffic does. Each run alternates project and
plain on fresh wallets; the median of --repeat runs is printed. After each case the books invariants
(services.verify.books_violations) are checked and any violation is printed as a '#' line.
"""

import argparse
import hashlib
import os
import platform
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test"
AMOUNT = Decimal("30.00")
PAYER_ACCOUNT = "01234567890123"  # a company INN: DosTek's account rule is payer_inn
SERVICE_SLUG = "dostek"
CHANNEL = "web"
CASH_IN_CHUNK = Decimal("500000.00")  # the kicb-branch limit per operation
DATABASES = ("sqlite", "postgres")


# --- Command line ------------------------------------------------------------------------------------------


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("worker counts must be integers >= 1")
    return values


def _db_list(text: str) -> list[str]:
    values = [part.strip() for part in text.split(",") if part.strip()]
    unknown = [v for v in values if v not in DATABASES]
    if not values or unknown:
        raise argparse.ArgumentTypeError(f"databases are a comma-separated subset of {','.join(DATABASES)}")
    return values


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ledger_bench.py",
        description="Payments/s through payment_execute ('project') versus the same rows written by plain SQL "
        "('plain'), on SQLite and PostgreSQL, with 1 and more concurrent workers.",
        epilog="Output: one line per case, '<db> workers=<n> project=<x>/s plain=<y>/s ratio=<x/y>'; "
        "lines starting with '#' are comments.",
    )
    parser.add_argument(
        "--payments",
        type=int,
        default=400,
        metavar="N",
        help="payments per measured run, split evenly over the workers (default 400)",
    )
    parser.add_argument(
        "--workers",
        type=_int_list,
        default=[1, 4],
        metavar="LIST",
        help="comma-separated concurrent worker counts (default 1,4)",
    )
    parser.add_argument(
        "--databases",
        type=_db_list,
        default=list(DATABASES),
        metavar="LIST",
        help="comma-separated subset of sqlite,postgres (default both; postgres is skipped "
        "with a note when it is unreachable)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        metavar="R",
        help="measured runs per variant and case, alternating project and plain; the median is printed (default 3)",
    )
    parser.add_argument(
        "--warmup", type=int, default=10, metavar="W", help="untimed payments per worker before each run (default 10)"
    )
    parser.add_argument(
        "--mode",
        choices=("threads", "processes"),
        default="threads",
        help="run the workers as threads of one process (default; they share the GIL) or as "
        "forked processes, like gunicorn's sync workers",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL server to create the throw-away database on; the database named in "
        f"the URL is only used to CREATE/DROP it (default $BENCH_PG_URL or {DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="skip the books invariant check (services.verify.books_violations) after each case",
    )
    parser.add_argument("--child", choices=DATABASES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.payments < 1 or args.repeat < 1 or args.warmup < 0:
        parser.error("--payments and --repeat must be >= 1, --warmup >= 0")
    if args.payments < max(args.workers):
        parser.error("--payments must be at least the largest worker count")
    return args


# --- Parent: one child process per database ----------------------------------------------------------------


def _child_command(args: argparse.Namespace, database: str) -> list[str]:
    return [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        database,
        "--payments",
        str(args.payments),
        "--workers",
        ",".join(map(str, args.workers)),
        "--repeat",
        str(args.repeat),
        "--warmup",
        str(args.warmup),
        "--mode",
        args.mode,
    ] + (["--no-verify"] if args.no_verify else [])


def _run_child(args: argparse.Namespace, database: str, database_url: str) -> int:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            # Production-like: DEBUG on would wrap every cursor to record its queries (about 10% more CPU per
            # payment); DEBUG off needs a SECRET_KEY, so the child gets a throw-away one.
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_SETTINGS_MODULE": "elsom_portal.settings",
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        }
    )
    sys.stdout.flush()
    return subprocess.run(_child_command(args, database), env=env, cwd=ROOT).returncode


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _bench_sqlite(args: argparse.Namespace) -> int:
    directory = tempfile.mkdtemp(prefix="elsom_bench_")
    try:
        return _run_child(args, "sqlite", f"sqlite:///{Path(directory) / 'bench.sqlite3'}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _bench_postgres(args: argparse.Namespace) -> int:
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        print("# postgres: skipped, psycopg is not installed")
        return 0
    name = f"elsom_bench_{os.getpid()}"
    try:
        admin = psycopg.connect(args.pg_url, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        print(f"# postgres: skipped, {args.pg_url} is unreachable: {str(exc).strip().splitlines()[0]}")
        return 0
    with admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            return _run_child(args, "postgres", _with_database(args.pg_url, name))
        finally:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def main_parent(args: argparse.Namespace) -> int:
    print(
        f"# elsom-portal ledger bench: {args.payments} payments of {AMOUNT} som to {SERVICE_SLUG} per run, "
        f"workers={','.join(map(str, args.workers))}, median of {args.repeat} run(s), "
        f"warm-up {args.warmup}/worker; workers are {args.mode}, one wallet each"
    )
    print(f"# python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPU(s)")
    failed = 0
    for database in args.databases:
        runner = _bench_sqlite if database == "sqlite" else _bench_postgres
        status = runner(args)
        if status != 0:
            print(f"# {database}: benchmark failed (exit status {status})")
            failed += 1
    return 1 if failed else 0


# --- Child: Django is configured for one throw-away database -------------------------------------------------


@dataclass
class Target:
    """What a worker needs to pay: its wallet and the service (loaded once, as a web view would)."""

    wallet_pk: int
    wallet_account_pk: int
    phone: str


class Runner:
    """Creates funded wallets and runs timed payments in worker threads or processes."""

    def __init__(self, database: str, warmup: int, mode: str = "threads") -> None:
        from django.db import connection

        from services.models import Service

        self.database = database
        self.warmup = warmup
        self.mode = mode
        self.vendor = connection.vendor
        self.phones = iter(range(100000, 1000000))
        self.run_ids = iter(range(1, 10**9))
        service = Service.objects.select_related("provider__settlement_account", "category").get(slug=SERVICE_SLUG)
        self.service_pk = service.pk
        self.provider_account_pk = service.provider.settlement_account_id
        self.commission = service.commission_for(AMOUNT)
        self.fees_account_pk = None
        if self.commission > 0:
            from services.payments import fees_account

            self.fees_account_pk = fees_account().pk

    # - setup -

    def make_targets(self, workers: int, per_worker: int) -> list[Target]:
        from wallet.operations import cash_in, wallet_register

        targets = []
        need = (AMOUNT + self.commission) * (per_worker + self.warmup)
        for _ in range(workers):
            wallet, _pin = wallet_register(
                phone=f"+996555{next(self.phones):06d}",
                full_name="Айгуль Асанова",
                inn="12505199000123",
                channel="branch",
                pin="2580",
            )
            funded = Decimal("0")
            while funded < need:
                chunk = min(CASH_IN_CHUNK, need - funded)
                cash_in(wallet=wallet, amount=chunk, channel="kicb-branch")
                funded += chunk
            targets.append(Target(wallet_pk=wallet.pk, wallet_account_pk=wallet.ledger_account_id, phone=wallet.phone))
        return targets

    # - the two variants of one payment -

    def project_worker(self, target: Target):
        """Returns pay(key) for this worker: payment_execute, with the service and the wallet loaded once by
        the worker (as a view loads them once per request)."""
        from services.models import Service
        from services.payments import payment_execute
        from wallet.models import Wallet

        service = Service.objects.select_related("provider__settlement_account", "category").get(pk=self.service_pk)
        wallet = Wallet.objects.select_related("ledger_account").get(pk=target.wallet_pk)

        def pay(key: str) -> None:
            payment_execute(
                wallet=wallet,
                service=service,
                account=PAYER_ACCOUNT,
                amount=AMOUNT,
                idempotency_key=key,
                channel=CHANNEL,
            )

        return pay

    def plain_worker(self, target: Target):
        """Returns pay(key) for this worker: the floor. One transaction of hand-written SQL, in the order the
        issue gives (lock the wallet, update balances, insert payment, transfers and SMS row), that leaves
        the rows payment_execute leaves: the wallet and provider (and fee) balances, a payment posting with
        its transfers, a committed payment and a queued payment SMS, with the same keys, fingerprints, codes
        and text. Only the debited wallet is locked (SELECT ... FOR UPDATE; SQLite's BEGIN IMMEDIATE holds
        the write lock); the credit accounts are changed by relative UPDATEs, which lock their rows until
        COMMIT."""
        from django.db import connection, transaction
        from django.utils import timezone

        from core.money import format_som, from_tyiyn, to_tyiyn
        from ledger.models import LedgerAccount, Posting, Transfer
        from services.models import Payment
        from sms.models import SmsMessage

        accounts_t = LedgerAccount._meta.db_table
        for_update = " FOR UPDATE" if connection.features.has_select_for_update else ""
        lock_sql = f"SELECT balance FROM {accounts_t} WHERE id = %s{for_update}"
        debit_sql = f"UPDATE {accounts_t} SET balance = balance - %s WHERE id = %s AND balance >= %s"
        credit_sql = f"UPDATE {accounts_t} SET balance = balance + %s WHERE id = %s"
        posting_sql = (
            f"INSERT INTO {Posting._meta.db_table} "
            "(idempotency_key, fingerprint, kind, reference, reversal_of_id, created_at) "
            "VALUES (%s, %s, 'payment', %s, NULL, %s) RETURNING id"
        )

        amount = to_tyiyn(AMOUNT)
        commission = to_tyiyn(self.commission)
        total = amount + commission
        wallet_acc, provider_acc = target.wallet_account_pk, self.provider_account_pk
        fees_acc = self.fees_account_pk
        legs = [(wallet_acc, provider_acc, amount, "payment")]
        if commission:
            legs.append((wallet_acc, fees_acc, commission, "commission"))
        transfer_sql = (
            f"INSERT INTO {Transfer._meta.db_table} "
            "(posting_id, idempotency_key, debit_account_id, credit_account_id, amount, kind, created_at) "
            "VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(legs))
        )
        payment_sql = (
            f"INSERT INTO {Payment._meta.db_table} "
            "(code, wallet_id, service_id, account, amount, commission, total, channel, idempotency_key, "
            "fingerprint, status, posting_id, provider_txn_id, balance_after, created_at, committed_at, "
            "updated_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 'committed', %s, %s, %s, %s, %s, %s) RETURNING id"
        )
        sms_sql = (
            f"INSERT INTO {SmsMessage._meta.db_table} "
            "(phone, text, kind, status, attempts, next_attempt_at, claimed_by, claimed_at, last_error, "
            "payment_id, created_at, sent_at) "
            "VALUES (%s, %s, 'payment', 'queued', 0, %s, '', NULL, '', %s, %s, NULL)"
        )
        sms_template = (
            "Платеж {amount} сом в DosTek group (счет {account}) принят, код {code}. "
            "Комиссия {commission} сом. Баланс: {balance} сом."
        )
        codes = dict(
            LedgerAccount.objects.filter(pk__in=[a for leg in legs for a in leg[:2]]).values_list("pk", "code")
        )
        leg_text = [f"{codes[debit]}>{codes[credit]}:{tyiyn}:{kind}" for debit, credit, tyiyn, kind in legs]
        adapt_dt = connection.ops.adapt_datetimefield_value
        service_pk, wallet_pk, phone = self.service_pk, target.wallet_pk, target.phone
        payment_canonical = f"{wallet_pk}|{service_pk}|{PAYER_ACCOUNT}|{amount}|{CHANNEL}".encode()

        def pay(key: str) -> None:
            now = adapt_dt(timezone.now())
            payment_fp = hashlib.sha256(payment_canonical).hexdigest()
            code = f"{secrets.randbelow(9 * 10**11) + 10**11}"
            posting_key, reference = f"payment:{key}", f"payment:{code}"
            posting_fp = hashlib.sha256("|".join(["payment", reference, *leg_text]).encode()).hexdigest()
            with transaction.atomic(durable=True), connection.cursor() as cursor:
                cursor.execute(lock_sql, [wallet_acc])
                balance = cursor.fetchone()[0]
                if balance < total:
                    raise RuntimeError("insufficient funds in a benchmark wallet")
                cursor.execute(debit_sql, [total, wallet_acc, total])
                if cursor.rowcount != 1:
                    raise RuntimeError("insufficient funds in a benchmark wallet")
                cursor.execute(credit_sql, [amount, provider_acc])
                if commission:
                    cursor.execute(credit_sql, [commission, fees_acc])
                cursor.execute(posting_sql, [posting_key, posting_fp, reference, now])
                posting_id = cursor.fetchone()[0]
                params = []
                for index, (debit, credit, tyiyn, kind) in enumerate(legs):
                    params += [posting_id, f"{posting_key}#{index}", debit, credit, tyiyn, kind, now]
                cursor.execute(transfer_sql, params)
                balance_after = balance - total
                cursor.execute(
                    payment_sql,
                    [
                        code,
                        wallet_pk,
                        service_pk,
                        PAYER_ACCOUNT,
                        amount,
                        commission,
                        total,
                        CHANNEL,
                        key,
                        payment_fp,
                        posting_id,
                        f"DOSTEK-{secrets.token_hex(6).upper()}",
                        balance_after,
                        now,
                        now,
                        now,
                    ],
                )
                payment_id = cursor.fetchone()[0]
                text = sms_template.format(
                    amount=format_som(AMOUNT),
                    account=PAYER_ACCOUNT,
                    code=code,
                    commission=format_som(from_tyiyn(commission)),
                    balance=format_som(from_tyiyn(balance_after)),
                )
                cursor.execute(sms_sql, [phone, text, now, payment_id, now])

        return pay

    # - timing -

    def run(self, variant: str, workers: int, payments: int) -> float:
        """Time `payments` payments split over `workers` threads (or processes); returns payments per second.
        The clock starts when every worker has connected, loaded its objects and made its warm-up payments,
        and stops when the last worker has committed its last payment."""
        counts = [payments // workers + (1 if i < payments % workers else 0) for i in range(workers)]
        targets = self.make_targets(workers, max(counts))
        run_id = next(self.run_ids)
        make_pay = self.project_worker if variant == "project" else self.plain_worker

        def work(index: int, start, report) -> None:
            from django.db import connection

            try:
                pay = make_pay(targets[index])
                prefix = f"bench-{run_id}-{variant}-{index}"
                for i in range(self.warmup):
                    pay(f"{prefix}-warm-{i}")
                start.wait()
                for i in range(counts[index]):
                    pay(f"{prefix}-{i}")
                report(index, time.perf_counter(), None)
            except BaseException as exc:  # reported by the main thread
                start.abort()
                report(index, None, f"{type(exc).__name__}: {exc}")
            finally:
                connection.close()

        runner = self._run_processes if self.mode == "processes" else self._run_threads
        began, finished, errors = runner(work, workers)
        if errors:
            raise RuntimeError(f"{variant} worker failed: {errors[0]}")
        self._check_counts(targets, counts)
        return payments / (max(finished) - began)

    @staticmethod
    def _run_threads(work, workers: int):
        start = threading.Barrier(workers + 1)
        finished: list[float] = []
        errors: list[str] = []

        def report(index, when, error):
            (errors.append(error) if error else finished.append(when))

        threads = [
            threading.Thread(target=work, args=(i, start, report), name=f"bench-worker-{i}") for i in range(workers)
        ]
        for thread in threads:
            thread.start()
        try:
            start.wait()
        except threading.BrokenBarrierError:
            pass
        began = time.perf_counter()
        for thread in threads:
            thread.join()
        return began, finished, errors

    @staticmethod
    def _run_processes(work, workers: int):
        """Forked workers (like gunicorn's sync workers): no shared GIL. Connections are closed before the
        fork so that every process opens its own. time.perf_counter is system-wide on Linux."""
        import multiprocessing
        import queue

        from django.db import connections

        connections.close_all()
        context = multiprocessing.get_context("fork")
        start = context.Barrier(workers + 1)
        results = context.Queue()

        def report(index, when, error):
            results.put((index, when, error))

        processes = [context.Process(target=work, args=(i, start, report)) for i in range(workers)]
        for process in processes:
            process.start()
        try:
            start.wait()
        except threading.BrokenBarrierError:
            pass
        began = time.perf_counter()
        finished: list[float] = []
        errors: list[str] = []
        while len(finished) + len(errors) < workers:
            try:
                _index, when, error = results.get(timeout=1)
            except queue.Empty:
                if not any(process.is_alive() for process in processes) and results.empty():
                    errors.append("a worker process died without reporting")
                    break
                continue
            (errors.append(error) if error else finished.append(when))
        for process in processes:
            process.join()
        return began, finished, errors

    def _check_counts(self, targets: list[Target], counts: list[int]) -> None:
        from services.models import Payment, PaymentStatus

        for target, count in zip(targets, counts, strict=True):
            made = Payment.objects.filter(wallet_id=target.wallet_pk, status=PaymentStatus.COMMITTED).count()
            if made != count + self.warmup:
                raise RuntimeError(f"wallet {target.phone}: {made} committed payments, expected {count + self.warmup}")


def _server_version() -> str:
    import sqlite3

    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version} (WAL, synchronous=NORMAL, BEGIN IMMEDIATE)"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    return f"PostgreSQL {version} (synchronous_commit={sync}), psycopg {connection.Database.__version__}"


def main_child(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    database = args.child
    call_command("migrate", verbosity=0)
    print(f"# {database}: {_server_version()}, django {django.get_version()}", flush=True)
    runner = Runner(database, args.warmup, args.mode)
    verify = None
    if not args.no_verify:
        from services.verify import books_violations as verify
    status = 0
    for workers in args.workers:
        rates: dict[str, list[float]] = {"project": [], "plain": []}
        for _ in range(args.repeat):
            for variant in ("project", "plain"):
                rates[variant].append(runner.run(variant, workers, args.payments))
        connection.close()
        project, plain = statistics.median(rates["project"]), statistics.median(rates["plain"])
        print(
            f"{database} workers={workers} project={project:.1f}/s plain={plain:.1f}/s ratio={project / plain:.2f}",
            flush=True,
        )
        if args.repeat > 1:
            print(
                f"#   runs: project {' '.join(f'{r:.1f}' for r in rates['project'])}; "
                f"plain {' '.join(f'{r:.1f}' for r in rates['plain'])}",
                flush=True,
            )
        if verify is not None:
            violations = verify()
            if violations:
                status = 1
                print(
                    f"# {database} workers={workers}: {len(violations)} books violation(s), first: {violations[0]}",
                    flush=True,
                )
            else:
                print(f"#   books: no violations after {workers}-worker runs", flush=True)
    return status


def main(argv=None) -> int:
    args = parse_args(argv)
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
