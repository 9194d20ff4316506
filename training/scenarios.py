"""The trainer's cases: what the customer will say, what the agent should check, the right resolution, how the case
is prepared (through the same domain functions the channels use) and how the board tells that it was resolved (from
the state at the end, never from what the agent clicked).

A scenario prepares its case on a wallet (a fresh one by default), outside any transaction: several steps call СОЧИ
over HTTP. What its check needs later (the payment, the state before) goes into ScenarioRun.facts — never a PIN
or a code."""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.codes import CODE_MAX_SENDS, CODE_RESEND_AFTER, phone_code_allowance, phone_code_issue, phone_code_start
from accounts.models import CodePurpose, PhoneCode, User
from accounts.operations import web_account_create
from audit.models import AuditEntry, StaffAction
from audit.operations import SYSTEM
from core.idempotency import idempotency_key_training_payment
from core.money import format_som
from demo.constants import ALA_TOO, BISHKEK_TRADE, DEMO_COMPANY_INNS, DEMO_PIN, DEMO_WEB_PASSWORD, NARYN
from services.faults import provider_fault_set
from services.history import payment_reserve_released
from services.models import Channel, Payment, PaymentStatus, RefundStatus, Service
from services.osmp import OsmpClient, OsmpError
from services.payments import payment_execute
from services.providers import OsmpProvider, provider_for
from sms.backends.failing import FailingNumbersBackend
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_dispatch
from training.errors import MSG_NEEDS_SMS_FAULTS, MSG_NEEDS_SOCHI, ScenarioFailed
from training.faults import sms_gateway_fault_set
from training.models import ScenarioRun, SmsGatewayFault
from training.wallets import training_wallet_open
from ussd.engine import ussd_handle
from wallet.models import Wallet, WalletStatus
from wallet.phone import Operator, phone_parse
from wallet.pin_operations import wallet_pin_is
from wallet.status import wallet_set_status

# The customer's phone on mobile data (a documentation address): codes the scenario asks for count against it,
# not against the trainee's browser.
CUSTOMER_IP = "192.0.2.10"
USSD_OPERATORS = frozenset({Operator.MEGACOM, Operator.BEELINE})
# A retry is made due at once by moving its time here: the gateway's five tries are played in a second.
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)

MSG_NOT_RESERVED = gettext_lazy("СОЧИ не потерял ответ: платеж %(status)s, а должен быть «в обработке».")
MSG_NOT_ABORTED = gettext_lazy("СОЧИ не отказал: платеж %(status)s, а должен быть «отменен».")
MSG_NOT_COMMITTED = gettext_lazy("Платеж %(status)s, а должен быть «проведен» (СОЧИ доступен?).")
MSG_SMS_NOT_FAILED = gettext_lazy("SMS не удалось сделать недоставленным: оно %(status)s.")
MSG_PIN_NOT_LOCKED = gettext_lazy("PIN не заблокировался после трех неверных вводов по USSD.")
MSG_USSD_SERVED = gettext_lazy("*900# обслужил этот номер, а должен был отказать оператору O!.")
MSG_PREPARE_EXHAUSTED = gettext_lazy("Коды не закончились: лимит отправки кодов изменился?")
# What the security service writes when it blocks a wallet (an audit reason: Russian, like every reason).
MSG_SECURITY_BLOCK = "Заблокирован системой безопасности: подозрительные попытки входа"


@dataclass(frozen=True)
class CheckLine:
    ok: bool
    text: str


@dataclass(frozen=True)
class Check:
    """The scenario's verdict from the state now: resolved when every line holds."""

    lines: list[CheckLine]

    @property
    def resolved(self) -> bool:
        return all(line.ok for line in self.lines)


@dataclass(frozen=True)
class SandboxCompany:
    """A trainee's own customer company at СОЧИ (training.assignments registers it there)."""

    inn: str
    name: str


