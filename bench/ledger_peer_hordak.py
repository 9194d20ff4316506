#!/usr/bin/env python
"""The django-hordak peer of the ledger bench (issue 20, deliverable 3): the same payment (reserve the total from
the wallet with no overdraft, then move it to the provider and the fee account) written as a django-hordak user
would write it (bench/peer_hordak/peer.py), on its own throw-away PostgreSQL database.

hordak is not a dependency of the project: it is installed, with the pinned set in bench/peer_hordak/requirements.txt,
into a virtual environment of its own, var/bench-venvs/hordak/ (git-ignored), built on first use with `python -m venv`
and pip, and reused while the requirements file's SHA-256 matches the stamp written after a successful install.

From bench/ledger_bench.py (the project's venv, which has psycopg):

    from ledger_peer_hordak import HordakPeer

    with HordakPeer(pg_url, commission) as peer:   # venv, database elsom_hordak_<pid>, peer.py setup
        rate = peer.run(workers=4, payments=800, warmup=10)   # payments/s
        rows = peer.history([0, 1000, 10000])      # [{"size", "rate", "balance_ms", ...}, ...]

Standalone, from the project root:

    .venv/bin/python bench/ledger_peer_hordak.py --workers 1,4,16,32 --payments 800 --sizes 0,1000,10000

prints `hordak workers=<n> payments/s=<x>` per worker count and `hordak history=<n> payments/s=<x> balance_ms=<y>`
per size; lines starting with '#' are comments. Exit status 1 when the peer failed (its books included).
"""

import argparse
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER_DIR = ROOT / "bench" / "peer_hordak"
PEER_SCRIPT = PEER_DIR / "peer.py"
REQUIREMENTS = PEER_DIR / "requirements.txt"
VENV_DIR = ROOT / "var" / "bench-venvs" / "hordak"
STAMP = "requirements.sha256"  # inside the venv: the hash of the requirements it was built from
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/test"
DATABASE_PREFIX = "elsom_hordak_"
# DosTek group's commission for 30.00 (services migration 0002: fixed 0.00 som, 0.00 %), what
# bench/ledger_bench.py's Runner reads as service.commission_for(AMOUNT). ledger_bench passes its own value.
DOSTEK_COMMISSION = Decimal("0.00")
STDERR_TAIL = 30  # lines of the peer's stderr a PeerError carries


class PeerError(RuntimeError):
    """The peer could not be built, set up or run, or its books did not check out; the message carries the tail of
    the failing command's stderr."""


def requirements_hash(path: Path = REQUIREMENTS) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def venv_is_current(venv: Path, requirements: Path = REQUIREMENTS) -> bool:
    """True when `venv` was built (completely: the stamp is written last) from this very requirements file."""
    stamp = venv / STAMP
    return (
        venv_python(venv).exists() and stamp.exists() and stamp.read_text().strip() == requirements_hash(requirements)
    )


def _tail(text: str, lines: int = STDERR_TAIL) -> str:
    kept = (text or "").strip().splitlines()[-lines:]
    return "\n".join(kept) if kept else "(nothing on stderr)"


