"""A real СОЧИ server for tests: its own fresh database, migrated and seeded, served by `sochi_serve` in a subprocess
on 127.0.0.1 and a free port. Importable by the wallet side's tests:

    from sochi.testing import SochiServer

    with SochiServer() as sochi:                  # SQLite in a temp dir; SOCHI_TEST_DATABASE_URL=postgres://... for PG
        sochi.osmp(command="check", txn_id="1", account="01503201010011", sum="10.00")
        sochi.set_fault("answer-lost", count=1)
        sochi.balance("01503201010011")["balance"]  # '0.00'
        sochi.restart()                           # same port, same database

Nothing here imports the wallet: СОЧИ is reached over HTTP and through its own management commands.
"""

import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

PROJECT_DIR = Path(__file__).resolve().parent.parent
SETTINGS = "sochi_site.settings"
TEST_USER = "elsom"
TEST_PASSWORD = "elsom-test-osmp"
READY_TIMEOUT_SECONDS = 15
STOP_GRACE_SECONDS = 5
COMMAND_TIMEOUT_SECONDS = 60
LISTENING = "sochi_serve: listening on "
# Variables of the calling process that must not leak into СОЧИ's (the wallet's settings module, its database).
NOT_INHERITED = ("DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SOCHI_DATABASE_URL", "SOCHI_OSMP_ALLOWED_NETWORKS")

_instances = itertools.count(1)


class SochiServerError(RuntimeError):
    pass


