"""The trainer's board at /staff/training/: demo mode only, the «Тренер» role only; starting, checking and resetting
a scenario through the pages; bad input is a message, never a 500."""

import pytest

from audit.models import AuditEntry, StaffAction
from training.models import RunStatus, ScenarioRun, SmsGatewayFault
from training.operations import scenario_start
from wallet.models import WalletStatus
from wallet.operations import wallet_set_status

pytestmark = pytest.mark.django_db
BOARD = "/staff/training/"


def urls(run_pk: int = 1) -> list[tuple[str, str]]:
    return [
        ("get", BOARD),
        ("post", f"{BOARD}start/wallet-blocked/"),
        ("get", f"{BOARD}runs/{run_pk}/"),
        ("post", f"{BOARD}runs/{run_pk}/reset/"),
        ("post", f"{BOARD}runs/{run_pk}/lift-sms/"),
        ("post", f"{BOARD}reset/"),
    ]


@pytest.fixture
def as_trainer(client, trainer):
    client.force_login(trainer)
    return client


@pytest.mark.parametrize("method,url", urls())
def test_anonymous_goes_to_the_staff_sign_in(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith("/staff/login/?next=")


@pytest.mark.parametrize("role", [None, "Агент", "Старший смены", "Кассир"])
def test_other_roles_and_plain_staff_are_refused(client, staff, role, trainer):
    run = scenario_start(slug="wallet-blocked", actor=trainer)
    client.force_login(staff(f"user-{role}", role))
    for method, url in urls(run.pk):
        assert getattr(client, method)(url).status_code == 403, url
    assert ScenarioRun.objects.count() == 1


def test_a_holder_signed_in_on_the_website_is_refused(client, holder):
    from accounts.models import User

    client.force_login(User.objects.get(wallet=holder))
    assert client.get(BOARD).status_code == 403


@pytest.mark.parametrize("method,url", urls())
def test_not_found_without_demo_mode(as_trainer, settings, method, url):
    settings.DEMO_MODE = False
    assert getattr(as_trainer, method)(url).status_code == 404


def test_board_lists_the_eight_scenarios_with_their_texts(as_trainer):
    response = as_trainer.get(BOARD)
    html = response.content.decode()
    assert response.status_code == 200
    for number, title in enumerate(
        [
            "Оплатил, а баланс в СОЧИ не пополнился",
            "Деньги списались, платеж отменен",
            "Не пришло SMS",
            "Заблокирован PIN",
            "Не могу зарегистрироваться на сайте",
            "*900# не работает",
            "Оплатил не той компании / ошибся ИНН",
            "Кошелек заблокирован",
        ],
        start=1,
    ):
        assert f"{number}. «{title}»" in html
    assert "Правильное решение" in html and "Что проверить" in html
    # the suite runs DosTek in process and the plain test SMS backend: those cases say why they cannot start
    assert html.count("Сценарию нужен настоящий СОЧИ") == 2
    assert "Сценарию нужен учебный SMS-шлюз" in html
    assert html.count('type="submit" class="btn btn-primary">Запустить') == 5


def test_board_in_kyrgyz_and_english(as_trainer):
    as_trainer.cookies["django_language"] = "ky"
    assert "Окуу сценарийлеринин тактасы" in as_trainer.get(BOARD).content.decode()
    as_trainer.cookies["django_language"] = "en"
    assert "Training scenario board" in as_trainer.get(BOARD).content.decode()


def test_start_through_the_page_then_check_and_reset(as_trainer, trainer, supervisor):
    # when: «Запустить» with a fresh wallet
    response = as_trainer.post(f"{BOARD}start/wallet-blocked/", {"wallet": ""})
    run = ScenarioRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"{BOARD}runs/{run.pk}/"
    page = as_trainer.get(response["Location"]).content.decode()
    assert run.wallet.phone in page and 'data-resolved="no"' in page
    assert "«Не могу оплатить: пишет «Кошелек заблокирован».»" in page
    # the supervisor resolves it; the page says so
    wallet_set_status(wallet=run.wallet, status=WalletStatus.ACTIVE, actor=supervisor, reason="личность подтверждена")
    assert 'data-resolved="yes"' in as_trainer.get(f"{BOARD}runs/{run.pk}/").content.decode()
    # reset; the journal lists both, with who
    assert as_trainer.post(f"{BOARD}runs/{run.pk}/reset/").status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.RESET and run.reset_by == trainer
    board = as_trainer.get(BOARD).content.decode()
    assert board.count("trainer-t") >= 3  # the run's row and two journal entries
    assert "запуск сценария" in board and "сброс сценария" in board


def test_start_on_a_chosen_wallet_with_a_variant(as_trainer, make_wallet):
    wallet = make_wallet()
    response = as_trainer.post(f"{BOARD}start/web-registration/", {"wallet": wallet.pk, "variant": "exhausted"})
    run = ScenarioRun.objects.get()
    assert response.status_code == 302
    assert run.wallet == wallet and run.variant == "exhausted" and not run.fresh_wallet
    assert "Коды на этот номер закончились" in as_trainer.get(f"{BOARD}runs/{run.pk}/").content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"wallet": "abc"},
        {"wallet": "9" * 40},
        {"wallet": "-1"},
        {"wallet": "1\x00"},
        {"wallet": "x" * 100_000},
        {"variant": "nope"},
    ],
)
def test_bad_input_is_a_message_and_starts_nothing(as_trainer, data):
    slug = "web-registration" if "variant" in data else "wallet-blocked"
    response = as_trainer.post(f"{BOARD}start/{slug}/", data, follow=True)
    assert response.status_code == 200
    assert "Проверьте форму" in response.content.decode()
    assert not ScenarioRun.objects.exists()


