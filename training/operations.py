"""The trainer's actions: start a scenario, check it, lift its SMS fault, reset it. Each writes its audit entry in the
transaction of what it changes (StaffAction.SCENARIO_START / SCENARIO_RESET / PROVIDER_FAULT).

A start is not one transaction: it opens a wallet, switches faults at СОЧИ (HTTP) and pays through payment_execute,
whose provider call must sit outside any transaction. The run and its audit entry are written first, so that a
preparation that fails half-way is on the board (status «не удалось подготовить») with the error."""

from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from audit.models import StaffAction
from audit.operations import SYSTEM, audit_record, staff_require
from audit.roles import StaffPermission
from core.errors import DomainError
from core.money import format_som
from services.faults import FaultSwitchFailed, provider_fault_set
from training.errors import (
    MSG_PREPARE_FAILED,
    MSG_UNKNOWN_SCENARIO,
    MSG_UNKNOWN_VARIANT,
    MSG_WALLET_BLOCKED,
    MSG_WALLET_FUNDS,
    MSG_WALLET_HAS_WEB,
    MSG_WALLET_OPERATOR,
    MSG_WALLET_PIN_LOCKED,
    ScenarioFailed,
    ScenarioUnavailable,
    WalletNotSuitable,
)
from training.faults import sms_gateway_fault_lift
from training.models import RunStatus, ScenarioRun
from training.scenarios import SCENARIOS, Check, CheckLine, Prep, Scenario, dostek, scenario_missing_parts
from training.wallets import training_wallet_open
from wallet.balance import wallet_balance
from wallet.models import Wallet, WalletStatus
from wallet.phone import Operator
from wallet.pin_operations import wallet_pin_unlock
from wallet.status import wallet_set_status


def scenario_get(slug: str) -> Scenario:
    scenario = SCENARIOS.get(slug)
    if scenario is None:
        raise ScenarioUnavailable(MSG_UNKNOWN_SCENARIO)
    return scenario


def scenario_reason(scenario: Scenario) -> str:
    """The audit reason of what a scenario does, in Russian whatever the trainer's language (like every reason)."""
    with translation.override("ru"):
        return f"Учебный сценарий {scenario.number}: «{scenario.title}»"


def wallet_state(wallet: Wallet) -> dict:
    balance = wallet_balance(wallet=wallet)
    return {
        "status": wallet.status,
        "pin_locked": wallet.pin_locked_at is not None,
        "pin_failed_attempts": wallet.pin_failed_attempts,
        "balance": format_som(balance),
    }


def wallet_check_suitable(*, scenario: Scenario, wallet: Wallet) -> None:
    """Raise WalletNotSuitable when the chosen wallet cannot play this case (operator, state, money, web account)."""
    if scenario.operators is not None and wallet.operator not in scenario.operators:
        names = ", ".join(Operator(code).label for code in sorted(scenario.operators))
        raise WalletNotSuitable(MSG_WALLET_OPERATOR, operators=names, operator=wallet.get_operator_display())
    if wallet.status != WalletStatus.ACTIVE:
        raise WalletNotSuitable(MSG_WALLET_BLOCKED)
    if scenario.needs_usable_pin and wallet.pin_locked_at is not None:
        raise WalletNotSuitable(MSG_WALLET_PIN_LOCKED)
    if scenario.min_balance > 0:
        balance = wallet_balance(wallet=wallet)
        if balance < scenario.min_balance:
            raise WalletNotSuitable(
                MSG_WALLET_FUNDS, balance=format_som(balance), needed=format_som(scenario.min_balance)
            )
    if scenario.needs_no_web_account and hasattr(wallet, "web_account"):
        raise WalletNotSuitable(MSG_WALLET_HAS_WEB)


def scenario_ready(*, slug: str, variant: str = "") -> tuple[Scenario, str]:
    """The scenario and its variant (the first one by default), or ScenarioUnavailable: unknown, or missing a part
    of the installation it needs (СОЧИ, the training SMS gateway)."""
    scenario = scenario_get(slug)
    missing = scenario_missing_parts(scenario)
    if missing:
        raise ScenarioUnavailable(missing)
    if scenario.variants:
        variant = variant or scenario.variants[0].slug
        if scenario.variant(variant) is None:
            raise ScenarioUnavailable(MSG_UNKNOWN_VARIANT)
    elif variant:
        raise ScenarioUnavailable(MSG_UNKNOWN_VARIANT)
    return scenario, variant


