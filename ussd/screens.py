"""The *900# menus of the seed instruction, as data. Payment menus are read from the service catalog. The domain's
refusals are told by their class (the tables below), in the short texts a 160-octet screen holds."""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.idempotency import idempotency_key_ussd
from core.money import MSG_AMOUNT_NOT_POSITIVE, InvalidAmount, format_som, parse_amount
from services.account_rules import InvalidAccount, account_parse
from services.catalog import catalog
from services.errors import (
    AmountOutOfRange,
    InsufficientFunds,
    ProviderRefusedAccount,
    ProviderUnavailable,
    ServiceUnavailable,
)
from services.models import Channel, PaymentStatus, Service
from services.payments import payment_execute, payment_quote, payment_quote_again
from ussd.gsm import screen_fits
from ussd.nodes import Ctx, Finish, Goto, Input, Menu, Option, Retry, Step
from wallet.errors import InvalidPin, PinLocked, WalletBlocked, WalletExists, WrongPin
from wallet.inn import inn_parse_personal
from wallet.models import Language, OpenedChannel
from wallet.operations import (
    name_parse,
    pin_validate_new,
    wallet_balance,
    wallet_pin_change,
    wallet_pin_verify,
    wallet_register,
)

# A company's name on the confirm screen is cut to fit, but not shorter than this.
HOLDER_MIN_CHARS = 8
# Short texts: a Cyrillic screen holds 80 characters, error and question together.
MSG_NAME = gettext_lazy("Неверное имя.")
MSG_INN = gettext_lazy("Неверный ИНН.")
MSG_ACCOUNT = gettext_lazy("Неверный лицевой счет.")
MSG_AMOUNT = gettext_lazy("Неверная сумма.")
MSG_AMOUNT_RANGE = gettext_lazy("Сумма от %(min)s до %(max)s сом.")
MSG_NO_FUNDS = gettext_lazy("Недостаточно средств. Баланс %(balance)s сом")
MSG_WRONG_PIN = gettext_lazy("Неверный PIN. Осталось попыток: %(left)s.")
MSG_PIN_LOCKED = gettext_lazy("PIN заблокирован. Call-центр ЭЛСОМ: %(phone)s")
MSG_BLOCKED = gettext_lazy("Кошелек заблокирован. Call-центр ЭЛСОМ: %(phone)s")
MSG_TRIVIAL_PIN = gettext_lazy("Слишком простой PIN.")
MSG_SAME_PIN = gettext_lazy("PIN совпадает со старым.")
MSG_PIN_MISMATCH = gettext_lazy("PIN не совпадает.")
MSG_UNAVAILABLE = gettext_lazy("Услуга недоступна.")
MSG_FAILED = gettext_lazy("Операция не выполнена. Call-центр: %(phone)s")
MSG_OPERATOR = gettext_lazy("USSD недоступен для вашего оператора, используйте сайт elsom.kg или приложение")
MSG_WALLET_EXISTS = gettext_lazy("Кошелек на этот номер уже открыт.")
MSG_PROVIDER_DOWN = gettext_lazy("Сервис временно недоступен. Деньги не списаны, попробуйте позже.")
MSG_ACCOUNT_REFUSED = gettext_lazy("Счет не принят поставщиком.")
MSG_ACCOUNT_NOT_FOUND = gettext_lazy("Счет не найден у поставщика.")
MSG_ACCOUNT_CLOSED = gettext_lazy("Счет закрыт у поставщика.")
MSG_ACCOUNT_FORBIDDEN = gettext_lazy("Платежи на этот счет запрещены.")
# The provider's check codes (OSMP) as short screens, above the account question asked again.
PROVIDER_REFUSALS_SHORT = {4: MSG_ACCOUNT, 5: MSG_ACCOUNT_NOT_FOUND, 7: MSG_ACCOUNT_FORBIDDEN, 79: MSG_ACCOUNT_CLOSED}

# Shown above a question that is asked again.
RETRY_MESSAGES = [
    MSG_ACCOUNT_REFUSED,
    MSG_ACCOUNT_NOT_FOUND,
    MSG_ACCOUNT_CLOSED,
    MSG_ACCOUNT_FORBIDDEN,
    MSG_NAME,
    MSG_INN,
    MSG_ACCOUNT,
    MSG_AMOUNT,
    MSG_AMOUNT_NOT_POSITIVE,
    MSG_AMOUNT_RANGE,
    MSG_NO_FUNDS,
    MSG_WRONG_PIN,
    MSG_TRIVIAL_PIN,
    MSG_SAME_PIN,
    MSG_PIN_MISMATCH,
]

