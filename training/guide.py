"""The seed's instruction, regenerated from the running replica (`manage.py build_guide`).

Headless Chromium goes through the seed's four sections on the replica — the phone simulator for *900# (opening a
wallet, paying DosTek group), the website, the app (sign-in and a payment on a phone-sized screen) — and takes a
real screenshot at every step, in the seed's order and words. The pages are driven by names and addresses (form
field names, URLs, the app's routes), not by their texts, so the same run works in Russian and in Kyrgyz. Nothing
here touches the database: the replica is reached over HTTP, and the one thing a browser cannot do — handing cash
in at a KICB branch — is `manage.py cash_in` in a subprocess of the same replica."""

import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from demo.constants import DEMO_INN
from training.rubrics import scenario_rubric_lines
from training.scenarios import SCENARIOS
from ussd.engine import NEXT_PAGE
from ussd.screens import MSG_PIN_CHANGED, MSG_REGISTERED

# Seed section 1 recommends a PIN of one's own; the demo wallet's is replaced by this one (not a trivial PIN).
GUIDE_NEW_PIN = "4826"
GUIDE_PASSWORD = "Guide-Sochi-Balance-2026"
GUIDE_COMPANY_INN = DEMO_INN  # ОсОО «Ала-Тоо Консалт», a demo company of СОЧИ
GUIDE_USSD_AMOUNT, GUIDE_WEB_AMOUNT, GUIDE_APP_AMOUNT, GUIDE_CASH_IN = "500", "350", "250", "3000"
GUIDE_SERVICE_NAME = "DosTek group"
PHONE_VIEWPORT = {"width": 390, "height": 844}
GUIDE_NAME = {"ru": "Асель Токтосунова", "ky": "Асель Токтосунова"}
GUIDE_INN = "10512199000123"
STEP_TIMEOUT_MS = 20_000

TITLE = gettext_lazy("Инструкция по пополнению личного баланса в системе СОЧИ через мобильный кошелек ЭЛСОМ")
COVERS = gettext_lazy("В данной инструкции будет рассмотрено:")
CLOSING = gettext_lazy(
    "Если у вас возникнут трудности с пополнением личного баланса в системе СОЧИ через мобильный кошелек ЭЛСОМ, вы "
    "всегда можете обратиться в call-центр компании «DosTek group» по номеру %(dostek)s или в call-центр ЭЛСОМ по "
    "номеру %(elsom)s."
)
THANKS = gettext_lazy("Благодарим за внимание!")
TRAINER_TITLE = gettext_lazy("Для тренера: как оцениваются учебные случаи")
TRAINER_INTRO = gettext_lazy(
    "Каждый случай, назначенный стажеру, оценивается сам: шаги — по журналу действий стажера на кошельке клиента "
    "после того, как он открыл обращение, результат — по состоянию (проводки, реестр СОЧИ, SMS). Автоматический "
    "провал ставит 0 баллов и завершает случай; после лимита времени случай «время вышло»."
)
MADE_FROM = gettext_lazy("Снимки экрана сделаны на учебной реплике ЭЛСОМ %(date)s; номер и ИНН — демонстрационные.")

# The progress log, in the guide's language like the guide itself (whoever runs `make guide` reads the same words).
PROGRESS_STEP = gettext_lazy("[%(language)s %(number)s] %(text)s ... готово (снимков: %(count)s)")
PROGRESS_CASH_IN = gettext_lazy(
    "[%(language)s 1] %(amount)s сом внесены в отделении KICB (manage.py cash_in) ... готово"
)
PROGRESS_APP_SKIPPED = gettext_lazy("[%(language)s 4] приложение: /app/ ответил HTTP %(status)s, раздел пропущен")
PROGRESS_APP_DONE = gettext_lazy(
    "[%(language)s 4] приложение: вход, DosTek group, проверка, PIN, код платежа ... готово"
)


@dataclass
class Figure:
    file: str
    caption: str = ""
    phone: bool = False  # the app on a phone-sized screen: tall and narrow, printed three to a row


