#!/usr/bin/env python
"""The ledger bench's payment written as a django-hordak 2.0 user would write it (issue 20, deliverable 3).

Run by the bench-only virtual environment's python (bench/ledger_peer_hordak.py builds it and calls this script),
against the throw-away PostgreSQL database named by HORDAK_DATABASE_URL. Subcommands, each printing one JSON object
per line on stdout (problems go to stderr, with exit status 1):

    setup                                   migrate; the chart of accounts; checks of what hordak enforces
    run --workers N --payments P --warmup W payments/s of N forked workers, then the books checked
    history --sizes 0,1000,10000            one wallet's payments/s and balance read as its history grows

One payment is two database transactions, as the project's (services/payments/lifecycle.py, and the plain-SQL floor
plain_tx_reserve / plain_tx_commit in bench/ledger_bench.py):

1. tx_reserve: transaction.atomic(); the wallet's hordak Account row locked with select_for_update() (hordak has
   no per-account balance constraint and locks nothing itself: the lock is the no-overdraft guard a hordak user
   writes); its balance read the hordak way, Account.get_balance() (2.0's name for balance(): it sums the
   account's legs, no cached balance); refused (Refused, nothing written) when below the total; else
   hold.transfer_to(wallet, total): one hordak Transaction whose legs debit the wallet and credit the hold account.
2. tx_commit: transaction.atomic(); one hordak Transaction with legs: debit hold by the total, credit the provider
   (DosTek group) by the amount and, when there is a commission, credit the fees account by it.

Between them the project calls the provider outside any transaction; the bench's DosTek answers in process, so
nothing happens here. What the project writes besides the ledger (the payment row, the SMS) has no counterpart:
this peer is the ledger's side only.

The chart (hordak's sign conventions: an asset's balance is debits - credits, every other type's credits - debits):
Assets / Cash in (KICB branch) funds the wallets; Liabilities / Wallets / <one account per wallet>, Liabilities /
Hold (payments in progress), Liabilities / Providers / DosTek group; Income / Fees. A wallet is money owed to its
holder (a liability): funding credits it, a payment debits it. All in KGS.
"""

import argparse
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

CURRENCY = "KGS"
DEFAULT_AMOUNT = Decimal("30.00")  # bench/ledger_bench.py's AMOUNT
FUNDING_MARGIN = Decimal("100.00")  # left on every wallet after its payments, so "below zero" is a real check
BALANCE_READS = 15  # history: the median of this many balance reads is printed

# Filled by django_setup() (hordak needs configured Django to import). Module globals, so that the payment
# functions read like a hordak user's code and a test can put stand-ins in their place without hordak.
db_transaction = None
Account = None
Leg = None
Transaction = None
Money = None


class Refused(Exception):
    """The no-overdraft guard said no: the reserve's transaction was rolled back, nothing was written."""


class Books:
    """The system accounts, loaded once per process (the project caches its hold and fees accounts too)."""

    def __init__(self):
        self.cash_in = Account.objects.get(name="Cash in (KICB branch)")
        self.wallets = Account.objects.get(name="Wallets")
        self.hold = Account.objects.get(name="Hold (payments in progress)")
        self.provider = Account.objects.get(name="DosTek group")
        self.fees = Account.objects.get(name="Fees")


# --- The payment ----------------------------------------------------------------------------------------------


def tx_reserve(wallet_id: int, hold, total, reference: str):
    """Transaction 1: move the total from the wallet to the hold account, refusing an overdraft."""
    with db_transaction.atomic():
        wallet = Account.objects.select_for_update().get(pk=wallet_id)
        balance = wallet.get_balance()  # hordak sums the wallet's legs (Balance, one Money per currency)
        if balance < total:
            raise Refused(f"wallet {wallet_id}: balance {balance} is below the total {total}")
        # transfer_to() credits self and debits the account it is given (hordak 2.0, "industry norms"): the hold
        # account (a liability) goes up by the total, the wallet (a liability) goes down by it.
        return hold.transfer_to(wallet, total, description=f"{reference}: reserve")