MSG_REGISTERED = gettext_lazy("Кошелек ЭЛСОМ открыт. PIN придет в SMS. Смените его: *900# - 8 - 3.")
MSG_PAID = gettext_lazy("Платеж принят. Код: %(code)s. SMS с кодом придет на ваш номер.")
MSG_IN_PROGRESS = gettext_lazy("Платеж принят в обработку, код %(code)s. Результат придет в SMS.")
MSG_CANCELLED = gettext_lazy("Платеж %(code)s отменен, средства возвращены. SMS с причиной.")
MSG_BALANCE = gettext_lazy("Баланс: %(balance)s сом.")
MSG_PIN_CHANGED = gettext_lazy("PIN изменен. Вам придет SMS.")
# Shown alone, ending the session.
END_MESSAGES = [
    MSG_PROVIDER_DOWN,
    MSG_NO_FUNDS,
    MSG_PIN_LOCKED,
    MSG_BLOCKED,
    MSG_UNAVAILABLE,
    MSG_FAILED,
    MSG_OPERATOR,
    MSG_WALLET_EXISTS,
    MSG_REGISTERED,
    MSG_PAID,
    MSG_IN_PROGRESS,
    MSG_CANCELLED,
    MSG_BALANCE,
    MSG_PIN_CHANGED,
]


def call_centre() -> dict:
    return {"phone": settings.CALL_CENTRE_PHONE}


def blocked_text() -> str:
    return str(MSG_BLOCKED) % call_centre()


def pin_locked_text() -> str:
    return str(MSG_PIN_LOCKED) % call_centre()


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


Told = TypeVar("Told")  # what a table of refusals gives for a class: the step, or how to make it


def _refusal(table: dict[type[DomainError], Told], error: DomainError) -> Told:
    """The table's entry for the error's class, or for the nearest class it derives from (each table ends with
    DomainError, for the rest)."""
    return next(table[cls] for cls in type(error).__mro__ if cls in table)


# --- registration (seed section 1) --------------------------------------------------------------------------
# Answers are kept as positions in the gateway's text (Ctx.answer_at), never as values.


def _registration_name(ctx: Ctx) -> str:
    first, last = name_parse(ctx.answer_at("name_at"))
    return f"{first} {last}"


def _name(ctx: Ctx, raw: str):
    try:
        name_parse(raw)
    except DomainError:
        return Retry(MSG_NAME)
    ctx.data["name_at"] = ctx.index
    return Goto("reg_inn")


def _personal_inn(ctx: Ctx, raw: str):
    try:
        inn_parse_personal(raw)
    except DomainError:
        return Retry(MSG_INN)
    ctx.data["inn_at"] = ctx.index
    return Goto("reg_check")


def _registration_check_text(ctx: Ctx) -> str:
    name = _registration_name(ctx)
    inn = inn_parse_personal(ctx.answer_at("inn_at"))
    return _("%(name)s\nИНН: %(inn)s") % {"name": _short(name, 40), "inn": inn}


def _accept_offer(ctx: Ctx, raw: str):
    if raw != "1":
        return Retry(gettext_lazy("Наберите 1."))
    try:
        wallet_register(
            phone=ctx.phone.e164,
            full_name=_registration_name(ctx),
            inn=ctx.answer_at("inn_at"),
            channel=OpenedChannel.USSD,
            language=ctx.data.get("lang", Language.RU),
        )
    except DomainError as error:
        return Finish(MSG_WALLET_EXISTS if isinstance(error, WalletExists) else str(error))
    return Finish(MSG_REGISTERED)


# --- payments (seed section 2) ------------------------------------------------------------------------------


def _pin_usable(ctx: Ctx):
    """Guard of the flows that end with the PIN: a locked PIN is told before the first question."""
    if ctx.wallet is not None and ctx.wallet.is_pin_locked:
        return Finish(pin_locked_text())
    return None


def _categories(ctx: Ctx) -> list[Option]:
    return [
        Option(str(c.ussd_number), c.ussd_label(), "services", {"category": c.pk}) for c in catalog().ussd_categories()
    ]


def _category_title(ctx: Ctx) -> str:
    category = catalog().category(pk=ctx.data.get("category"))
    return category.ussd_label() if category else ""


