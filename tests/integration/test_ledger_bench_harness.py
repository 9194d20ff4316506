"""bench/ledger_bench.py still runs: its smallest configuration, in a subprocess, as a user would start it. The
plain-SQL floor follows the project's transactions by hand, so a change to payment_execute, the ledger's posting
or the trigger breaks it (a failing INSERT, rows that differ, books that do not balance); this catches it in CI
instead of at the next benchmark. The figures themselves are not checked: they depend on the machine."""

import importlib
import importlib.util
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "ledger_bench.py"
RATIO_LINE = re.compile(
    r"^(sqlite|postgres) workers=(\d+) project=[0-9.]+/s plain=[0-9.]+/s( ceiling=[0-9.]+/s)? unshared=[0-9.]+/s$", re.M
)
TIMEOUT_SECONDS = 180  # the smallest run takes 10-20 s on a loaded 2-core machine
# The script's own words for a broken floor or broken books (see main_child and main_parent).
BROKEN = ("differ", "does NOT write", " vs plain ", "violation(s)", "benchmark failed", "skipped", "Traceback")


def _load_ledger_bench():
    spec = importlib.util.spec_from_file_location("ledger_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["ledger_bench"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


lb = _load_ledger_bench()


def _run_bench(*args: str, pg_url: str | None = None) -> subprocess.CompletedProcess:
    """The script as a user starts it. A run that hangs (forked workers reading each other's results did) is killed
    with its workers after TIMEOUT_SECONDS and fails the test; its PostgreSQL database, named after the script's
    pid, is dropped, since the killed script cannot."""
    # The script sets up its own throw-away databases and settings; the suite's must not leak into its children.
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    command = [sys.executable, str(SCRIPT), "--payments", "8", "--repeat", "1", "--warmup", "1", *args]
    if pg_url is not None:
        command += ["--pg-url", pg_url]
    with subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    ) as bench:
        try:
            stdout, stderr = bench.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(bench.pid, signal.SIGKILL)  # the script, its child and the child's workers: one session
            stdout, stderr = bench.communicate()
            if pg_url is not None:
                _drop_database(pg_url, f"elsom_bench_{bench.pid}")
            pytest.fail(f"ledger_bench.py did not finish in {TIMEOUT_SECONDS} s:\n{stdout}{stderr}")
    return subprocess.CompletedProcess(command, bench.returncode, stdout, stderr)


def _drop_database(pg_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _assert_clean_run(run: subprocess.CompletedProcess, database: str, workers: list[int]) -> None:
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert [(db, int(n)) for db, n, _ceiling in RATIO_LINE.findall(run.stdout)] == [(database, n) for n in workers], (
        output
    )
    assert f"# {database}: rows: a plain payment wrote what payment_execute writes" in run.stdout, output
    assert run.stdout.count("#   books: no violations") == len(workers), output
    for word in BROKEN:
        assert word not in output, output


def test_smallest_run_on_sqlite_pays_both_ways_with_the_same_rows_and_clean_books():
    """8 payments through payment_execute, 8 through the plain floor and 8 through the floor without shared rows on a
    throw-away SQLite file: exit 0, one line per case, the rows check passed, books_violations() clean after the
    unshared run's roll-up (the swapped trigger put back); with --ceiling the fourth variant runs as well."""
    # when
    run = _run_bench("--workers", "1", "--databases", "sqlite", "--ceiling")
    # then
    _assert_clean_run(run, "sqlite", [1])
    # and the floor's statements through Django's connection paid their payments too
    assert re.search(r"^sqlite workers=1 .* ceiling=[0-9.]+/s unshared=", run.stdout, re.M), run.stdout
    assert re.search(r"^#   ratios: project/plain [0-9.]+, project/ceiling [0-9.]+, project/unshared", run.stdout, re.M)


def test_gthread_mode_runs_the_workers_as_threads_of_at_most_two_processes_per_cpu():
    """--mode gthread (the default, as gunicorn.conf.py serves): six workers on a 2-CPU machine are four processes,
    two of them with two threads; every thread pays its share, each with its own connection."""
    run = _run_bench("--workers", "6", "--databases", "sqlite", "--mode", "gthread", "--no-unshared")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert re.search(r"^sqlite workers=6 project=[0-9.]+/s plain=[0-9.]+/s$", run.stdout, re.M), output
    assert "#   books: no violations after 6-worker runs" in run.stdout, output


@pytest.mark.parametrize("vendor", ["sqlite", "postgresql"])
def test_the_unshared_floor_is_the_real_trigger_without_the_system_accounts_buckets(vendor):
    """The floor without shared rows is cut out of migration 0005's own trigger: everything but the buckets' upsert
    stays (the transfers, the wallet's balance), so the floor follows the real trigger."""
    migration = importlib.import_module(lb.BUCKETS_MIGRATION)
    real = migration.SQLITE_APPLY if vendor == "sqlite" else migration.POSTGRES_APPLY_FUNCTION
    # when
    unshared = lb.unshared_trigger_sql(vendor)
    # then
    assert "ledger_accountbucket" in real and "ledger_accountbucket" not in unshared
    assert "INSERT INTO ledger_transfer" in unshared and "UPDATE ledger_ledgeraccount" in unshared
    assert len(real) - len(unshared) > 100


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the suite runs on SQLite: no PostgreSQL server named")
def test_two_worker_run_on_postgres_forks_workers_that_do_not_share_the_pool():
    """On PostgreSQL the project's connections come from a pool; forked workers must not inherit its open
    sockets (they would read each other's results). Two workers, a throw-away database on the suite's server."""
    # given the suite's server (the database named in the URL is only used to create and drop the bench's own)
    settings = connection.settings_dict
    user = ":".join(filter(None, [settings["USER"], settings["PASSWORD"]]))
    pg_url = f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/postgres"
    # when
    run = _run_bench("--workers", "2", "--databases", "postgres", pg_url=pg_url)
    # then
    _assert_clean_run(run, "postgres", [2])


def test_differences_name_the_column_that_differs():
    """The rows check prints the path of each differing value, not two whole rows."""
    project = {"payment": {"status": "committed", "attempts": 1}, "sms": [{"attempts": 0}], "exchanges": []}
    plain = {"payment": {"status": "committed", "attempts": 0}, "sms": [{"attempts": 0}], "exchanges": [{"id": 1}]}
    assert list(lb._differences("", project, plain)) == [
        "payment.attempts: project 1 vs plain 0",
        "exchanges: project [] vs plain [{'id': 1}]",
    ]
    assert list(lb._differences("", project, project)) == []