@dataclass
class Step:
    number: str
    text: object
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Section:
    number: str
    title: object
    steps: list[Step] = field(default_factory=list)
    intro: list[object] = field(default_factory=list)
    outro: list[object] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def seed_sections() -> list[Section]:
    """The seed's sections and steps, in its order and words (Russian source; Kyrgyz from the catalogue)."""
    step = Step
    return [
        Section(
            "1",
            gettext_lazy(
                "Регистрация кошелька ЭЛСОМ через мобильный телефон любого типа и без подключения интернета - для "
                "номеров Megacom, Beeline"
            ),
            steps=[
                step("1.1", gettext_lazy("Наберите в своем телефоне команду *900#")),
                step("1.2", gettext_lazy("Выберите язык")),
                step("1.3", gettext_lazy("Наберите 1 для подтверждения регистрации")),
                step("1.4", gettext_lazy("Введите Ваше имя и фамилию")),
                step("1.5", gettext_lazy("Введите Ваш личный ИНН, который указан в Вашей ID-карте")),
                step("1.6", gettext_lazy("Наберите 1 для подтверждения указанных Вами данных")),
                step(
                    "1.7",
                    gettext_lazy(
                        "Ознакомьтесь с договором публичной оферты на сайте elsom.kg и подтвердите это, набрав 1"
                    ),
                ),
                step(
                    "1.8",
                    gettext_lazy(
                        "При успешной регистрации, вы получите смс с пин кодом. Рекомендуем вам сменить присланный "
                        "пин код на свой 4-х значный, набрав снова команду *900#, наберите 8 (баланс/Настройки) и "
                        "далее 3 (Замена пин)."
                    ),
                ),
            ],
            outro=[
                gettext_lazy(
                    "Теперь вы полноправный обладатель мобильного кошелька ЭЛСОМ и можете совершать любые оплаты, "
                    "заранее пополнив его через: отделения банка KICB; терминалы KICB, Мобильник, QIWI (Киви)."
                )
            ],
        ),
        Section(
            "2",
            gettext_lazy(
                "Пополнение личного баланса через мобильный кошелек ЭЛСОМ посредством команды *900# (с мобильного "
                "телефона любого типа, без подключения интернета - для номеров Megacom, Beeline)"
            ),
            steps=[
                step("2.1", gettext_lazy("Наберите в своем телефоне команду *900#")),
                step("2.2", gettext_lazy("Выберите пункт 3 (Платежи/Комм.услуги)")),
                step("2.3", gettext_lazy("Выберите пункт 3 (Оплатить счет)")),
                step("2.4", gettext_lazy("Выберите категорию 14 (Другие услуги)")),
                step("2.5", gettext_lazy("Выберите услугу под пунктом 14 (Достэк)")),
                step("2.6", gettext_lazy("Наберите лицевой счет (14-ти значный ИНН вашей компании)")),
                step("2.7", gettext_lazy("Введите сумму для оплаты (сом)")),
                step("2.8", gettext_lazy("Проверьте ИНН, сумму оплаты и наберите свой пин код")),
                step("2.9", gettext_lazy("При успешной оплате, вы получите смс с кодом платежа")),
            ],
            outro=[
                gettext_lazy(
                    "Данный способ пополнения личного баланса в системе СОЧИ, будет удобен для тех, кто пользуется "
                    "простыми моделями телефонов, без подключения интернета."
                )
            ],
        ),
        Section(
            "3",
            gettext_lazy(
                "Пополнение личного баланса через мобильный кошелек ЭЛСОМ посредством сайта elsom.kg – для номеров "
                "Megacom, Beeline, O!"
            ),
            steps=[
                step(
                    "3.1",
                    gettext_lazy(
                        "Наберите в строке браузера адрес сайта и впишите номер своего кошелька ЭЛСОМ (номер "
                        "мобильного телефона) в поле, указанное стрелкой и нажмите «Войти»."
                    ),
                ),
                step(
                    "3.2",
                    gettext_lazy(
                        "Если вы ранее не проходили регистрацию на данном сайте, то вам откроется окно, в которое "
                        "необходимо вписать вашу почту, придумать пароль, а также ознакомиться с условиями публичной "
                        "оферты и нажать на кнопку «Зарегистрироваться»."
                    ),
                ),
                step("3.3", gettext_lazy("В личном кабинете в разделе «Услуги» необходимо выбрать «Другие».")),
                step(
                    "3.4",
                    gettext_lazy(
                        "В перечне представленных услуг выбрать «DosTek group». В поле для номера услуги необходимо "
                        "вписать ИНН вашей компании, в нижнем поле – сумму перечисляемых средств. Нажать на кнопку "
                        "«Далее»."
                    ),
                ),
                step(
                    "3.5",
                    gettext_lazy(
                        "Проверить правильность ИНН, суммы и нажать на кнопку «Оплатить». Если данные были введены "
                        "неверно, то можно вернуться в предыдущее окно, нажав на кнопку «Назад»."
                    ),
                ),
                step(
                    "3.6",
                    gettext_lazy(
                        "При успешной оплате, вам откроется окно подтверждения оплаты, а на ваш телефон придет смс с "
                        "подтверждением платежа."
                    ),
                ),
            ],
        ),
        Section(
            "4",
            gettext_lazy(
                "Пополнение личного баланса через мобильный кошелек ЭЛСОМ посредством мобильного приложения – для "
                "номеров Megacom, Beeline, O!"
            ),
            intro=[
                gettext_lazy(
                    "Мобильное приложение ЭЛСОМ можно загрузить через Google play и App Store на ваш мобильный телефон."
                ),
                gettext_lazy("Услуга «DosTek group» находится в разделе «Другие услуги» (подраздел «Другие»)."),
                gettext_lazy("Все поля в приложении заполняются аналогично предыдущим вариантам."),
            ],
        ),
    ]


