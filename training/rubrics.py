"""How a trainee's case is scored: for each scenario the steps the trainee must take (with their points, 100 in
all), the automatic fails and the target time. Data, read by training.judging and shown to the trainer (the run's
page, the guide) through `describe()`.

A step is done when the audit log holds an entry BY THE RUN'S TRAINEE on the run's wallet (or its payment) made
after the trainee opened the case: `actions` names the StaffAction values that count, `when` what its `after`
must say ({"passed": True} for an identity check), `refused` whether a refused attempt (after={"refused": code})
counts (never for a step). The outcome step (`outcome=True`) is judged from the state, by the scenario's own
check (training/scenarios.py: the books, СОЧИ's register, the SMS outbox). An automatic fail scores the run 0
and ends it: its detectors are in training.judging (FAIL_DETECTORS), named here by slug."""

from dataclasses import dataclass, field

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import StaffAction

# The automatic fails (slug -> what the trainer reads).
FAIL_REFUND_IN_PROGRESS = "refund_in_progress"
FAIL_REFUND_CREDITED = "refund_credited"
FAIL_SECOND_PAYMENT = "second_payment"
FAIL_PIN_WITHOUT_IDENTITY = "pin_without_identity"
FAIL_UNBLOCK_WITHOUT_RIGHT = "unblock_without_right"

FAIL_LABELS: dict[str, Promise] = {
    FAIL_REFUND_IN_PROGRESS: gettext_lazy("Запросил возврат платежа, который еще в обработке"),
    FAIL_REFUND_CREDITED: gettext_lazy("Запросил возврат платежа, который СОЧИ зачислил"),
    FAIL_SECOND_PAYMENT: gettext_lazy("Второй платеж с кошелька клиента, пока первый в обработке"),
    FAIL_PIN_WITHOUT_IDENTITY: gettext_lazy("Разблокировал PIN без пройденной проверки личности перед этим"),
    FAIL_UNBLOCK_WITHOUT_RIGHT: gettext_lazy("Снимал блокировку кошелька без права на это (попытки тоже считаются)"),
}
# Every case: the money and the PIN are never handed over carelessly.
COMMON_FAILS = (FAIL_REFUND_IN_PROGRESS, FAIL_SECOND_PAYMENT, FAIL_PIN_WITHOUT_IDENTITY, FAIL_UNBLOCK_WITHOUT_RIGHT)


@dataclass(frozen=True)
class Step:
    slug: str
    label: Promise
    points: int
    actions: tuple[str, ...] = ()
    when: dict = field(default_factory=dict)
    on_payment: bool = False  # the entry must name the run's payment (not only its wallet)
    outcome: bool = False


@dataclass(frozen=True)
class Rubric:
    scenario: str
    steps: tuple[Step, ...]
    fails: tuple[str, ...] = COMMON_FAILS

    @property
    def total(self) -> int:
        return sum(step.points for step in self.steps)

    def describe(self, *, time_limit: int | None = None) -> list[str]:
        """The rubric as the trainer reads it, one Russian (or the active language's) line each."""
        lines = [_("Шаги (всего %(total)s баллов):") % {"total": self.total}]
        lines += [
            _("• %(label)s — %(points)s б.") % {"label": step.label, "points": step.points} for step in self.steps
        ]
        lines.append(_("Автоматический провал (0 баллов):"))
        lines += [_("• %(label)s") % {"label": FAIL_LABELS[slug]} for slug in self.fails]
        if time_limit:
            lines.append(
                _("Время: %(minutes)s мин. с открытия случая; позже — «время вышло».")
                % {"minutes": round(time_limit / 60)}
            )
        return lines


def _identity(points: int) -> Step:
    return Step(
        "identity",
        gettext_lazy("Проверил личность"),
        points,
        actions=(StaffAction.IDENTITY_CHECK,),
        when={"passed": True},
    )


def _outcome(label: Promise, points: int) -> Step:
    return Step("outcome", label, points, outcome=True)


RUBRICS: dict[str, Rubric] = {
    r.scenario: r
    for r in [
        Rubric(
            "answer-lost",
            (
                _identity(20),
                Step(
                    "provider_query",
                    gettext_lazy("Спросил поставщика о платеже"),
                    40,
                    actions=(StaffAction.PROVIDER_QUERY,),
                    on_payment=True,
                ),
                _outcome(gettext_lazy("Платеж проведен, СОЧИ зачислил его один раз"), 40),
            ),
            fails=(FAIL_REFUND_CREDITED, *COMMON_FAILS),
        ),
        Rubric(
            "refused",
            (_identity(40), _outcome(gettext_lazy("Платеж отменен, деньги вернулись, SMS об отмене доставлено"), 60)),
        ),
        Rubric(
            "sms-lost",
            (
                _identity(20),
                Step("sms_resend", gettext_lazy("Повторил SMS"), 40, actions=(StaffAction.SMS_RESEND,)),
                _outcome(gettext_lazy("SMS с кодом платежа доставлено"), 40),
            ),
        ),
        Rubric(
            "pin-locked",
            (
                _identity(30),
                Step(
                    "pin_unlock",
                    gettext_lazy("Разблокировал PIN (или отправил новый)"),
                    40,
                    actions=(StaffAction.PIN_UNLOCK, StaffAction.PIN_RESET),
                ),
                _outcome(gettext_lazy("PIN разблокирован и подходит"), 30),
            ),
        ),
        Rubric(
            "web-registration",
            (_identity(30), _outcome(gettext_lazy("У кошелька есть вход на сайт"), 70)),
        ),
        Rubric(
            "ussd-o",
            (_identity(30), _outcome(gettext_lazy("Клиент на сайте (или оплатил через сайт или приложение)"), 70)),
        ),
        Rubric(
            "wrong-inn",
            (
                _identity(20),
                Step(
                    "refund_request",
                    gettext_lazy("Запросил возврат платежа"),
                    40,
                    actions=(StaffAction.REFUND_REQUEST,),
                    on_payment=True,
                ),
                _outcome(gettext_lazy("Платеж возвращен, одобрил другой сотрудник"), 40),
            ),
        ),
        Rubric(
            "wallet-blocked",
            (
                _identity(30),
                Step("escalate", gettext_lazy("Передал старшему смены"), 30, actions=(StaffAction.ESCALATE,)),
                _outcome(gettext_lazy("Кошелек разблокирован старшим смены"), 40),
            ),
        ),
    ]
}


def rubric_for(scenario: str) -> Rubric | None:
    return RUBRICS.get(scenario)


def scenario_rubric_lines(scenario) -> list[str]:
    """The rubric of a scenario as the trainer reads it before assigning it (with the scenario's time limit)."""
    rubric = rubric_for(scenario.slug)
    return rubric.describe(time_limit=scenario.time_limit) if rubric else []


def rubric_lines(run) -> list[str]:
    """The rubric of a run's scenario as the trainer reads it (its own time limit), or [] for a scenario without."""
    rubric = rubric_for(run.scenario)
    return rubric.describe(time_limit=run.time_limit) if rubric else []
