"""A trainer assigns a case to a class (or one trainee): each trainee gets it staged in their own sandbox.

Training is a channel: the case is staged through the same domain functions the customers' channels use, on the
trainee's OWN customer — a wallet of the trainee's number block (Trainee.sandbox_phone, the next number never used,
opened by wallet_register as a KICB branch opens one, money paid in there) — and, for the cases that pay DosTek
group, the customer's OWN company at СОЧИ (an INN made for that sandbox and run, registered at СОЧИ over its
companies endpoint: the wallet never touches СОЧИ's database). Faults are that INN's only (an answer lost is held
until the agent asks the provider, so the worker's repeats cannot settle the case first; a refusal once), SMS
faults that number's only: two trainees' cases never meet.

What the trainee's console shows must be the customer's own doings: payments from the website, PINs typed over
*900#, a block by the security service (as the system, with its reason). The assignment's own entry (RUN_ASSIGN,
the trainer, a neutral reason) and the faults' entries name no wallet, so the customer's card does not show them.

ScenarioRun.facts of a trainee's case (for the caller card and the judge): "company_inn" / "company_name" (the
customer's company, or None), "caller_phone" (the number the customer calls from: the wallet's), "caller_name",
"caller_words" (what the caller says, in Russian), "before" (the wallet's state), and what the scenario adds
("payment_code", "amount", "account", "company", "intended_account" ...). run.payment is the staged payment."""

import functools
import secrets

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction
from audit.operations import audit_record, staff_require
from audit.roles import StaffPermission
from demo.constants import DEMO_COMPANY_INNS
from services.osmp import OsmpClient, OsmpError
from training.errors import MSG_PREPARE_FAILED, ScenarioFailed, ScenarioUnavailable
from training.models import SANDBOX_PREFIXES, SANDBOX_SIZE, RunStatus, ScenarioRun, Trainee, TrainingClass
from training.operations import run_prepare, scenario_ready, wallet_state
from training.scenarios import Prep, SandboxCompany, Scenario, dostek, sochi_missing
from training.wallets import FRESH_BALANCE, training_wallet_open
from wallet.models import OpenedChannel, Wallet

# The reason of everything the assignment records under the trainer's name (never the scenario: the trainee may
# read the audit log).
ASSIGN_REASON = "Назначен учебный случай"
CUSTOMER_BALANCE = FRESH_BALANCE
# The customers' companies: «ОсОО «…»», a name per sandbox and run.
COMPANY_NAMES = [
    "Тулпар Строй",
    "Ак-Жол Логистик",
    "Манас Консалт",
    "Сары-Таш Агро",
    "Кен-Кол Сервис",
    "Чуй Электро",
    "Ордо Трейд",
    "Байтерек Групп",
    "Көк-Жар Фарм",
    "Талас Маркет",
    "Ош Текстиль",
    "Кара-Балта Мебель",
]
# СОЧИ's demo companies (closed and refusing ones too): a made INN is never one of them.
SOCHI_DEMO_INNS = frozenset({*DEMO_COMPANY_INNS, "01812201300077", "01204201700123"})

MSG_CLASS_EMPTY = _("В группе «%(name)s» нет активных стажеров.")
MSG_NOT_IN_CLASS = _("Стажер %(username)s не из группы «%(name)s».")
MSG_SANDBOX_FULL = _("Номера песочницы стажера %(username)s (%(operator)s) закончились.")
MSG_SOCHI_UNREACHABLE = _("СОЧИ недоступен: компанию клиента не зарегистрировать (%(error)s).")


def sandbox_phone_next(trainee: Trainee, operator: str) -> str:
    """The first number of the trainee's block for `operator` that has never had a wallet (numbers are never
    reused: the books and the audit log keep the wallets opened on them)."""
    prefix = f"+996{SANDBOX_PREFIXES[operator]}{trainee.sandbox:03d}"
    taken = set(Wallet.objects.filter(phone__startswith=prefix).values_list("phone", flat=True))
    for index in range(SANDBOX_SIZE):
        phone = trainee.sandbox_phone(operator, index)
        if phone not in taken:
            return phone
    raise ScenarioUnavailable(MSG_SANDBOX_FULL, username=trainee.user.get_username(), operator=operator)


def sandbox_company(trainee: Trainee, phone: str) -> SandboxCompany:
    """The customer's company for a case on `phone` (a number of the trainee's block): an organisation's INN, 0 and
    a registration date, then the sandbox and the number's index (so it is the sandbox's and the run's own)."""
    index = int(phone[-2:])
    while True:
        day, month, year = 1 + secrets.randbelow(28), 1 + secrets.randbelow(12), 2005 + secrets.randbelow(19)
        inn = f"0{day:02d}{month:02d}{year}{trainee.sandbox:03d}{index:02d}"
        if inn not in SOCHI_DEMO_INNS:
            break
    name = COMPANY_NAMES[(trainee.sandbox + index) % len(COMPANY_NAMES)]
    return SandboxCompany(inn=inn, name=f"ОсОО «{name}»")


