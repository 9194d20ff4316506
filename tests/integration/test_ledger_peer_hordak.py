"""bench/ledger_peer_hordak.py and its peer, bench/peer_hordak/peer.py, without hordak: no venv is built, no
database made, nothing fetched (the real run is the bench's). What is checked here: the command line, the
arguments HordakPeer refuses before it starts anything, the venv's reuse rule, that a failing peer.py surfaces its
stderr, that the default commission is DosTek group's, and that peer.py's payment is the two transactions its
docstring describes (lock, balance read, refusal, transfer, in that order), run against recording stand-ins for
Django's transaction.atomic and hordak's models."""

import hashlib
import importlib
import importlib.util
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "ledger_peer_hordak.py"
PEER = ROOT / "bench" / "peer_hordak" / "peer.py"


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


lph = _load("ledger_peer_hordak", SCRIPT)
peer = _load("hordak_peer_script", PEER)  # importing it sets nothing up: Django and hordak come in django_setup()


# --- The command line ------------------------------------------------------------------------------------------


def test_help_runs_without_building_anything():
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30, check=False
    )
    assert done.returncode == 0, done.stderr
    for option in ("--workers", "--payments", "--warmup", "--sizes", "--commission", "--pg-url"):
        assert option in done.stdout
    assert "hordak workers=<n> payments/s=<x>" in done.stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["--workers", "0"],
        ["--workers", "1,x"],
        ["--workers", "4", "--payments", "3"],
        ["--sizes", "-1"],
        ["--warmup", "-1"],
        ["--history-payments", "0"],
        ["--commission", "-0.01"],
        ["--commission", "much"],
    ],
)
def test_bad_arguments_are_refused(argv, capsys):
    with pytest.raises(SystemExit) as refused:
        lph.parse_args(argv)
    assert refused.value.code == 2


def test_arguments_of_the_issue():
    args = lph.parse_args(["--workers", "1,4,16,32", "--payments", "800", "--sizes", "0,1000,10000"])
    assert (args.workers, args.payments, args.sizes) == ([1, 4, 16, 32], 800, [0, 1000, 10000])


def test_default_commission_is_dostek_groups():
    """The seed's DosTek row (fixed commission, percent) through the project's own commission arithmetic."""
    from core.money import percent_of

    seed = importlib.import_module("services.migrations.0002_seed_catalog")
    (row,) = [row for row in seed.SERVICES if row[2] == "dostek"]
    fixed, percent = Decimal(row[-2]), Decimal(row[-1])
    assert fixed + percent_of(Decimal("30.00"), percent) == lph.DOSTEK_COMMISSION
    assert lph.parse_args([]).commission == str(lph.DOSTEK_COMMISSION)


# --- HordakPeer before it starts anything ------------------------------------------------------------------------


def test_peer_names_its_throwaway_database():
    hordak = lph.HordakPeer("postgres://postgres@127.0.0.1:5432/test", "1.50")
    assert hordak.commission == Decimal("1.50")
    assert hordak.database.startswith("elsom_hordak_")
    assert hordak.database_url == f"postgres://postgres@127.0.0.1:5432/{hordak.database}"
    assert hordak.venv_dir == ROOT / "var" / "bench-venvs" / "hordak"


@pytest.mark.parametrize("commission", ["-1", "abc", "NaN"])
def test_peer_refuses_a_bad_commission(commission):
    with pytest.raises(ValueError):
        lph.HordakPeer("postgres://x/y", commission)


def test_peer_refuses_bad_run_and_history_arguments():
    hordak = lph.HordakPeer("postgres://x/y", Decimal("0"))
    for workers, payments, warmup in [(0, 10, 0), (4, 3, 0), (1, 10, -1)]:
        with pytest.raises(ValueError):
            hordak.run(workers, payments, warmup)
    for sizes in ([], [-1]):
        with pytest.raises(ValueError):
            hordak.history(sizes)


def _fake_venv(tmp_path: Path, python_script: str, stamp: str | None) -> Path:
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(python_script)
    python.chmod(0o755)
    if stamp is not None:
        (venv / lph.STAMP).write_text(stamp + "\n")
    return venv


def test_venv_is_reused_only_when_its_stamp_is_the_requirements_hash(tmp_path):
    digest = hashlib.sha256(lph.REQUIREMENTS.read_bytes()).hexdigest()
    assert lph.requirements_hash() == digest
    current = _fake_venv(tmp_path, "#!/bin/sh\nexit 0\n", digest)
    assert lph.venv_is_current(current)
    hordak = lph.HordakPeer("postgres://x/y", "0", venv_dir=current)
    assert hordak.ensure_venv() is False and hordak.venv_seconds is None  # nothing built, nothing run
    (current / lph.STAMP).write_text("0" * 64)
    assert not lph.venv_is_current(current)
    (current / lph.STAMP).unlink()  # an install that died before its stamp
    assert not lph.venv_is_current(current)


def test_requirements_pin_hordak_and_the_projects_django():
    pins = dict(
        line.split("==", 1) for line in lph.REQUIREMENTS.read_text().splitlines() if "==" in line and line[0] != "#"
    )
    assert pins["django-hordak"] == "2.0.0"
    assert pins["Django"].startswith("5.2.")
    assert all(version.strip() for version in pins.values())
    assert "hordak" not in (ROOT / "pyproject.toml").read_text()  # not a dependency of the project