def tx_commit(hold, provider, fees, amount, commission, reference: str):
    """Transaction 2, after the provider's yes: one hordak Transaction, hold -> provider (and fees)."""
    with db_transaction.atomic():
        settle = Transaction.objects.create(description=f"{reference}: settle")
        Leg.objects.create(transaction=settle, account=hold, debit=amount + commission)
        Leg.objects.create(transaction=settle, account=provider, credit=amount)
        if commission:
            Leg.objects.create(transaction=settle, account=fees, credit=commission)
        return settle


def pay(books: Books, wallet_id: int, amount, commission, reference: str) -> None:
    """One payment: the reserve, the provider's answer (in process: nothing to do), the commit."""
    tx_reserve(wallet_id, books.hold, amount + commission, reference)
    tx_commit(books.hold, books.provider, books.fees, amount, commission, reference)


# --- Django and the chart of accounts ---------------------------------------------------------------------------


def django_setup() -> None:
    global db_transaction, Account, Leg, Transaction, Money
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # bench/, where peer_hordak.settings is
    os.environ["DJANGO_SETTINGS_MODULE"] = "peer_hordak.settings"
    import django

    django.setup()
    from django.db import transaction as _db_transaction
    from hordak.models import Account as _Account
    from hordak.models import Leg as _Leg
    from hordak.models import Transaction as _Transaction
    from moneyed import Money as _Money

    db_transaction, Account, Leg, Transaction, Money = _db_transaction, _Account, _Leg, _Transaction, _Money


def som(value) -> "Money":
    return Money(Decimal(value), CURRENCY)


def create_chart() -> None:
    """The accounts, as hordak wants them: typed roots, children inherit the type (hordak's check_account_type
    trigger sets it), codes combine into full codes (its update_full_account_codes trigger)."""
    from hordak.models import AccountType

    if Account.objects.filter(name="Wallets").exists():
        return
    with db_transaction.atomic():
        assets = Account.objects.create(name="Assets", code="1", type=AccountType.asset)
        liabilities = Account.objects.create(name="Liabilities", code="2", type=AccountType.liability)
        income = Account.objects.create(name="Income", code="4", type=AccountType.income)
        Account.objects.create(name="Cash in (KICB branch)", code="1", parent=assets, is_bank_account=True)
        Account.objects.create(name="Wallets", code="1", parent=liabilities)
        Account.objects.create(name="Hold (payments in progress)", code="2", parent=liabilities)
        providers = Account.objects.create(name="Providers", code="3", parent=liabilities)
        Account.objects.create(name="DosTek group", code="1", parent=providers)
        Account.objects.create(name="Fees", code="1", parent=income)


def new_wallets(books: Books, count: int, label: str, funded: Decimal) -> list[int]:
    """`count` wallet accounts under Wallets, each funded from the cash-in account (one hordak transfer each)."""
    first = books.wallets.get_children().count() + 1
    ids = []
    for n in range(first, first + count):
        wallet = Account.objects.create(name=f"wallet {label} {n}", code=str(n), parent=books.wallets)
        # Credits the wallet (liability up) and debits the cash-in account (asset up).
        wallet.transfer_to(books.cash_in, som(funded), description=f"cash-in {wallet.name}")
        ids.append(wallet.pk)
    return ids


def _server() -> dict:
    from importlib.metadata import version

    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {"django": django.get_version(), "hordak": version("django-hordak"), "postgresql": server}


def _zero_sum_is_enforced(books: Books) -> bool:
    """hordak's check_leg trigger (deferred to COMMIT): a transaction whose legs do not sum to zero is refused."""
    from django.db import DatabaseError

    try:
        with db_transaction.atomic():
            lonely = Transaction.objects.create(description="setup: unbalanced on purpose")
            Leg.objects.create(transaction=lonely, account=books.hold, debit=som("1.00"))
    except DatabaseError:
        return True
    return False


