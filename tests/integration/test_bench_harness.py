"""The pure parts of bench/http_bench.py and bench/http_bench.lua, and the reference app's views. No wrk run and no
gunicorn here: wrk output parsing, the Lua data file, cookies, the row verdicts; the Lua script's own functions run
in LuaJIT (the library wrk links against) through ctypes, one of them against the real cabinet confirm page; the
reference app's /pay/ and /page/ through Django's test client in a subprocess with the reference settings."""

import ctypes
import ctypes.util
import importlib.util
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.helpers import DEMO_INN

ROOT = Path(__file__).resolve().parents[2]
LUA_SCRIPT = ROOT / "bench" / "http_bench.lua"
REFERENCE_DIR = ROOT / "bench" / "reference"
PASSWORD = "Bench-Harness-Pass-2026"


def _load_http_bench():
    spec = importlib.util.spec_from_file_location("http_bench", ROOT / "bench" / "http_bench.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["http_bench"] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


hb = _load_http_bench()


# --- wrk output ----------------------------------------------------------------------------------------------

WRK_OUTPUT = """Running 10s test @ http://127.0.0.1:41234/ussd/gateway/
  16 threads and 16 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   412.51ms  120.02ms   1.20s    71.43%
    Req/Sec     0.40      0.50     1.00     60.00%
  Latency Distribution
     50%  397.70ms
     75%  450.12ms
     90%  510.00ms
     99%    1.20s
  62 requests in 10.02s, 20.12KB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 3
Requests/sec:      6.19
Transfer/sec:      2.01KB
HTTPBENCH_JSON {"good":58,"bad":4,"bad_samples":["ussd: HTTP 403 caller not allowed"],"duration_us":10020000}
"""


def test_wrk_output_gives_rate_percentiles_errors_and_the_lua_json():
    """Requests/sec, the 50 % and 99 % lines in any unit, non-2xx and socket errors, and done()'s JSON line."""
    # when
    result = hb.parse_wrk_output(WRK_OUTPUT)
    # then
    assert result.requests_per_s == 6.19
    assert result.p50_ms == pytest.approx(397.70)
    assert result.p99_ms == pytest.approx(1200.0)
    assert (result.requests, result.duration_s) == (62, pytest.approx(10.02))
    assert result.non_2xx == 3
    assert result.socket_errors == {"connect": 0, "read": 2, "write": 0, "timeout": 1}
    assert result.socket_error_count == 3
    assert result.lua["good"] == 58 and result.lua["bad_samples"] == ["ussd: HTTP 403 caller not allowed"]


def test_wrk_output_without_errors_lines_counts_none():
    """wrk prints the socket and non-2xx lines only when there are some: absent means zero."""
    text = "\n".join(line for line in WRK_OUTPUT.splitlines() if "errors" not in line and "Non-2xx" not in line)
    result = hb.parse_wrk_output(text)
    assert (result.non_2xx, result.socket_error_count) == (0, 0)


def test_wrk_output_without_latency_distribution_is_refused():
    """Without --latency there is no p99: the harness says so instead of reporting a made-up figure."""
    text = "\n".join(line for line in WRK_OUTPUT.splitlines() if "%  " not in line)
    with pytest.raises(ValueError, match="latency"):
        hb.parse_wrk_output(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("950.00us", 0.95), ("18.21ms", 18.21), ("1.20s", 1200.0), ("2.00m", 120_000.0), ("3", None)],
)
def test_wrk_durations_in_milliseconds(text, expected):
    """wrk's units us, ms, s and m; a bare number is not a duration."""
    if expected is None:
        with pytest.raises(ValueError):
            hb.parse_duration_ms(text)
    else:
        assert hb.parse_duration_ms(text) == pytest.approx(expected)


