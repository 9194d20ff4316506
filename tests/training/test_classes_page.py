"""The classes page of the trainer board (/staff/training/classes/): the trainer's only; creating a class shows the
trainees' passwords once; deleting asks first. A trainee signs in to the console with the agent's rights; every
trainer page wears the staff header."""

import re

import pytest
from django.contrib.auth import get_user_model

from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM
from training.classes import training_class_create, training_class_delete
from training.models import TrainingClass
from training.operations import scenario_start

pytestmark = pytest.mark.django_db
PAGE = "/staff/training/classes/"
User = get_user_model()


@pytest.fixture
def as_trainer(client, trainer):
    client.force_login(trainer)
    return client


def test_anonymous_goes_to_sign_in_and_other_roles_are_refused(client, staff):
    training_class, _made = training_class_create(name="A", trainees=1, actor=SYSTEM)
    delete = f"{PAGE}{training_class.pk}/delete/"
    for method, url in [("get", PAGE), ("post", PAGE), ("get", delete), ("post", delete)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/?next=")
    for role in ["Агент", "Старший смены", "Стажер", None]:
        client.force_login(staff(f"user-{role}", role))
        for method, url in [("get", PAGE), ("post", PAGE), ("get", delete), ("post", delete)]:
            assert getattr(client, method)(url, {"name": "B", "trainees": 1}).status_code == 403, (role, url)
    assert list(TrainingClass.objects.values_list("name", flat=True)) == ["A"]


def test_not_found_without_demo_mode(as_trainer, settings):
    settings.DEMO_MODE = False
    assert as_trainer.get(PAGE).status_code == 404


def test_the_board_links_to_the_classes(as_trainer):
    html = as_trainer.get("/staff/training/").content.decode()
    assert f'href="{PAGE}"' in html


def test_create_shows_the_passwords_once(as_trainer):
    # when the trainer creates a class of three
    response = as_trainer.post(PAGE, {"name": "Группа 1", "trainees": "3"})
    # then the page shows each username with a password that works, and asks not to cache it
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    pairs = re.findall(r"<tr><td><code>([a-z0-9-]+)</code></td><td><code>([a-z0-9-]+)</code></td></tr>", html)
    assert [username for username, _password in pairs] == ["gruppa-1-01", "gruppa-1-02", "gruppa-1-03"]
    for username, password in pairs:
        assert User.objects.get(username=username).check_password(password)
    # and never again
    again = as_trainer.get(PAGE).content.decode()
    assert "gruppa-1-01" in again and all(password not in again for _username, password in pairs)
    assert 'data-testid="credentials"' not in again
    assert AuditEntry.objects.filter(action=StaffAction.CLASS_CREATE).count() == 1


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": "Группа 1", "trainees": "0"}, "1"),
        ({"name": "Группа 1", "trainees": "41"}, "40"),
        ({"name": "", "trainees": "2"}, "Обязательное поле"),
        ({"name": "группа 1", "trainees": "2"}, "уже есть"),
    ],
)
def test_bad_input_is_a_form_error(as_trainer, data, message):
    training_class_create(name="Группа 1", trainees=1, actor=SYSTEM)
    response = as_trainer.post(PAGE, data)
    assert response.status_code == 400 and message in response.content.decode()
    assert TrainingClass.objects.count() == 1 and User.objects.filter(username__startswith="gruppa").count() == 1


def test_list_shows_classes_and_trainees_in_a_fixed_number_of_queries(as_trainer, django_assert_num_queries):
    # given two classes of three trainees in all
    training_class_create(name="Группа 1", trainees=2, actor=SYSTEM)
    training_class_create(name="Группа 2", trainees=1, actor=SYSTEM)
    # when the page is read: session, user, the user's permissions (2), classes, trainees with their users, and the
    # session's save (savepoint, update, release)
    with django_assert_num_queries(9):
        response = as_trainer.get(PAGE)
    # then each class is there with its trainees and their number blocks
    html = response.content.decode()
    assert html.count('data-testid="class"') == 2
    for text in ["Группа 1", "Группа 2", "gruppa-1-01", "gruppa-1-02", "gruppa-2-01", "+996 555 9003 00…99"]:
        assert text in html


def test_delete_asks_first_then_deactivates_the_trainees(as_trainer):
    training_class, made = training_class_create(name="Группа 1", trainees=2, actor=SYSTEM)
    url = f"{PAGE}{training_class.pk}/delete/"
    # the confirmation page changes nothing
    confirm = as_trainer.get(url)
    assert confirm.status_code == 200 and "gruppa-1-02" in confirm.content.decode()
    assert "Да, удалить группу" in confirm.content.decode()
    assert TrainingClass.objects.filter(pk=training_class.pk).exists()
    # the confirmed post deletes
    response = as_trainer.post(url, follow=True)
    assert response.redirect_chain == [(PAGE, 302)]
    assert "удалена" in response.content.decode()
    assert not TrainingClass.objects.exists()
    assert not User.objects.filter(username__in=[row.username for row in made], is_active=True).exists()
    assert AuditEntry.objects.filter(action=StaffAction.CLASS_DELETE).count() == 1
    assert as_trainer.post(url).status_code == 404


def test_a_trainee_signs_in_to_the_console_with_the_agents_rights(client):
    # given a trainee's username and password as the trainer handed them out
    _training_class, made = training_class_create(name="Группа 1", trainees=1, actor=SYSTEM)
    trainee = made[0]
    # when they sign in at the console
    response = client.post("/staff/login/", {"username": trainee.username, "password": trainee.password}, follow=True)
    # then they see the console's search, with the header, and not the trainer's board
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="staff-user"' in html and trainee.username in html
    assert "Поиск клиента" in html and 'href="/staff/training/"' not in html
    assert client.get("/staff/training/").status_code == 403


def test_a_deleted_classes_trainee_can_no_longer_sign_in(client, trainer):
    training_class, made = training_class_create(name="Группа 1", trainees=1, actor=SYSTEM)
    client.post("/staff/login/", {"username": made[0].username, "password": made[0].password})
    assert client.get("/staff/").status_code == 200
    training_class_delete(training_class=training_class, actor=trainer)
    assert client.get("/staff/").status_code == 302  # the session no longer signs anybody in


@pytest.mark.parametrize("page", ["board", "classes", "run", "delete"])
def test_every_trainer_page_wears_the_staff_header(as_trainer, trainer, page):
    training_class, _made = training_class_create(name="A", trainees=1, actor=SYSTEM)
    urls = {
        "board": "/staff/training/",
        "classes": PAGE,
        "run": lambda: f"/staff/training/runs/{scenario_start(slug='wallet-blocked', actor=trainer).pk}/",
        "delete": f"{PAGE}{training_class.pk}/delete/",
    }
    url = urls[page]() if callable(urls[page]) else urls[page]
    html = as_trainer.get(url).content.decode()
    assert 'class="portal-nav staff-nav"' in html
    assert 'data-testid="staff-user"' in html and "trainer-t" in html
    assert 'href="/staff/"' in html and 'action="/staff/logout/"' in html