class GuideError(Exception):
    """A step of the seed did not work on the replica (the message names the step and what the screen showed)."""


class GuideRun:
    """Drives one language through the four sections. `cash_in(phone, amount)` funds the new wallet as a KICB
    branch would; `progress(line)` reports each step as it is done."""

    def __init__(
        self,
        *,
        browser,
        base_url: str,
        language: str,
        out_dir: Path,
        cash_in: Callable[[str, str], None],
        progress: Callable[[str], None],
    ):
        self.browser, self.base, self.language = browser, base_url.rstrip("/"), language
        self.out_dir, self.images = out_dir, out_dir / "img"
        self.cash_in, self.progress = cash_in, progress
        self.sections = seed_sections()
        self.steps = {step.number: step for section in self.sections for step in section.steps}
        self.images.mkdir(parents=True, exist_ok=True)
        self.phone = ""
        self.pin = ""

    # --- recording ----------------------------------------------------------------------------------------------

    def shot(self, target, number: str, caption: str = "", *, suffix: str = "") -> None:
        # The customer's guide shows the customer's phone: the simulator's demo-wallet picker (a trainer's tool)
        # must have been hidden (hide_demo_picker) on every page it is on, or the step fails here.
        if target.locator(".sim-picker:visible").count():
            raise GuideError(f"step {number}: the simulator's demo-wallet picker would be in the screenshot")
        name = f"{self.language}-{number}{suffix}.png"
        target.screenshot(path=str(self.images / name))
        page = getattr(target, "page", target)  # a locator's page, or the page itself
        figure = Figure(file=f"img/{name}", caption=caption, phone=page.viewport_size == PHONE_VIEWPORT)
        if number in self.steps:
            self.steps[number].figures.append(figure)
        else:
            self.sections[int(number[0]) - 1].figures.append(figure)

    def done(self, number: str) -> None:
        step = self.steps.get(number)
        text = str(step.text) if step else number
        count = len(step.figures) if step else 0
        self.progress(PROGRESS_STEP % {"language": self.language, "number": number, "text": text[:90], "count": count})

    def new_page(self, *, viewport: dict | None = None):
        context = self.browser.new_context(
            viewport=viewport or {"width": 1280, "height": 900},
            locale="ky-KG" if self.language == "ky" else "ru-RU",
            timezone_id="Asia/Bishkek",
        )
        context.set_default_timeout(STEP_TIMEOUT_MS)
        host = self.base.split("//", 1)[1].split("/", 1)[0].split(":")[0]
        context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": self.language, "domain": host, "path": "/"}]
        )
        return context.new_page()

    def open_phone(self, page) -> None:
        """The phone simulator on the guide's number, as a customer's phone: without the demo-wallet picker."""
        page.goto(f"{self.base}/demo/phone/?phone={self.phone}")
        page.locator("#sim-current").filter(has_text=self.phone).wait_for()
        self.hide_demo_picker(page)

    @staticmethod
    def hide_demo_picker(page) -> None:
        # Through the CSSOM, which the pages' CSP allows (an injected <style> it would not).
        page.locator(".sim-picker").evaluate_all(
            "nodes => nodes.forEach(node => node.style.setProperty('display', 'none', 'important'))"
        )

    def inbox(self, page, kind: str) -> list[dict]:
        response = page.request.get(f"{self.base}/demo/phone/inbox/", params={"phone": self.phone})
        if not response.ok:
            raise GuideError(f"the simulator's inbox answered HTTP {response.status}")
        return [message for message in response.json()["messages"] if message["kind"] == kind]

    def wait_for_new_sms(self, page, kind: str, pattern: str, *, seen: set[str]) -> re.Match:
        """Like wait_for_sms, for a message that was not in the inbox before (the website's code is one too)."""
        for _attempt in range(40):
            for message in self.inbox(page, kind):
                found = re.search(pattern, message["text"]) if message["text"] not in seen else None
                if found:
                    return found
            page.wait_for_timeout(500)
        raise GuideError(f"no new {kind} SMS arrived for {self.phone}")

    def wait_for_sms(self, page, kind: str, pattern: str) -> re.Match:
        for _attempt in range(40):
            for message in self.inbox(page, kind):
                found = re.search(pattern, message["text"])
                if found:
                    return found
            page.wait_for_timeout(500)
        raise GuideError(f"no {kind} SMS arrived for {self.phone}")

    # --- the phone ----------------------------------------------------------------------------------------------

    def _send(self, page, typed: str, expect_text: str | None, number: str) -> str:
        from playwright.sync_api import expect

        entry, screen = page.locator("#sim-entry"), page.locator("#sim-screen")
        before = screen.inner_text()
        entry.fill(typed)
        entry.press("Enter")
        expect(entry).to_have_value("")
        try:
            if expect_text:
                expect(screen).to_contain_text(expect_text)
            else:
                expect(screen).not_to_have_text(before)
        except AssertionError as exc:
            raise GuideError(f"step {number}: the phone shows {screen.inner_text()!r}") from exc
        return screen.inner_text()

    def answer(self, page, number: str, typed: str, expect_text: str | None, *, shot: bool = True) -> str:
        """The seed's step on the phone: the answer typed (the screenshot shows question and answer), then sent."""
        page.locator("#sim-entry").fill(typed)
        if shot:
            self.shot(page.locator("#sim"), number)
        return self._send(page, typed, expect_text, number)

    def _page_to(self, page, option: str, number: str) -> None:
        """Turn the menu's pages («98») until the option the seed names is on the screen, as its figure shows it."""
        for _page in range(5):
            lines = page.locator("#sim-screen").inner_text().splitlines()
            if any(line.startswith(f"{option} ") for line in lines):
                return
            if not any(line.startswith(f"{NEXT_PAGE} ") for line in lines):
                raise GuideError(f"step {number}: option {option} is not in the menu {lines!r}")
            self._send(page, NEXT_PAGE, None, number)
        raise GuideError(f"step {number}: option {option} not found after five pages")

    def section_1(self, page) -> None:
        step = self.steps["1.1"]
        for _attempt in range(3):
            self.phone = f"+9965558{secrets.randbelow(10**5):05d}"
            self.open_phone(page)
            step.figures.clear()
            screen = self.answer(page, "1.1", "*900#", None)
            if "Кыргызча" in screen:  # a number without a wallet gets the registration menu
                break
            page.keyboard.press("Escape")
        else:
            raise GuideError("no number without a wallet found for the registration")
        self.done("1.1")
        choice = "2" if self.language == "ky" else "1"
        self.answer(page, "1.2", choice, None)
        self.done("1.2")
        self.answer(page, "1.3", "1", None)
        self.done("1.3")
        self.answer(page, "1.4", GUIDE_NAME[self.language], None)
        self.done("1.4")
        self.answer(page, "1.5", GUIDE_INN, GUIDE_INN)
        self.done("1.5")
        self.answer(page, "1.6", "1", "elsom.kg")
        self.done("1.6")
        self.answer(page, "1.7", "1", str(MSG_REGISTERED)[:12])
        self.done("1.7")
        self.pin = self.wait_for_sms(page, "wallet_opened", r"PIN: (\d{4})").group(1)
        page.locator("#sim-inbox .sim-sms").first.wait_for()
        self.shot(page.locator("#sim"), "1.8", _("SMS с PIN-кодом во входящих"))
        page.locator("#sim-entry").fill("*900#")
        self._send(page, "*900#", None, "1.8")
        self._send(page, "8", None, "1.8")
        page.locator("#sim-entry").fill("3")
        self.shot(page.locator("#sim"), "1.8", _("*900# → 8 (Баланс/Настройки) → 3 (Замена пин)"), suffix="-pin")
        self._send(page, "3", None, "1.8")
        self._send(page, self.pin, None, "1.8")
        self._send(page, GUIDE_NEW_PIN, None, "1.8")
        self._send(page, GUIDE_NEW_PIN, str(MSG_PIN_CHANGED)[:8], "1.8")
        self.pin = GUIDE_NEW_PIN
        self.done("1.8")
        self.cash_in(self.phone, GUIDE_CASH_IN)
        self.wait_for_sms(page, "cash_in", r"KICB")
        self.open_phone(page)
        page.locator("#sim-inbox .sim-sms[data-kind=cash_in]").first.wait_for()
        self.shot(page.locator("#sim"), "1", _("Пополнение в отделении KICB: SMS о зачислении"), suffix="-cash-in")
        self.progress(PROGRESS_CASH_IN % {"language": self.language, "amount": GUIDE_CASH_IN})

    def section_2(self, page) -> None:
        page.locator("#sim-entry").fill("*900#")
        self.shot(page.locator("#sim"), "2.1")
        self._send(page, "*900#", None, "2.1")
        self.done("2.1")
        for number, typed in (("2.2", "3"), ("2.3", "3"), ("2.4", "14"), ("2.5", "14")):
            self._page_to(page, typed, number)
            self.answer(page, number, typed, None)
            self.done(number)
        self.answer(page, "2.6", GUIDE_COMPANY_INN, None)
        self.done("2.6")
        self.answer(page, "2.7", GUIDE_USSD_AMOUNT, GUIDE_COMPANY_INN)
        self.done("2.7")
        self.shot(page.locator("#sim"), "2.8")  # before the PIN is typed: no PIN on a picture
        screen = self._send(page, self.pin, None, "2.8")
        found = re.search(r"\b(\d{12})\b", screen)
        if not found:
            raise GuideError(f"step 2.8: no payment code on the screen: {screen!r}")
        self.done("2.8")
        self.wait_for_sms(page, "payment", found.group(1))
        page.locator(f"#sim-inbox .sim-sms[data-kind=payment]:has-text('{found.group(1)}')").wait_for()
        self.shot(page.locator("#sim"), "2.9")
        self.done("2.9")

    # --- the website --------------------------------------------------------------------------------------------

    def section_3(self, page) -> None:
        page.goto(f"{self.base}/")
        page.fill("input[name=phone]", f"0{self.phone[4:7]} {self.phone[7:9]} {self.phone[9:11]} {self.phone[11:]}")
        self.shot(page, "3.1")
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/register/$"))
        self.done("3.1")
        page.fill("input[name=email]", f"guide.{self.phone[-6:]}@example.kg")
        page.fill("input[name=password1]", GUIDE_PASSWORD)
        page.fill("input[name=password2]", GUIDE_PASSWORD)
        page.check("input[name=offer]")
        self.shot(page, "3.2")
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/register/code/$"))
        code = self.wait_for_sms(page, "code", r"\b(\d{6})\b").group(1)
        page.fill("input[name=code]", code)
        self.shot(page, "3.2", _("Код из SMS подтверждает номер"), suffix="-code")
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/cabinet/$"))
        self.done("3.2")
        page.click("nav a[href$='/cabinet/services/']")
        page.wait_for_url(re.compile(r"/cabinet/services/$"))
        self.shot(page, "3.3")
        page.click("main a[href$='/cabinet/services/other/']")
        page.wait_for_url(re.compile(r"/cabinet/services/other/$"))
        self.shot(page, "3.3", _("Раздел «Другие»"), suffix="-other")
        self.done("3.3")
        page.click("main a[href$='/cabinet/pay/dostek/']")
        page.fill("input[name=account]", GUIDE_COMPANY_INN)
        page.fill("input[name=amount]", GUIDE_WEB_AMOUNT)
        self.shot(page, "3.4")
        page.click("main form button[type=submit]")
        page.wait_for_url(re.compile(r"/confirm/$"))
        self.done("3.4")
        if page.locator("[data-testid=account]").inner_text().strip() != GUIDE_COMPANY_INN:
            raise GuideError("step 3.5: the confirm page does not show the INN typed")
        self.shot(page, "3.5")
        page.click("main form[action$='/confirm/'] button[type=submit]")
        page.locator("[data-testid=payment-state][data-state=committed]").wait_for()
        self.done("3.5")
        self.shot(page, "3.6")
        code = page.locator("[data-testid=payment-code]").inner_text().strip()
        self.wait_for_sms(page, "payment", re.escape(code))
        phone_page = self.new_page()
        self.open_phone(phone_page)
        phone_page.locator(f"#sim-inbox .sim-sms:has-text('{code}')").wait_for()
        self.shot(phone_page.locator("#sim"), "3.6", _("SMS с подтверждением платежа"), suffix="-sms")
        phone_page.context.close()
        self.done("3.6")

    # --- the app ------------------------------------------------------------------------------------------------

    def section_4(self, page) -> None:
        """The app at /app/ on a phone-sized screen: sign-in by SMS code, «Другие услуги» -> «Другие» -> DosTek
        group, the same fields as on the website, the check, the PIN, the payment code. Selected by the app's
        routes and field names, so that the Kyrgyz guide walks the same screens."""
        section = self.sections[3]
        response = page.request.get(f"{self.base}/app/")
        if response.status != 200:
            section.notes.append(_("В этой реплике приложения пока нет (адрес /app/ не отвечает): снимков нет."))
            self.progress(PROGRESS_APP_SKIPPED % {"language": self.language, "status": response.status})
            return
        app = self.new_page(viewport=PHONE_VIEWPORT)
        app.goto(f"{self.base}/app/")
        app.fill("input[name=phone]", f"0{self.phone[4:7]} {self.phone[7:9]} {self.phone[9:11]} {self.phone[11:]}")
        self.shot(app, "4", _("Приложение: вход по номеру кошелька"), suffix="-app-sign-in")
        codes_before = {message["text"] for message in self.inbox(app, "code")}
        app.click("main form button[type=submit]")
        code = self.wait_for_new_sms(app, "code", r"\b(\d{6})\b", seen=codes_before).group(1)
        app.fill("input[name=code]", code)
        app.click("main form button[type=submit]")
        app.locator("[data-testid=balance]").wait_for()
        self.shot(app, "4", _("Приложение: главный экран с балансом"), suffix="-app-home")
        category_id, service_id = self._app_dostek(app)
        app.click("a[href='#/services']")
        app.locator(f"a[href='#/services/{category_id}']").click()
        self.shot(app, "4", _("«Другие услуги» → «Другие»: DosTek group"), suffix="-app-other")
        app.locator(f"a[href='#/pay/{service_id}']").click()
        app.fill("input[name=account]", GUIDE_COMPANY_INN)
        app.fill("input[name=amount]", GUIDE_APP_AMOUNT)
        self.shot(app, "4", _("ИНН компании и сумма, как на сайте; затем «Далее»"), suffix="-app-form")
        app.click("main form button[type=submit]")
        if app.locator("[data-testid=account]").inner_text().strip() != GUIDE_COMPANY_INN:
            raise GuideError("the app: the check screen does not show the INN typed")
        caption = _("Проверка: компания, сумма, комиссия, итого; затем PIN и «Оплатить»")
        self.shot(app, "4", caption, suffix="-app-check")
        app.fill("input[name=pin]", self.pin)
        app.click("main form button[type=submit]")
        paid = app.locator("[data-testid=payment-code]")
        paid.wait_for()
        self.wait_for_sms(app, "payment", re.escape(paid.inner_text().strip()))
        caption = _("Оплата прошла: код платежа; SMS с подтверждением приходит на телефон")
        self.shot(app, "4", caption, suffix="-app-done")
        app.context.close()
        self.progress(PROGRESS_APP_DONE % {"language": self.language})

    def _app_dostek(self, app) -> tuple[int, int]:
        """DosTek group's category and service in the app's catalog, as the app itself reads it (the API, with the
        device token the sign-in left): the replica driven may have a database of its own."""
        token = app.evaluate("localStorage.getItem('elsom.token')")
        response = app.request.get(f"{self.base}/api/v1/catalog", headers={"Authorization": f"Bearer {token}"})
        if not response.ok:
            raise GuideError(f"the app's catalog answered HTTP {response.status}")
        pending = list(response.json()["categories"])
        while pending:
            category = pending.pop()
            for service in category["services"]:
                if service["name"] == GUIDE_SERVICE_NAME:
                    return category["id"], service["id"]
            pending.extend(category["children"])
        raise GuideError(f"the app's catalog has no {GUIDE_SERVICE_NAME}")

    def run(self) -> list[Section]:
        (self.out_dir / f"error-{self.language}.png").unlink(missing_ok=True)
        page = self.new_page()
        try:
            self.section_1(page)
            self.section_2(page)
            self.section_3(self.new_page())
            self.section_4(page)
        except Exception:
            try:
                page.screenshot(path=str(self.out_dir / f"error-{self.language}.png"), full_page=True)
            except Exception:  # noqa: BLE001 - the page may be gone; the error itself matters
                pass
            raise
        return self.sections


def trainer_rubrics() -> list[dict]:
    """Each scenario's rubric as the trainer reads it (rubrics.describe(), the scenario's time limit), in order."""
    return [
        {"number": s.number, "title": s.title, "customer": s.customer, "rubric": scenario_rubric_lines(s)}
        for s in SCENARIOS.values()
    ]


def trainer_sheet_html(language: str) -> str:
    """The trainer's part of the guide (guide/trainer-<lang>.html): every scenario with its rubric. No replica
    needed; written by build_guide beside the seed's instruction, which stays the customers' document."""
    with translation.override(language):
        return render_to_string(
            "training/guide_trainer.html",
            {"language": language, "title": TRAINER_TITLE, "intro": TRAINER_INTRO, "scenarios": trainer_rubrics()},
        )


def seed_step_numbers() -> list[str]:
    return [step.number for section in seed_sections() for step in section.steps]


def manage_py(*args: str, env: dict[str, str] | None = None, timeout: int = 120) -> subprocess.CompletedProcess:
    """`manage.py ARGS` of this project in a subprocess (its own Django, its own database connection)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