def test_percentile_is_nearest_rank():
    """p50 of 1..10 is 5, p99 is 10; an empty list has none."""
    values = list(range(10, 0, -1))
    assert hb.percentile(values, 50) == 5
    assert hb.percentile(values, 99) == 10
    assert math.isnan(hb.percentile([], 50))


# --- rows ----------------------------------------------------------------------------------------------------------


def test_web_side_counts_completed_payments_and_times_only_the_pay_post():
    """web-pay: payments/s is completed «Оплатить» POSTs over wrk's run time, p50/p99 come from the Lua samples,
    not from wrk's latency over all three requests."""
    result = hb.parse_wrk_output(WRK_OUTPUT)
    result.lua = {"good": 40, "bad": 0, "duration_us": 10_000_000, "samples": [10_000] * 98 + [90_000, 95_000]}
    side = hb.side_from_wrk(result, timed_step=True)
    assert side.rate == pytest.approx(4.0)
    assert (side.p50_ms, side.p99_ms) == (10.0, 90.0)
    assert side.socket_errors == 3  # wrk's own socket errors still count against the run


def test_row_line_shape_ratio_and_verdicts():
    """The row line as the brief gives it; PASS needs the ratio and (USSD) the p99 target; errors flag the row."""
    project = hb.Side(rate=300.0, p50_ms=20.0, p99_ms=80.0)
    reference = hb.Side(rate=500.0, p50_ms=5.0, p99_ms=10.0)
    line = hb.format_row("postgres", "ussd-pay", project, reference)
    assert line.startswith(
        "postgres ussd-pay project=300.0/s p50=20.0ms p99=80.0ms | "
        "reference=500.0/s p50=5.0ms p99=10.0ms | ratio=0.60 |"
    )
    assert line.endswith("target ratio>=0.5, p99<100ms: PASS")
    slow = hb.Side(rate=300.0, p50_ms=20.0, p99_ms=150.0)
    assert hb.format_row("sqlite", "ussd-pay", slow, reference).endswith("MISS")
    assert hb.format_row("sqlite", "page", project, reference).endswith("target ratio>=0.7: MISS")
    failing = hb.Side(rate=300.0, p50_ms=20.0, p99_ms=80.0, bad=2)
    flagged = hb.format_row("sqlite", "ussd-pay", failing, reference, extra_flags=["check_ledger failed"])
    assert "PASS | FLAGGED: check_ledger failed; project errors=2" in flagged
    assert hb.format_row("sqlite", "web-pay", project, reference).endswith("target: none in the issue")


def test_wide_row_line_has_its_own_target_with_the_load():
    """ussd-pay-wide: the USSD row's ratio, a p99 bound scaled by the connections (100 ms at 16 -> 400 ms at 64), not
    one failed project request, and the load and whose target it is said in the line, in the rows' format."""
    # given the wide row's target at its default load
    target = hb.wide_target(64, 4)
    reference = hb.Side(rate=500.0, p50_ms=100.0, p99_ms=200.0)
    project = hb.Side(rate=300.0, p50_ms=200.0, p99_ms=350.0)
    # when
    line = hb.format_row("postgres", hb.WIDE_ROW, project, reference, target=target)
    # then
    assert line == (
        "postgres ussd-pay-wide project=300.0/s p50=200.0ms p99=350.0ms | reference=500.0/s p50=100.0ms p99=200.0ms | "
        "ratio=0.60 | target ratio>=0.5, p99<400ms, no failed request (64 connections, 4 workers each; ours, the "
        "issue sets none): PASS"
    )
    assert hb.wide_target(128, 8).p99_ms == 800.0
    slow = hb.Side(rate=300.0, p50_ms=200.0, p99_ms=400.0)
    assert hb.format_row("postgres", hb.WIDE_ROW, slow, reference, target=target).endswith("none): MISS")
    one_failed = hb.Side(rate=300.0, p50_ms=200.0, p99_ms=350.0, socket_errors=1)
    failed_line = hb.format_row("postgres", hb.WIDE_ROW, one_failed, reference, target=target)
    assert failed_line.endswith("none): MISS | FLAGGED: project errors=1")
    # a failed reference request flags the row but is not the project's failure
    shaky_reference = hb.Side(rate=500.0, p50_ms=100.0, p99_ms=200.0, bad=1)
    assert "PASS | FLAGGED: reference errors=1" in hb.format_row(
        "postgres", hb.WIDE_ROW, project, shaky_reference, target=target
    )


