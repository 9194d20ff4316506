"""Classes and trainees: training_class_create / training_class_delete (the trainer's only, audited), the
selector, the «Стажер» role and the `training_class` command."""

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM, NotAllowed
from audit.roles import ROLE_PERMISSIONS, Role
from training.classes import (
    ClassRefused,
    class_slug,
    training_class_create,
    training_class_delete,
    training_classes_list,
)
from training.models import Trainee, TrainingClass

pytestmark = pytest.mark.django_db
User = get_user_model()


def run(*args: str) -> str:
    out = StringIO()
    call_command("training_class", *args, stdout=out)
    return out.getvalue()


# --- domain functions --------------------------------------------------------------------------------------------


def test_create_makes_trainee_users_with_the_trainee_role_and_sandboxes(trainer):
    # when a trainer makes a class of three
    training_class, made = training_class_create(name="Группа 1", trainees=3, actor=trainer)
    # then three staff users of the «Стажер» role, each with a password that works and a sandbox of its own
    assert [row.username for row in made] == ["gruppa-1-01", "gruppa-1-02", "gruppa-1-03"]
    assert training_class.created_by == trainer
    for row in made:
        user = User.objects.get(username=row.username)
        assert user.is_staff and user.is_active and user.check_password(row.password)
        assert list(user.groups.values_list("name", flat=True)) == [Role.TRAINEE]
        assert user.trainee.training_class == training_class
    sandboxes = sorted(Trainee.objects.values_list("sandbox", flat=True))
    assert sandboxes == [1, 2, 3]
    assert len({row.password for row in made}) == 3


def test_create_writes_one_audit_row(trainer):
    _training_class, made = training_class_create(name="Группа 1", trainees=2, actor=trainer)
    entry = AuditEntry.objects.get(action=StaffAction.CLASS_CREATE)
    assert entry.actor == trainer and "Группа 1" in entry.reason
    assert entry.after == {"class": "Группа 1", "trainees": ["gruppa-1-01", "gruppa-1-02"]}  # no password


def test_an_agent_may_not_create_or_delete_a_class(agent, trainer):
    with pytest.raises(NotAllowed):
        training_class_create(name="Группа 1", trainees=2, actor=agent)
    assert not TrainingClass.objects.exists() and not Trainee.objects.exists()
    training_class, _made = training_class_create(name="Группа 1", trainees=2, actor=trainer)
    with pytest.raises(NotAllowed):
        training_class_delete(training_class=training_class, actor=agent)
    assert TrainingClass.objects.filter(pk=training_class.pk).exists()
    assert not AuditEntry.objects.filter(action=StaffAction.CLASS_DELETE).exists()


@pytest.mark.parametrize("count", [0, 41, -1])
def test_the_number_of_trainees_is_1_to_40(trainer, count):
    with pytest.raises(ClassRefused, match="от 1 до 40"):
        training_class_create(name="Группа 1", trainees=count, actor=trainer)
    assert not User.objects.filter(username__startswith="gruppa").exists()


def test_a_name_is_taken_whatever_its_case(trainer):
    training_class_create(name="Группа 1", trainees=1, actor=trainer)
    with pytest.raises(ClassRefused, match="уже есть"):
        training_class_create(name="  группа   1 ", trainees=1, actor=trainer)
    with pytest.raises(ClassRefused):
        training_class_create(name="   ", trainees=1, actor=trainer)
    assert TrainingClass.objects.count() == 1


def test_delete_deactivates_the_users_keeps_their_sandboxes_and_removes_the_class(trainer):
    # given a class
    training_class, made = training_class_create(name="Группа 1", trainees=2, actor=trainer)
    # when it is deleted
    training_class_delete(training_class=training_class, actor=trainer)
    # then the users stay (the audit log may name them), deactivated; the trainees keep their sandbox blocks
    assert not TrainingClass.objects.exists()
    users = User.objects.filter(username__in=[row.username for row in made])
    assert users.count() == 2 and not users.filter(is_active=True).exists()
    assert list(Trainee.objects.values_list("training_class", "sandbox")) == [(None, 1), (None, 2)]
    entry = AuditEntry.objects.get(action=StaffAction.CLASS_DELETE)
    assert entry.actor == trainer and entry.before == {"class": "Группа 1", "trainees": ["gruppa-1-01", "gruppa-1-02"]}
    # and a class of the same name later gets new usernames and new blocks
    _again, made_again = training_class_create(name="Группа 1", trainees=1, actor=trainer)
    assert [row.username for row in made_again] == ["gruppa-1-03"]
    assert User.objects.get(username="gruppa-1-03").trainee.sandbox == 3