def _services(ctx: Ctx) -> list[Option]:
    return [
        Option(str(s.ussd_number), s.ussd_label(), "pay_account", {"service": s.pk})
        for s in catalog().ussd_services(ctx.data.get("category"))
    ]


def _service(ctx: Ctx) -> Service | None:
    return catalog().service(pk=ctx.data.get("service"))


def _account_of(ctx: Ctx, service: Service) -> str:
    return account_parse(
        rule=service.account_rule,
        raw=ctx.answer_at("account_at"),
        min_length=service.account_min_length,
        max_length=service.account_max_length,
    )


def _account_prompt(ctx: Ctx) -> str:
    service = _service(ctx)
    label = service.display_account_label if service else ""
    return _("Лицевой счет (%(label)s):") % {"label": _short(label, 30)}


def _account(ctx: Ctx, raw: str):
    service = _service(ctx)
    if service is None:
        return Finish(MSG_UNAVAILABLE)
    try:
        account_parse(
            rule=service.account_rule,
            raw=raw,
            min_length=service.account_min_length,
            max_length=service.account_max_length,
        )
    except DomainError:
        return Retry(MSG_ACCOUNT)
    ctx.data["account_at"] = ctx.index
    return Goto("pay_amount")


def _amount_out_of_range(ctx: Ctx, service: Service, error: DomainError) -> Step:
    return Retry(str(MSG_AMOUNT_RANGE) % {"min": format_som(service.min_amount), "max": format_som(service.max_amount)})


def _account_refused(ctx: Ctx, service: Service, error: DomainError) -> Step:
    """The provider does not take the account: asked again, its reason in short above the question."""
    ctx.data.pop("account_at", None)
    return Goto("pay_account", error=PROVIDER_REFUSALS_SHORT.get(error.params.get("result"), MSG_ACCOUNT_REFUSED))


def _amount_invalid(ctx: Ctx, service: Service, error: DomainError) -> Step:
    # 0 is told as the web and the app tell it; the rest of the malformed amounts in the screen's short words.
    return Retry(MSG_AMOUNT_NOT_POSITIVE if error.message == MSG_AMOUNT_NOT_POSITIVE else MSG_AMOUNT)


# The amount step's refusals (payment_quote's: its checks, then the provider's), by class.
AMOUNT_REFUSALS: dict[type[DomainError], Callable[[Ctx, Service, DomainError], Step]] = {
    WalletBlocked: lambda ctx, service, error: Finish(blocked_text()),
    ServiceUnavailable: lambda ctx, service, error: Finish(MSG_UNAVAILABLE),
    AmountOutOfRange: _amount_out_of_range,
    ProviderUnavailable: lambda ctx, service, error: Finish(MSG_PROVIDER_DOWN),
    ProviderRefusedAccount: _account_refused,
    InvalidAmount: _amount_invalid,
    DomainError: lambda ctx, service, error: Retry(MSG_AMOUNT),
}


def _amount(ctx: Ctx, raw: str):
    service = _service(ctx)
    if service is None:
        return Finish(MSG_UNAVAILABLE)
    try:
        # Once per confirm, before the PIN and any money: the provider says whether it takes this account. No funds
        # check before the PIN: «not enough money» would tell whoever holds the phone about the balance.
        quote = payment_quote(
            wallet=ctx.wallet,
            service=service,
            account=_account_of(ctx, service),
            amount=parse_amount(raw),
            check_funds=False,
        )
    except DomainError as error:
        return _refusal(AMOUNT_REFUSALS, error)(ctx, service, error)
    ctx.data["holder"] = _short(quote.account_holder, 40)
    ctx.data["amount_at"] = ctx.index
    return Goto("pay_confirm")


