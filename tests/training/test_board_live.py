"""The trainer's live board of a class (/staff/training/classes/<pk>/board/): trainees × their cases, judged on
every view; ?part=table is the table alone for static/js/class-board.js (every 5 s), a <noscript> meta refresh
without JavaScript. Trainers only; a fixed number of queries."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from casework.identity import identity_check_record
from casework.models import IdentityFact
from tests.training.conftest import STAFF_PASSWORD
from tests.training.test_judging import answer_lost_run, lost_answers, trainees  # noqa: F401  (fixtures)
from training.models import RunStatus, ScenarioRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer_client(trainer):
    client = Client()
    client.force_login(trainer)
    return client


@pytest.fixture
def six_runs(trainees, lost_answers, make_wallet, dostek):  # noqa: F811
    """3 trainees × 2 cases: one in progress (opened 30 s ago), one resolved long ago."""
    training_class, people = trainees
    runs = []
    for trainee in people:
        runs.append(answer_lost_run(trainee, make_wallet, dostek))
        done = answer_lost_run(trainee, make_wallet, dostek, opened_ago=timedelta(hours=1))
        ScenarioRun.objects.filter(pk=done.pk).update(
            status=RunStatus.RESOLVED,
            score=100,
            finished_at=timezone.now() - timedelta(minutes=50),
            steps=[{"step": "identity", "label": "Проверил личность", "points": 20, "at": timezone.now().isoformat()}],
        )
        runs.append(done)
    return training_class, people, runs


def board_url(training_class) -> str:
    return reverse("training:class_board", args=[training_class.pk])


def test_only_a_trainer_sees_the_board(six_runs, client, staff):
    training_class, _people, _runs = six_runs
    url = board_url(training_class)
    assert client.get(url)["Location"].startswith(reverse("staff:login"))
    agent = staff("agent-board", "Агент")
    client.force_login(agent)
    assert client.get(url).status_code == 403


def test_the_board_lists_trainees_and_their_cases_judged(six_runs, trainer_client):
    training_class, people, runs = six_runs
    identity_check_record(wallet=runs[0].wallet, actor=people[0].user, facts=[IdentityFact.FULL_NAME, IdentityFact.INN])
    page = trainer_client.get(board_url(training_class))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    html = page.content.decode()
    assert f"Доска группы «{training_class.name}»" in html
    for trainee in people:
        assert trainee.user.username in html
    assert html.count('data-status="in_progress"') == 3 and html.count('data-status="resolved"') == 2 + 1
    first = re.search(rf'data-testid="run-{runs[0].pk}".*?</tr>', html, re.S).group(0)
    assert "1. Оплатил, а баланс в СОЧИ не пополнился" in first
    assert '<td data-testid="score">20</td>' in first and "✔ Проверил личность (20" in first and "1/3" in first
    assert ScenarioRun.objects.get(pk=runs[0].pk).score == 20  # stored by the view's refresh
    # the script, no inline one (the CSP), and the fallback without JavaScript
    assert 'src="/static/js/class-board.js"' in html and '<meta http-equiv="refresh" content="5">' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert 'data-refresh-url="?part=table"' in html


def test_the_table_alone_for_the_script(six_runs, trainer_client):
    training_class, _people, runs = six_runs
    part = trainer_client.get(board_url(training_class), {"part": "table"}).content.decode()
    assert part.startswith("<table") and "<html" not in part
    assert f'data-testid="run-{runs[0].pk}"' in part


def test_the_classes_page_links_the_board(six_runs, trainer_client):
    training_class, _people, _runs = six_runs
    page = trainer_client.get(reverse("training:classes")).content.decode()
    assert f'href="{board_url(training_class)}"' in page


def test_the_board_query_count_is_fixed(six_runs, trainer_client, django_assert_num_queries):
    training_class, _people, _runs = six_runs
    url = board_url(training_class)
    trainer_client.get(url)  # the first view stores the open cases' verdicts
    # session, user, the trainer's permissions (2), the class, trainees with their runs (2), the audit entries, the
    # wallets' other payments, and each open case's check (its payment: 1 each; СОЧИ's register is not a query)
    with django_assert_num_queries(9 + 3):
        assert trainer_client.get(url, {"part": "table"}).status_code == 200


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_board_updates_without_a_reload(live_server, browser, trainer, trainees, lost_answers, make_wallet, dostek):  # noqa: F811
    """The trainer watches the board; the trainee checks the caller's identity in the console meanwhile: within a few
    seconds the score says 20 and the step is listed, and the page was not reloaded."""
    training_class, (trainee, *_rest) = trainees
    run = answer_lost_run(trainee, make_wallet, dostek)
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(f"{live_server.url}{board_url(training_class)}")
        page.fill("input[name=username]", trainer.username)
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.get_by_role("button", name="Войти").click()
        row = page.get_by_test_id(f"run-{run.pk}")
        expect(row.get_by_test_id("score")).to_have_text("0")
        page.evaluate("window.__notReloaded = true")
        # when: the trainee acts (here, straight through the domain function the console calls)
        identity_check_record(wallet=run.wallet, actor=trainee.user, facts=[IdentityFact.FULL_NAME, IdentityFact.INN])
        # then: the script swaps the table in
        expect(row.get_by_test_id("score")).to_have_text("20", timeout=15_000)
        expect(page.get_by_test_id(f"run-{run.pk}")).to_contain_text("Проверил личность")
        assert page.evaluate("window.__notReloaded") is True
    finally:
        context.close()
    assert errors == []


def test_the_run_page_shows_the_rubric(six_runs, trainer_client):
    _class, _people, runs = six_runs
    page = trainer_client.get(reverse("training:run", args=[runs[0].pk])).content.decode()
    assert 'data-testid="rubric"' in page
    assert "• Проверил личность — 20 б." in page and "Время: 15 мин. с открытия случая" in page