def _overdraft_is_accepted(books: Books) -> bool:
    """Without the guard hordak takes a wallet below zero and commits it: nothing in hordak refuses an overdraft.
    The overdraft is then taken back with a correcting transfer, as a hordak user would (legs are not deleted)."""
    (wallet_id,) = new_wallets(books, 1, "setup-overdraft", Decimal("10.00"))
    wallet = Account.objects.get(pk=wallet_id)
    books.hold.transfer_to(wallet, som("30.00"), description="setup: overdraft on purpose")  # its own transaction
    accepted = wallet.get_balance() < 0
    if accepted:
        wallet.transfer_to(books.hold, som("30.00"), description="setup: overdraft reversed")
    return accepted


def cmd_setup(args) -> int:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    create_chart()
    books = Books()
    facts = {
        "zero_sum_enforced": _zero_sum_is_enforced(books),
        "overdraft_accepted_without_guard": _overdraft_is_accepted(books),
    }
    amount, commission = som(args.amount), som(args.commission)
    total = amount + commission
    # The guard: a wallet 0.01 short of the total is refused and keeps its money and its single leg.
    (short,) = new_wallets(books, 1, "setup-short", total.amount - Decimal("0.01"))
    try:
        pay(books, short, amount, commission, "setup-short")
        facts["guard_refuses"] = False
    except Refused:
        wallet = Account.objects.get(pk=short)
        facts["guard_refuses"] = wallet.legs.count() == 1 and wallet.get_balance() == som(
            total.amount - Decimal("0.01")
        )
    # What one payment sends: counted once (transaction control included, it is a round trip too).
    (probe,) = new_wallets(books, 1, "setup-probe", total.amount * 2)
    pay(books, probe, amount, commission, "setup-probe-warm")
    with CaptureQueriesContext(connection) as captured:
        pay(books, probe, amount, commission, "setup-probe")
    statements = [query["sql"].split()[0].upper() for query in captured.captured_queries]
    facts["statements_per_payment"] = len(statements)
    facts["statement_kinds"] = {kind: statements.count(kind) for kind in sorted(set(statements))}
    problems = [name for name in ("zero_sum_enforced", "guard_refuses") if not facts[name]]
    problems += check_books(books)
    print(json.dumps({"setup": "ok" if not problems else "problems", **_server(), **facts}), flush=True)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr, flush=True)
    return 1 if problems else 0


# --- run: payments/s of N forked workers ------------------------------------------------------------------------


def cmd_run(args) -> int:
    import multiprocessing
    import queue
    import threading

    from django.db import connections

    books = Books()
    amount, commission = som(args.amount), som(args.commission)
    total = amount + commission
    counts = [
        args.payments // args.workers + (1 if i < args.payments % args.workers else 0) for i in range(args.workers)
    ]
    label = f"run-{os.getpid()}"
    funded = [total.amount * (count + args.warmup) + FUNDING_MARGIN for count in counts]
    wallet_ids = [new_wallets(books, 1, label, funded[i])[0] for i in range(args.workers)]

    # Each worker opens its own connection: none may be inherited across the fork.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(args.workers + 1)
    results = context.Queue()

    def work(index: int) -> None:
        try:
            mine = Books()
            for i in range(args.warmup):
                pay(mine, wallet_ids[index], amount, commission, f"{label}-{index}-warm-{i}")
            start.wait()
            durations = []
            for i in range(counts[index]):
                began = time.perf_counter()
                pay(mine, wallet_ids[index], amount, commission, f"{label}-{index}-{i}")
                durations.append(time.perf_counter() - began)
            results.put((index, time.perf_counter(), durations, None))
        except BaseException as exc:  # reported by the parent
            start.abort()
            results.put((index, None, [], f"{type(exc).__name__}: {exc}"))
        finally:
            connections.close_all()

    processes = [context.Process(target=work, args=(i,)) for i in range(args.workers)]
    for process in processes:
        process.start()
    try:
        start.wait()
    except threading.BrokenBarrierError:
        pass
    began = time.perf_counter()
    finished, durations, errors = [], [], []
    while len(finished) + len(errors) < args.workers:
        try:
            _index, when, times, error = results.get(timeout=1)
        except queue.Empty:
            if not any(process.is_alive() for process in processes) and results.empty():
                errors.append("a worker process died without reporting")
                break
            continue
        if error:
            errors.append(error)
        else:
            finished.append(when)
            durations.extend(times)
    for process in processes:
        process.join()
    if errors:
        print(f"PROBLEM: worker failed: {errors[0]}", file=sys.stderr, flush=True)
        return 1

    seconds = max(finished) - began
    problems = check_books(books)
    for wallet_id, count, fund in zip(wallet_ids, counts, funded, strict=True):
        wallet = Account.objects.get(pk=wallet_id)
        expected = som(fund - total.amount * (count + args.warmup))
        balance = wallet.get_balance()
        if balance != expected:
            problems.append(f"wallet {wallet.name}: balance {balance}, expected {expected}")
        legs = wallet.legs.count()
        if legs != 1 + count + args.warmup:
            problems.append(f"wallet {wallet.name}: {legs} legs, expected {1 + count + args.warmup}")
    durations.sort()
    print(
        json.dumps(
            {
                "rate": args.payments / seconds,
                "workers": args.workers,
                "payments": args.payments,
                "warmup": args.warmup,
                "seconds": round(seconds, 4),
                "p50_ms": round(1000 * statistics.median(durations), 2),
                "p99_ms": round(1000 * durations[min(len(durations) - 1, int(0.99 * len(durations)))], 2),
                "problems": len(problems),
            }
        ),
        flush=True,
    )
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr, flush=True)
    return 1 if problems else 0