def test_sandbox_numbers_are_the_trainees_own():
    training_class, _made = training_class_create(name="A", trainees=2, actor=SYSTEM)
    first, second = training_class.trainees.order_by("sandbox")
    assert first.sandbox_phone("megacom", 0) == "+996555900100"
    assert second.sandbox_phone("o", 99) == "+996700900299"
    assert first.sandbox_range == "+996 555 9001 00…99"
    with pytest.raises(ValueError):
        first.sandbox_phone("megacom", 100)


def test_the_selector_lists_classes_with_their_trainees(django_assert_num_queries):
    training_class_create(name="Старая", trainees=1, actor=SYSTEM)
    training_class_create(name="Новая", trainees=2, actor=SYSTEM)
    with django_assert_num_queries(2):
        classes = [(c.name, [t.user.username for t in c.trainees.all()]) for c in training_classes_list()]
    assert classes == [("Новая", ["novaia-01", "novaia-02"]), ("Старая", ["staraia-01"])]


@pytest.mark.parametrize(
    "name,slug", [("Группа 1", "gruppa-1"), ("Өңүр жаңы!", "onur-zhany"), ("!!!", "class"), ("Group A", "group-a")]
)
def test_usernames_are_latin(name, slug):
    assert class_slug(name) == slug


def test_the_trainee_role_is_the_agents_for_now():
    assert ROLE_PERMISSIONS[Role.TRAINEE] == ROLE_PERMISSIONS[Role.AGENT]


# --- the command ---------------------------------------------------------------------------------------------------


def test_command_create_prints_usernames_and_passwords_in_demo_mode(settings):
    settings.DEMO_MODE = True
    out = run("create", "Группа 1", "--trainees", "2")
    assert "gruppa-1-01" in out and "gruppa-1-02" in out
    for line in out.splitlines()[1:]:
        username, password = line.split()
        assert User.objects.get(username=username).check_password(password)
    assert AuditEntry.objects.get(action=StaffAction.CLASS_CREATE).actor is None  # the system


def test_command_create_json(settings):
    settings.DEMO_MODE = True
    data = json.loads(run("create", "Группа 1", "--trainees", "2", "--json"))
    assert set(data) == {"class", "trainees"} and data["class"] == "Группа 1"
    assert [set(row) for row in data["trainees"]] == [{"username", "password"}] * 2
    for row in data["trainees"]:
        assert User.objects.get(username=row["username"]).check_password(row["password"])


def test_command_create_prints_no_password_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    data = json.loads(run("create", "Группа 1", "--trainees", "1", "--json"))
    assert data["trainees"] == [{"username": "gruppa-1-01", "password": None}]
    out = run("create", "Группа 2", "--trainees", "1")
    assert "gruppa-2-01" in out and "demo mode only" in out


def test_command_list_and_delete(trainer):
    run("create", "Группа 1", "--trainees", "2", "--actor", trainer.username)
    assert AuditEntry.objects.get(action=StaffAction.CLASS_CREATE).actor == trainer
    out = run("list")
    assert "Группа 1 (2 trainee(s)" in out and "gruppa-1-02" in out and "+996 555 9002 00…99" in out
    data = json.loads(run("list", "--json"))
    assert data == [
        {
            "class": "Группа 1",
            "trainees": [{"username": "gruppa-1-01", "sandbox": 1}, {"username": "gruppa-1-02", "sandbox": 2}],
        }
    ]
    out = run("delete", "Группа 1")
    assert "deleted" in out and not TrainingClass.objects.exists()
    assert run("list") == "no classes\n"


@pytest.mark.parametrize(
    "args,message",
    [
        (["create", "Группа 1", "--trainees", "0"], "от 1 до 40"),
        (["create", "Группа 1", "--trainees", "41"], "от 1 до 40"),
        (["delete", "Нет такой"], "Группы «Нет такой» нет"),
        (["create", "Группа 2", "--trainees", "1", "--actor", "nobody"], "no user"),
    ],
)
def test_command_errors(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_command_refuses_a_duplicate_name_and_an_actor_without_the_right(agent):
    run("create", "Группа 1", "--trainees", "1")
    with pytest.raises(CommandError, match="уже есть"):
        run("create", "Группа 1", "--trainees", "1")
    with pytest.raises(CommandError, match="нет права"):
        run("create", "Группа 2", "--trainees", "1", "--actor", agent.username)


def test_command_exits_non_zero_on_bad_input():
    result = subprocess.run(
        [sys.executable, "manage.py", "training_class", "create", "X", "--trainees", "abc"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "invalid int value" in result.stderr