# --- cookies and tokens --------------------------------------------------------------------------------------------


def test_cookies_follow_set_cookie_whatever_their_names():
    """Later headers win, a deleted cookie goes, __Host- names are kept as sent."""
    jar = {}
    hb.set_cookie_update(
        jar,
        [
            "__Host-csrftoken=abc; expires=Tue, 30 Nov 2027 20:41:54 GMT; Max-Age=31449600; Path=/; Secure",
            "sessionid=s1; HttpOnly; Path=/; Secure",
        ],
    )
    hb.set_cookie_update(
        jar,
        [
            "__Host-sessionid=s2; HttpOnly; Path=/; Secure",
            'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
        ],
    )
    assert jar == {"__Host-csrftoken": "abc", "__Host-sessionid": "s2"}
    assert hb.cookie_header(jar) == "__Host-csrftoken=abc; __Host-sessionid=s2"


def test_csrf_token_is_read_from_the_form():
    html = (
        '<form><input name="next" type="hidden" value="/">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="T0k"></form>'
    )
    assert hb.csrf_from_html(html) == "T0k"
    assert hb.csrf_from_html("<form></form>") is None


# --- the Lua script, run in LuaJIT -----------------------------------------------------------------------------------

LUA_GLOBALSINDEX = -10002  # Lua 5.1 / LuaJIT


class LuaJIT:
    """bench/http_bench.lua loaded into a LuaJIT state through the C API; eval() runs an expression with string
    globals and returns its value as a string."""

    def __init__(self) -> None:
        path = ctypes.util.find_library("luajit-5.1") or "libluajit-5.1.so.2"
        try:
            lib = ctypes.CDLL(path)
        except OSError as exc:
            pytest.fail(
                f"LuaJIT ({path}) is needed to test bench/http_bench.lua: install Debian's wrk or libluajit-5.1-2 "
                f"(.ci/run does): {exc}"
            )
        lib.luaL_newstate.restype = ctypes.c_void_p
        lib.luaL_openlibs.argtypes = [ctypes.c_void_p]
        lib.luaL_loadbuffer.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]
        lib.lua_pcall.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.lua_tolstring.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_size_t)]
        lib.lua_tolstring.restype = ctypes.c_void_p
        lib.lua_pushlstring.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]
        lib.lua_setfield.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p]
        lib.lua_settop.argtypes = [ctypes.c_void_p, ctypes.c_int]
        lib.lua_close.argtypes = [ctypes.c_void_p]
        self.lib, self.state = lib, lib.luaL_newstate()
        lib.luaL_openlibs(self.state)
        self._run(LUA_SCRIPT.read_bytes(), "http_bench.lua")

    def _run(self, chunk: bytes, name: str) -> str | None:
        lib, state = self.lib, self.state
        status = lib.luaL_loadbuffer(state, chunk, len(chunk), name.encode())
        if status == 0:
            status = lib.lua_pcall(state, 0, 1, 0)
        size = ctypes.c_size_t()
        pointer = lib.lua_tolstring(state, -1, ctypes.byref(size))
        value = ctypes.string_at(pointer, size.value).decode() if pointer else None
        lib.lua_settop(state, 0)
        if status != 0:
            raise AssertionError(f"Lua error in {name}: {value}")
        return value

    def eval(self, expression: str, **strings: str) -> str | None:
        for name, text in strings.items():
            data = text.encode()
            self.lib.lua_pushlstring(self.state, data, len(data))
            self.lib.lua_setfield(self.state, LUA_GLOBALSINDEX, name.encode())
        return self._run(f"return {expression}".encode(), "test")

    def json(self, expression: str, **strings: str):
        return json.loads(self.eval(f"bench.json({expression})", **strings))

    def close(self) -> None:
        self.lib.lua_close(self.state)


