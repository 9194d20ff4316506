"""Scenarios 1, 4 and 7 in headless Chromium: the trainer starts the case on the board, which says «еще не решено»;
the agent (and, for the refund, the supervisor) resolves it in the staff console in a browser of their own, as a
trainee would: search, the customer's or the payment's page, the action, a reason, «Подтвердить»; «Проверить снова»
on the board then says «решено»."""

import pytest
from playwright.sync_api import expect

from services.verify import books_violations
from tests.training.conftest import STAFF_PASSWORD
from training.models import ScenarioRun
from wallet.operations import wallet_pin_verify

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def signed_in(live_server, browser):
    """A browser of its own per staff member, signed in at the page `path` sends them to."""
    contexts, errors = [], []

    def sign_in(user, path: str):
        context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{live_server.url}{path}")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", STAFF_PASSWORD)
        page.get_by_role("button", name="Войти").click()
        return page

    yield sign_in
    for context in contexts:
        context.close()
    assert errors == []


@pytest.fixture
def board(signed_in, trainer):
    page = signed_in(trainer, "/staff/training/")
    page.get_by_role("heading", name="Доска учебных сценариев").wait_for()
    return page


@pytest.fixture
def console(signed_in):
    def open_console(user):
        page = signed_in(user, "/staff/")
        page.get_by_role("heading", name="Поиск клиента").wait_for()
        return page

    return open_console


def find(page, query: str) -> None:
    """The console's search, as the agent types what the customer says (a number, a payment code)."""
    page.get_by_label("Номер", exact=False).first.fill(query)
    page.get_by_role("button", name="Найти").click()


def take_action(page, slug: str, reason: str) -> None:
    """An action from the customer's or the payment's page: the reason, «Далее», then «Подтвердить»."""
    page.locator(f"[data-action={slug}]").click()
    page.get_by_label("Причина").fill(reason)
    page.get_by_test_id("next").click()
    expect(page.get_by_test_id("confirm-box")).to_contain_text(reason)
    page.get_by_test_id("confirm").click()


def check_identity(page) -> None:
    """On the customer's page: the caller named their name and their INN (two facts of three), recorded."""
    page.get_by_label("имя и фамилия").check()
    page.get_by_label("личный ИНН", exact=False).check()
    page.get_by_role("button", name="Записать проверку").click()
    expect(page.get_by_test_id("identity-valid")).to_be_visible()


def start(page, slug: str) -> ScenarioRun:
    page.locator(f"[data-testid=scenario-{slug}]").get_by_role("button", name="Запустить").click()
    page.get_by_text("Проверка:").wait_for()
    expect(page.get_by_test_id("check")).to_have_attribute("data-resolved", "no")
    return ScenarioRun.objects.select_related("wallet").latest("pk")


def check_again(page) -> None:
    page.get_by_role("link", name="Проверить снова").click()
    expect(page.get_by_test_id("check")).to_have_attribute("data-resolved", "yes")
    expect(page.get_by_test_id("check")).to_contain_text("решено")


def test_scenario_1_answer_lost_on_the_board(dostek_osmp, board, console, agent):
    run = start(board, "answer-lost")
    code = run.facts["payment_code"]
    expect(board.get_by_test_id("payment-code")).to_have_text(code)
    expect(board.get_by_test_id("check")).to_contain_text("в обработке")
    # the customer reads the payment code from the SMS; the agent asks the provider about it
    desk = console(agent)
    find(desk, code)
    desk.get_by_role("link", name=code).click()
    take_action(desk, "provider-query", "клиент: оплатил, а баланс в СОЧИ не пополнился")
    expect(desk.get_by_role("status").filter(has_text="Поставщик")).to_be_visible()
    check_again(board)
    expect(board.get_by_test_id("check")).to_contain_text("зачислен 1 раз")
    assert books_violations() == []


def test_scenario_4_pin_locked_on_the_board(board, console, agent):
    run = start(board, "pin-locked")
    expect(board.get_by_test_id("check")).to_contain_text("PIN все еще заблокирован")
    desk = console(agent)
    find(desk, run.wallet.phone)
    desk.get_by_test_id("result-customer").click()
    check_identity(desk)
    take_action(desk, "unlock-pin", "личность подтверждена: ФИО, ИНН")
    expect(desk.get_by_text("PIN разблокирован.")).to_be_visible()
    wallet_pin_verify(wallet=run.wallet, pin="2580")  # the customer pays again with the PIN they know
    check_again(board)
    expect(board.get_by_test_id("check")).to_contain_text("agent-t")


def test_scenario_7_wrong_inn_on_the_board(board, console, agent, supervisor):
    run = start(board, "wrong-inn")
    code = run.facts["payment_code"]
    desk = console(agent)
    find(desk, run.wallet.phone)
    desk.get_by_test_id("result-customer").click()
    check_identity(desk)
    find(desk, code)
    desk.get_by_role("link", name=code).click()
    take_action(desk, "refund-request", "ошибка в ИНН, DosTek согласовал")
    expect(desk.get_by_text("Запрос на возврат создан")).to_be_visible()
    board.reload()
    expect(board.get_by_test_id("check")).to_have_attribute("data-resolved", "no")
    # another member of staff decides: the supervisor's queue
    chief = console(supervisor)
    chief.goto(chief.url.split("/staff/")[0] + "/staff/refunds/")
    chief.get_by_test_id("approve").click()
    chief.get_by_label("Причина").fill("одобрено: DosTek подтвердил ошибку")
    chief.get_by_test_id("next").click()
    chief.get_by_test_id("confirm").click()
    expect(chief.get_by_text("Возврат одобрен")).to_be_visible()
    check_again(board)
    # the trainer resets the case; the board's journal lists both entries
    board.get_by_role("button", name="Сбросить сценарий").click()
    board.get_by_text("Сценарий сброшен.").wait_for()
    board.get_by_role("link", name="Доска сценариев").click()
    expect(board.get_by_test_id("journal")).to_contain_text("сброс сценария")
    expect(board.get_by_test_id("journal")).to_contain_text("запуск сценария")
    assert books_violations() == []