def test_a_failing_peer_surfaces_its_stderr(tmp_path):
    venv = _fake_venv(tmp_path, "#!/bin/sh\necho 'first line' >&2\necho 'PROBLEM: hold holds 30' >&2\nexit 3\n", None)
    hordak = lph.HordakPeer("postgres://x/y", "0", venv_dir=venv)
    with pytest.raises(lph.PeerError) as failed:
        hordak.history([0])
    assert "exit status 3" in str(failed.value)
    assert "PROBLEM: hold holds 30" in str(failed.value)


def test_peer_results_are_its_json_lines(tmp_path):
    script = '#!/bin/sh\necho "# a comment"\necho \'{"size": 0, "history": 0, "rate": 12.5, "balance_ms": 1.0}\'\n'
    hordak = lph.HordakPeer("postgres://x/y", "0", venv_dir=_fake_venv(tmp_path, script, None))
    assert hordak.history([0]) == [{"size": 0, "history": 0, "rate": 12.5, "balance_ms": 1.0}]


# --- peer.py's payment, against recording stand-ins ---------------------------------------------------------------


class _Atomic:
    def __init__(self, events):
        self.events = events

    def atomic(self):
        return self

    def __enter__(self):
        self.events.append("BEGIN")

    def __exit__(self, exc_type, *_):
        self.events.append("ROLLBACK" if exc_type else "COMMIT")
        return False


class _Account:
    def __init__(self, events, name, balance=Decimal("0")):
        self.events, self.name, self.balance = events, name, balance

    def get_balance(self):
        self.events.append(f"balance {self.name}")
        return self.balance

    def transfer_to(self, to_account, amount, **_):
        # hordak 2.0: credits self, debits to_account
        self.events.append(f"credit {self.name} {amount}, debit {to_account.name} {amount}")
        return "transaction"


class _Rows:
    def __init__(self, events, what, rows=None):
        self.events, self.what, self.rows, self.locked = events, what, rows or {}, False

    def select_for_update(self):
        self.locked = True
        return self

    def get(self, pk):
        self.events.append(f"{'lock' if self.locked else 'read (no lock)'} {self.rows[pk].name}")
        self.locked = False
        return self.rows[pk]

    def create(self, **fields):
        if self.what == "leg":
            side = "debit" if fields.get("debit") is not None else "credit"
            self.events.append(f"leg {side} {fields['account'].name} {fields[side]}")
        else:
            self.events.append("transaction")
        return fields


@pytest.fixture
def books(monkeypatch):
    """peer.py's globals replaced: what it calls is recorded in `events`."""
    events: list[str] = []
    wallet = _Account(events, "wallet", Decimal("30.00"))
    monkeypatch.setattr(peer, "db_transaction", _Atomic(events))
    monkeypatch.setattr(peer, "Account", type("Account", (), {"objects": _Rows(events, "account", {7: wallet})}))
    monkeypatch.setattr(peer, "Transaction", type("Transaction", (), {"objects": _Rows(events, "transaction")}))
    monkeypatch.setattr(peer, "Leg", type("Leg", (), {"objects": _Rows(events, "leg")}))
    hold, provider, fees = (_Account(events, name) for name in ("hold", "provider", "fees"))
    return events, wallet, hold, provider, fees


def test_reserve_locks_then_reads_the_balance_then_transfers_wallet_to_hold(books):
    events, wallet, hold, _provider, _fees = books
    peer.tx_reserve(7, hold, Decimal("30.00"), "p1")
    assert events == ["BEGIN", "lock wallet", "balance wallet", "credit hold 30.00, debit wallet 30.00", "COMMIT"]


def test_reserve_refuses_an_overdraft_and_writes_nothing(books):
    events, wallet, hold, _provider, _fees = books
    wallet.balance = Decimal("29.99")
    with pytest.raises(peer.Refused):
        peer.tx_reserve(7, hold, Decimal("30.00"), "p1")
    assert events == ["BEGIN", "lock wallet", "balance wallet", "ROLLBACK"]


def test_commit_is_one_transaction_hold_to_provider_and_fees(books):
    events, _wallet, hold, provider, fees = books
    peer.tx_commit(hold, provider, fees, Decimal("30.00"), Decimal("1.50"), "p1")
    assert events == [
        "BEGIN",
        "transaction",
        "leg debit hold 31.50",
        "leg credit provider 30.00",
        "leg credit fees 1.50",
        "COMMIT",
    ]


def test_commit_without_commission_has_no_fees_leg(books):
    events, _wallet, hold, provider, fees = books
    peer.tx_commit(hold, provider, fees, Decimal("30.00"), Decimal("0.00"), "p1")
    assert events == ["BEGIN", "transaction", "leg debit hold 30.00", "leg credit provider 30.00", "COMMIT"]


def test_a_payment_is_two_database_transactions(books):
    events, _wallet, hold, provider, fees = books
    system = type("Books", (), {"hold": hold, "provider": provider, "fees": fees})()
    peer.pay(system, 7, Decimal("30.00"), Decimal("0.00"), "p1")
    assert events.count("BEGIN") == events.count("COMMIT") == 2
    assert events.index("COMMIT") < events.index("transaction")  # the reserve is committed before the settle