@pytest.fixture
def lua():
    state = LuaJIT()
    yield state
    state.close()


def test_lua_data_file_round_trips_through_lua(lua):
    """What http_bench.py writes for wrk (hosts, cookies, PIN-bearing text, non-ASCII) reads back unchanged."""
    data = {
        "host": "127.0.0.1:8000",
        "text": '3*3*14*14*01503201010011*10*2580 "quoted" \\ back\nslash',
        "conns": [{"phone": "+996555710000", "cookie": "__Host-sessionid=a; csrftoken=b"}, {"phone": "ЭЛСОМ"}],
        "count": 16,
    }
    assert lua.json(f"(function() return {hb.lua_literal(data)} end)()") == data


def test_lua_urlencode_and_unescape(lua):
    """Form values are percent-encoded like a browser's; HTML entities in attribute values are decoded."""
    assert lua.eval("bench.urlencode(s)", s="+996 555*900#/ä") == "%2B996%20555%2A900%23%2F%C3%A4"
    assert lua.eval("bench.html_unescape(s)", s="a&amp;b&#39;c&#x27;d&quot;e&lt;&unknown;") == "a&b'c'd\"e<&unknown;"


def test_lua_ussd_answer_check(lua):
    """A good USSD answer ends the session and holds a 12-digit payment code; anything else is a wrong answer."""
    good = "END Платеж принят. Код: 773200388876. SMS с кодом придет на ваш номер."
    assert lua.eval("tostring(bench.ussd_good(s))", s=good) == "true"
    for wrong in ("CON Неверный PIN. Осталось попыток: 2.", "END Недостаточно средств. Баланс 500 000.00 сом"):
        assert lua.eval("tostring(bench.ussd_good(s))", s=wrong) == "false"


def test_lua_paid_location(lua):
    """Only a redirect to /cabinet/payments/<code>/ (relative or absolute) counts as a completed payment."""
    for location, paid in [
        ("/cabinet/payments/123456789012/", "true"),
        ("http://127.0.0.1:8000/cabinet/payments/123456789012/", "true"),
        ("/cabinet/pay/dostek/", "false"),
        ("/cabinet/payments/", "false"),
    ]:
        assert lua.eval("tostring(bench.paid_location(s))", s=location) == paid, location


def test_lua_json_encoder_output_is_json(lua):
    """done()'s line parses in Python: strings with quotes and control characters, nested tables, empty tables."""
    encoded = lua.eval('bench.json({a = "q\\"\\n\\1", n = 3, f = 0.5, list = {1, 2}, empty = {}, t = true})')
    assert json.loads(encoded) == {"a": 'q"\n\x01', "n": 3, "f": 0.5, "list": [1, 2], "empty": [], "t": True}