@dataclass
class Prep:
    """What a scenario's preparation works with; `facts` and `payment` are stored on the run afterwards.

    The trainer's board leaves the last four as they are: the demo companies, a provider-wide fault for the next
    call, fresh wallets of the training range, the scenario named in every reason. A case assigned into a trainee's
    sandbox (training.assignments) sets them: the customer's own `company`, whose faults are for its INN only (an
    answer lost is held until the agent asks the provider, and ends with the `time_limit`); `open_wallet` opens
    another wallet of the sandbox (a relative's); `in_world`: what the customer's wallet shows is written as the
    system's, with the reasons the real system would give."""

    run: ScenarioRun
    wallet: Wallet
    actor: object
    reason: str
    facts: dict
    payment: Payment | None = None
    company: SandboxCompany | None = None
    time_limit: int | None = None
    open_wallet: Callable[..., Wallet] = training_wallet_open
    in_world: bool = False


@dataclass(frozen=True)
class Variant:
    slug: str
    label: Promise
    customer: Promise


@dataclass(frozen=True)
class Scenario:
    number: int
    slug: str
    title: Promise
    customer: Promise
    checks: tuple[Promise, ...]
    resolution: Promise
    done_when: Promise
    prepare: Callable[[Prep], None]
    verify: Callable[[ScenarioRun], Check]
    note: Promise | None = None
    operators: frozenset[str] | None = None
    fresh_operator: str = Operator.MEGACOM
    needs_sochi: bool = False
    needs_sms_faults: bool = False
    min_balance: Decimal = Decimal("0")
    needs_no_web_account: bool = False
    needs_usable_pin: bool = False
    variants: tuple[Variant, ...] = field(default_factory=tuple)
    # A trainee's case: the seconds the caller waits (ScenarioRun.time_limit), and the caller's words when they
    # name the customer's own company (%(company)s) instead of a demo one.
    time_limit: int = 600
    caller: Promise | None = None
    # The customer pays DosTek group for a company: in a trainee's sandbox, a company of their own.
    pays_company: bool = False

    def variant(self, slug: str) -> Variant | None:
        return next((v for v in self.variants if v.slug == slug), None)

    def customer_words(self, variant: str = "") -> Promise:
        chosen = self.variant(variant)
        return chosen.customer if chosen else self.customer

    def caller_words(self, variant: str = "", company: str = "") -> str:
        """What a trainee's caller says: the board's words, with the customer's own company where they name one."""
        if self.caller is not None and company:
            return str(self.caller) % {"company": company}
        return str(self.customer_words(variant))


# --- shared steps -------------------------------------------------------------------------------------------------


def dostek() -> Service:
    return Service.objects.select_related("provider__settlement_account", "category").get(slug="dostek")


def sochi_missing() -> Promise | None:
    """Why a scenario that makes СОЧИ misbehave cannot run here (DosTek group served in process), or None."""
    return None if isinstance(provider_for(dostek()), OsmpProvider) else MSG_NEEDS_SOCHI


def sms_faults_missing() -> Promise | None:
    try:
        backend = import_string(settings.SMS_BACKEND)
    except ImportError:
        return MSG_NEEDS_SMS_FAULTS
    return None if isinstance(backend, type) and issubclass(backend, FailingNumbersBackend) else MSG_NEEDS_SMS_FAULTS


def _company(prep: Prep, demo_inn: str) -> SandboxCompany:
    """The company the customer pays: their own in a trainee's sandbox, else the board's demo company."""
    return prep.company or SandboxCompany(inn=demo_inn, name=DEMO_COMPANY_INNS.get(demo_inn, ""))


# How many of a case's time limits its held fault lasts (see _fault).
FAULT_TTL_TIME_LIMITS = 2


def _fault(prep: Prep, mode: str, company: SandboxCompany) -> None:
    """A fault of the company the customer pays, never of the whole provider: other customers' payments (another
    trainee's, another board case's company) go through. The board's case: that company's next matching call
    misbehaves once (count=1). A trainee's case: an answer lost held until the agent asks the provider (the worker's
    repeats do not settle it), a refusal once. The judge's clock runs from when the trainee opens the case (or from
    the assignment, for a case never opened), so a held fault lasts twice the time limit: a case opened before its
    limit runs out is still held at its own deadline. The audit log names the trainer (an entry of no wallet: the
    trainee's console does not show it)."""
    hold = prep.company is not None and mode == "answer-lost"
    provider_fault_set(
        provider=dostek().provider,
        mode=mode,
        count=None if hold else 1,
        delay=None,
        actor=prep.actor,
        reason=prep.reason,
        account=company.inn,
        hold=hold,
        ttl=prep.time_limit * FAULT_TTL_TIME_LIMITS if prep.company is not None else None,
    )
    prep.facts["provider_fault_account"] = company.inn
    prep.facts["provider_fault"] = mode