def check_books(books: Books) -> list[str]:
    """No wallet below zero, nothing left on hold, every transaction's legs (and so all legs) summing to zero,
    hordak's own accounting equation."""
    from django.db import connection
    from hordak.exceptions import AccountingEquationViolationError

    problems = []
    for wallet in books.wallets.get_children().with_balances():
        if wallet.balance < 0:
            problems.append(f"wallet {wallet.name} is below zero: {wallet.balance}")
    hold = books.hold.get_balance()
    if hold != 0:
        problems.append(f"the hold account holds {hold} with no payment in progress")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT transaction_id, SUM(COALESCE(debit, 0)) - SUM(COALESCE(credit, 0)) FROM hordak_leg"
            " GROUP BY transaction_id HAVING SUM(COALESCE(debit, 0)) <> SUM(COALESCE(credit, 0)) LIMIT 5"
        )
        for transaction_id, difference in cursor.fetchall():
            problems.append(f"transaction {transaction_id}: its legs sum to {difference}, not zero")
        cursor.execute("SELECT COALESCE(SUM(debit), 0), COALESCE(SUM(credit), 0) FROM hordak_leg")
        debits, credits = cursor.fetchone()
        if debits != credits:
            problems.append(f"all legs: debits {debits} != credits {credits}")
    try:
        Account.validate_accounting_equation()
    except AccountingEquationViolationError as exc:
        problems.append(f"hordak's accounting equation: {exc}")
    return problems


# --- history: one wallet's payment and balance read as its legs pile up -----------------------------------------


def grow_history(books: Books, wallet_id: int, payments: int, amount, commission, label: str) -> None:
    """`payments` past payments of the wallet written in bulk: for each, the reserve and the settle transaction
    with the same legs pay() writes, inserted with bulk_create (Transaction rows, then Leg rows), 1000 payments a
    database transaction. Leg.save()'s Python checks are skipped; hordak's triggers still run on every leg at
    COMMIT (legs sum to zero per transaction, one of debit/credit and > 0, the account takes the currency)."""
    total = amount + commission
    done = 0
    while done < payments:
        chunk = min(1000, payments - done)
        with db_transaction.atomic():
            transactions = Transaction.objects.bulk_create(
                [
                    Transaction(description=f"{label}-{done + i}: {step}")
                    for i in range(chunk)
                    for step in ("reserve", "settle")
                ]
            )
            legs = []
            for i in range(chunk):
                reserve, settle = transactions[2 * i], transactions[2 * i + 1]
                legs.append(Leg(transaction=reserve, account_id=wallet_id, debit=total))
                legs.append(Leg(transaction=reserve, account=books.hold, credit=total))
                legs.append(Leg(transaction=settle, account=books.hold, debit=total))
                legs.append(Leg(transaction=settle, account=books.provider, credit=amount))
                if commission:
                    legs.append(Leg(transaction=settle, account=books.fees, credit=commission))
            Leg.objects.bulk_create(legs, batch_size=5000)
        done += chunk