@pytest.mark.django_db
def test_lua_confirm_form_extraction_pays_through_the_real_confirm_page(client, make_wallet, lua):
    """The Lua script finds «Оплатить»'s form on the real confirm page (after the header's language and sign-out
    forms), with its token, account and amount; posting exactly what it extracted pays once and redirects to
    /cabinet/payments/<code>/, which the script counts as completed."""
    from accounts.operations import web_account_create
    from services.models import Payment

    # given a signed-in holder who filled the DosTek form
    wallet = make_wallet(balance="100")
    web_account_create(wallet=wallet, email="bench-harness@example.kg", password=PASSWORD)
    client.post(reverse("cabinet:entry"), {"phone": wallet.phone})
    assert client.post(reverse("cabinet:password"), {"password": PASSWORD}).status_code == 302
    filled = client.post(reverse("cabinet:pay_form", kwargs={"slug": "dostek"}), {"account": DEMO_INN, "amount": "10"})
    assert filled.status_code == 302
    confirm_path = lua.eval("bench.location_path(s)", s=filled["Location"])
    html = client.get(confirm_path).content.decode()
    # when the script extracts the confirm form
    form = lua.json('bench.form_fields(html, "/confirm/")', html=html)
    body = lua.eval('bench.encode_form(bench.form_fields(html, "/confirm/").fields)', html=html)
    # then it has the fields «Оплатить» sends
    assert form["action"] == confirm_path
    names = [name for name, _value in form["fields"]]
    assert {"csrfmiddlewaretoken", "token", "account", "amount"} <= set(names)
    assert "language" not in names and "next" not in names
    # and posting them pays once, to a location the script counts as paid
    response = client.post(form["action"], data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 302
    assert lua.eval("tostring(bench.paid_location(s))", s=response["Location"]) == "true"
    assert Payment.objects.filter(wallet=wallet).count() == 1
    assert lua.eval('tostring(bench.form_fields(s, "/confirm/"))', s="<form action='/x/'></form>") == "nil"


# --- the reference app ---------------------------------------------------------------------------------------------

REFERENCE_CHECK = """
import json
from django.db import connection
from django.test import Client
from minimal.models import Balance, Posting, Sms, Transfer

client = Client()
rich = Balance.objects.create(amount=5000)
poor = Balance.objects.create(amount=999)
out = {}
out["page"] = [client.get("/page/").status_code, "csrfmiddlewaretoken" in client.get("/page/").content.decode()]
out["pay"] = [client.post("/pay/", {"account": str(rich.pk)}).content.decode() for _ in range(2)]
out["poor"] = client.post("/pay/", {"account": str(poor.pk)}).status_code
out["unknown"] = client.post("/pay/", {"account": "999999"}).status_code
out["bad"] = [client.post("/pay/", {"account": a}).status_code for a in ("", "1" * 30, "1\\x00", "१")]
out["get"] = client.get("/pay/").status_code
out["balances"] = [Balance.objects.get(pk=rich.pk).amount, Balance.objects.get(pk=poor.pk).amount]
out["rows"] = [Posting.objects.count(), Transfer.objects.count(), Sms.objects.count()]
print("RESULT " + json.dumps(out))
"""


def test_reference_app_pay_and_page(tmp_path):
    """/pay/ (no CSRF token needed) debits 10 som from the named row and writes a posting, a transfer and an SMS
    per payment; too little money (409), an unknown row (404) and malformed accounts (400) change nothing; GET is
    refused (405). /page/ renders the small template with its form."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="reference.settings",
        SECRET_KEY="reference-test-key-not-secret-0123456789",
        DATABASE_URL=f"sqlite:///{tmp_path / 'reference.sqlite3'}",
        ALLOWED_HOSTS="testserver",
    )
    manage = [sys.executable, "manage.py"]
    migrate = subprocess.run(
        [*manage, "migrate", "-v", "0"], cwd=REFERENCE_DIR, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stderr
    check = subprocess.run(
        [*manage, "shell", "-v", "0", "-c", REFERENCE_CHECK], cwd=REFERENCE_DIR, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr
    out = json.loads(check.stdout.split("RESULT ", 1)[1])
    assert out["page"] == [200, True]
    assert [answer.split()[0] for answer in out["pay"]] == ["OK", "OK"]
    assert out["poor"] == 409 and out["unknown"] == 404 and out["get"] == 405
    assert out["bad"] == [400, 400, 400, 400]
    assert out["balances"] == [3000, 999]
    assert out["rows"] == [2, 2, 2]


def test_reference_seed_balances_prints_the_new_ids(tmp_path):
    """seed_balances makes one funded row per connection and prints their ids, which the bench sends as `account`."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL")}
    env.update(
        SECRET_KEY="reference-test-key-not-secret-0123456789", DATABASE_URL=f"sqlite:///{tmp_path / 'r.sqlite3'}"
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], cwd=REFERENCE_DIR, env=env, check=True, capture_output=True)
    seeded = subprocess.run(
        [*manage, "seed_balances", "3", "--amount", "100"], cwd=REFERENCE_DIR, env=env, capture_output=True, text=True
    )
    assert seeded.returncode == 0, seeded.stderr
    assert json.loads(seeded.stdout) == [1, 2, 3]


