"""build_guide drives the replica through every step of the seed and writes the guide: the CI check that each step
still works, with one real screenshot per seed step, HTML and PDF, and the two call-centre numbers."""

import io
import re
import struct

import pytest
from django.core.management import CommandError, call_command

from core.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.helpers import pdf_pages
from training.guide import Figure, GuideError, GuideRun, seed_step_numbers, trainer_sheet_html
from training.rubrics import RUBRICS
from training.scenarios import SCENARIOS

SEED_STEPS = [f"1.{n}" for n in range(1, 9)] + [f"2.{n}" for n in range(1, 10)] + [f"3.{n}" for n in range(1, 7)]


def png_size(path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">II", header[16:24])


def test_the_guide_has_the_seeds_steps_in_its_order():
    assert seed_step_numbers() == SEED_STEPS


@pytest.mark.e2e
def test_build_guide_goes_through_every_seed_step(tmp_path):
    """Its own replica (fresh database, СОЧИ, a free port), every step of sections 1-3 done in Chromium."""
    out = io.StringIO()
    call_command("build_guide", "--out", str(tmp_path), stdout=out)
    progress = out.getvalue()
    for number in SEED_STEPS:
        assert re.search(rf"^\[ru {re.escape(number)}\] .* \.\.\. готово", progress, re.M), number
        width, height = png_size(tmp_path / "img" / f"ru-{number}.png")
        assert width >= 600 and height >= 300, number
    html = (tmp_path / "guide-ru.html").read_text(encoding="utf-8")
    positions = [html.index(f'data-step="{number}"') for number in SEED_STEPS]
    assert positions == sorted(positions)
    assert "Выберите категорию 14 (Другие услуги)" in html and "«DosTek group»" in html
    assert "0312 960 888" in html and "0312 986 000" in html
    # section 4: the app on a phone-sized screen, from the sign-in to the payment code
    assert re.search(
        r"^\[ru 4\] приложение: вход, DosTek group, проверка, PIN, код платежа \.\.\. готово", progress, re.M
    )
    # the progress log speaks the guide's language: not a word of English left in it
    assert not re.search(r"\b(ok|screenshots?|replica|serving|written|som|the app)\b", progress), progress
    for step in ("sign-in", "home", "other", "form", "check", "done"):
        assert png_size(tmp_path / "img" / f"ru-4-app-{step}.png")[0] == 390, step
        assert f"img/ru-4-app-{step}.png" in html, step
    # the PDF laid out like the seed's instruction: no page without text (a blank page, or a heading alone on a
    # page its picture did not fit), the call-centre box on one page, A4
    pages = [" ".join(page.split()) for page in pdf_pages((tmp_path / "guide-ru.pdf").read_bytes())]
    assert all(pages), [number for number, text in enumerate(pages, 1) if not text]
    assert "1. Регистрация кошелька ЭЛСОМ" in pages[0]  # the title page is not a page of its own, mostly blank
    assert any(
        "0312 960 888" in page and "0312 986 000" in page and "Благодарим за внимание!" in page for page in pages
    )
    for section in ("1. Регистрация кошелька ЭЛСОМ", "2. Пополнение личного баланса", "4. Пополнение личного"):
        assert any(section in page for page in pages), section  # a heading is never split over two pages
    # the customer's phone, not the trainers' simulator: the demo-wallet picker was never in a screenshot (shot()
    # refuses one), and its words are nowhere in the guide
    assert "Демо-кошельки" not in html
    # the trainer's part beside it, and nothing of it in the customers' instruction
    assert "• Разблокировал PIN (или отправил новый) — 40 б." in (tmp_path / "trainer-ru.html").read_text("utf-8")
    assert (tmp_path / "trainer-ru.pdf").read_bytes()[:5] == b"%PDF-"
    assert "Автоматический провал" not in html
    assert not (tmp_path / "error-ru.png").exists()


@pytest.mark.e2e
def test_a_screenshot_with_the_demo_picker_in_it_is_refused(tmp_path):
    """The simulator's demo-wallet picker is a trainer's tool: shot() fails while it shows, and passes once
    hide_demo_picker() has hidden it; the app's phone-sized screens are marked for the three-to-a-row layout."""
    from playwright.sync_api import sync_playwright

    simulator = (
        '<div id="sim"><section class="sim-picker">Демо-кошельки</section><pre id="sim-screen">*900#</pre></div>'
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            run = GuideRun(
                browser=browser,
                base_url="http://127.0.0.1:9",
                language="ru",
                out_dir=tmp_path,
                cash_in=None,
                progress=lambda line: None,
            )
            page = browser.new_page()
            page.set_content(simulator)
            with pytest.raises(GuideError, match="demo-wallet picker"):
                run.shot(page.locator("#sim"), "1.1")
            GuideRun.hide_demo_picker(page)
            run.shot(page.locator("#sim"), "1.1")
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.set_content("<main>app</main>")
            run.shot(phone, "4", suffix="-app-home")
        finally:
            browser.close()
    assert run.steps["1.1"].figures == [Figure(file="img/ru-1.1.png", caption="", phone=False)]
    assert run.sections[3].figures == [Figure(file="img/ru-4-app-home.png", caption="", phone=True)]


def test_the_trainers_part_has_every_scenarios_rubric():
    html = trainer_sheet_html("ru")
    assert "Для тренера: как оцениваются учебные случаи" in html
    for scenario in SCENARIOS.values():
        lines = RUBRICS[scenario.slug].describe(time_limit=scenario.time_limit)
        section = html[html.index(f'data-scenario="{scenario.number}"') :]
        section = section[: section.index("</section>")]
        assert f"{scenario.number}. {scenario.title}" in section
        for line in lines:
            assert line.replace("«", "&laquo;").replace("»", "&raquo;") in section or line in section, line
    assert "Время: 10 мин. с открытия случая" in html and "Автоматический провал (0 баллов):" in html


def test_the_trainers_part_in_kyrgyz():
    html = trainer_sheet_html("ky")
    assert '<html lang="ky">' in html
    assert "Для тренера" not in html and "Проверил личность" not in html


def test_base_url_must_be_http(tmp_path):
    with pytest.raises(CommandError, match="http"):
        call_command("build_guide", "--base-url", "ftp://x", "--out", str(tmp_path), stdout=io.StringIO())


def test_a_step_that_fails_names_the_replica(tmp_path):
    """Nothing listens there: the command fails with a clear message, not a traceback."""
    with pytest.raises(CommandError, match="do not all work on http://127.0.0.1:9"):
        call_command("build_guide", "--base-url", "http://127.0.0.1:9", "--out", str(tmp_path), stdout=io.StringIO())