def _pay(prep: Prep, *, company: SandboxCompany, amount: str) -> Payment:
    """The customer's payment to DosTek group from the website (no PIN there), as the cabinet's «Оплатить» makes it
    (with the company's name the confirm screen's check showed)."""
    wallet = Wallet.objects.select_related("ledger_account").get(pk=prep.wallet.pk)
    payment = payment_execute(
        wallet=wallet,
        service=dostek(),
        account=company.inn,
        amount=Decimal(amount),
        idempotency_key=idempotency_key_training_payment(prep.run.pk),
        channel=Channel.WEB,
        account_holder=company.name,
    )
    prep.payment = payment
    prep.facts.update(
        payment_code=payment.code,
        amount=format_som(payment.amount),
        account=company.inn,
        company=company.name,
    )
    return payment


def _staff_entries(run: ScenarioRun, *actions: str) -> list[AuditEntry]:
    """What staff did to the run's wallet since the run started (the system's own entries do not count)."""
    return list(
        AuditEntry.objects.select_related("actor")
        .filter(wallet_id=run.wallet_id, action__in=actions, created_at__gte=run.started_at, actor__isnull=False)
        .order_by("created_at", "id")
    )


def _who(entries: list[AuditEntry]) -> str:
    return ", ".join(sorted({entry.actor.get_username() for entry in entries}))


def _payment_of(run: ScenarioRun) -> Payment | None:
    if run.payment_id is None:
        return None
    return Payment.objects.select_related("service__provider", "settle_posting").get(pk=run.payment_id)


# --- 1. Оплатил, а баланс в СОЧИ не пополнился --------------------------------------------------------------------


def _prepare_answer_lost(prep: Prep) -> None:
    company = _company(prep, ALA_TOO)
    _fault(prep, "answer-lost", company)
    payment = _pay(prep, company=company, amount="1200.00")
    if payment.status != PaymentStatus.RESERVED:
        raise ScenarioFailed(MSG_NOT_RESERVED, status=payment.get_status_display())


def sochi_credits(payment: Payment) -> int | None:
    """How many times СОЧИ's register of credited payments lists this payment (None: the register is not to be
    had). Reads the days it was made and today, Bishkek time."""
    client = OsmpClient.for_provider(payment.service.provider.code)
    days = {timezone.localdate(payment.created_at), timezone.localdate()}
    try:
        rows = [row for day in sorted(days) for row in client.report(day=day)]
    except OsmpError:
        return None
    return sum(1 for row in rows if row.get("txn_id") == payment.code)


def _verify_answer_lost(run: ScenarioRun) -> Check:
    payment = _payment_of(run)
    lines = [CheckLine(payment.status == PaymentStatus.COMMITTED, _status_line(payment))]
    credits = sochi_credits(payment)
    if credits is None:
        lines.append(CheckLine(False, _("Реестр СОЧИ недоступен: зачисление не проверить.")))
    else:
        lines.append(
            CheckLine(
                credits == 1, _("В реестре СОЧИ платеж зачислен %(count)s раз (нужно ровно 1).") % {"count": credits}
            )
        )
    return Check(lines)


def _status_line(payment: Payment) -> str:
    return _("Платеж %(code)s: %(status)s.") % {"code": payment.code, "status": payment.get_status_display()}


# --- 2. Деньги списались, платеж отменен --------------------------------------------------------------------------


def _prepare_refused(prep: Prep) -> None:
    company = _company(prep, NARYN)
    _fault(prep, "refuse-account", company)
    payment = _pay(prep, company=company, amount="800.00")
    if payment.status != PaymentStatus.ABORTED:
        raise ScenarioFailed(MSG_NOT_ABORTED, status=payment.get_status_display())


def _verify_refused(run: ScenarioRun) -> Check:
    payment = _payment_of(run)
    returned = payment_reserve_released(payment=payment)
    abort_sms = SmsMessage.objects.filter(payment=payment, kind=SmsKind.PAYMENT_ABORTED).order_by("-id").first()
    return Check(
        [
            CheckLine(payment.status == PaymentStatus.ABORTED, _status_line(payment)),
            CheckLine(
                returned,
                _("Вся сумма (%(total)s сом) вернулась на кошелек.") % {"total": format_som(payment.total)}
                if returned
                else _("Возврата резерва на кошелек нет."),
            ),
            CheckLine(
                abort_sms is not None and abort_sms.status == SmsStatus.SENT,
                _("SMS об отмене: %(status)s.")
                % {"status": abort_sms.get_status_display() if abort_sms else _("не создано")},
            ),
        ]
    )