# --- the command line ----------------------------------------------------------------------------------------------


def test_missing_wrk_exits_2_with_a_message(monkeypatch, capsys):
    """Without wrk (and no way to install it) the harness says what to do and exits 2 before starting anything."""
    monkeypatch.setattr(hb, "ensure_wrk", lambda: None)
    assert hb.main(["--databases", "sqlite"]) == 2
    assert "apt-get install -y wrk" in capsys.readouterr().err


def test_bad_options_are_refused():
    """Unknown databases, rows or synchronous modes are usage errors (exit 2), not a run."""
    for argv in (
        ["--databases", "mysql"],
        ["--rows", "page,nope"],
        ["--sqlite-synchronous", "FAST"],
        ["--duration", "0"],
        ["--wide-connections", "0"],
        ["--wide-workers", "two"],
    ):
        with pytest.raises(SystemExit) as exc:
            hb.parse_args(argv)
        assert exc.value.code == 2
    assert hb.parse_args(["--sqlite-synchronous", "full,normal"]).sqlite_synchronous == ["FULL", "NORMAL"]


def test_wide_row_is_a_default_row_with_its_own_load_and_selectable():
    """By default every row runs, the wide one at 64 connections and 4 workers while the others keep 16 and 2;
    --rows selects it alone, --wide-connections and --wide-workers change its load."""
    args = hb.parse_args([])
    assert args.rows == ["page", "ussd-pay", "web-pay", "ussd-pay-wide"]
    assert (args.connections, args.workers, args.wide_connections, args.wide_workers) == (16, 2, 64, 4)
    args = hb.parse_args(["--rows", "ussd-pay,ussd-pay-wide", "--wide-connections", "32", "--wide-workers", "3"])
    assert (args.rows, args.wide_connections, args.wide_workers) == (["ussd-pay", "ussd-pay-wide"], 32, 3)


def test_wide_row_runs_on_postgresql_only():
    """On SQLite the wide row is skipped (and said so), whether named or by default; PostgreSQL measures it."""
    rows = ["page", "ussd-pay-wide", "ussd-pay"]
    assert hb.case_rows(rows, "postgres") == (rows, [])
    assert hb.case_rows(rows, "sqlite") == (["page", "ussd-pay"], ["ussd-pay-wide"])


def test_wide_row_alone_on_sqlite_prepares_nothing_and_says_why(tmp_path, monkeypatch, capsys):
    """--databases sqlite --rows ussd-pay-wide: a '#' line says the row was skipped; no database is migrated and no
    server started."""
    monkeypatch.setattr(hb.CaseRun, "prepare", lambda self: pytest.fail("prepared a skipped row"))
    monkeypatch.setattr(hb.Server, "start", lambda self, ready, timeout=60: pytest.fail("started a server"))
    run = hb.CaseRun(
        hb.parse_args(["--rows", hb.WIDE_ROW]), hb.Case("sqlite", "sqlite:///p", "sqlite:///r", ""), tmp_path
    )
    run.run()
    assert capsys.readouterr().out == "# sqlite: ussd-pay-wide skipped: PostgreSQL only " + (
        "(on SQLite more workers only queue on the file's write lock)\n"
    )


POSTGRES_CASE = hb.Case("postgres", "postgres://u@127.0.0.1/p_bench", "postgres://u@127.0.0.1/p_bench_ref", "")