def _with_database(url: str, name: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


class HordakPeer:
    """The hordak peer: its venv, its throw-away database and its three peer.py calls. A context manager: start()
    on entry, stop() on exit (also after an error)."""

    def __init__(
        self,
        pg_url: str,
        commission: Decimal | str,
        *,
        venv_dir: Path | None = None,
        timeout: float = 3600,
    ) -> None:
        try:
            self.commission = Decimal(commission)
        except InvalidOperation as exc:
            raise ValueError(f"commission must be a decimal amount, got {commission!r}") from exc
        if not self.commission.is_finite() or self.commission < 0:
            raise ValueError(f"commission must be >= 0, got {commission!r}")
        self.pg_url = pg_url
        self.venv_dir = Path(venv_dir) if venv_dir is not None else VENV_DIR
        self.timeout = timeout
        self.database = f"{DATABASE_PREFIX}{os.getpid()}"
        self.database_url = _with_database(pg_url, self.database)
        self.venv_seconds: float | None = None  # how long building the venv took; None when it was reused
        self.setup_info: dict = {}  # peer.py setup's JSON: versions, what hordak enforces, statements per payment
        self.last_run: dict = {}  # peer.py run's JSON of the last run()
        self._created = False

    # - life cycle -

    def start(self) -> "HordakPeer":
        self.ensure_venv()
        self._create_database()
        try:
            self.setup_info = self._call(["setup"])[-1]
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        if self._created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
            self._created = False

    def __enter__(self) -> "HordakPeer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    # - measurements -

    def run(self, workers: int, payments: int, warmup: int) -> float:
        """Payments per second of `workers` forked processes making `payments` payments in all (each its own wallet,
        `warmup` untimed payments first); the books are checked afterwards (PeerError if they are not clean)."""
        if workers < 1 or payments < workers or warmup < 0:
            raise ValueError("run needs workers >= 1, payments >= workers and warmup >= 0")
        self.settle()
        self.last_run = self._call(
            [
                "run",
                "--workers",
                str(workers),
                "--payments",
                str(payments),
                "--warmup",
                str(warmup),
            ]
        )[-1]
        return float(self.last_run["rate"])

    def history(self, sizes: list[int], payments: int = 200, warmup: int = 10) -> list[dict]:
        """One wallet grown to each size (past payments, written in bulk), then `payments` single-worker payments
        timed: one dict per size with at least "size", "rate" (payments/s) and "balance_ms" (one get_balance())."""
        if not sizes or any(size < 0 for size in sizes) or payments < 1 or warmup < 0:
            raise ValueError("history needs sizes >= 0, payments >= 1 and warmup >= 0")
        return self._call(
            [
                "history",
                "--sizes",
                ",".join(str(size) for size in sizes),
                "--payments",
                str(payments),
                "--warmup",
                str(warmup),
            ]
        )

    # - the venv -

    def ensure_venv(self) -> bool:
        """Builds the venv unless it is current; returns True when it built one (self.venv_seconds says how long)."""
        if venv_is_current(self.venv_dir):
            return False
        began = time.perf_counter()
        if self.venv_dir.exists():
            shutil.rmtree(self.venv_dir)
        self.venv_dir.parent.mkdir(parents=True, exist_ok=True)
        self._check([sys.executable, "-m", "venv", str(self.venv_dir)], "python -m venv")
        self._check(
            [
                str(venv_python(self.venv_dir)),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                "--no-input",
                "-r",
                str(REQUIREMENTS),
            ],
            "pip install -r bench/peer_hordak/requirements.txt",
        )
        (self.venv_dir / STAMP).write_text(requirements_hash() + "\n")
        self.venv_seconds = time.perf_counter() - began
        return True

    def _check(self, command: list[str], what: str) -> None:
        done = subprocess.run(command, capture_output=True, text=True, timeout=self.timeout)
        if done.returncode != 0:
            raise PeerError(f"{what} failed (exit status {done.returncode}):\n{_tail(done.stderr)}")

    # - the database -

    def _admin(self, statement: str, url: str | None = None) -> None:
        try:
            import psycopg
        except ImportError as exc:  # the project's venv has it; the peer's database is made from there
            raise PeerError("psycopg is not installed: run this with the project's .venv/bin/python") from exc
        url = url or self.pg_url
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=5) as admin:
                admin.execute(statement)
        except psycopg.Error as exc:
            raise PeerError(f"{statement!r} through {url} failed: {str(exc).strip()}") from exc

    def settle(self) -> None:
        """Untimed, before a run: the peer's tables vacuumed and analysed and a checkpoint taken, as ledger_bench.py
        does for the project's before each of its runs."""
        self._admin("VACUUM (ANALYZE)", self.database_url)
        self._admin("CHECKPOINT", self.database_url)

    def _create_database(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.database}"')
        self._created = True

    # - peer.py -

    def _call(self, args: list[str]) -> list[dict]:
        """peer.py <args> --commission <ours> in the peer's venv; its JSON lines, or PeerError with its stderr's
        tail."""
        python = venv_python(self.venv_dir)
        if not python.exists():
            raise PeerError(f"no python in {self.venv_dir}: start() builds the venv first")
        env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "PYTHONPATH")}
        env["HORDAK_DATABASE_URL"] = self.database_url
        command = [str(python), str(PEER_SCRIPT), *args, "--commission", str(self.commission)]
        try:
            done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=self.timeout)
        except subprocess.TimeoutExpired as exc:
            raise PeerError(f"peer.py {args[0]} did not finish in {self.timeout:.0f} s") from exc
        if done.returncode != 0:
            raise PeerError(f"peer.py {args[0]} failed (exit status {done.returncode}):\n{_tail(done.stderr)}")
        rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        if not rows:
            raise PeerError(f"peer.py {args[0]} printed no result:\n{_tail(done.stdout)}\n{_tail(done.stderr)}")
        return rows


# --- Command line ------------------------------------------------------------------------------------------------