def _confirm_text(ctx: Ctx) -> str:
    """Seed 2.8: check the account and the amount, then the PIN. A compact form when the full one is too long."""
    service = _service(ctx)
    if service is None:
        return str(MSG_UNAVAILABLE)
    try:
        # The quote of the amount step, drawn again from where the answers stand (the session keeps no values), with
        # the name the provider gave then: the provider is not asked again.
        quote = payment_quote_again(
            wallet=ctx.wallet,
            service=service,
            account=_account_of(ctx, service),
            amount=parse_amount(ctx.answer_at("amount_at")),
            account_holder=ctx.data.get("holder", ""),
            check_funds=False,
        )
    except DomainError as error:  # the service changed since the amount was accepted; the PIN step says so too
        return _short(str(error), 75)
    amount = format_som(quote.amount)
    money = [_("Сумма: %(amount)s сом") % {"amount": amount}]
    if quote.commission:
        money.append(_("Комиссия: %(commission)s сом") % {"commission": format_som(quote.commission)})
    # The account always under its label («ИНН компании: …»): the company's name is what gives way, cut to fit
    # (seed 2.8 puts it first), then left out. The label goes only in the last, compact form, for an admin's
    # extreme settings (a 30-character label with a 30-digit account) where it cannot fit at all.
    account_line = f"{service.display_account_label}: {quote.account}"
    total = f"{amount} + {format_som(quote.commission)} {_('сом')}"
    layouts = (
        [account_line, *money, _("Введите PIN:")],
        [account_line, total, "PIN:"],
        [quote.account, total, "PIN:"],
    )
    for lines in layouts:
        text = _under_holder(quote.account_holder, lines)
        if text is not None:
            return text
    return "\n".join(layouts[-1])


def _under_holder(holder: str, lines: list[str]) -> str | None:
    """The lines under the company's name, the name shortened as far as the screen needs (not below
    HOLDER_MIN_CHARS: less tells the holder nothing), or left out; None when the lines alone do not fit."""
    body = "\n".join(lines)
    if holder:
        for width in range(len(holder), HOLDER_MIN_CHARS - 1, -1):
            text = f"{_short(holder, width)}\n{body}"
            if screen_fits(text):
                return text
    return body if screen_fits(body) else None


# The PIN's refusals, wherever it is asked: a wrong PIN is asked again with the tries left; a locked PIN or wallet
# ends the session.
PIN_REFUSALS: dict[type[DomainError], Callable[[DomainError], Step]] = {
    WrongPin: lambda error: Retry(str(MSG_WRONG_PIN) % error.params),
    PinLocked: lambda error: Finish(pin_locked_text()),
    WalletBlocked: lambda error: Finish(blocked_text()),
}
# Where only the PIN is asked (balance, PIN change): any other refusal in the domain's words.
PIN_STEP_REFUSALS: dict[type[DomainError], Callable[[DomainError], Step]] = {
    **PIN_REFUSALS,
    DomainError: lambda error: Finish(str(error)),
}
# The pay step's refusals, by class.
PAY_REFUSALS: dict[type[DomainError], Callable[[DomainError], Step]] = {
    **PIN_REFUSALS,
    # Only ever after the right PIN: the holder may know the balance.
    InsufficientFunds: lambda error: Finish(str(MSG_NO_FUNDS) % error.params),
    # The catalog changed since the confirm screen. These classes' messages are one short line each, as they are.
    ServiceUnavailable: lambda error: Finish(str(error)),
    AmountOutOfRange: lambda error: Finish(str(error)),
    InvalidAmount: lambda error: Finish(str(error)),
    # Some of the account rules' messages are longer than a screen: the short one.
    InvalidAccount: lambda error: Finish(MSG_ACCOUNT),
    DomainError: lambda error: Finish(str(MSG_FAILED) % call_centre()),
}


def _pay(ctx: Ctx, raw: str):
    service = _service(ctx)
    if service is None:
        return Finish(MSG_UNAVAILABLE)
    try:
        payment = payment_execute(
            wallet=ctx.wallet,
            service=service,
            account=_account_of(ctx, service),
            amount=parse_amount(ctx.answer_at("amount_at")),
            # This session's nonce and the PIN's position: a gateway retry of this request pays nothing more.
            idempotency_key=idempotency_key_ussd(nonce=ctx.nonce, index=ctx.index),
            channel=Channel.USSD,
            pin=raw,
            account_holder=ctx.data.get("holder", ""),
        )
    except DomainError as error:
        return _refusal(PAY_REFUSALS, error)(error)
    if payment.status == PaymentStatus.COMMITTED:
        return Finish(str(MSG_PAID) % {"code": payment.code})
    if payment.status == PaymentStatus.RESERVED:
        return Finish(str(MSG_IN_PROGRESS) % {"code": payment.code})
    return Finish(str(MSG_CANCELLED) % {"code": payment.code})


# --- balance and settings -----------------------------------------------------------------------------------


def _balance(ctx: Ctx, raw: str):
    try:
        wallet_pin_verify(wallet=ctx.wallet, pin=raw)
    except DomainError as error:
        return _refusal(PIN_STEP_REFUSALS, error)(error)
    return Finish(str(MSG_BALANCE) % {"balance": format_som(wallet_balance(wallet=ctx.wallet))})


