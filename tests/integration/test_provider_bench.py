"""bench/provider_bench.py in its smallest configuration on SQLite, end to end: two real СОЧИ servers, the wallet's
worker processes, the slow provider, the books and СОЧИ's balances. Its figures mean nothing at this size; the test
is there so that a change to payments, the OSMP client or СОЧИ that breaks the harness shows in CI, not on the day
somebody wants the figures."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SMALLEST = [
    "--rows",
    "paths,slow",  # the hanging-provider row has its own test (tests/provider/test_bulkheads.py)
    "--databases",
    "sqlite",
    "--payments",
    "8",
    "--repeat",
    "1",
    "--warmup",
    "1",
    "--timeout",
    "1",
    "--slow-delay",
    "1.3",
    "--sochi-server",
    "serve",
]
NUMBER = r"[0-9]+(?:\.[0-9]+)?"


def test_smallest_run_exits_0_with_the_three_rows_and_clean_books():
    # given: the test's own settings and database are not the bench's (it makes throw-away ones)
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    # when
    proc = subprocess.run(
        [sys.executable, "bench/provider_bench.py", *SMALLEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    # then
    out = proc.stdout
    assert proc.returncode == 0, out[-4000:] + proc.stderr[-2000:]
    in_process = rf"^sqlite path=in-process workers=4 payments/s={NUMBER} p50={NUMBER}ms p99={NUMBER}ms$"
    assert re.search(in_process, out, re.M)
    assert re.search(
        rf"^sqlite path=osmp-http  workers=4 payments/s={NUMBER} p50={NUMBER}ms p99={NUMBER}ms \| "
        rf"ratio to in-process={NUMBER}$",
        out,
        re.M,
    )
    assert re.search(
        rf"^sqlite slow-provider: others payments/s={NUMBER} \(alone {NUMBER}\) ratio={NUMBER} target>=0\.9 "
        rf"(PASS|MISS); slow step p50={NUMBER}ms p99={NUMBER}ms \(timeout 1 s, ",
        out,
        re.M,
    )
    # every row's books were checked and held; the slow payments were finished; СОЧИ got exactly what we committed
    assert len(re.findall(r"^#   check_ledger after .*: ledger OK", out, re.M)) == 4
    assert "process_payments --all finished" in out and "'committed'" in out
    assert len(re.findall(r"^#   СОЧИ .*: equal$", out, re.M)) == 2
    assert "PROBLEM" not in out and "HARNESS FAILED" not in out