def _int_list(minimum: int):
    def parse(text: str) -> list[int]:
        try:
            values = [int(part) for part in text.split(",") if part.strip()]
        except ValueError as exc:
            raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc
        if not values or any(v < minimum for v in values):
            raise argparse.ArgumentTypeError(f"expected comma-separated integers >= {minimum}, got {text!r}")
        return values

    return parse


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="ledger_peer_hordak.py",
        description="Payments/s of the ledger bench's payment written with django-hordak (its own venv, its own "
        "throw-away PostgreSQL database), per worker count, and its cost as one wallet's history grows.",
        epilog="Output: 'hordak workers=<n> payments/s=<x>' per worker count, then 'hordak history=<n> "
        "payments/s=<x> balance_ms=<y>' per size; lines starting with '#' are comments.",
    )
    parser.add_argument(
        "--workers", type=_int_list(1), default=[1, 4], metavar="LIST", help="worker counts (default 1,4)"
    )
    parser.add_argument(
        "--payments", type=int, default=400, metavar="N", help="payments per run, split over the workers (default 400)"
    )
    parser.add_argument(
        "--warmup", type=int, default=10, metavar="W", help="untimed payments per worker first (default 10)"
    )
    parser.add_argument(
        "--sizes",
        type=_int_list(0),
        default=[0, 1000, 10000],
        metavar="LIST",
        help="history sizes, past payments of one wallet (default 0,1000,10000)",
    )
    parser.add_argument("--no-history", action="store_true", help="skip the history rows")
    parser.add_argument(
        "--history-payments", type=int, default=200, metavar="K", help="timed payments per history size (default 200)"
    )
    parser.add_argument(
        "--commission",
        default=str(DOSTEK_COMMISSION),
        help=f"commission of a 30.00 payment (default DosTek group's, {DOSTEK_COMMISSION})",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help=f"PostgreSQL server for the throw-away database (default $BENCH_PG_URL or {DEFAULT_PG_URL})",
    )
    args = parser.parse_args(argv)
    if args.payments < max(args.workers):
        parser.error("--payments must be at least the largest worker count")
    if args.warmup < 0 or args.history_payments < 1:
        parser.error("--warmup must be >= 0 and --history-payments >= 1")
    try:
        if Decimal(args.commission) < 0:
            raise InvalidOperation
    except InvalidOperation:
        parser.error(f"--commission must be a decimal amount >= 0, got {args.commission!r}")
    return args


def _terminate(signum, _frame):
    raise SystemExit(128 + signum)  # unwinds through HordakPeer.__exit__, which drops the database


def main(argv=None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    peer = HordakPeer(args.pg_url, args.commission)
    try:
        with peer:
            if peer.venv_seconds is None:
                print(f"# venv: {peer.venv_dir} reused (requirements unchanged)", flush=True)
            else:
                print(f"# venv: {peer.venv_dir} built in {peer.venv_seconds:.1f} s", flush=True)
            info = peer.setup_info
            print(
                f"# hordak {info.get('hordak')}, django {info.get('django')}, PostgreSQL {info.get('postgresql')}; "
                f"database {peer.database}; commission {peer.commission}",
                flush=True,
            )
            print(
                f"# hordak enforces zero-sum legs: {info.get('zero_sum_enforced')}; accepts an overdraft without the "
                f"guard: {info.get('overdraft_accepted_without_guard')}; the guard refuses: {info.get('guard_refuses')}"
                f"; statements per payment: {info.get('statements_per_payment')} {info.get('statement_kinds')}",
                flush=True,
            )
            for workers in args.workers:
                rate = peer.run(workers, args.payments, args.warmup)
                print(f"hordak workers={workers} payments/s={rate:.1f}", flush=True)
                last = peer.last_run
                print(f"#   p50={last['p50_ms']}ms p99={last['p99_ms']}ms, books clean", flush=True)
            if not args.no_history:
                for row in peer.history(args.sizes, args.history_payments, args.warmup):
                    print(
                        f"hordak history={row['history']} payments/s={row['rate']:.1f} "
                        f"balance_ms={row['balance_ms']:.2f}",
                        flush=True,
                    )
                    print(
                        f"#   get_balance() {row['balance_ms']:.2f} ms, with_balances() (its SQL function) "
                        f"{row['balance_db_ms']:.2f} ms; {row['size']} past payments written with "
                        f"{row['grown_with']} in {row['grow_s']} s",
                        flush=True,
                    )
    except PeerError as exc:
        print(f"# hordak peer FAILED: {exc}", flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