def _pin_current(ctx: Ctx, raw: str):
    try:
        wallet_pin_verify(wallet=ctx.wallet, pin=raw)
    except DomainError as error:
        return _refusal(PIN_STEP_REFUSALS, error)(error)
    # Where the PIN stands in the gateway's text, not the PIN itself: the session store never holds it.
    ctx.data["pin_current_at"] = ctx.index
    return Goto("pin_new")


def _pin_new(ctx: Ctx, raw: str):
    try:
        pin_validate_new(raw)
    except InvalidPin:
        return Retry(MSG_TRIVIAL_PIN)
    if raw == ctx.answer_at("pin_current_at"):
        return Retry(MSG_SAME_PIN)
    ctx.data["pin_new_at"] = ctx.index
    return Goto("pin_repeat")


def _pin_repeat(ctx: Ctx, raw: str):
    new_pin = ctx.answer_at("pin_new_at")
    if raw != new_pin:
        return Goto("pin_new", error=MSG_PIN_MISMATCH)
    try:
        wallet_pin_change(
            wallet=ctx.wallet, current_pin=ctx.answer_at("pin_current_at"), new_pin=new_pin, new_pin_repeat=raw
        )
    except DomainError as error:
        return _refusal(PIN_STEP_REFUSALS, error)(error)
    return Finish(MSG_PIN_CHANGED)


# --- the menu tree ------------------------------------------------------------------------------------------

CONFIRM = "{key} - {label}"

NODES = {
    # Before the language is chosen the screen speaks both languages.
    "reg_lang": Menu(
        "ЭЛСОМ",
        [Option("1", "Русский", "reg_start", {"lang": "ru"}), Option("2", "Кыргызча", "reg_start", {"lang": "ky"})],
        back=False,
    ),
    "reg_start": Menu(
        gettext_lazy("Регистрация кошелька ЭЛСОМ"),
        [Option("1", gettext_lazy("подтвердить регистрацию"), "reg_name")],
        option_format=CONFIRM,
    ),
    "reg_name": Input(gettext_lazy("Введите Ваше имя и фамилию:"), _name),
    "reg_inn": Input(gettext_lazy("Введите Ваш личный ИНН (14 цифр):"), _personal_inn),
    "reg_check": Menu(
        _registration_check_text,
        [Option("1", gettext_lazy("подтвердить"), "reg_offer")],
        option_format=CONFIRM,
    ),
    "reg_offer": Input(
        gettext_lazy("Оферта: elsom.kg\n1 - принимаю условия публичной оферты"),
        _accept_offer,
        retry_text=gettext_lazy("1 - принимаю оферту"),
    ),
    "main": Menu(
        "ЭЛСОМ",
        [
            Option("3", gettext_lazy("Платежи/Комм.услуги"), "payments"),
            Option("8", gettext_lazy("Баланс/Настройки"), "settings"),
        ],
        back=False,
    ),
    "payments": Menu(
        gettext_lazy("Платежи/Комм.услуги"),
        [Option("3", gettext_lazy("Оплатить счет"), "categories")],
        guard=_pin_usable,
    ),
    "categories": Menu(gettext_lazy("Оплатить счет"), _categories),
    "services": Menu(_category_title, _services),
    "pay_account": Input(_account_prompt, _account),
    # No «0 Назад» on this screen, so 0 is an amount (refused: «Сумма должна быть больше нуля»), not a way back;
    # «00» still leads to the main menu.
    "pay_amount": Input(gettext_lazy("Введите сумму (сом):"), _amount, back=False),
    "pay_confirm": Input(_confirm_text, _pay, retry_text=gettext_lazy("Введите PIN:")),
    "settings": Menu(
        gettext_lazy("Баланс/Настройки"),
        [Option("1", gettext_lazy("Баланс"), "balance"), Option("3", gettext_lazy("Замена пин"), "pin_current")],
    ),
    "balance": Input(gettext_lazy("Введите PIN:"), _balance, guard=_pin_usable),
    "pin_current": Input(gettext_lazy("Введите текущий PIN:"), _pin_current, guard=_pin_usable),
    "pin_new": Input(gettext_lazy("Введите новый PIN (4 цифры):"), _pin_new),
    "pin_repeat": Input(gettext_lazy("Повторите новый PIN:"), _pin_repeat),
}
