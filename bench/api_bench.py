#!/usr/bin/env python
"""App API benchmark (issue 10): POST /api/v1/payments/quote and POST /api/v1/payments served by gunicorn
(production settings, 4 sync workers) beside the reference app's POST /pay/ (bench/reference: one locked balance
update and three inserts, served the same way), all driven by wrk; on SQLite and PostgreSQL.

Run from the repository root:

    .venv/bin/python bench/api_bench.py                       # sqlite+postgres, 10 s runs, 8 connections
    .venv/bin/python bench/api_bench.py --databases sqlite --duration 3 --warmup 1
    .venv/bin/python bench/api_bench.py --help

Rows, one line each (the format of bench/http_bench.py, whose servers, wrk runs and checks this reuses):

    <db> api-quote project=<r>/s p50=<ms> p99=<ms> | reference=<r>/s p50=<ms> p99=<ms> | ratio=<x> | ...
    <db> api-pay   ...
    <db> queries   quote=<n> pay=<n> (budgets: quote <= 6, pay <= 12)

* api-quote  the quote with the provider's check: DosTek group in process by default (our side only, as the
             reference has no provider); with --provider sochi a real СОЧИ runs beside (sochi/testing.py, its own
             temporary SQLite database) and answers over OSMP, as in production.
* api-pay    a payment with the PIN and a fresh Idempotency-Key per request: 201 and a committed payment.
* queries    SQL statements of one quote and one pay, counted in a `manage.py shell` on the bench's database
             with Django's test client and CaptureQueriesContext (transaction control not counted).

Each connection has its own wallet and device token (issued directly with api.devices.device_token_issue: the SMS
sign-in is not what is measured). The API's payment throttle is lifted for the run (API_PAY_PER_MINUTE).
Afterwards the payments written are counted and check_ledger runs. It never touches the developer's databases
(temporary SQLite files; throw-away PostgreSQL databases dropped at the end) and stops every server it started
by its process group. Exit status: 0 when the harness ran, 1 when it failed, 2 when wrk is missing.
"""

import argparse
import os
import signal
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR), str(BENCH_DIR.parent)]  # http_bench, and sochi.testing for the provider

import http_bench as hb  # noqa: E402  (the servers, wrk runs, parsing and checks are http_bench's)

API_LUA = BENCH_DIR / "api_bench.lua"
ROWS = ("api-quote", "api-pay")
QUOTE_PATH, PAY_PATH = "/api/v1/payments/quote", "/api/v1/payments"
QUERY_BUDGETS = {"quote": 6, "pay": 12}

# A device token per wallet, issued by the project's own function; the DosTek service's id.
TOKENS_CODE = """
import json, os
from api.devices import device_token_issue
from services.models import Service
from wallet.operations import wallet_get

params = json.loads(os.environ["HTTP_BENCH_PARAMS"])
tokens = [device_token_issue(wallet=wallet_get(phone=phone), name="api_bench")[1] for phone in params["phones"]]
service_id = Service.objects.get(slug=params["slug"]).pk
print("HTTPBENCH_RESULT " + json.dumps({"tokens": tokens, "service_id": service_id}))
"""

# The SQL statements of one quote and one pay through the whole stack (middleware, auth, throttles, domain), on
# the bench's database with its settings; a first quote and pay warm the per-process caches as in a server.
QUERIES_CODE = """
import json, os, re, uuid
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

params = json.loads(os.environ["HTTP_BENCH_PARAMS"])
control = re.compile(r"^\\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\\b", re.I)
client = Client(SERVER_NAME="127.0.0.1", HTTP_AUTHORIZATION="Bearer " + params["token"])
body = {"service_id": params["service_id"], "account": params["account"], "amount": params["amount"]}
pay = dict(body, pin=params["pin"])

def statements(path, data, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, data, content_type="application/json", headers=headers)
    assert response.status_code in (200, 201), (response.status_code, response.content[:300])
    return len([q for q in captured.captured_queries if not control.match(q["sql"])])

statements(params["quote_path"], body)
statements(params["pay_path"], pay, **{"Idempotency-Key": uuid.uuid4().hex})
result = {
    "quote": statements(params["quote_path"], body),
    "pay": statements(params["pay_path"], pay, **{"Idempotency-Key": uuid.uuid4().hex}),
}
print("HTTPBENCH_RESULT " + json.dumps(result))
"""


