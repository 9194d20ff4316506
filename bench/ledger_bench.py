#!/usr/bin/env python
"""Payments per second: services.payments.payment_execute against the same unit of work in plain SQL.

For every database (a throw-away SQLite file, a throw-away PostgreSQL database) and every worker count it
runs N payments of 30.00 som to DosTek group through `payment_execute` ("project"), then N payments as
hand-written SQL: the same two transactions (reserve, then commit after the provider's answer) with the same
statements in the same order ("plain", the floor), and prints one line per case:

    <sqlite|postgres> workers=<n> project=<x>/s plain=<y>/s ceiling=<c>/s unshared=<u>/s hordak=<h>/s

(fields absent when not run). "ceiling" (--ceiling) is plain's statements through Django's own connection and
atomic(): what any Django code can reach. "unshared" (on unless --no-unshared) is plain's statements with the
posting trigger swapped for one that moves the wallet's balance and appends the legs but moves no system
account's balance (they are rolled up after the run, untimed, so the books stay exact): the floor of this payment
when no row is shared between payments, the physical limit on this machine. "hordak" (--peer hordak, PostgreSQL
only) is the same payment written as a django-hordak user would write it, in its own virtual environment and its
own throw-away database (bench/ledger_peer_hordak.py), with its cost as a wallet's history grows.

Lines starting with '#' are comments (machine, versions, invariant problems). Run from the project root:

    .venv/bin/python bench/ledger_bench.py                     # 400 payments, workers 1,4,16,32, sqlite+postgres
    .venv/bin/python bench/ledger_bench.py --payments 2000 --workers 1,2,4 --databases postgres
    .venv/bin/python bench/ledger_bench.py --databases postgres --ceiling --peer hordak

It never touches the developer's databases: SQLite runs in a file under a temporary directory, PostgreSQL
in a database `elsom_bench_<pid>` created through --pg-url (default postgres://postgres@127.0.0.1:5432/test)
and dropped at the end. The script re-runs itself once per database (internal option --child) so that each
child configures Django once, with DATABASE_URL pointing at the throw-away database.

The "plain" side always runs as separate processes (forked), each with its own raw psycopg or sqlite3
connection and no Django on its path: a floor that is not held back by the GIL. The "project" side runs as
forked processes too by default (each calling payment_execute through its own Django connection, as gunicorn's
sync workers would); --mode threads runs it as threads of one process instead (sharing the GIL). Each worker has
its own funded wallet, so that 4 workers measure throughput rather than queueing on one wallet's lock. They all
pay the same service, so they all credit the same provider settlement account, as real traffic does. Each run
alternates project and plain on fresh wallets; the median of --repeat runs is printed. After the first run the
rows one plain payment wrote are compared with the rows one project payment wrote (the payment, its reserve and
settle postings with their legs and the transfers the ledger's trigger wrote, the SMS, provider exchanges, the
wallet's lock: every column, keys, fingerprints and text); after each case the books invariants
(services.verify.books_violations) are checked. Any difference or violation is printed and makes the exit
status 1.

DosTek answers in process (PROVIDER_ADAPTERS=dostek=services.providers.AcceptAllProvider): the bench measures our
side of a payment, not a provider's network.
"""

import argparse
import hashlib
import json
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
from datetime import UTC, datetime, timedelta
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
PEERS = ("hordak",)
DEFAULT_WORKERS = [1, 4, 16, 32]
HISTORY_SIZES = [0, 1000, 10000]  # a wallet's earlier payments, for the cost of a payment as history grows
HISTORY_PAYMENTS = 200  # timed single-worker payments at each history size
# Issue 20, PostgreSQL: no collapse from 4 to 32 workers, near the floor without shared rows, twice a peer's speed.
TARGET_SCALE = 1.0  # project at 32 workers / project at 4
TARGET_UNSHARED = 0.6  # project / unshared at 32 workers
TARGET_PEER = 2.0  # project / hordak at every worker count


# --- Command line ------------------------------------------------------------------------------------------


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError("worker counts must be integers >= 1")
    return values