# --- 3. Не пришло SMS -----------------------------------------------------------------------------------------------


def _deliver_until_given_up(message: SmsMessage) -> SmsMessage:
    """Play the gateway's delivery attempts for one message now instead of over the next minutes: each retry is
    made due at once and the outbox's own dispatcher tries it (and fails it, the number being unreachable)."""
    for _attempt in range(settings.SMS_MAX_ATTEMPTS * 3):
        message.refresh_from_db()
        if message.status in (SmsStatus.FAILED, SmsStatus.SENT):
            break
        SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.QUEUED).update(next_attempt_at=LONG_AGO)
        sms_dispatch(limit=1)
    return message


def _prepare_sms_lost(prep: Prep) -> None:
    sms_dispatch()  # what this number was due to receive (the wallet's own SMS) arrived before the gateway failed
    # A trainee's case: the fault's entry names no wallet (the customer's card shows only what the customer did).
    sms_gateway_fault_set(
        phone=prep.wallet.phone, actor=prep.actor, reason=prep.reason, run=prep.run, wallet_linked=not prep.in_world
    )
    prep.facts["sms_fault"] = True
    payment = _pay(prep, company=_company(prep, BISHKEK_TRADE), amount="350.00")
    if payment.status != PaymentStatus.COMMITTED:
        raise ScenarioFailed(MSG_NOT_COMMITTED, status=payment.get_status_display())
    message = SmsMessage.objects.get(payment=payment, kind=SmsKind.PAYMENT)
    message = _deliver_until_given_up(message)
    if message.status != SmsStatus.FAILED:
        raise ScenarioFailed(MSG_SMS_NOT_FAILED, status=message.get_status_display())
    prep.facts["sms_id"] = message.pk


def _verify_sms_lost(run: ScenarioRun) -> Check:
    payment = _payment_of(run)
    lifted = not SmsGatewayFault.objects.filter(phone=run.wallet.phone).exists()
    delivered = SmsMessage.objects.filter(payment=payment, kind=SmsKind.PAYMENT, status=SmsStatus.SENT).exists()
    return Check(
        [
            CheckLine(lifted, _("Сбой SMS-шлюза для номера снят.") if lifted else _("SMS-шлюз все еще не доставляет.")),
            CheckLine(
                delivered,
                _("SMS с кодом платежа доставлено.") if delivered else _("SMS с кодом платежа не доставлено."),
            ),
        ]
    )


def _ussd_session(prep: Prep) -> str:
    """The operator's USSD session id (a trainee's case: as anonymous as a real gateway's)."""
    return secrets.token_hex(8) if prep.in_world else f"training-{prep.run.pk}-{secrets.token_hex(4)}"


# --- 4. Заблокирован PIN --------------------------------------------------------------------------------------------


def _prepare_pin_locked(prep: Prep) -> None:
    wallet = prep.wallet
    prep.facts["demo_pin"] = wallet_pin_is(wallet=wallet, pin=DEMO_PIN)
    wrong = next(pin for pin in ("1111", "0000", "9999", "1234", "4321") if not wallet_pin_is(wallet=wallet, pin=pin))
    phone = phone_parse(wallet.phone)
    session_id = _ussd_session(prep)
    inputs = ["8", "1", wrong, wrong, wrong]  # Баланс/Настройки -> Баланс -> three wrong PINs
    for typed in range(len(inputs) + 1):
        ussd_handle(session_id=session_id, phone=phone, text="*".join(inputs[:typed]))
    wallet.refresh_from_db()
    if wallet.pin_locked_at is None:
        raise ScenarioFailed(MSG_PIN_NOT_LOCKED)