def sandbox_company_register(company: SandboxCompany) -> None:
    """Register the company at СОЧИ (over HTTP). DosTek group served in process accepts every INN: nothing to do."""
    if sochi_missing() is not None:
        return
    try:
        OsmpClient.for_provider(dostek().provider.code).register_company(inn=company.inn, name=company.name)
    except OsmpError as exc:
        raise ScenarioUnavailable(MSG_SOCHI_UNREACHABLE, error=str(exc)) from exc


def class_trainees(*, training_class: TrainingClass, trainee: Trainee | None = None) -> list[Trainee]:
    """The class's active trainees (by username), or the one given after checking that it is the class's."""
    if trainee is not None:
        if trainee.training_class_id != training_class.pk or not trainee.user.is_active:
            raise ScenarioUnavailable(MSG_NOT_IN_CLASS, username=trainee.user.get_username(), name=training_class.name)
        return [trainee]
    trainees = list(
        Trainee.objects.select_related("user")
        .filter(training_class=training_class, user__is_active=True)
        .order_by("user__username")
    )
    if not trainees:
        raise ScenarioUnavailable(MSG_CLASS_EMPTY, name=training_class.name)
    return trainees


def training_assign(
    *, training_class: TrainingClass, scenario: str, trainee: Trainee | None = None, actor, variant: str = ""
) -> list[ScenarioRun]:
    """Stage the case `scenario` (a slug) for every active trainee of the class (or only `trainee`), each in their
    own sandbox, and record each assignment (RUN_ASSIGN). Returns the runs, ASSIGNED; a run whose staging went
    wrong is kept BROKEN with its error (the others go on). Raises ScenarioUnavailable before staging anything
    for an unknown scenario or variant, a scenario this installation cannot play (no СОЧИ, no training SMS
    gateway), or a trainee not of the class; and when СОЧИ does not answer the company's registration."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    chosen, variant = scenario_ready(slug=scenario, variant=variant)
    runs = []
    for one in class_trainees(training_class=training_class, trainee=trainee):
        runs.append(_assign_one(scenario=chosen, variant=variant, trainee=one, actor=actor))
    return runs


def _assign_one(*, scenario: Scenario, variant: str, trainee: Trainee, actor) -> ScenarioRun:
    phone_for = functools.partial(sandbox_phone_next, trainee)
    company = None
    if scenario.pays_company:
        company = sandbox_company(trainee, phone_for(scenario.fresh_operator))
        sandbox_company_register(company)
    open_wallet = functools.partial(training_wallet_open, phone_for=phone_for, channel=OpenedChannel.BRANCH)
    wallet = open_wallet(operator=scenario.fresh_operator, balance=CUSTOMER_BALANCE)
    before = wallet_state(wallet)
    with translation.override("ru"):
        words = scenario.caller_words(variant, company.name if company else "")
    facts = {
        "before": before,
        "company_inn": company.inn if company else None,
        "company_name": company.name if company else None,
        "caller_phone": wallet.phone,
        "caller_name": f"{wallet.first_name} {wallet.last_name}",
        "caller_words": words,
    }
    with transaction.atomic():
        run = ScenarioRun.objects.create(
            scenario=scenario.slug,
            variant=variant,
            wallet=wallet,
            fresh_wallet=True,
            trainee=trainee,
            status=RunStatus.ASSIGNED,
            time_limit=scenario.time_limit,
            started_by=actor if actor is not None and actor.is_authenticated else None,
            facts=facts,
        )
        audit_record(
            actor=actor,
            action=StaffAction.RUN_ASSIGN,
            reason=ASSIGN_REASON,
            after={
                "run": run.pk,
                "trainee": trainee.user.get_username(),
                "scenario": scenario.slug,
                "variant": variant,
                "customer_phone": wallet.phone,
                "company_inn": facts["company_inn"],
            },
        )
    prep = Prep(
        run=run,
        wallet=wallet,
        actor=actor,
        reason=ASSIGN_REASON,
        facts=dict(facts),
        company=company,
        time_limit=scenario.time_limit,
        open_wallet=open_wallet,
        in_world=True,
    )
    run_prepare(run=run, scenario=scenario, prep=prep)  # a refusal leaves the run BROKEN with its error
    return run


def assigned_broken(runs: list[ScenarioRun]) -> ScenarioFailed | None:
    """One error for the runs that could not be staged (None: all staged), for a caller that wants to raise."""
    broken = [run for run in runs if run.status == RunStatus.BROKEN]
    if not broken:
        return None
    errors = "; ".join(f"{run.trainee.user.get_username() if run.trainee else run.pk}: {run.error}" for run in broken)
    return ScenarioFailed(MSG_PREPARE_FAILED, error=errors)