def _sizes(text: str) -> list[int]:
    if text.strip() == "none":
        return []
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers or 'none', got {text!r}") from exc
    if any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("history sizes are integers >= 0")
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
        default=DEFAULT_WORKERS,
        metavar="LIST",
        help="comma-separated concurrent worker counts (default 1,4,16,32)",
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
        choices=("gthread", "processes", "threads"),
        default="gthread",
        help="the project side: 'gthread' (default), as the project's gunicorn.conf.py serves: at most 2 processes "
        "per CPU, the workers spread over them as threads (32 workers on 2 CPUs: 4 processes of 8 threads; up to 4 "
        "workers it is one process each); 'processes', one forked process per worker, like gunicorn's sync "
        "workers; 'threads', threads of one process. The plain side always runs as processes",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help="PostgreSQL server to create the throw-away database on; the database named in "
        f"the URL is only used to CREATE/DROP it (default $BENCH_PG_URL or {DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--plain-binding",
        choices=("server", "client"),
        default="server",
        help="PostgreSQL parameter binding of the plain workers: 'server' (psycopg's default: bound on the "
        "server, statements prepared after 5 uses) or 'client' (psycopg.ClientCursor, what Django uses unless "
        "OPTIONS server_side_binding is set). Default server",
    )
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also run the plain statements through Django's own connection and transaction.atomic() (a third "
        "variant, printed as a '#   ceiling:' line): how much of the gap is Django's connection, not the project",
    )
    parser.add_argument(
        "--no-unshared",
        action="store_true",
        help="skip the floor without shared rows ('unshared': plain's statements, the posting trigger moving no "
        "system account's balance; rolled up after each run)",
    )
    parser.add_argument(
        "--peer",
        choices=PEERS,
        help="also run the same payment written with django-hordak (PostgreSQL only; the bench installs hordak into "
        "its own virtual environment under var/bench-venvs/, never into the project's), side by side at each "
        "worker count, and a payment's cost as a wallet's history grows (--history)",
    )
    parser.add_argument(
        "--history",
        type=_sizes,
        default=HISTORY_SIZES,
        metavar="LIST",
        help="with --peer: a wallet's history sizes (earlier payments) at which one worker's payments/s is timed, "
        "the project's and the peer's (default 0,1000,10000; 'none' skips it)",
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
    return (
        [
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
            "--plain-binding",
            args.plain_binding,
            "--pg-url",
            args.pg_url,
            "--history",
            ",".join(map(str, args.history)) or "none",
        ]
        + (["--no-verify"] if args.no_verify else [])
        + (["--ceiling"] if args.ceiling else [])
        + (["--no-unshared"] if args.no_unshared else [])
        + (["--peer", args.peer] if args.peer else [])
    )


def _run_child(args: argparse.Namespace, database: str, database_url: str) -> int:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            # Production-like: DEBUG on would wrap every cursor to record its queries (about 10% more CPU per
            # payment); DEBUG off needs a SECRET_KEY, so the child gets a throw-away one.
            "DEBUG": "0",
            "DEMO_MODE": "0",  # production refuses DEMO_MODE without DEBUG (a test run's environment has it on)
            "SECRET_KEY": secrets.token_urlsafe(50),
            "PIN_HASH_KEY": secrets.token_urlsafe(32),
            # The ledger's side only: DosTek answers in process (plain SQL calls no provider either).
            "PROVIDER_ADAPTERS": "dostek=services.providers.AcceptAllProvider",
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
        f"warm-up {args.warmup}/worker; project workers are {args.mode}, plain workers are processes "
        "(raw connections), one wallet each"
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
    """What a worker needs to pay: its wallet (the service is the same for every worker)."""

    wallet_pk: int
    wallet_account_pk: int
    phone: str


# --- Plain SQL: the floor ------------------------------------------------------------------------------------
#
# A plain worker is a forked process with its own raw sqlite3 / psycopg connection, opened with the project's
# own connection settings (SQLite PRAGMAs, busy timeout, BEGIN IMMEDIATE), and neither the ORM nor a Django
# connection (it is forked from the Django child, so it formats money with the project's own format_som).
# Everything that does not change between payments (ids, account codes, the legs, the SMS template) is worked
# out once by the parent with Django and handed over in a PlainSpec.
#
# One function per database transaction of the project's unit of work, with the statements payment_execute sends
# (captured with CaptureQueriesContext on SQLite and PostgreSQL) in the same order, so that the floor follows the
# project when payment_execute changes. A web payment is: the reserve (plain_tx_reserve: RESERVED, wallet ->
# hold), the provider's answer outside any transaction (the bench runs DosTek in process, AcceptAllProvider: no
# call, a transaction id), then the commit (plain_tx_commit: hold -> provider + fees, COMMITTED, SMS). A ledger
# posting is ONE insert with its legs as JSON: the trigger of ledger migration 0003 writes the transfers and moves
# the balances (the balance CHECK refuses a wallet going below zero), the same work on both sides.


@dataclass(frozen=True)
class PlainDb:
    """How a plain worker connects: the project's database and connection settings, without Django."""

    vendor: str  # "sqlite" or "postgresql"
    connect: dict  # sqlite3.connect / psycopg.connect keyword arguments
    init_statements: tuple[str, ...] = ()  # SQLite: the statements of the project's init_command
    client_binding: bool = False  # PostgreSQL: psycopg.ClientCursor instead of server-side binding


@dataclass(frozen=True)
class PlainSpec:
    """One wallet's payment as the project would write it, precomputed so that the worker only runs SQL."""

    wallet_pk: int
    wallet_account_pk: int
    phone: str
    service_pk: int
    account: str
    channel: str
    amount: int  # tyiyn
    commission: int
    reserve_legs: str  # the reserve posting's `legs` column, as ledger.posting._insert_posting writes it
    reserve_leg_text: tuple[str, ...]  # "<debit code>><credit code>:<tyiyn>:<kind>", as ledger.posting._fingerprint
    settle_legs: str  # the same for the settle posting (hold -> provider, and hold -> fees with a commission)
    settle_leg_text: tuple[str, ...]
    payment_fingerprint: str
    # A new payment's next_attempt_at - created_at (services.payments.schedule.first_retry_delay).
    first_retry_after: timedelta
    provider_code: str
    sms_template: str  # str.format with {code} and {balance}


class PlainConnection:
    """A raw DB-API connection in autocommit mode; transactions are explicit BEGIN / COMMIT statements, as
    Django's atomic() sends them (BEGIN IMMEDIATE on SQLite, as the project's transaction_mode)."""

    def __init__(self, db: PlainDb) -> None:
        self.vendor = db.vendor
        if db.vendor == "sqlite":
            import sqlite3

            self.conn = sqlite3.connect(**db.connect, isolation_level=None, check_same_thread=False)
            for statement in db.init_statements:
                self.conn.execute(statement)
            self.begin = "BEGIN IMMEDIATE"
        else:
            import psycopg

            factory = {"cursor_factory": psycopg.ClientCursor} if db.client_binding else {}
            self.conn = psycopg.connect(**db.connect, autocommit=True, **factory)
            self.begin = "BEGIN"
        self.cursor = self.conn.cursor()
        self._sql: dict[str, str] = {}

    def execute(self, sql: str, params=()):
        text = self._sql.get(sql)
        if text is None:
            text = self._sql[sql] = sql.replace("%s", "?") if self.vendor == "sqlite" else sql
        self.cursor.execute(text, params)
        return self.cursor

    def stamp(self, when: datetime):
        # What Django's adapt_datetimefield_value stores: SQLite gets naive UTC text, PostgreSQL an aware value.
        return str(when.replace(tzinfo=None)) if self.vendor == "sqlite" else when

    def close(self) -> None:
        self.conn.close()


class DjangoConnection:
    """The floor's statements through Django's own connection (--ceiling): BEGIN and COMMIT become
    transaction.atomic(durable=True), as the project's transactions are, the statements go through
    connection.cursor(). What is left between this and the project is the project's own Python."""

    def __init__(self, vendor: str) -> None:
        self.vendor = vendor
        self.begin = "BEGIN"
        self._atomic = None
        self.cursor = None

    def execute(self, sql: str, params=()):
        from django.db import connection, transaction

        if sql == self.begin:
            self._atomic = transaction.atomic(durable=True)
            self._atomic.__enter__()
            self.cursor = connection.cursor()
            return None
        if sql in ("COMMIT", "ROLLBACK"):
            atomic, self._atomic = self._atomic, None
            if sql == "COMMIT":
                atomic.__exit__(None, None, None)
            else:
                atomic.__exit__(PlainRefused, PlainRefused("rolled back"), None)
            return None
        self.cursor.execute(sql, params)
        return self.cursor

    def stamp(self, when: datetime):
        return PlainConnection.stamp(self, when)

    def close(self) -> None:
        from django.db import connection

        connection.close()


PLAIN_WALLET_LOCK = "UPDATE wallet_wallet SET updated_at = %s WHERE id = %s AND status = 'active'"
PLAIN_POSTING = (
    "INSERT INTO ledger_posting (idempotency_key, fingerprint, kind, reference, reversal_of_id, legs, created_at)"
    " VALUES (%s, %s, %s, %s, NULL, %s, %s) ON CONFLICT (idempotency_key) DO NOTHING RETURNING id"
)
PLAIN_PAYMENT_RESERVED = (
    "INSERT INTO services_payment (code, wallet_id, service_id, account, amount, commission, total, channel,"
    " idempotency_key, fingerprint, status, reserve_posting_id, provider_txn_id, account_holder, provider_comment,"
    " attempts, next_attempt_at, created_at, updated_at, balance_after) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s,"
    " %s, 'reserved', %s, '', '', '', 0, %s, %s, %s, (SELECT balance FROM ledger_ledgeraccount WHERE id = %s))"
    " RETURNING id, balance_after"
)
PLAIN_PAYMENT_COMMITTED = (
    "UPDATE services_payment SET status = 'committed', settle_posting_id = %s, provider_txn_id = %s,"
    " provider_result = NULL, provider_comment = '', attempts = attempts + 1, next_attempt_at = NULL,"
    " claimed_until = NULL, committed_at = %s, updated_at = %s WHERE id = %s AND status = 'reserved'"
)
PLAIN_SMS = (
    "INSERT INTO sms_smsmessage (phone, text, text_masked, kind, status, attempts, next_attempt_at, claimed_by,"
    " claimed_at, last_error, payment_id, resent_from_id, created_at, sent_at) VALUES (%s, %s, '', 'payment',"
    " 'queued', 0, %s, '', NULL, '', %s, NULL, %s, NULL) RETURNING id"
)
RESERVE_KIND, PAYMENT_KIND = "reserve", "payment"  # ledger.models.PostingKind, without Django in the worker


class PlainRefused(Exception):
    """A benchmark wallet could not pay (blocked, key taken, not reserved): the run is broken, not slow."""


@dataclass(frozen=True)
class PlainReserved:
    """What the reserve hands to the commit, as _payment_insert hands the Payment to payment_process."""

    payment_id: int
    code: str
    balance_after: int  # tyiyn, read inside the payment's INSERT


def _posting_fingerprint(kind: str, reference: str, leg_text: tuple[str, ...]) -> str:
    return hashlib.sha256("|".join([kind, reference, *leg_text]).encode()).hexdigest()


def plain_tx_reserve(conn: PlainConnection, spec: PlainSpec, key: str) -> PlainReserved:
    """services.payments.lifecycle.payment_reserve of a web payment (no PIN) in the same statements and order: lock
    the wallet's row while checking it is active (wallet_lock_active's UPDATE); the reserve posting wallet -> hold,
    one INSERT ... ON CONFLICT DO NOTHING RETURNING id (the trigger writes the transfer and the balances); the
    RESERVED payment, reading the wallet's balance after the reserve inside its INSERT; COMMIT."""
    now = datetime.now(UTC)
    stamp = conn.stamp(now)
    code = f"{secrets.randbelow(9 * 10**11) + 10**11}"
    posting_key = f"payment:{key}:reserve"
    reference = f"payment:{key}"[:128]
    fingerprint = _posting_fingerprint(RESERVE_KIND, reference, spec.reserve_leg_text)
    conn.execute(conn.begin)
    try:
        if conn.execute(PLAIN_WALLET_LOCK, [stamp, spec.wallet_pk]).rowcount != 1:
            raise PlainRefused(f"wallet {spec.phone} is not active")
        row = conn.execute(
            PLAIN_POSTING, [posting_key, fingerprint, RESERVE_KIND, reference, spec.reserve_legs, stamp]
        ).fetchone()
        if row is None:
            raise PlainRefused(f"posting key {posting_key} taken")
        payment_id, balance_after = conn.execute(
            PLAIN_PAYMENT_RESERVED,
            [
                code,
                spec.wallet_pk,
                spec.service_pk,
                spec.account,
                spec.amount,
                spec.commission,
                spec.amount + spec.commission,
                spec.channel,
                key,
                spec.payment_fingerprint,
                row[0],
                conn.stamp(now + spec.first_retry_after),
                stamp,
                stamp,
                spec.wallet_account_pk,
            ],
        ).fetchone()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return PlainReserved(payment_id=payment_id, code=code, balance_after=balance_after)


def plain_provider_pay(spec: PlainSpec) -> str:
    """services.providers.AcceptAllProvider.pay, the bench's DosTek: no call, no exchange row, its transaction id."""
    return f"{spec.provider_code.upper()}-{secrets.token_hex(6).upper()}"


def plain_tx_commit(
    conn: PlainConnection, spec: PlainSpec, key: str, reserved: PlainReserved, provider_txn_id: str
) -> None:
    """services.payments.lifecycle.payment_commit_in_transaction of an accepted payment without a provider exchange,
    in the same statements and order: the settle posting hold -> provider (and hold -> fees with a commission), one
    INSERT; the payment COMMITTED with the provider's transaction id (UPDATE ... WHERE status = 'reserved'); the
    queued payment SMS with the balance after the reserve; COMMIT. Its text is made before BEGIN, as the project's."""
    from core.money import format_som, from_tyiyn  # a pure function; imported once, then a dict look-up

    stamp = conn.stamp(datetime.now(UTC))
    posting_key = f"payment:{key}:settle"
    reference = f"payment:{reserved.code}"
    fingerprint = _posting_fingerprint(PAYMENT_KIND, reference, spec.settle_leg_text)
    text = spec.sms_template.format(code=reserved.code, balance=format_som(from_tyiyn(reserved.balance_after)))
    conn.execute(conn.begin)
    try:
        row = conn.execute(
            PLAIN_POSTING, [posting_key, fingerprint, PAYMENT_KIND, reference, spec.settle_legs, stamp]
        ).fetchone()
        if row is None:
            raise PlainRefused(f"posting key {posting_key} taken")
        if (
            conn.execute(PLAIN_PAYMENT_COMMITTED, [row[0], provider_txn_id, stamp, stamp, reserved.payment_id]).rowcount
            != 1
        ):
            raise PlainRefused(f"payment {reserved.code} is no longer reserved")
        conn.execute(PLAIN_SMS, [spec.phone, text, stamp, reserved.payment_id, stamp]).fetchone()
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def plain_pay(conn: PlainConnection, spec: PlainSpec, key: str) -> None:
    """One payment of the floor: the project's two transactions in turn, the provider's answer between them."""
    reserved = plain_tx_reserve(conn, spec, key)
    provider_txn_id = plain_provider_pay(spec)
    plain_tx_commit(conn, spec, key, reserved, provider_txn_id)


# --- The floor without shared rows -------------------------------------------------------------------------------
#
# The same statements as plain, with the posting trigger of ledger migration 0005 swapped, for the run, for one that
# writes the transfers and moves the wallet's balance but moves no system account's balance (no bucket row): the
# system accounts take appended legs only, so payments share no row at all. After the run the system accounts'
# buckets are rolled up from their transfers (untimed), so the books are exact again for the books check. The
# swapped trigger is cut out of the migration's own text, so it follows the real one.

BUCKETS_MIGRATION = "ledger.migrations.0005_system_balance_buckets"


def unshared_trigger_sql(vendor: str) -> str:
    """The posting trigger (SQLite) or its function (PostgreSQL) without the system accounts' bucket upsert."""
    import importlib
    import re

    migration = importlib.import_module(BUCKETS_MIGRATION)
    if vendor == "sqlite":
        text, pattern, replacement = (
            migration.SQLITE_APPLY,
            r"    INSERT INTO ledger_accountbucket.*?excluded\.balance;\n",
            "",
        )
    else:
        text = migration.POSTGRES_APPLY_FUNCTION
        pattern, replacement = r"INSERT INTO ledger_accountbucket.*?EXCLUDED\.balance;", "NULL;  -- appended legs only"
    swapped, found = re.subn(pattern, replacement, text, flags=re.S)
    if found != 1:
        raise RuntimeError(f"{BUCKETS_MIGRATION}: the bucket upsert of the {vendor} trigger is not where it was")
    return swapped


def _install_trigger(sql_text: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER IF EXISTS ledger_posting_apply")
        cursor.execute(sql_text)


def system_buckets_roll_up() -> int:
    """Bring every system account's buckets to credits - debits of its transfers (the difference goes into bucket 0):
    the background step the appended legs of the unshared floor would need. Returns how many accounts moved."""
    from django.db import transaction
    from django.db.models import F, Sum

    from core.money import to_tyiyn
    from ledger.models import AccountBucket, AccountKind, LedgerAccount, Transfer

    moved = 0
    with transaction.atomic():
        for account in LedgerAccount.objects.exclude(kind=AccountKind.WALLET).with_balance():
            credits = Transfer.objects.filter(credit_account=account).aggregate(s=Sum("amount"))["s"] or 0
            debits = Transfer.objects.filter(debit_account=account).aggregate(s=Sum("amount"))["s"] or 0
            difference = credits - debits - account.current_balance
            if difference:
                bucket, _created = AccountBucket.objects.get_or_create(account=account, bucket=0)
                # In tyiyn: the column's own unit (a Decimal beside F() would not go through MoneyField).
                AccountBucket.objects.filter(pk=bucket.pk).update(balance=F("balance") + to_tyiyn(difference))
                moved += 1
    return moved


class unshared_trigger:  # noqa: N801 - a context manager, used as `with unshared_trigger():`
    """The unshared floor's trigger for the duration of a run; the real one back and the buckets rolled up after."""

    def __enter__(self) -> None:
        from django.db import connection

        _install_trigger(unshared_trigger_sql(connection.vendor))

    def __exit__(self, *exc) -> None:
        import importlib

        from django.db import connection

        migration = importlib.import_module(BUCKETS_MIGRATION)
        real = migration.SQLITE_APPLY if connection.vendor == "sqlite" else migration.POSTGRES_APPLY_FUNCTION
        _install_trigger(real)
        system_buckets_roll_up()


# --- Runner ------------------------------------------------------------------------------------------------


class Runner:
    """Creates funded wallets and runs timed payments: the project in processes (or threads), plain in processes."""

    def __init__(self, database: str, warmup: int, mode: str = "processes", plain_binding: str = "server") -> None:
        from django.db import connection

        from services.models import Service

        self.database = database
        self.warmup = warmup
        self.mode = mode
        self.vendor = connection.vendor
        self.phones = iter(range(100000, 1000000))
        self.run_ids = iter(range(1, 10**9))
        self.last_targets: dict[str, list[Target]] = {}
        service = Service.objects.select_related("provider__settlement_account", "category").get(slug=SERVICE_SLUG)
        self.service_pk = service.pk
        self.provider_account_pk = service.provider.settlement_account_id
        self.commission = service.commission_for(AMOUNT)
        from services.payments import fees_account, hold_account

        self.hold_account_pk = hold_account().pk
        self.fees_account_pk = fees_account().pk if self.commission > 0 else None
        self.plain_db = self._plain_db(client_binding=plain_binding == "client")

    @staticmethod
    def _plain_db(*, client_binding: bool) -> PlainDb:
        from django.db import connection

        settings = connection.settings_dict
        if connection.vendor == "sqlite":
            options = settings.get("OPTIONS", {})
            init = tuple(part.strip() for part in options.get("init_command", "").split(";") if part.strip())
            return PlainDb("sqlite", {"database": str(settings["NAME"]), "timeout": options.get("timeout", 5)}, init)
        keys = {"NAME": "dbname", "USER": "user", "PASSWORD": "password", "HOST": "host", "PORT": "port"}
        connect = {arg: str(settings[k]) for k, arg in keys.items() if settings.get(k)}
        return PlainDb("postgresql", connect, client_binding=client_binding)

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

    def plain_spec(self, target: Target) -> PlainSpec:
        """Worked out with Django in the parent, from the project's own functions where they exist (the payment
        fingerprint, the first retry time, the SMS text), so that the plain rows are the project's rows."""
        from core.money import format_som, to_tyiyn
        from ledger.models import LedgerAccount, PostingKind
        from services.models import Payment, Service
        from services.payments import PaymentQuote, payment_sms_text
        from services.payments.drafts import payment_fingerprint
        from services.payments.schedule import first_retry_delay
        from wallet.models import Wallet

        service = Service.objects.select_related("provider", "category").get(pk=self.service_pk)
        wallet = Wallet.objects.get(pk=target.wallet_pk)
        amount, commission = to_tyiyn(AMOUNT), to_tyiyn(self.commission)
        # The legs of services.payments.lifecycle's payment_reserve and payment_commit_in_transaction.
        reserve = [(target.wallet_account_pk, self.hold_account_pk, amount + commission, PostingKind.RESERVE)]
        settle = [(self.hold_account_pk, self.provider_account_pk, amount, PostingKind.PAYMENT)]
        if commission:
            settle.append((self.hold_account_pk, self.fees_account_pk, commission, "commission"))
        codes = dict(
            LedgerAccount.objects.filter(pk__in={pk for leg in reserve + settle for pk in leg[:2]}).values_list(
                "pk", "code"
            )
        )

        def legs_column(legs) -> str:  # ledger.posting._insert_posting's JSON
            return json.dumps([[d, c, t, str(k)] for d, c, t, k in legs], separators=(",", ":"))

        def leg_text(legs) -> tuple[str, ...]:
            return tuple(f"{codes[d]}>{codes[c]}:{t}:{k}" for d, c, t, k in legs)

        total = AMOUNT + self.commission
        quote = PaymentQuote(
            service=service, account=PAYER_ACCOUNT, amount=AMOUNT, commission=self.commission, total=total
        )
        # The project's own SMS text with markers where the code and the balance go.
        probe_balance = Decimal("987654321.09")
        probe = Payment(
            code="\x00CODE\x00",
            wallet=wallet,
            service=service,
            account=PAYER_ACCOUNT,
            amount=AMOUNT,
            commission=self.commission,
            balance_after=probe_balance,
        )
        text = payment_sms_text(probe).replace("{", "{{").replace("}", "}}")
        balance_text = format_som(probe_balance)
        if text.count("\x00CODE\x00") != 1 or text.count(balance_text) != 1:
            raise RuntimeError("the payment SMS text no longer shows the code and the balance once each")
        template = text.replace("\x00CODE\x00", "{code}").replace(balance_text, "{balance}")
        return PlainSpec(
            wallet_pk=target.wallet_pk,
            wallet_account_pk=target.wallet_account_pk,
            phone=target.phone,
            service_pk=self.service_pk,
            account=PAYER_ACCOUNT,
            channel=CHANNEL,
            amount=amount,
            commission=commission,
            reserve_legs=legs_column(reserve),
            reserve_leg_text=leg_text(reserve),
            settle_legs=legs_column(settle),
            settle_leg_text=leg_text(settle),
            payment_fingerprint=payment_fingerprint(wallet=wallet, quote=quote, channel=CHANNEL),
            first_retry_after=first_retry_delay(service),
            provider_code=service.provider.code,
            sms_template=template,
        )

    # - the two variants of one payment -

    def project_worker(self, target: Target):
        """Returns (pay(key), close()) for this worker: payment_execute, with the service and the wallet loaded
        once by the worker (a view loads them once per request: two more queries, not counted)."""
        from django.db import connection

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

        return pay, connection.close

    def django_worker(self, spec: PlainSpec):
        """Returns (pay(key), close()) for this worker: the plain statements through Django's connection."""
        conn = DjangoConnection(self.vendor)
        return (lambda key: plain_pay(conn, spec, key)), conn.close

    def plain_worker(self, spec: PlainSpec):
        """Returns (pay(key), close()) for this worker: its own raw connection, opened in the worker process."""
        conn = PlainConnection(self.plain_db)
        return (lambda key: plain_pay(conn, spec, key)), conn.close

    # - timing -

    def run(self, variant: str, workers: int, payments: int) -> float:
        """Time `payments` payments split over `workers` processes (or, for the project with --mode threads,
        threads); returns payments per second. The clock starts when every worker has connected, loaded its
        objects and made its warm-up payments, and stops when the last worker has committed its last payment."""
        counts = [payments // workers + (1 if i < payments % workers else 0) for i in range(workers)]
        targets = self.make_targets(workers, max(counts))
        specs = [self.plain_spec(target) for target in targets] if variant in ("plain", "django", "unshared") else []
        run_id = next(self.run_ids)
        self.settle_database()

        def work(index: int, start, report) -> None:
            close = None
            try:
                if variant in ("plain", "unshared"):
                    pay, close = self.plain_worker(specs[index])
                elif variant == "django":
                    pay, close = self.django_worker(specs[index])
                else:
                    pay, close = self.project_worker(targets[index])
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
                if close is not None:
                    close()

        runner = self._run_processes
        if variant == "project" and self.mode == "threads":
            runner = self._run_threads
        elif variant == "project" and self.mode == "gthread":
            runner = self._run_gthread
        if variant == "unshared":
            with unshared_trigger():
                began, finished, errors = runner(work, workers)
        else:
            began, finished, errors = runner(work, workers)
        if errors:
            raise RuntimeError(f"{variant} worker failed: {errors[0]}")
        self._check_counts(targets, counts)
        self.last_targets[variant] = targets
        return payments / (max(finished) - began)

    def settle_database(self) -> None:
        """Before each timed run, untimed: the tables vacuumed and analysed and a checkpoint taken (PostgreSQL), the
        WAL folded back (SQLite). Every run adds thousands of rows; without this the later cases (16 and 32 workers
        run last) would share the machine with autovacuum and a checkpoint the earlier ones left behind."""
        from django.db import connection

        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("VACUUM (ANALYZE)")
                cursor.execute("CHECKPOINT")
            else:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def history_rate(self, size: int, payments: int) -> float:
        """One worker's payments/s through payment_execute on a wallet that made `size` payments before (written
        untimed by plain SQL, the same rows): what a payment costs as the wallet's history grows."""
        targets = self.make_targets(1, size + payments)
        target, run_id = targets[0], next(self.run_ids)
        conn = PlainConnection(self.plain_db)
        try:
            spec = self.plain_spec(target)
            for i in range(size):
                plain_pay(conn, spec, f"bench-{run_id}-history-{i}")
        finally:
            conn.close()
        pay, _close = self.project_worker(target)
        for i in range(self.warmup):
            pay(f"bench-{run_id}-history-warm-{i}")
        began = time.perf_counter()
        for i in range(payments):
            pay(f"bench-{run_id}-history-timed-{i}")
        return payments / (time.perf_counter() - began)

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

    @classmethod
    def _run_gthread(cls, work, workers: int):
        """gunicorn's gthread workers, as gunicorn.conf.py sets them: 2 processes per CPU at most, each running its
        share of the workers as threads (each thread its own connection from the process's pool)."""
        processes = min(workers, 2 * (os.cpu_count() or 1))
        groups = [list(range(workers))[n::processes] for n in range(processes)]

        def group_work(index, start, report) -> None:
            threads = [threading.Thread(target=work, args=(i, start, report)) for i in groups[index]]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

        return cls._run_processes(group_work, processes, parties=workers)

    @staticmethod
    def _run_processes(work, workers: int, parties: int | None = None):
        """Forked workers (like gunicorn's sync workers): no shared GIL. Connections are closed before the
        fork so that every process opens its own, and on PostgreSQL the connection pool is closed too: a closed
        connection goes back to the pool still open, and forked workers taking the same socket from their copies
        of the pool would read each other's results. time.perf_counter is system-wide on Linux."""
        import multiprocessing
        import queue

        from django.db import connections

        connections.close_all()
        for connection in connections.all(initialized_only=True):
            if getattr(connection, "_connection_pools", {}).get(connection.alias) is not None:
                connection.close_pool()  # each worker builds its own pool on its first query
        context = multiprocessing.get_context("fork")
        parties = workers if parties is None else parties  # gthread: one party per thread, not per process
        start = context.Barrier(parties + 1)
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
        while len(finished) + len(errors) < parties:
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


# --- Same rows? -------------------------------------------------------------------------------------------------


def _row(instance, special: dict) -> dict:
    """Every column of one row: its value, or for the columns that differ between any two payments (ids, keys,
    codes, times, random transaction ids) what `special[name](value)` says about it (does it have the project's
    form). A column the project starts writing shows up as a difference until the floor writes it too."""
    return {
        field.name: special[field.name](getattr(instance, field.attname))
        if field.name in special
        else getattr(instance, field.attname)
        for field in type(instance)._meta.concrete_fields
    }


def payment_rows(payment) -> dict:
    """What one payment wrote, every column of every row, with accounts named by role: the payment, its reserve and
    settle postings (with their `legs` column) and the transfers the trigger wrote for them, its SMS, its provider
    exchanges (none with DosTek in process) and the wallet row the reserve locked. Two payments of the same service
    and amount give equal dicts."""
    import re

    from ledger.models import LedgerAccount
    from ledger.posting import Leg
    from ledger.posting import _fingerprint as posting_fingerprint
    from services.payments import FEES_ACCOUNT_CODE, HOLD_ACCOUNT_CODE, PaymentQuote, payment_sms_text
    from services.payments.drafts import payment_fingerprint

    service, wallet = payment.service, payment.wallet
    codes = dict(LedgerAccount.objects.values_list("pk", "code"))
    roles = {
        wallet.ledger_account_id: "wallet",
        service.provider.settlement_account_id: "provider",
        **{
            pk: role
            for pk, code in codes.items()
            for role, c in (("hold", HOLD_ACCOUNT_CODE), ("fees", FEES_ACCOUNT_CODE))
            if code == c
        },
    }

    def role(pk: int) -> str:
        return roles.get(pk) or codes[pk]

    def is_set(value) -> bool:
        return value is not None

    quote = PaymentQuote(
        service=service,
        account=payment.account,
        amount=payment.amount,
        commission=payment.commission,
        total=payment.total,
    )
    last = wallet.payments.order_by("-id").first()
    previous = wallet.payments.filter(id__lt=payment.pk).order_by("-id").first()
    wallet.ledger_account.refresh_from_db()
    wallet.refresh_from_db()
    rows: dict = {
        "payment": _row(
            payment,
            {
                "id": is_set,
                "code": lambda v: bool(re.fullmatch(r"[0-9]{12}", v)),
                "wallet": lambda v: v == wallet.pk,
                "idempotency_key": bool,
                "fingerprint": lambda v: v == payment_fingerprint(wallet=wallet, quote=quote, channel=payment.channel),
                "reserve_posting": is_set,
                "settle_posting": is_set,
                "provider_txn_id": lambda v: bool(
                    re.fullmatch(rf"{re.escape(service.provider.code.upper())}-[0-9A-F]{{12}}", v)
                ),
                # The wallet's last payment: nothing moved its balance since the reserve read it.
                "balance_after": lambda v: payment.pk != last.pk or v == wallet.ledger_account.balance,
                "created_at": is_set,
                "committed_at": lambda v: v is not None and v >= payment.created_at,
                "updated_at": lambda v: v == payment.committed_at,
            },
        ),
        # The reserve's lock: wallet_lock_active stamps the wallet between the previous payment and this one.
        "wallet": {
            "updated by the reserve": (previous is None or wallet.updated_at >= previous.committed_at)
            and wallet.updated_at <= payment.created_at
        },
    }
    for name, posting, key, reference in (
        (
            "reserve_posting",
            payment.reserve_posting,
            f"payment:{payment.idempotency_key}:reserve",
            f"payment:{payment.idempotency_key}"[:128],
        ),
        (
            "settle_posting",
            payment.settle_posting,
            f"payment:{payment.idempotency_key}:settle",
            f"payment:{payment.code}",
        ),
    ):
        if posting is None:
            rows[name] = None
            continue
        transfers = list(
            posting.transfers.select_related("debit_account", "credit_account").order_by("idempotency_key")
        )
        legs = [Leg(debit=t.debit_account, credit=t.credit_account, amount=t.amount, kind=t.kind) for t in transfers]
        rows[name] = _row(
            posting,
            {
                "id": is_set,
                "idempotency_key": lambda v, key=key: v == key,
                "reference": lambda v, reference=reference: v == reference,
                "fingerprint": lambda v, posting=posting, legs=legs: (
                    v == posting_fingerprint(posting.kind, posting.reference, legs)
                ),
                "legs": lambda v: [[role(d), role(c), t, k] for d, c, t, k in v],
                "created_at": is_set,
            },
        )
        rows[name]["transfers"] = [
            _row(
                t,
                {
                    "id": is_set,
                    "posting": lambda v, posting=posting: v == posting.pk,
                    "idempotency_key": lambda v, index=index, key=key: v == f"{key}#{index}",
                    "debit_account": role,
                    "credit_account": role,
                    "created_at": lambda v, posting=posting: v == posting.created_at,
                },
            )
            for index, t in enumerate(transfers)
        ]
    rows["sms"] = [
        _row(
            m,
            {
                "id": is_set,
                "phone": lambda v: v == wallet.phone,
                "text": lambda v: v == payment_sms_text(payment),
                "payment": lambda v: v == payment.pk,
                "next_attempt_at": is_set,
                "created_at": is_set,
            },
        )
        for m in payment.sms_messages.order_by("id")
    ]
    rows["provider exchanges"] = [
        _row(e, {"id": is_set, "payment": lambda v: v == payment.pk, "created_at": is_set, "duration_ms": is_set})
        for e in payment.exchanges.order_by("id")
    ]
    return rows


def rows_difference(runner: Runner) -> list[str]:
    """Compare the last payment of one project wallet and one plain wallet of the latest runs; the differences."""
    from services.models import Payment

    payments = {}
    for variant in ("project", "plain"):
        target = runner.last_targets[variant][0]
        payments[variant] = payment_rows(
            Payment.objects.select_related(
                "service__provider", "wallet__ledger_account", "reserve_posting", "settle_posting"
            )
            .filter(wallet_id=target.wallet_pk)
            .latest("id")
        )
    return list(_differences("", payments["project"], payments["plain"]))


def _differences(path: str, project, plain):
    """'<table>.<column>: project <value> vs plain <value>' for every value that differs, however deep."""
    if isinstance(project, dict) and isinstance(plain, dict):
        for name in dict.fromkeys([*project, *plain]):
            yield from _differences(f"{path}.{name}" if path else name, project.get(name), plain.get(name))
    elif isinstance(project, list) and isinstance(plain, list) and len(project) == len(plain):
        for index, (a, b) in enumerate(zip(project, plain, strict=True)):
            yield from _differences(f"{path}[{index}]", a, b)
    elif project != plain:
        yield f"{path}: project {project!r} vs plain {plain!r}"


def _server_version() -> str:
    import sqlite3

    from django.db import connection

    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            sync = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}.get(cursor.fetchone()[0], "?")
            cursor.execute("PRAGMA journal_mode")
            journal = cursor.fetchone()[0]
        return f"SQLite {sqlite3.sqlite_version} ({journal}, synchronous={sync}, BEGIN IMMEDIATE)"
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
    runner = Runner(database, args.warmup, args.mode, args.plain_binding)
    if connection.vendor == "postgresql":
        project_binding = "server" if connection.settings_dict["OPTIONS"].get("server_side_binding") else "client"
        print(
            f"# {database}: parameter binding: project {project_binding} (Django's OPTIONS server_side_binding), "
            f"plain {args.plain_binding} (--plain-binding)",
            flush=True,
        )
    verify = None
    if not args.no_verify:
        from services.verify import books_violations as verify
    peer = _start_peer(args, runner) if args.peer else None
    try:
        return _measure(args, runner, verify, peer)
    finally:
        if peer is not None:
            peer.stop()


VARIANT_FIELDS = (("project", "project"), ("plain", "plain"), ("django", "ceiling"), ("unshared", "unshared"))


def _start_peer(args: argparse.Namespace, runner: "Runner"):
    """The peer's throw-away database and virtual environment (created on the first run, reused after)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"# {args.child}: --peer {args.peer} runs on PostgreSQL only; not run here", flush=True)
        return None
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from ledger_peer_hordak import HordakPeer

    began = time.perf_counter()
    peer = HordakPeer(args.pg_url, commission=runner.commission)
    peer.start()
    info, venv = peer.setup_info, "reused" if peer.venv_seconds is None else f"built in {peer.venv_seconds:.0f} s"
    print(
        f"# {args.child}: peer {args.peer} {info.get('hordak')} on django {info.get('django')}, its own database "
        f"{peer.database}, venv {venv}; ready in {time.perf_counter() - began:.0f} s; zero-sum legs enforced: "
        f"{info.get('zero_sum_enforced')}, overdraft accepted without the user's guard: "
        f"{info.get('overdraft_accepted_without_guard')}, statements per payment: {info.get('statements_per_payment')}",
        flush=True,
    )
    return peer


def _measure(args: argparse.Namespace, runner: "Runner", verify, peer) -> int:
    from django.db import connection

    database = args.child
    status = 0
    rows_checked = False
    medians: dict[int, dict[str, float]] = {}
    for workers in args.workers:
        variants = ["project", "plain"]
        variants += ["django"] if args.ceiling else []
        variants += [] if args.no_unshared else ["unshared"]
        variants += ["peer"] if peer is not None else []
        rates: dict[str, list[float]] = {variant: [] for variant in variants}
        for _ in range(args.repeat):
            for variant in variants:
                if variant == "peer":
                    rates[variant].append(peer.run(workers, args.payments, args.warmup))
                else:
                    rates[variant].append(runner.run(variant, workers, args.payments))
            if not rows_checked:
                rows_checked = True
                differences = rows_difference(runner)
                if differences:
                    status = 1
                    print(f"# {database}: plain SQL does NOT write the project's rows:", flush=True)
                    for difference in differences:
                        print(f"#   {difference}", flush=True)
                else:
                    print(
                        f"# {database}: rows: a plain payment wrote what payment_execute writes (payment, reserve and "
                        "settle postings with their legs and transfers, SMS, provider exchanges, the wallet's lock: "
                        "every column, key forms, fingerprints and text)",
                        flush=True,
                    )
        connection.close()
        median = medians[workers] = {variant: statistics.median(values) for variant, values in rates.items()}
        fields = [f"{name}={median[variant]:.1f}/s" for variant, name in VARIANT_FIELDS if variant in median]
        fields += [f"{args.peer}={median['peer']:.1f}/s"] if "peer" in median else []
        print(f"{database} workers={workers} {' '.join(fields)}", flush=True)
        project = median["project"]
        ratios = [
            f"project/{name} {project / median[variant]:.2f}"
            for variant, name in VARIANT_FIELDS[1:]
            if variant in median
        ]
        ratios += [f"project/{args.peer} {project / median['peer']:.2f}"] if "peer" in median else []
        print(f"#   ratios: {', '.join(ratios)}", flush=True)
        if args.repeat > 1:
            runs = "; ".join(f"{variant} {' '.join(f'{r:.1f}' for r in values)}" for variant, values in rates.items())
            print(f"#   runs: {runs}", flush=True)
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
    if peer is not None and args.history:
        _history(args, runner, peer)
    if connection.vendor == "postgresql":
        _targets(args, medians)
    return status


def _history(args: argparse.Namespace, runner: "Runner", peer) -> None:
    """One worker's payments/s on a wallet with `size` earlier payments, ours and the peer's: ours reads the
    wallet's cached balance, hordak sums the wallet's legs."""
    peer_rows = {row["size"]: row for row in peer.history(args.history)}
    for size in args.history:
        ours = runner.history_rate(size, HISTORY_PAYMENTS)
        theirs = peer_rows[size]["rate"]
        print(
            f"# {args.child} history: wallet with {size} earlier payments: project={ours:.1f}/s "
            f"{args.peer}={theirs:.1f}/s (one worker, {HISTORY_PAYMENTS} payments; {args.peer}'s balance read "
            f"{peer_rows[size].get('balance_ms', float('nan')):.2f} ms)",
            flush=True,
        )


def _targets(args: argparse.Namespace, medians: dict[int, dict[str, float]]) -> None:
    """Issue 20's targets on PostgreSQL, as far as this run measured them."""

    def verdict(value: float, target: float) -> str:
        return f"{value:.2f} (target >= {target}) {'PASS' if value >= target else 'MISS'}"

    lines = []
    if 4 in medians and 32 in medians:
        lines.append(
            f"project at 32 workers / at 4 = {verdict(medians[32]['project'] / medians[4]['project'], TARGET_SCALE)}"
        )
    if 32 in medians and "unshared" in medians[32]:
        lines.append(
            "project / unshared at 32 workers = "
            + verdict(medians[32]["project"] / medians[32]["unshared"], TARGET_UNSHARED)
        )
    for workers, median in medians.items():
        if "peer" in median:
            lines.append(
                f"project / {args.peer} at {workers} workers = "
                + verdict(median["project"] / median["peer"], TARGET_PEER)
            )
    for line in lines:
        print(f"# {args.child} target: {line}", flush=True)


def main(argv=None) -> int:
    args = parse_args(argv)
    return main_child(args) if args.child else main_parent(args)


if __name__ == "__main__":
    sys.exit(main())
