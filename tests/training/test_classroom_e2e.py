"""The classroom loop in headless Chromium: a trainer assigns scenario 4 «Заблокирован PIN» to a class of one; the
trainee signs in at /staff/login/, opens «Мои обращения» and the caller's card, goes to the customer, records the
identity check first, then unlocks the PIN (reason, «Подтвердить»); meanwhile the trainer's live board of the class,
open in a page of its own, shows the case's status and score change without being reloaded."""

import pytest
from playwright.sync_api import expect

from tests.training.conftest import STAFF_PASSWORD
from tests.training.test_board_e2e import check_identity, take_action
from training.assignments import training_assign
from training.classes import training_class_create
from training.models import RunStatus, ScenarioRun, Trainee

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BOARD_WAIT_MS = 20_000  # the board's script fetches the table every 5 s


@pytest.fixture
def classroom(trainer):
    """A class of one trainee (with the password shown once at creation) and scenario 4 assigned to it."""
    training_class, (made,) = training_class_create(name="Группа E2E", trainees=1, actor=trainer)
    (run,) = training_assign(training_class=training_class, scenario="pin-locked", actor=trainer)
    assert run.status == RunStatus.ASSIGNED, run.error
    assert run.wallet.pin_locked_at is not None
    trainee = Trainee.objects.select_related("user").get(training_class=training_class)
    assert trainee.user.username == made.username
    return training_class, made, run


@pytest.fixture
def pages(live_server, browser):
    """A browser context of its own per person (their own session), every page's script errors collected."""
    contexts, errors = [], []

    def open_page(path: str, username: str, password: str):
        context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}{path}")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.get_by_role("button", name="Войти").click()
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert errors == []


def test_a_trainee_resolves_an_assigned_pin_case_while_the_trainer_watches_the_board(classroom, pages, trainer):
    training_class, made, run = classroom
    # the trainer opens the class's live board: the case is assigned, not scored yet
    board = pages(f"/staff/training/classes/{training_class.pk}/board/", trainer.username, STAFF_PASSWORD)
    row = board.get_by_test_id(f"run-{run.pk}")
    expect(row).to_have_attribute("data-status", RunStatus.ASSIGNED)
    expect(row.get_by_test_id("score")).to_have_text("—")
    board.evaluate("window.__notReloaded = true")

    # the trainee signs in at the staff sign-in and finds the case in «Мои обращения»
    desk = pages("/staff/login/", made.username, made.password)
    desk.get_by_test_id("my-cases").click()
    case = desk.get_by_test_id("case")
    expect(case).to_have_count(1)
    expect(case).to_have_attribute("data-status", RunStatus.ASSIGNED)
    case.get_by_role("link", name="Принять звонок").click()
    # the caller's card: only the caller's words and number
    expect(desk.get_by_test_id("caller-words")).to_have_text(run.facts["caller_words"])
    expect(desk.get_by_test_id("case-status")).to_have_text("В работе", ignore_case=True)
    # opening the card starts the case: the board shows it in progress, score 0, without a reload
    expect(row).to_have_attribute("data-status", RunStatus.IN_PROGRESS, timeout=BOARD_WAIT_MS)
    expect(row.get_by_test_id("score")).to_have_text("0", timeout=BOARD_WAIT_MS)

    # the customer's page: the identity check first, then the PIN unlocked through the console's action
    desk.get_by_test_id("caller-customer").click()
    check_identity(desk)
    expect(row.get_by_test_id("score")).to_have_text("30", timeout=BOARD_WAIT_MS)
    expect(row).to_contain_text("Проверил личность")
    take_action(desk, "unlock-pin", "личность подтверждена: ФИО, ИНН")
    expect(desk.get_by_text("PIN разблокирован.")).to_be_visible()

    # then: the board says resolved, 100 points, every step listed, nothing failed, and the page was never reloaded
    expect(row).to_have_attribute("data-status", RunStatus.RESOLVED, timeout=BOARD_WAIT_MS)
    expect(row.get_by_test_id("score")).to_have_text("100")
    expect(row).to_contain_text("3/3")
    expect(row).to_contain_text("Разблокировал PIN (или отправил новый)")
    expect(row.get_by_test_id("fails")).to_have_text("—")
    assert board.evaluate("window.__notReloaded") is True
    stored = ScenarioRun.objects.get(pk=run.pk)
    assert (stored.status, stored.score, stored.auto_fail) == (RunStatus.RESOLVED, 100, [])