def _median_ms(function, reads: int = BALANCE_READS) -> float:
    times = []
    for _ in range(reads):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return round(1000 * statistics.median(times), 3)


def cmd_history(args) -> int:
    books = Books()
    amount, commission = som(args.amount), som(args.commission)
    total = amount + commission
    sizes = sorted(set(args.sizes))
    label = f"history-{os.getpid()}"
    # Warm the connection and the code paths on a wallet of its own, so the measured wallet's history is exact.
    (warm,) = new_wallets(books, 1, f"{label}-warm", total.amount * args.warmup + FUNDING_MARGIN)
    for i in range(args.warmup):
        pay(books, warm, amount, commission, f"{label}-warm-{i}")
    need = total.amount * (max(sizes) + len(sizes) * args.payments) + FUNDING_MARGIN
    (wallet_id,) = new_wallets(books, 1, label, need)
    wallet = Account.objects.get(pk=wallet_id)
    made = 0  # payments in the wallet's history
    problems = []
    for size in sizes:
        if size > made:
            began = time.perf_counter()
            grow_history(books, wallet_id, size - made, amount, commission, f"{label}-past")
            grown_s = time.perf_counter() - began
            made = size
        else:
            grown_s = 0.0
        balance_ms = _median_ms(wallet.get_balance)
        balance_db_ms = _median_ms(lambda: Account.objects.with_balances().get(pk=wallet_id).balance)
        began = time.perf_counter()
        for i in range(args.payments):
            pay(books, wallet_id, amount, commission, f"{label}-{made + i}")
        seconds = time.perf_counter() - began
        history = made
        made += args.payments
        expected = som(need - total.amount * made)
        if wallet.get_balance() != expected:
            problems.append(f"history {history}: wallet balance {wallet.get_balance()}, expected {expected}")
        print(
            json.dumps(
                {
                    "size": size,
                    "history": history,
                    "legs": history + 1,
                    "payments": args.payments,
                    "rate": args.payments / seconds,
                    "balance_ms": balance_ms,
                    "balance_db_ms": balance_db_ms,
                    "grow_s": round(grown_s, 2),
                    "grown_with": "bulk_create",
                }
            ),
            flush=True,
        )
    problems += check_books(books)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr, flush=True)
    return 1 if problems else 0


# --- Command line -----------------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, got {text!r}") from exc
    if not values or any(v < 0 for v in values):
        raise argparse.ArgumentTypeError("history sizes are integers >= 0")
    return values


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="peer.py", description=__doc__.split("\n\n")[0])
    money = argparse.ArgumentParser(add_help=False)
    money.add_argument("--amount", type=Decimal, default=DEFAULT_AMOUNT, help="payment amount (default 30.00)")
    money.add_argument("--commission", type=Decimal, default=Decimal("0.00"), help="commission (default 0.00)")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("setup", parents=[money], help="migrate, create the accounts, check hordak's rules")
    run = commands.add_parser("run", parents=[money], help="payments/s of forked workers")
    run.add_argument("--workers", type=int, required=True)
    run.add_argument("--payments", type=int, required=True)
    run.add_argument("--warmup", type=int, default=10)
    history = commands.add_parser("history", parents=[money], help="one wallet as its history grows")
    history.add_argument("--sizes", type=_sizes, required=True)
    history.add_argument("--payments", type=int, default=200, help="timed payments per size (default 200)")
    history.add_argument("--warmup", type=int, default=10)
    args = parser.parse_args(argv)
    if args.amount <= 0 or args.commission < 0:
        parser.error("--amount must be > 0 and --commission >= 0")
    if args.command == "run" and not (1 <= args.workers <= args.payments and args.warmup >= 0):
        parser.error("run needs 1 <= --workers <= --payments and --warmup >= 0")
    if args.command == "history" and not (args.payments >= 1 and args.warmup >= 0):
        parser.error("history needs --payments >= 1 and --warmup >= 0")
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    django_setup()
    return {"setup": cmd_setup, "run": cmd_run, "history": cmd_history}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
