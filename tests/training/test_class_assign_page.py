"""The trainer assigns a case from the class's board (POST /staff/training/classes/<pk>/assign/, training_assign): to
the whole class or one trainee, a scenario's variant chosen in the same list; and the scenario board shows each
scenario's rubric before anything is assigned."""

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry, StaffAction
from training.classes import training_class_create
from training.models import RunStatus, ScenarioRun, Trainee
from training.rubrics import RUBRICS
from training.scenarios import SCENARIOS

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_client(trainer):
    client = Client()
    client.force_login(trainer)
    return client


@pytest.fixture
def two_trainees(trainer):
    training_class, _made = training_class_create(name="Группа Н", trainees=2, actor=trainer)
    return training_class, list(Trainee.objects.filter(training_class=training_class).order_by("user__username"))


def assign_url(training_class) -> str:
    return reverse("training:class_assign", args=[training_class.pk])


def board_url(training_class) -> str:
    return reverse("training:class_board", args=[training_class.pk])


def test_the_board_has_the_form_with_every_scenario_and_variant_and_the_trainees(two_trainees, trainer_client):
    training_class, people = two_trainees
    page = trainer_client.get(board_url(training_class)).content.decode()
    assert f'action="{assign_url(training_class)}"' in page and 'data-testid="assign"' in page
    assert '<option value="pin-locked">4. Заблокирован PIN</option>' in page
    for variant in SCENARIOS["web-registration"].variants:
        assert f'value="web-registration/{variant.slug}"' in page
    assert "всем стажерам группы" in page
    for trainee in people:
        assert f'<option value="{trainee.pk}">{trainee.user.username}</option>' in page
    # the script's table alone carries no form
    assert "class_assign" not in trainer_client.get(board_url(training_class), {"part": "table"}).content.decode()


def test_assign_to_the_whole_class(two_trainees, trainer_client, trainer):
    training_class, people = two_trainees
    response = trainer_client.post(assign_url(training_class), {"case": "pin-locked", "trainee": ""}, follow=True)
    assert response.redirect_chain == [(board_url(training_class), 302)]
    runs = ScenarioRun.objects.filter(scenario="pin-locked").order_by("trainee__user__username")
    assert [run.trainee for run in runs] == people
    assert all(run.status == RunStatus.ASSIGNED and run.started_by == trainer for run in runs)
    assert AuditEntry.objects.filter(action=StaffAction.RUN_ASSIGN, actor=trainer).count() == 2
    html = response.content.decode()
    assert f"Случай «Заблокирован PIN» назначен: {people[0].user.username}, {people[1].user.username}." in html
    for run in runs:
        assert f'data-testid="run-{run.pk}" data-status="assigned"' in html


def test_assign_to_one_trainee_with_a_variant(two_trainees, trainer_client):
    training_class, (first, second) = two_trainees
    response = trainer_client.post(
        assign_url(training_class), {"case": "web-registration/exhausted", "trainee": second.pk}
    )
    assert response.status_code == 302
    (run,) = ScenarioRun.objects.filter(scenario="web-registration")
    assert (run.trainee, run.variant, run.status) == (second, "exhausted", RunStatus.ASSIGNED)


@pytest.mark.parametrize(
    "data",
    [{"case": "no-such-case"}, {"case": "web-registration/no-such-variant"}, {"case": "pin-locked", "trainee": "0"}],
)
def test_a_wrong_choice_assigns_nothing_and_says_why(two_trainees, trainer_client, data):
    training_class, _people = two_trainees
    response = trainer_client.post(assign_url(training_class), data, follow=True)
    assert response.redirect_chain == [(board_url(training_class), 302)]
    assert 'role="alert"' in response.content.decode()
    assert not ScenarioRun.objects.exists()


def test_another_class_trainee_is_refused(two_trainees, trainer_client, trainer):
    training_class, _people = two_trainees
    other_class, _made = training_class_create(name="Группа Другая", trainees=1, actor=trainer)
    stranger = Trainee.objects.get(training_class=other_class)
    trainer_client.post(assign_url(training_class), {"case": "pin-locked", "trainee": stranger.pk})
    assert not ScenarioRun.objects.exists()


def test_only_a_trainer_assigns(two_trainees, client, staff):
    training_class, _people = two_trainees
    assert client.post(assign_url(training_class), {"case": "pin-locked"})["Location"].startswith(
        reverse("staff:login")
    )
    client.force_login(staff("agent-assign", "Агент"))
    assert client.post(assign_url(training_class), {"case": "pin-locked"}).status_code == 403
    assert client.get(assign_url(training_class)).status_code in (403, 405)
    assert not ScenarioRun.objects.exists()


def test_the_scenario_board_shows_each_rubric(trainer_client):
    page = trainer_client.get(reverse("training:board")).content.decode()
    for slug in SCENARIOS:
        assert f'data-testid="rubric-{slug}"' in page, slug
    assert "• Разблокировал PIN (или отправил новый) — 40 б." in page
    assert "Время: 10 мин. с открытия случая" in page and "Время: 15 мин. с открытия случая" in page
    assert "Разблокировал PIN без пройденной проверки личности перед этим" in page
    assert set(RUBRICS) == set(SCENARIOS)


@pytest.mark.parametrize(
    ("language", "words"),
    [("ky", ("Окуяны дайындоо", "Дайындоо")), ("en", ("Assign a case", "all trainees of the class"))],
)
def test_the_form_in_kyrgyz_and_english(two_trainees, trainer_client, language, words):
    training_class, _people = two_trainees
    trainer_client.cookies["django_language"] = language
    page = trainer_client.get(board_url(training_class)).content.decode()
    for word in words:
        assert word in page, word
    assert "Назначить случай" not in page