class ApiCaseRun(hb.CaseRun):
    """http_bench's run for one database (wallets, reference balances, both servers), with the API's rows."""

    def __init__(self, args: argparse.Namespace, case: hb.Case, tmp: Path) -> None:
        super().__init__(args, case, tmp)
        # Every connection pays as fast as it can: the API's per-token payment limit would refuse most of it.
        self.project_env["API_PAY_PER_MINUTE"] = str(10**9)
        self.sochi = None

    def start_provider(self) -> None:
        """--provider sochi: DosTek group's СОЧИ (sochi/testing.py: its own temporary database, seeded) for the
        quote's check and the payment, over the real OSMP protocol, as in production. By default DosTek answers in
        process (http_bench's PROVIDER_ADAPTERS): our side only, as the reference has no provider either."""
        if self.args.provider != "sochi":
            self.say("DosTek group in process (PROVIDER_ADAPTERS); --provider sochi for the real СОЧИ over OSMP")
            return
        from sochi.testing import SochiServer

        self.project_env.pop("PROVIDER_ADAPTERS", None)

        self.sochi = SochiServer(database_url="")
        self.sochi.start()
        self.project_env.update(
            DOSTEK_OSMP_URL=self.sochi.url, DOSTEK_OSMP_USER=self.sochi.user, DOSTEK_OSMP_PASSWORD=self.sochi.password
        )
        self.say(f"СОЧИ (DosTek group's side) at {self.sochi.base_url}")

    def stop(self) -> None:
        super().stop()
        if self.sochi is not None:
            self.sochi.close()
            self.sochi = None

    def issue_tokens(self) -> None:
        result = hb.shell(hb.ROOT, self.project_env, TOKENS_CODE, {"phones": self.phones, "slug": hb.SERVICE_SLUG})
        self.tokens, self.service_id = result["tokens"], result["service_id"]
        self.say(f"{len(self.tokens)} device tokens issued")

    def wrk_api(self, mode: str, *, warm: bool) -> hb.WrkResult:
        args = self.args
        seconds = args.warmup if warm else args.duration
        self.runs += 1
        data = {
            "host": f"127.0.0.1:{self.project.port}",
            "nonce": f"{self.nonce}{self.runs}",
            "quote_path": QUOTE_PATH,
            "pay_path": PAY_PATH,
            "service_id": self.service_id,
            "account": hb.PAYER_INN,
            "amount": str(hb.AMOUNT),
            "pin": self.pin,
            "conns": [{"token": token} for token in self.tokens],
        }
        data_path = self.tmp / f"wrk-{self.runs}-api-{mode}.lua"
        data_path.write_text("return " + hb.lua_literal(data) + "\n")
        argv = [
            "wrk",
            f"-t{args.connections}",
            f"-c{args.connections}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            f"{args.wrk_timeout}s",
            "-s",
            str(API_LUA),
            self.project.base + (PAY_PATH if mode == "pay" else QUOTE_PATH),
            "--",
            mode,
            str(data_path),
        ]
        out = hb.run_checked(argv, cwd=hb.ROOT, env=dict(os.environ), what=f"wrk (api {mode})", timeout=seconds + 120)
        try:
            result = hb.parse_wrk_output(out)
        except ValueError as exc:
            raise hb.HarnessError(f"wrk (api {mode}): {exc}:\n{out[-1500:]}") from exc
        if result.lua is None:
            raise hb.HarnessError(f"wrk (api {mode}): no {hb.JSON_MARKER.strip()} line:\n{out[-1500:]}")
        return result

    def measure_api(self, mode: str) -> tuple[hb.Side, dict, dict]:
        """A warm-up run (not reported), then the measured one: (Side, app payments before it, after it)."""
        if self.args.warmup:
            warm = hb.side_from_wrk(self.wrk_api(mode, warm=True))
            if warm.errors:
                self.say(f"warm-up of api {mode}: {warm.errors} error(s), e.g. {warm.bad_samples[:1]}")
        before = self.payments("app")  # waits until the warm-up's payments are all written
        side = hb.side_from_wrk(self.wrk_api(mode, warm=False))
        return side, before, self.payments("app")

    def queries(self) -> dict:
        params = {
            "token": self.tokens[0],
            "service_id": self.service_id,
            "account": hb.PAYER_INN,
            "amount": str(hb.AMOUNT),
            "pin": self.pin,
            "quote_path": QUOTE_PATH,
            "pay_path": PAY_PATH,
        }
        return hb.shell(hb.ROOT, self.project_env, QUERIES_CODE, params)

    def run(self) -> None:
        args = self.args
        self.prepare()
        self.issue_tokens()
        self.start_provider()
        self.serve()
        conns = [{"account": account} for account in self.accounts]
        reference = self.measure(self.reference, "refpay", {"path": "/pay/", "conns": conns})
        if "api-quote" in args.rows:
            project, _before, _after = self.measure_api("quote")
            self.report("api-quote", project, reference, [])
        if "api-pay" in args.rows:
            project, before, after = self.measure_api("pay")
            flags = self.count_flags("app", before, after, project)
            flags += [] if self.check_ledger() else ["check_ledger failed"]
            self.report("api-pay", project, reference, flags)
        counted = self.queries()
        within = all(counted[name] <= budget for name, budget in QUERY_BUDGETS.items())
        print(
            f"{self.case.label} queries quote={counted['quote']} pay={counted['pay']} "
            f"(budgets: quote <= {QUERY_BUDGETS['quote']}, pay <= {QUERY_BUDGETS['pay']}): "
            + ("PASS" if within else "MISS"),
            flush=True,
        )


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="api_bench.py",
        description="Serve the project (gunicorn, production settings) and the minimal reference Django app "
        "(bench/reference) and drive both with wrk: the app API's quote and pay against the reference POST /pay/ "
        "(a locked balance update with three inserts). Prints requests/s, p50, p99, the project/reference ratio "
        "and the SQL statements per quote and per pay.",
        epilog="Row format: '<db> <row> project=<r>/s p50=<ms> p99=<ms> | reference=<r>/s p50=<ms> p99=<ms> | "
        "ratio=<x> | target ...', then '<db> queries quote=<n> pay=<n> ...'. Lines starting with '#' are details. "
        "Exit 0 when the harness ran, 1 when it failed, 2 when wrk is missing.",
    )
    parser.add_argument(
        "--databases",
        type=hb._choice_list(hb.DATABASES),
        default=list(hb.DATABASES),
        metavar="LIST",
        help="comma-separated subset of sqlite,postgres (default both; postgres is skipped with a note when the "
        "server is unreachable)",
    )
    parser.add_argument("--duration", type=hb._positive_int, default=10, metavar="S", help="seconds per run (10)")
    parser.add_argument(
        "--connections",
        type=hb._positive_int,
        default=8,
        metavar="N",
        help="wrk connections and threads; one wallet and device token per connection (8)",
    )
    parser.add_argument("--workers", type=hb._positive_int, default=4, metavar="N", help="gunicorn sync workers (4)")
    parser.add_argument(
        "--warmup", type=hb._seconds, default=2, metavar="S", help="untimed wrk seconds before each run (2; 0: none)"
    )
    parser.add_argument(
        "--rows", type=hb._choice_list(ROWS), default=list(ROWS), metavar="LIST", help="subset of api-quote,api-pay"
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", hb.DEFAULT_PG_URL),
        help="PostgreSQL server for the throw-away databases; the database named in the URL is only used to "
        f"CREATE/DROP them (default $BENCH_PG_URL or {hb.DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--wrk-timeout", type=hb._positive_int, default=30, metavar="S", help="wrk's per-request timeout (30)"
    )
    parser.add_argument("--keep-temp", action="store_true", help="keep the temporary directory (logs, data files)")
    parser.add_argument(
        "--provider",
        choices=("in-process", "sochi"),
        default="in-process",
        help="DosTek group in process, as in http_bench and as the reference has no provider (default), or the "
        "real СОЧИ over OSMP (the quote's check and the pay then wait on it; see provider_bench.py for that path)",
    )
    args = parser.parse_args(argv)
    args.sqlite_synchronous = ["FULL"]  # http_bench's default; its runner reads it
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if hb.ensure_wrk() is None:
        print("api_bench.py needs wrk (the Debian package 'wrk'): it is not installed.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, hb._terminate)
    print(hb.machine_line(args), flush=True)
    print(
        f"# wrk -t{args.connections} -c{args.connections} -d{args.duration}s --latency (warm-up {args.warmup} s "
        f"before each run); gunicorn --workers {args.workers} sync for each app; load average "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}; wrk, gunicorn and the database share the CPUs",
        flush=True,
    )
    hb.CaseRun = ApiCaseRun  # http_bench's per-database runners (temp files, throw-away databases) run ours
    failed = 0
    for database in args.databases:
        try:
            if database == "sqlite":
                hb.bench_sqlite(args, "FULL", False)
            else:
                hb.bench_postgres(args)
        except hb.HarnessError as exc:
            failed += 1
            print(f"# {database}: HARNESS FAILED: {exc}", flush=True)
        except KeyboardInterrupt:
            print(f"# {database}: interrupted; servers stopped, throw-away databases dropped", flush=True)
            return 130
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