def _verify_pin_locked(run: ScenarioRun) -> Check:
    wallet = Wallet.objects.get(pk=run.wallet_id)
    unlocked = _staff_entries(run, StaffAction.PIN_UNLOCK, StaffAction.PIN_RESET)
    lines = [
        CheckLine(
            wallet.pin_locked_at is None,
            _("PIN разблокирован.") if wallet.pin_locked_at is None else _("PIN все еще заблокирован."),
        ),
        CheckLine(
            bool(unlocked),
            _("В журнале: PIN разблокировал(а) %(who)s.") % {"who": _who(unlocked)}
            if unlocked
            else _("В журнале нет разблокировки PIN сотрудником."),
        ),
    ]
    new_pin_sent = any(entry.action == StaffAction.PIN_RESET for entry in unlocked)
    if run.facts.get("demo_pin") and not new_pin_sent:
        works = wallet_pin_is(wallet=wallet, pin=DEMO_PIN)
        lines.append(CheckLine(works, _("PIN клиента подходит.") if works else _("PIN клиента больше не подходит.")))
    return Check(lines)


# --- 5. Не могу зарегистрироваться на сайте -------------------------------------------------------------------------


def _prepare_web_registration(prep: Prep) -> None:
    wallet, variant = prep.wallet, prep.run.variant
    if variant == "email_taken":
        # A relative registered on the site with the email the customer wants to use.
        relative = prep.open_wallet(operator=Operator.MEGACOM, balance=Decimal("0"))
        email = f"family.{wallet.phone[-6:]}@example.kg"
        web_account_create(wallet=relative, email=email, password=DEMO_WEB_PASSWORD)
        prep.facts.update(email=email, other_wallet=relative.phone)
        return
    challenge = phone_code_start(purpose=CodePurpose.REGISTER, phone=wallet.phone)
    if variant == "expired":
        phone_code_issue(challenge=challenge, wallet=wallet, client_ip=CUSTOMER_IP)
        # Six minutes pass before the customer types the code (it lives five).
        now = timezone.now()
        PhoneCode.objects.filter(pk=challenge.pk).update(
            expires_at=now - timedelta(minutes=1), last_sent_at=now - timedelta(minutes=6)
        )
        return
    for sent in range(CODE_MAX_SENDS):  # "exhausted": the customer asked for a code again and again
        if sent:
            PhoneCode.objects.filter(pk=challenge.pk).update(
                last_sent_at=F("last_sent_at") - CODE_RESEND_AFTER - timedelta(seconds=1)
            )
        challenge.refresh_from_db()
        phone_code_issue(challenge=challenge, wallet=wallet, client_ip=CUSTOMER_IP)
    challenge.refresh_from_db()
    if not phone_code_allowance(challenge).exhausted:
        raise ScenarioFailed(MSG_PREPARE_EXHAUSTED)


def _verify_web_registration(run: ScenarioRun) -> Check:
    account = User.objects.filter(wallet_id=run.wallet_id).first()
    return Check(
        [
            CheckLine(
                account is not None,
                _("Вход на сайт есть: %(email)s.") % {"email": account.email}
                if account
                else _("Входа на сайт у кошелька еще нет."),
            )
        ]
    )


# --- 6. *900# не работает -------------------------------------------------------------------------------------------


def _prepare_ussd_other_operator(prep: Prep) -> None:
    phone = phone_parse(prep.wallet.phone)
    reply = ussd_handle(session_id=_ussd_session(prep), phone=phone, text="")
    if not reply.ends:
        raise ScenarioFailed(MSG_USSD_SERVED)
    prep.facts["had_web_account"] = User.objects.filter(wallet=prep.wallet).exists()


def _verify_ussd_other_operator(run: ScenarioRun) -> Check:
    if not run.facts.get("had_web_account"):
        return _verify_web_registration(run)
    paid = Payment.objects.filter(
        wallet_id=run.wallet_id, channel__in=[Channel.WEB, Channel.APP], created_at__gte=run.started_at
    ).exists()
    return Check(
        [
            CheckLine(
                paid,
                _("Клиент оплатил через сайт или приложение.") if paid else _("Оплаты через сайт или приложение нет."),
            )
        ]
    )


# --- 7. Оплатил не той компании / ошибся ИНН ------------------------------------------------------------------------


def _prepare_wrong_inn(prep: Prep) -> None:
    payment = _pay(prep, company=SandboxCompany(BISHKEK_TRADE, DEMO_COMPANY_INNS[BISHKEK_TRADE]), amount="2000.00")
    if payment.status != PaymentStatus.COMMITTED:
        raise ScenarioFailed(MSG_NOT_COMMITTED, status=payment.get_status_display())
    intended = _company(prep, ALA_TOO)
    prep.facts.update(intended_account=intended.inn, intended_company=intended.name)