def test_wallets_cover_the_widest_row_measured(tmp_path):
    """One wallet and one reference balance per connection of the widest row: 64 with the wide row on PostgreSQL,
    the --connections (16) on SQLite, where the wide row is skipped."""
    args = hb.parse_args([])
    postgres = hb.CaseRun(args, POSTGRES_CASE, tmp_path)
    assert (postgres.wallet_count, postgres.skipped_rows) == (64, [])
    sqlite = hb.CaseRun(args, hb.Case("sqlite", "sqlite:///p", "sqlite:///r", "FULL"), tmp_path)
    assert (sqlite.wallet_count, sqlite.rows, sqlite.skipped_rows) == (
        16,
        ["page", "ussd-pay", "web-pay"],
        [hb.WIDE_ROW],
    )
    narrow = hb.CaseRun(hb.parse_args(["--rows", "ussd-pay", "--connections", "8"]), POSTGRES_CASE, tmp_path)
    assert narrow.wallet_count == 8


def test_wide_row_gets_a_new_pair_of_servers_with_its_workers(tmp_path, monkeypatch):
    """The wide row's servers: the first pair stopped, a new one with --wide-workers each on new free ports of
    127.0.0.1, with the bench's empty gunicorn config; the project keeps its keys (the PINs were hashed with its
    PIN_HASH_KEY) and its CSRF origin follows the new port."""
    started, stopped = [], []
    monkeypatch.setattr(hb.Server, "start", lambda self, ready, timeout=60: started.append(self))
    monkeypatch.setattr(hb.Server, "stop", lambda self: stopped.append(self))
    run = hb.CaseRun(hb.parse_args([]), POSTGRES_CASE, tmp_path)
    keys = {name: run.project_env[name] for name in ("PIN_HASH_KEY", "SECRET_KEY", "USSD_GATEWAY_SECRET")}
    # given the first pair serving the other rows
    run.serve()
    first = list(started)
    assert [server.workers for server in first] == [2, 2]
    # when the wide row starts its own
    run.serve_anew(4)
    # then
    assert stopped == first[::-1]
    new = started[2:]
    assert [server.name for server in new] == ["project", "reference"]
    assert {server.port for server in new}.isdisjoint({server.port for server in first})
    for server in new:
        argv = " ".join(server.argv)
        assert "--workers 4 --worker-class sync" in argv and f"--bind 127.0.0.1:{server.port}" in argv
        assert f"--config {hb.BENCH_DIR / 'gunicorn_bench.conf.py'}" in argv
    assert run.project.env is run.project_env
    assert run.project_env["CSRF_TRUSTED_ORIGINS"] == f"http://127.0.0.1:{run.project.port}"
    assert {name: run.project_env[name] for name in keys} == keys


def test_wide_row_drives_wrk_with_one_connection_per_wallet(tmp_path, monkeypatch):
    """wrk runs -t64 -c64 for the wide row (the others keep --connections), and the Lua data gives each of the 64
    connections its own wallet."""
    argvs = []

    def fake_run_checked(argv, **kwargs):
        argvs.append(argv)
        return WRK_OUTPUT

    monkeypatch.setattr(hb, "run_checked", fake_run_checked)
    run = hb.CaseRun(hb.parse_args([]), POSTGRES_CASE, tmp_path)
    run.pin, run.phones = "4725", [f"+99655571{index:04d}" for index in range(64)]
    # when
    run.wrk(run.project, "ussd", run.ussd_data(64), warm=False, connections=64)
    run.wrk(run.project, "ussd", run.ussd_data(16), warm=False)
    # then
    assert argvs[0][1:3] == ["-t64", "-c64"] and argvs[1][1:3] == ["-t16", "-c16"]
    lua = LuaJIT()
    try:
        phones = lua.json(f"dofile({json.dumps(argvs[0][-1])}).conns")
    finally:
        lua.close()
    assert [conn["phone"] for conn in phones] == run.phones