def scenario_start(*, slug: str, actor, wallet: Wallet | None = None, variant: str = "") -> ScenarioRun:
    """Prepare the case on `wallet` (None: a fresh demo wallet) and record who started it. Raises
    ScenarioUnavailable / WalletNotSuitable (nothing done) or ScenarioFailed (the run is kept, failed)."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    scenario, variant = scenario_ready(slug=slug, variant=variant)
    fresh = wallet is None
    if fresh:
        wallet = training_wallet_open(operator=scenario.fresh_operator)
    else:
        wallet = Wallet.objects.select_related("ledger_account").get(pk=wallet.pk)
        wallet_check_suitable(scenario=scenario, wallet=wallet)
    before = wallet_state(wallet)
    reason = scenario_reason(scenario)
    with transaction.atomic():
        run = ScenarioRun.objects.create(
            scenario=slug,
            variant=variant,
            wallet=wallet,
            fresh_wallet=fresh,
            started_by=actor if actor is not None and actor.is_authenticated else None,
            facts={"before": before},
        )
        audit_record(
            actor=actor,
            action=StaffAction.SCENARIO_START,
            wallet=wallet,
            reason=reason,
            before=before,
            after={"run": run.pk, "scenario": slug, "variant": variant, "fresh_wallet": fresh},
        )
    prep = Prep(run=run, wallet=wallet, actor=actor, reason=reason, facts=dict(run.facts))
    refusal = run_prepare(run=run, scenario=scenario, prep=prep)
    if refusal is not None:
        raise ScenarioFailed(MSG_PREPARE_FAILED, error=str(refusal)) from refusal
    return run


def run_prepare(*, run: ScenarioRun, scenario: Scenario, prep: Prep) -> DomainError | None:
    """Stage the case and keep what it made on the run. A preparation that fails is disarmed and its run kept
    BROKEN with the error: a rule's refusal (DomainError) is returned for the caller to report, anything else
    raised."""
    try:
        scenario.prepare(prep)
    except Exception as exc:
        prep_disarm(prep)
        run.status, run.error, run.facts, run.payment = RunStatus.BROKEN, str(exc)[:300], prep.facts, prep.payment
        run.save(update_fields=["status", "error", "facts", "payment"])
        if isinstance(exc, DomainError):
            return exc
        raise
    run.facts, run.payment = prep.facts, prep.payment
    run.save(update_fields=["facts", "payment"])
    return None


def prep_disarm(prep: Prep) -> None:
    """A preparation that failed must not leave a fault armed for somebody else's payment (a trainee's case: for
    the next payment to the customer's company)."""
    if prep.facts.get("provider_fault") and prep.payment is None:
        try:
            provider_fault_set(
                provider=dostek().provider,
                mode="normal",
                count=None,
                delay=None,
                actor=prep.actor,
                reason=prep.reason,
                account=prep.facts.get("provider_fault_account"),
            )
        except FaultSwitchFailed:
            pass  # СОЧИ unreachable: the fault cannot be armed there either
    if prep.facts.get("sms_fault"):
        sms_gateway_fault_lift(phone=prep.wallet.phone, actor=prep.actor, reason=prep.reason)


def scenario_check(*, run: ScenarioRun) -> Check:
    """Whether the agent resolved the case, from the state now (reads only; scenario 1 asks СОЧИ's register)."""
    if run.status == RunStatus.BROKEN:
        return Check([CheckLine(False, run.error)])
    return SCENARIOS[run.scenario].verify(run)


def _company_fault_lift(*, run: ScenarioRun, actor, reason: str) -> bool:
    """The run's fault at its company's INN (an answer lost held for the trainee) ends with the run, so the worker
    settles the payment. СОЧИ unreachable: left to its time limit."""
    account = run.facts.get("provider_fault_account")
    if not account:
        return False
    try:
        provider_fault_set(
            provider=dostek().provider,
            mode="normal",
            count=None,
            delay=None,
            actor=actor,
            reason=reason,
            account=account,
        )
    except FaultSwitchFailed:
        return False
    return True


def scenario_reset(*, run: ScenarioRun, actor) -> list[str]:
    """End a run: its SMS fault lifted, the wallet's status and PIN lock as they were before the start (money spent
    stays spent: the books are append-only; training_reset puts balances back). Returns what was done."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    run = ScenarioRun.objects.select_related("wallet").get(pk=run.pk)
    if run.status == RunStatus.RESET:
        return []
    reason = f"{scenario_reason(SCENARIOS[run.scenario])}: сброс"
    done: list[str] = []
    if sms_gateway_fault_lift(phone=run.wallet.phone, actor=actor, reason=reason):
        done.append("sms_fault_lifted")
    if _company_fault_lift(run=run, actor=actor, reason=reason):
        done.append("provider_fault_lifted")
    with transaction.atomic():
        wallet = Wallet.objects.select_for_update().select_related("ledger_account").get(pk=run.wallet_id)
        current = wallet_state(wallet)
        before = run.facts.get("before", {})
        if before.get("status") == WalletStatus.ACTIVE and wallet.status != WalletStatus.ACTIVE:
            wallet_set_status(wallet=wallet, status=WalletStatus.ACTIVE, actor=actor, reason=reason)
            done.append("wallet_unblocked")
        if before.get("pin_locked") is False and wallet.pin_locked_at is not None:
            # A restore by the portal, not a call: no caller's identity to check (the reset's entry names the trainer).
            wallet_pin_unlock(wallet=wallet, actor=SYSTEM, reason=reason)
            done.append("pin_unlocked")
        run.status, run.reset_at = RunStatus.RESET, timezone.now()
        run.reset_by = actor if actor is not None and actor.is_authenticated else None
        run.save(update_fields=["status", "reset_at", "reset_by"])
        audit_record(
            actor=actor,
            action=StaffAction.SCENARIO_RESET,
            wallet=wallet,
            payment=run.payment,
            reason=reason,
            before=current,
            after={**wallet_state(wallet), "run": run.pk, "scenario": run.scenario, "done": done},
        )
    return done


def scenario_title(slug: str) -> Promise | str:
    scenario = SCENARIOS.get(slug)
    return scenario.title if scenario else slug