def _verify_wrong_inn(run: ScenarioRun) -> Check:
    payment = _payment_of(run)
    lines = [CheckLine(payment.status == PaymentStatus.REVERSED, _status_line(payment))]
    refund = payment.refunds.select_related("requested_by", "decided_by").order_by("-created_at", "-id").first()
    if refund is None:
        lines.append(CheckLine(False, _("Запроса на возврат нет.")))
    else:
        lines.append(
            CheckLine(
                refund.status == RefundStatus.APPROVED,
                _("Возврат запросил(а) %(requested)s; решение: %(status)s%(decided)s.")
                % {
                    "requested": refund.requested_by.get_username(),
                    "status": refund.get_status_display(),
                    "decided": f" ({refund.decided_by.get_username()})" if refund.decided_by else "",
                },
            )
        )
    return Check(lines)


# --- 8. Кошелек заблокирован ----------------------------------------------------------------------------------------


def _prepare_blocked(prep: Prep) -> None:
    # The block comes from "the security service" (the system), as it would; the start entry names the trainer.
    wallet_set_status(
        wallet=prep.wallet,
        status=WalletStatus.BLOCKED,
        actor=SYSTEM,
        reason=MSG_SECURITY_BLOCK
        if prep.in_world
        else f"{prep.reason}: подозрительные попытки входа, блокировка службой безопасности",
    )


def _verify_blocked(run: ScenarioRun) -> Check:
    wallet = Wallet.objects.get(pk=run.wallet_id)
    unblocks = [
        entry
        for entry in _staff_entries(run, StaffAction.WALLET_UNBLOCK)
        if entry.actor.has_perm("wallet.unblock_wallet")
    ]
    return Check(
        [
            CheckLine(
                wallet.is_active, _("Кошелек активен.") if wallet.is_active else _("Кошелек все еще заблокирован.")
            ),
            CheckLine(
                bool(unblocks),
                _("Разблокировал(а) %(who)s.") % {"who": _who(unblocks)}
                if unblocks
                else _("В журнале нет разблокировки старшим смены."),
            ),
        ]
    )


# --- the board's list -----------------------------------------------------------------------------------------------