class SochiServer:
    """Start with `start()` or `with`; `stop()` ends the process (the database stays for `restart()`), `close()` also
    removes the database. `database_url`: a PostgreSQL server URL whose database name is used as a prefix
    (`<name>_sochi_<pid>_<n>` is created and dropped here); default SOCHI_TEST_DATABASE_URL, else SQLite."""

    def __init__(
        self,
        *,
        database_url: str | None = None,
        user: str = TEST_USER,
        password: str = TEST_PASSWORD,
        seed: bool = True,
        env: dict[str, str] | None = None,
    ):
        self.user = user
        self.password = password
        self.seed = seed
        self._extra_env = dict(env or {})
        self._base_database_url = (
            database_url if database_url is not None else os.environ.get("SOCHI_TEST_DATABASE_URL")
        )
        self._tmpdir: Path | None = None
        self._pg_name: str | None = None
        self.database_url: str | None = None
        self.port: int | None = None
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None

    # --- life cycle --------------------------------------------------------------------------------------------------

    def __enter__(self) -> "SochiServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.close()

    def start(self) -> "SochiServer":
        if self.process is not None:
            raise SochiServerError("already started")
        self._tmpdir = Path(tempfile.mkdtemp(prefix="sochi-test-"))
        self.log_path = self._tmpdir / "sochi-serve.log"
        try:
            self.database_url = self._create_database()
            self.manage("migrate", "--no-input", "-v", "0")
            if self.seed:
                self.manage("sochi_seed")
            self._serve(port=0)
        except BaseException:
            self.close()
            raise
        return self

    def stop(self) -> None:
        """SIGTERM to the server's PID; SIGKILL if it has not stopped after a grace period."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_GRACE_SECONDS)

    def restart(self) -> None:
        """Stop and start again on the same port with the same database (what a crash and a restart look like)."""
        port = self.port
        self.stop()
        self._serve(port=port)

    def close(self) -> None:
        self.stop()
        if self._pg_name is not None:
            self._drop_database()
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    # --- what tests use ----------------------------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def url(self) -> str:
        """The OSMP endpoint, e.g. http://127.0.0.1:40123/osmp/ (DOSTEK_OSMP_URL for the wallet)."""
        return f"{self.base_url}osmp/"

    @property
    def auth(self) -> tuple[str, str]:
        return (self.user, self.password)

    def osmp(self, *, timeout: float = 5.0, method: str = "GET", **params: str) -> httpx.Response:
        """One protocol call (command=..., txn_id=..., ...). Transport errors (a dropped connection, a timeout)
        are raised as httpx's exceptions."""
        if method == "GET":
            return httpx.get(self.url, params=params, auth=self.auth, timeout=timeout)
        return httpx.request(method, self.url, data=params, auth=self.auth, timeout=timeout)

    def set_fault(
        self,
        mode: str,
        count: int | None = None,
        delay: float | str | None = None,
        *,
        account: str | None = None,
        hold: bool = False,
        ttl: int | None = None,
    ) -> dict:
        """The global switch, or with `account` one company's fault ("all" with normal clears them all)."""
        data = {"mode": mode}
        if count is not None:
            data["count"] = str(count)
        if delay is not None:
            data["delay"] = str(delay)
        if account is not None:
            data["account"] = account
        if hold:
            data["hold"] = "1"
        if ttl is not None:
            data["ttl"] = str(ttl)
        response = httpx.post(f"{self.url}faults/", data=data, auth=self.auth, timeout=10)
        if response.status_code != 200:
            raise SochiServerError(f"set_fault({mode!r}) answered HTTP {response.status_code}: {response.text}")
        return response.json()

    def fault(self) -> dict:
        response = httpx.get(f"{self.url}faults/", auth=self.auth, timeout=10)
        response.raise_for_status()
        return response.json()

    def balance(self, inn: str) -> dict:
        """`sochi_balance INN --json`: balance, credits (txn_id, prv_txn, sum...), debits and reports; money as
        strings such as '350.00'."""
        return json.loads(self.manage("sochi_balance", inn, "--json").stdout)

    def manage(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run `manage.py ARGS --settings=sochi_site.settings` against this server's database."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args, f"--settings={SETTINGS}"],
            cwd=PROJECT_DIR,
            env=self._env(),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT_SECONDS,
        )
        if check and result.returncode != 0:
            raise SochiServerError(f"manage.py {' '.join(args)} failed ({result.returncode}): {result.stderr.strip()}")
        return result

    def log_text(self) -> str:
        return (
            self.log_path.read_text(encoding="utf-8", errors="replace")
            if self.log_path and self.log_path.exists()
            else ""
        )

    # --- internals ---------------------------------------------------------------------------------------------------

    def _env(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if key not in NOT_INHERITED}
        env.update(
            {
                "DEBUG": "1",
                "DEMO_MODE": "1",
                "SOCHI_DATABASE_URL": self.database_url or "",
                "DOSTEK_OSMP_USER": self.user,
                "DOSTEK_OSMP_PASSWORD": self.password,
                "SOCHI_FAULTS_ENABLED": "1",
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self._extra_env)
        return env

    def _serve(self, *, port: int) -> None:
        # Only a "listening" line written after this start counts (the log is appended to across restarts).
        offset = len(self.log_text())
        log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - handed to the child, closed below
        try:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "sochi_serve", f"127.0.0.1:{port}", f"--settings={SETTINGS}"],
                cwd=PROJECT_DIR,
                env=self._env(),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        finally:
            log.close()
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SochiServerError(f"sochi_serve exited with {self.process.returncode}:\n{self.log_text()[-3000:]}")
            bound = self._listening_port(offset)
            if bound is not None and self._answers(bound):
                self.port = bound
                return
            time.sleep(0.05)
        self.stop()
        raise SochiServerError(
            f"sochi_serve did not answer within {READY_TIMEOUT_SECONDS} s:\n{self.log_text()[-3000:]}"
        )

    def _listening_port(self, offset: int) -> int | None:
        lines = [line for line in self.log_text()[offset:].splitlines() if line.startswith(LISTENING)]
        if not lines:
            return None
        return urlsplit(lines[-1][len(LISTENING) :].strip()).port

    def _answers(self, port: int) -> bool:
        try:
            httpx.get(f"http://127.0.0.1:{port}/osmp/faults/", auth=self.auth, timeout=1)
        except httpx.TransportError:
            return False
        return True

    def _create_database(self) -> str:
        if not self._base_database_url:
            return f"sqlite:///{self._tmpdir / 'sochi.sqlite3'}"
        parts = urlsplit(self._base_database_url)
        if parts.scheme not in ("postgres", "postgresql", "pgsql"):
            raise SochiServerError(f"SOCHI_TEST_DATABASE_URL must be a postgres:// URL, not {parts.scheme}://")
        prefix = parts.path.lstrip("/") or "sochi"
        self._pg_name = f"{prefix}_sochi_{os.getpid()}_{next(_instances)}"
        self._admin_sql("DROP DATABASE IF EXISTS {name}", self._pg_name)
        self._admin_sql("CREATE DATABASE {name}", self._pg_name)
        return urlunsplit(parts._replace(path=f"/{self._pg_name}"))

    def _drop_database(self) -> None:
        name, self._pg_name = self._pg_name, None
        self._admin_sql("DROP DATABASE IF EXISTS {name} WITH (FORCE)", name)

    def _admin_sql(self, statement: str, name: str) -> None:
        import psycopg
        from psycopg import sql

        parts = urlsplit(self._base_database_url)
        admin_url = urlunsplit(parts._replace(path="/postgres", scheme="postgresql"))
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql.SQL(statement).format(name=sql.Identifier(name)))