def test_unsuitable_wallet_and_unavailable_scenario_are_messages(as_trainer, make_wallet):
    wallet = make_wallet(balance="10")
    response = as_trainer.post(f"{BOARD}start/wrong-inn/", {"wallet": wallet.pk}, follow=True)
    assert "На кошельке 10.00 сом, для сценария нужно не меньше" in response.content.decode()
    response = as_trainer.post(f"{BOARD}start/answer-lost/", {}, follow=True)
    assert "настоящий СОЧИ" in response.content.decode()
    assert not ScenarioRun.objects.exists()


@pytest.mark.parametrize("url", ["start/nope/", "runs/999999/", "runs/99999999999999999999999/"])
def test_unknown_things_are_404(as_trainer, url):
    method = as_trainer.post if url.startswith("start") else as_trainer.get
    assert method(BOARD + url).status_code == 404


def test_get_only_and_post_only(as_trainer):
    assert as_trainer.post(BOARD).status_code == 405
    assert as_trainer.get(f"{BOARD}start/wallet-blocked/").status_code == 405
    assert as_trainer.get(f"{BOARD}reset/").status_code == 405


def test_lift_sms_fault_from_the_run_page(as_trainer, trainer, failing_sms):
    run = scenario_start(slug="sms-lost", actor=trainer)
    assert "Снять сбой SMS" in as_trainer.get(f"{BOARD}runs/{run.pk}/").content.decode()
    response = as_trainer.post(f"{BOARD}runs/{run.pk}/lift-sms/", follow=True)
    assert "снят" in response.content.decode()
    assert not SmsGatewayFault.objects.exists()
    lifted = AuditEntry.objects.filter(action=StaffAction.PROVIDER_FAULT, after__mode="normal")
    assert lifted.get().actor == trainer
    response = as_trainer.post(f"{BOARD}runs/{run.pk}/lift-sms/", follow=True)
    assert "сбоя SMS-шлюза нет" in response.content.decode()


def test_training_reset_from_the_board_needs_the_confirmation(as_trainer):
    response = as_trainer.post(f"{BOARD}reset/", {}, follow=True)
    assert "Проверьте форму" in response.content.decode()
    assert not AuditEntry.objects.filter(action=StaffAction.TRAINING_RESET).exists()
    response = as_trainer.post(f"{BOARD}reset/", {"confirm": "on", "reason": "конец смены"}, follow=True)
    assert "Учебные данные сброшены" in response.content.decode()
    assert AuditEntry.objects.filter(action=StaffAction.TRAINING_RESET, wallet__isnull=True).count() == 1


def test_board_and_run_page_cost_the_same_few_queries_whatever_the_history(
    as_trainer, trainer, django_assert_max_num_queries
):
    """The board reads runs and the journal a page at a time: 30 runs cost what 1 does."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run = scenario_start(slug="wallet-blocked", actor=trainer)
    as_trainer.get(BOARD)  # what the first request of a process caches (content types, the catalog)
    with CaptureQueriesContext(connection) as one:
        as_trainer.get(BOARD)
    for _ in range(30):
        scenario_start(slug="wallet-blocked", actor=trainer)
    with CaptureQueriesContext(connection) as many:
        as_trainer.get(BOARD)
    assert len(many) == len(one) <= 25
    with django_assert_max_num_queries(15):
        as_trainer.get(f"{BOARD}runs/{run.pk}/")