SCENARIOS: dict[str, Scenario] = {
    s.slug: s
    for s in [
        Scenario(
            number=1,
            slug="answer-lost",
            title=gettext_lazy("Оплатил, а баланс в СОЧИ не пополнился"),
            customer=gettext_lazy(
                "«Я заплатил DosTek group 1 200 сом на сайте ЭЛСОМ, деньги с кошелька ушли, а платеж «в обработке». "
                "Пополнился ли баланс в СОЧИ? Платить еще раз?»"
            ),
            checks=(
                gettext_lazy("Найти клиента и платеж: статус «в обработке», код платежа, ИНН компании."),
                gettext_lazy("Обмен с поставщиком: запрос pay ушел, ответа нет (связь оборвалась) — это не отказ."),
                gettext_lazy("Деньги зарезервированы, а не потеряны; второй платеж не нужен."),
            ),
            resolution=gettext_lazy(
                "Запросить состояние платежа у поставщика (или дождаться повтора воркера): СОЧИ подтверждает, платеж "
                "становится «проведен», клиенту приходит SMS с кодом. Сказать клиенту, что баланс в СОЧИ пополнен "
                "один раз и платить снова не нужно. Не возвращать деньги платежа в обработке."
            ),
            done_when=gettext_lazy("Платеж проведен, и в реестре СОЧИ он зачислен ровно один раз."),
            note=gettext_lazy(
                "Сбой answer-lost действует на один запрос: воркер make run повторит его примерно через 20 секунд "
                "и проведет платеж сам — звоните «клиентом» сразу."
            ),
            needs_sochi=True,
            min_balance=Decimal("1200.00"),
            pays_company=True,
            prepare=_prepare_answer_lost,
            verify=_verify_answer_lost,
        ),
        Scenario(
            number=2,
            slug="refused",
            title=gettext_lazy("Деньги списались, платеж отменен"),
            customer=gettext_lazy(
                "«Я платил 800 сом за ОАО «Нарын Курулуш», а пришло SMS, что платеж отменен. Деньги с меня списали?»"
            ),
            checks=(
                gettext_lazy("Платеж «отменен, средства возвращены»: ответ поставщика — код 5, счет не найден."),
                gettext_lazy("Проводки: резерв и возврат резерва на всю сумму; баланс кошелька."),
                gettext_lazy("SMS об отмене: доставлено ли."),
            ),
            resolution=gettext_lazy(
                "Объяснить: поставщик не принял платеж, вся сумма сразу вернулась на кошелек (назвать баланс), "
                "SMS об отмене отправлено; если оно не дошло — отправить повторно. Сверить ИНН компании с клиентом; "
                "при сомнениях — call-центр DosTek group 0312 960 888."
            ),
            done_when=gettext_lazy("Платеж отменен, вся сумма вернулась на кошелек, SMS об отмене доставлено."),
            caller=gettext_lazy(
                "«Я платил 800 сом за %(company)s, а пришло SMS, что платеж отменен. Деньги с меня списали?»"
            ),
            needs_sochi=True,
            min_balance=Decimal("800.00"),
            pays_company=True,
            prepare=_prepare_refused,
            verify=_verify_refused,
        ),
        Scenario(
            number=3,
            slug="sms-lost",
            title=gettext_lazy("Не пришло SMS"),
            customer=gettext_lazy("«Оплатил DosTek group 350 сом, а SMS с кодом платежа не пришло. Платеж прошел?»"),
            checks=(
                gettext_lazy("SMS клиента: «ошибка», 5 попыток, ошибка SMS-шлюза; номер телефона верный."),
                gettext_lazy("Платеж проведен: код платежа можно назвать после проверки личности."),
            ),
            resolution=gettext_lazy(
                "Подтвердить, что платеж проведен, и назвать код платежа. Передать сбой доставки (тренер играет "
                "SMS-шлюз: кнопка «Снять сбой SMS»), затем отправить SMS повторно."
            ),
            done_when=gettext_lazy("Сбой шлюза снят, и SMS с кодом платежа доставлено."),
            needs_sms_faults=True,
            min_balance=Decimal("350.00"),
            pays_company=True,
            prepare=_prepare_sms_lost,
            verify=_verify_sms_lost,
        ),
        Scenario(
            number=4,
            slug="pin-locked",
            title=gettext_lazy("Заблокирован PIN"),
            customer=gettext_lazy("«Набираю *900#, а там «PIN заблокирован». Я три раза ошибся.»"),
            checks=(
                gettext_lazy("Личность: имя и фамилия, личный ИНН (как в ID-карте)."),
                gettext_lazy("PIN: 3 неверных ввода, заблокирован с …; SMS «PIN заблокирован»."),
            ),
            resolution=gettext_lazy(
                "После проверки личности разблокировать PIN с причиной («личность подтверждена: ФИО, ИНН»). Если "
                "клиент не помнит PIN — отправить новый PIN по SMS. Посоветовать сменить PIN: *900# → 8 → 3."
            ),
            done_when=gettext_lazy("PIN разблокирован сотрудником (запись в журнале), и PIN клиента снова подходит."),
            operators=USSD_OPERATORS,
            needs_usable_pin=True,
            prepare=_prepare_pin_locked,
            verify=_verify_pin_locked,
        ),
        Scenario(
            number=5,
            slug="web-registration",
            title=gettext_lazy("Не могу зарегистрироваться на сайте"),
            customer=gettext_lazy("«Не могу зарегистрироваться на сайте ЭЛСОМ.»"),
            checks=(
                gettext_lazy("Кошелек есть, входа на сайт нет."),
                gettext_lazy("SMS с кодами: когда отправлены, доставлены ли (коды в консоли скрыты)."),
                gettext_lazy("Занятый email: только то, что он у другого кошелька — чужой номер не называть."),
            ),
            resolution=gettext_lazy(
                "Код действует 5 минут: запросить новый и ввести сразу. Одна попытка регистрации — не больше 3 кодов, "
                "раз в минуту; чтобы получить новые, начать заново с «Войти». Email другого кошелька не подойдет: "
                "зарегистрироваться с другой почтой."
            ),
            done_when=gettext_lazy("У кошелька клиента есть вход на сайт."),
            needs_no_web_account=True,
            time_limit=900,
            variants=(
                Variant(
                    "expired",
                    gettext_lazy("код из SMS истек"),
                    gettext_lazy("«Ввожу код из SMS, а сайт пишет «Срок действия кода истек».»"),
                ),
                Variant(
                    "exhausted",
                    gettext_lazy("коды закончились"),
                    gettext_lazy("«Несколько раз просил код, теперь сайт пишет «Коды на этот номер закончились».»"),
                ),
                Variant(
                    "email_taken",
                    gettext_lazy("email уже занят"),
                    gettext_lazy("«Ввожу свою почту, а сайт пишет «Этот email уже используется другим кошельком».»"),
                ),
            ),
            prepare=_prepare_web_registration,
            verify=_verify_web_registration,
        ),
        Scenario(
            number=6,
            slug="ussd-o",
            title=gettext_lazy("*900# не работает"),
            customer=gettext_lazy("«Набираю *900#, а телефон пишет «USSD недоступен для вашего оператора».»"),
            checks=(
                gettext_lazy("Оператор номера — O!: *900# работает только для Megacom и Beeline (инструкция)."),
                gettext_lazy("Кошелек есть; есть ли вход на сайт."),
            ),
            resolution=gettext_lazy(
                "Объяснить, что для номеров O! USSD недоступен, и помочь оплатить через сайт elsom.kg (регистрация: "
                "Email, пароль, оферта, код из SMS) или через приложение ЭЛСОМ."
            ),
            done_when=gettext_lazy(
                "Клиент зарегистрировался на сайте (если вход уже был — оплатил через сайт или приложение)."
            ),
            operators=frozenset({Operator.O}),
            fresh_operator=Operator.O,
            prepare=_prepare_ussd_other_operator,
            verify=_verify_ussd_other_operator,
        ),
        Scenario(
            number=7,
            slug="wrong-inn",
            title=gettext_lazy("Оплатил не той компании / ошибся ИНН"),
            customer=gettext_lazy(
                "«Хотел пополнить баланс ОсОО «Ала-Тоо Консалт», а ошибся в ИНН: 2 000 сом ушли другой компании. "
                "Верните деньги.»"
            ),
            checks=(
                gettext_lazy("Платеж проведен на ИНН 02106201510234 (ОсОО «Бишкек Трейд»), а нужен 01503201010011."),
                gettext_lazy("Код платежа, сумма, дата; возврат согласован с DosTek group."),
            ),
            resolution=gettext_lazy(
                "Запросить возврат платежа с причиной («ошибка в ИНН, DosTek group согласовал возврат»); старший "
                "смены — не тот же сотрудник — одобряет: платеж возвращен, деньги на кошельке, SMS. Клиенту — "
                "оплатить заново с правильным ИНН."
            ),
            done_when=gettext_lazy("Платеж возвращен: запрос агента одобрен другим сотрудником."),
            caller=gettext_lazy(
                "«Хотел пополнить баланс %(company)s, а ошибся в ИНН: 2 000 сом ушли другой компании. Верните деньги.»"
            ),
            time_limit=900,
            min_balance=Decimal("2000.00"),
            pays_company=True,
            prepare=_prepare_wrong_inn,
            verify=_verify_wrong_inn,
        ),
        Scenario(
            number=8,
            slug="wallet-blocked",
            title=gettext_lazy("Кошелек заблокирован"),
            customer=gettext_lazy("«Не могу оплатить: пишет «Кошелек заблокирован».»"),
            checks=(
                gettext_lazy("Статус кошелька и причина блокировки в журнале."),
                gettext_lazy("Личность клиента."),
            ),
            resolution=gettext_lazy(
                "Агент проверяет личность и передает старшему смены; старший смены разблокирует кошелек с причиной. "
                "Агент сам не разблокирует."
            ),
            done_when=gettext_lazy("Кошелек активен: его разблокировал сотрудник с правом разблокировки."),
            prepare=_prepare_blocked,
            verify=_verify_blocked,
        ),
    ]
}


def scenario_missing_parts(scenario: Scenario) -> Promise | None:
    """Why this scenario cannot be started on this installation, or None."""
    if scenario.needs_sochi:
        missing = sochi_missing()
        if missing:
            return missing
    if scenario.needs_sms_faults:
        return sms_faults_missing()
    return None
