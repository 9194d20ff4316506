"""Issue 17 part 2: the trainee's «Мои обращения» and the caller's card — only what the caller says and the number
calling, the first opening starts the case once, another trainee's case is 404, the trainer sees the whole
scenario; and nothing a trainee can open gives a case away (all 8 scenarios staged in a trainee's sandbox)."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.operations import NotAllowed
from tests.integration.test_query_counts import CONTROL, warm_caches
from training.cases import run_open
from training.classes import training_class_create
from training.models import RunStatus, ScenarioRun, Trainee
from training.operations import scenario_start
from training.scenarios import SCENARIOS
from wallet.phone import phone_parse

pytestmark = pytest.mark.django_db
CASES_PAGE = 7  # session, user, permissions (2), the trainee, the cases, the scope (header)
CARD_PAGE = 10  # the first opening; the next ones skip the update


@pytest.fixture
def trainees(trainer, settings):
    """Two signed-in trainees (sandbox blocks 1 and 2): clients with `.user` and `.trainee`."""
    settings.DEMO_MODE = True
    _class, made = training_class_create(name="Группа 1", trainees=2, actor=trainer)
    clients = []
    for row in made:
        client = Client()
        client.user = get_user_model().objects.get(username=row.username)
        client.trainee = Trainee.objects.get(user=client.user)
        client.force_login(client.user)
        clients.append(client)
    return clients


def assigned(trainee, make_wallet, slug="pin-locked", index=0, **fields):
    wallet = make_wallet(balance="5000", phone=trainee.sandbox_phone("megacom", index))
    return ScenarioRun.objects.create(
        scenario=slug, wallet=wallet, trainee=trainee, status=RunStatus.ASSIGNED, **fields
    )


def statements(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len([q for q in captured.captured_queries if not CONTROL.match(q["sql"])])


def test_my_cases_lists_the_trainees_own_cases_only(trainees, make_wallet):
    me, other = trainees
    mine = assigned(me.trainee, make_wallet)
    theirs = assigned(other.trainee, make_wallet)
    page = me.get(reverse("cases:list")).content.decode()
    assert reverse("cases:card", args=[mine.pk]) in page
    assert reverse("cases:card", args=[theirs.pk]) not in page
    assert "Заблокирован PIN" not in page and "pin-locked" not in page  # no title, no slug


def test_the_caller_card_shows_the_callers_words_and_number_and_opens_the_case_once(trainees, make_wallet):
    me, _other = trainees
    run = assigned(me.trainee, make_wallet)
    scenario = SCENARIOS["pin-locked"]
    page = me.get(reverse("cases:card", args=[run.pk])).content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.IN_PROGRESS and run.opened_at is not None
    opened_at = run.opened_at
    assert str(scenario.customer).replace("«", "&laquo;")[:20] in page or str(scenario.customer)[:20] in page
    assert phone_parse(run.wallet.phone).national in page
    assert reverse("staff:customer", args=[run.wallet.phone[1:]]) in page
    for secret in (str(scenario.title), str(scenario.resolution), str(scenario.done_when), *map(str, scenario.checks)):
        assert secret not in page
    # a second opening (another tab) changes nothing
    me.get(reverse("cases:card", args=[run.pk]))
    run.refresh_from_db()
    assert run.status == RunStatus.IN_PROGRESS and run.opened_at == opened_at


def test_the_callers_number_may_differ_from_the_wallet(trainees, make_wallet):
    me, _other = trainees
    run = assigned(me.trainee, make_wallet, facts={"caller_phone": me.trainee.sandbox_phone("beeline", 5)})
    caller = phone_parse(me.trainee.sandbox_phone("beeline", 5)).national
    assert caller in me.get(reverse("cases:card", args=[run.pk])).content.decode()


def test_another_trainees_case_is_404_and_stays_assigned(trainees, make_wallet):
    me, other = trainees
    theirs = assigned(other.trainee, make_wallet)
    assert me.get(reverse("cases:card", args=[theirs.pk])).status_code == 404
    assert me.get(reverse("cases:card", args=[10**9])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == RunStatus.ASSIGNED
    with pytest.raises(NotAllowed):
        run_open(run=theirs, actor=me.user)


def test_two_opens_open_once(trainees, make_wallet):
    me, _other = trainees
    run = assigned(me.trainee, make_wallet)
    stale = ScenarioRun.objects.get(pk=run.pk)
    assert run_open(run=run, actor=me.user) is True
    assert run_open(run=stale, actor=me.user) is False  # the other tab's copy still says ASSIGNED


def test_the_trainer_is_sent_to_the_whole_scenario(trainees, make_wallet, trainer):
    me, _other = trainees
    run = assigned(me.trainee, make_wallet)
    client = Client()
    client.force_login(trainer)
    response = client.get(reverse("cases:card", args=[run.pk]))
    assert response.status_code == 302 and response.url == reverse("training:run", args=[run.pk])
    assert str(SCENARIOS["pin-locked"].resolution) in client.get(response.url).content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.ASSIGNED  # the trainer's look does not start the trainee's clock


def test_an_agent_without_a_trainee_has_no_cases(trainees, agent):
    client = Client()
    client.force_login(agent)
    assert client.get(reverse("cases:list")).status_code == 404


def test_the_cases_page_and_the_card_cost_a_fixed_number_of_statements(trainees, make_wallet):
    me, _other = trainees
    runs = [assigned(me.trainee, make_wallet, index=i) for i in range(2)]
    warm_caches()
    me.get(reverse("cases:list"))  # the session's first write after sign-in is not a page's cost
    short = statements(me, reverse("cases:list"))
    runs += [assigned(me.trainee, make_wallet, index=i) for i in range(2, 12)]
    assert statements(me, reverse("cases:list")) == short == CASES_PAGE
    first = statements(me, reverse("cases:card", args=[runs[0].pk]))  # opens it
    again = statements(me, reverse("cases:card", args=[runs[0].pk]))
    assert (first, again) == (CARD_PAGE, CARD_PAGE - 1)


# --- nothing gives the case away -----------------------------------------------------------------------------


GIVEAWAYS = [
    "Учебн",
    "учебн",
    "сценари",
    "scenario",
    "Scenario",
    "training",
    "fault",
    "unreachable",
    "answer-lost",
    "refuse-account",
    "запуск сценария",
    "сбой поставщика",
    *SCENARIOS,  # the slugs
]


def _forbidden_in(text: str, *, titles: bool = True) -> list[str]:
    """The giveaways in a page; the scenarios' titles too, except on the caller's card (a caller may well say
    «Кошелек заблокирован» in their own words)."""
    words = [*GIVEAWAYS, *(str(s.title) for s in SCENARIOS.values() if titles)]
    return [word for word in words if re.search(re.escape(word), text)]


def test_no_page_a_trainee_opens_gives_any_of_the_8_scenarios_away(
    trainees, trainer, make_wallet, dostek_osmp, failing_sms
):
    me, _other = trainees
    operators = {"ussd-o": "o"}
    runs = []
    for index, slug in enumerate(SCENARIOS):
        wallet = make_wallet(balance="5000", phone=me.trainee.sandbox_phone(operators.get(slug, "megacom"), index))
        runs.append(scenario_start(slug=slug, actor=trainer, wallet=wallet))
    assert len(runs) == 8 and all(run.status != RunStatus.BROKEN for run in runs)
    for run in runs:
        run.refresh_from_db()
        ScenarioRun.objects.filter(pk=run.pk).update(trainee=me.trainee, status=RunStatus.ASSIGNED)
        pages = {
            "customer": reverse("staff:customer", args=[run.wallet.phone[1:]]),
            "card": reverse("cases:card", args=[run.pk]),
            "search": reverse("staff:home") + f"?q={run.wallet.phone[1:]}",
        }
        if run.payment_id:
            pages["payment"] = reverse("staff:payment", args=[run.payment.code])
        for name, url in pages.items():
            response = me.get(url)
            assert response.status_code == 200, (run.scenario, name)
            assert _forbidden_in(response.content.decode(), titles=name != "card") == [], (run.scenario, name)
    assert _forbidden_in(me.get(reverse("cases:list")).content.decode()) == []
    # the same pages tell the trainer everything (what the trainee is spared is there to spare)
    client = Client()
    client.force_login(trainer)
    seen = client.get(reverse("staff:customer", args=[runs[0].wallet.phone[1:]])).content.decode()
    assert "Учебный сценарий" in seen and "запуск сценария" in seen
