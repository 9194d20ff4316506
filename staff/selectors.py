"""Reads of the agent console: the search box, the customer's card and timeline, a payment's file. Nothing here
writes. Every page costs the same few statements whatever the length of the customer's history: the timeline is
one UNION over the tables that hold what happened, ordered and cut in the database, then the page's rows loaded by
id, one statement per kind present on the page."""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.codes import CODE_MAX_GUESSES, CODE_MAX_SENDS
from accounts.models import CodePurpose, PhoneCode, User
from accounts.operations import sign_in_key
from api.models import DeviceToken
from audit.models import AuditEntry, StaffAction
from audit.selectors import staff_scope_filter
from core.models import Throttle
from services.history import payment_postings
from services.models import Payment, ProviderExchange, RefundRequest, RefundStatus
from sms.backends.base import masked_text
from sms.models import SmsMessage
from ussd.models import UssdSession
from wallet.models import Wallet
from wallet.phone import InvalidPhone, phone_parse
from wallet.pin_operations import PIN_MAX_ATTEMPTS
from wallet.selectors import cash_ins_by_id, wallet_cash_ins

MAX_QUERY_LENGTH = 100
MAX_HITS = 25
PAYMENT_CODE_RE = re.compile(r"[0-9]{12}", re.ASCII)
INN_RE = re.compile(r"[0-9]{14}", re.ASCII)
DIGITS_RE = re.compile(r"\+?[0-9 ()\-.\u00a0]+", re.ASCII)
SEPARATORS_RE = re.compile(r"[+ ()\-.\u00a0]")
NAME_WORD_RE = re.compile(r"[^\W\d_][^\W\d_'’\-]*", re.UNICODE)
WALLET_NUMBER_RE = re.compile(r"996[0-9]{9}", re.ASCII)

MSG_QUERY_TOO_LONG = _("Слишком длинный запрос: не больше %(max)s символов.")
MSG_QUERY_UNCLEAR = _(
    "Не понятно, что искать. Введите номер телефона (0555 12 34 56), код платежа (12 цифр), ИНН (14 цифр), "
    "email или имя и фамилию."
)

WHY_PHONE = _("номер кошелька")
WHY_CODE = _("код платежа")
WHY_PERSONAL_INN = _("личный ИНН")
WHY_COMPANY_INN = _("платеж на этот ИНН")
WHY_EMAIL = _("email входа на сайт")
WHY_NAME = _("имя")

# What a viewer with a scope (a trainee) is not shown, lest the console give the case away: the audit entries of
# the classroom itself, and in the others the scenario's name in a reason (the system's staged rows) and the run's
# keys in before / after; raw English error texts of the gateways read as what they mean.
TRAINING_ACTIONS = (
    StaffAction.SCENARIO_START,
    StaffAction.SCENARIO_RESET,
    StaffAction.TRAINING_RESET,
    StaffAction.PROVIDER_FAULT,
    StaffAction.BALANCE_ADJUST,
    StaffAction.PIN_SET,
    StaffAction.CLASS_CREATE,
    StaffAction.CLASS_DELETE,
    StaffAction.RUN_ASSIGN,
)
TRAINING_PREFIX_RE = re.compile(r"Учебный сценарий\s*\d*:?\s*(«[^»]*»)?[:.,;]?\s*", re.IGNORECASE)
TRAINING_WORDS_RE = re.compile(r"учебн|сценари|scenario|training|fault", re.IGNORECASE)
TRAINING_KEYS = frozenset({"run", "scenario", "variant", "fresh_wallet", "fault", "provider_fault", "sms_fault"})
ASCII_TEXT_RE = re.compile(r"[A-Za-z]")
NO_REASON = "—"
MSG_SMS_NOT_DELIVERED = _("SMS-шлюз не смог доставить сообщение: абонент недоступен.")
MSG_GATEWAY_ERROR = _("Ошибка связи со шлюзом.")
MSG_PROVIDER_NO_ANSWER = _("Поставщик не ответил (нет связи или ответ потерян).")


# --- search -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    """One line of the results: the customer (always), why they were found, and the payment if one was."""

    wallet: Wallet
    why: str
    payment: Payment | None = None


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    problem: str = ""


def wallet_number(wallet: Wallet) -> str:
    """The console's URL key of a wallet: its E.164 number without the +."""
    return wallet.phone.removeprefix("+")


def console_search(*, query: str, viewer=None) -> SearchResult:
    """One box for everything an agent is told on the phone: the number in any usual form, a payment code, a
    personal or a company INN, an email, a name. All interpretations that fit are tried (a 12-digit 996… string is
    both a number and maybe a payment code); the results are one list. A `viewer` with a scope (a trainee) finds
    only the wallets of their scope and their payments."""
    scope = _Scope(viewer)
    text = " ".join((query or "").split())
    if len(text) > MAX_QUERY_LENGTH:
        return SearchResult(hits=[], problem=MSG_QUERY_TOO_LONG % {"max": MAX_QUERY_LENGTH})
    if not text:
        return SearchResult(hits=[])
    hits: list[Hit] = []
    if DIGITS_RE.fullmatch(text):
        digits = SEPARATORS_RE.sub("", text)
        hits += _by_phone(text, scope)
        if PAYMENT_CODE_RE.fullmatch(digits):
            hits += _by_payment_code(digits, scope)
        if INN_RE.fullmatch(digits):
            hits += _by_inn(digits, scope)
    elif "@" in text:
        hits += _by_email(text, scope)
    else:
        words = NAME_WORD_RE.findall(text)
        if not words or len(" ".join(words)) < 2:
            return SearchResult(hits=[], problem=str(MSG_QUERY_UNCLEAR))
        hits += _by_name(words[:4], scope)
    return SearchResult(hits=_unique(hits)[:MAX_HITS])


def _unique(hits: list[Hit]) -> list[Hit]:
    seen, unique = set(), []
    for hit in hits:
        key = (hit.wallet.pk, hit.payment.pk if hit.payment else None)
        if key not in seen:
            seen.add(key)
            unique.append(hit)
    return unique


class _Scope:
    """The viewer's scope as filters on each kind of row searched (no viewer, or none: everything)."""

    def __init__(self, viewer) -> None:
        self.viewer = viewer

    def apply(self, queryset: QuerySet, field: str = "phone") -> QuerySet:
        condition = staff_scope_filter(self.viewer, field) if self.viewer is not None else None
        return queryset if condition is None else queryset.filter(condition)


def _wallets(scope: _Scope) -> QuerySet[Wallet]:
    return scope.apply(Wallet.objects.select_related("ledger_account"))


def _by_phone(text: str, scope: _Scope) -> list[Hit]:
    try:
        number = phone_parse(text)
    except InvalidPhone:
        return []
    return [Hit(wallet=w, why=str(WHY_PHONE)) for w in _wallets(scope).filter(phone=number.e164)]


def _payments(scope: _Scope) -> QuerySet[Payment]:
    return scope.apply(Payment.objects.select_related("wallet__ledger_account", "service"), "wallet__phone")


def _by_payment_code(code: str, scope: _Scope) -> list[Hit]:
    return [Hit(wallet=p.wallet, why=str(WHY_CODE), payment=p) for p in _payments(scope).filter(code=code)]


def _by_inn(inn: str, scope: _Scope) -> list[Hit]:
    """A personal INN finds the wallet; any INN finds the payments made to that account (a company's, or an
    individual entrepreneur's, which is personal)."""
    hits = [Hit(wallet=w, why=str(WHY_PERSONAL_INN)) for w in _wallets(scope).filter(inn=inn)[:MAX_HITS]]
    payments = _payments(scope).filter(account=inn).order_by("-created_at", "-id")[:MAX_HITS]
    return hits + [Hit(wallet=p.wallet, why=str(WHY_COMPANY_INN), payment=p) for p in payments]


def _by_email(text: str, scope: _Scope) -> list[Hit]:
    users = User.objects.select_related("wallet__ledger_account").filter(email__iexact=text, wallet__isnull=False)
    users = scope.apply(users, "wallet__phone")
    return [Hit(wallet=u.wallet, why=str(WHY_EMAIL)) for u in users[:MAX_HITS]]


def _contains_any_case(field_name: str, word: str) -> Q:
    # SQLite's LIKE folds ASCII only: «айгуль» would not find «Айгуль». The usual spellings are tried as typed.
    q = Q()
    for variant in {word, word.lower(), word.capitalize(), word.upper()}:
        q |= Q(**{f"{field_name}__icontains": variant})
    return q


def _by_name(words: list[str], scope: _Scope) -> list[Hit]:
    condition = Q()
    for word in words:
        condition &= _contains_any_case("first_name", word) | _contains_any_case("last_name", word)
    wallets = _wallets(scope).filter(condition).order_by("last_name", "first_name", "pk")[:MAX_HITS]
    return [Hit(wallet=w, why=str(WHY_NAME)) for w in wallets]


# --- the customer's card --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignInState:
    attempts: int
    locked: bool
    axes_failures: int
    axes_locked: bool
    last_failure_at: datetime | None

    @property
    def any_lock(self) -> bool:
        return self.locked or self.axes_locked


@dataclass(frozen=True)
class CodeState:
    """The latest SMS-code flow of the number, as the agent needs it for «the code does not work»."""

    purpose: str
    sends: int
    max_sends: int
    guesses: int
    max_guesses: int
    expires_at: datetime | None
    used: bool
    expired: bool


def mask_inn(inn: str) -> str:
    """12505199000123 -> 1•••••••••0123: enough for the agent to check what the caller says, not to copy it."""
    return inn[:1] + "•" * (len(inn) - 5) + inn[-4:] if len(inn) > 5 else "•" * len(inn)


def customer_get(*, number: str) -> Wallet | None:
    """The wallet with its ledger account, web account and sign-in lockout state, in one statement."""
    if not WALLET_NUMBER_RE.fullmatch(number or ""):
        return None
    phone = f"+{number}"
    # The cabinet counts wrong passwords per number and address (cabinet/throttles.py), axes per username and
    # address: the card shows the address that came closest to a lock (and whether one is locked).
    throttle = Throttle.objects.filter(key__startswith=sign_in_key(phone)).order_by("-hits", "-window_started_at")
    attempts = AccessAttempt.objects.filter(username=OuterRef("phone")).order_by()
    # The latest one-time code flow (registration, password reset, app): «the code did not come / expired / no
    # more codes» is read here, in the same statement.
    code = PhoneCode.objects.filter(phone=OuterRef("phone")).order_by("-created_at", "-id")
    # The devices signed in to the app now (a lost phone: the console signs them all out).
    devices = (
        DeviceToken.objects.filter(wallet=OuterRef("pk"), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .order_by()
        .values("wallet")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    wallet = (
        Wallet.objects.select_related("ledger_account", "web_account")
        .annotate(
            signin_hits=Subquery(throttle.values("hits")[:1]),
            signin_window=Subquery(throttle.values("window_started_at")[:1]),
            axes_failures=Subquery(
                attempts.order_by("-failures_since_start").values("failures_since_start")[:1],
                output_field=IntegerField(),
            ),
            axes_last=Subquery(attempts.order_by("-attempt_time").values("attempt_time")[:1]),
            code_purpose=Subquery(code.values("purpose")[:1]),
            code_sends=Subquery(code.values("sends")[:1]),
            code_guesses=Subquery(code.values("guesses")[:1]),
            code_expires_at=Subquery(code.values("expires_at")[:1]),
            code_used_at=Subquery(code.values("used_at")[:1]),
            app_devices=Subquery(devices, output_field=IntegerField()),
        )
        .filter(phone=phone)
        .first()
    )
    if wallet is None:
        return None
    now = timezone.now()
    window = timedelta(minutes=15)
    hits = wallet.signin_hits or 0
    failures = wallet.axes_failures or 0
    wallet.sign_in = SignInState(
        attempts=hits,
        locked=hits >= settings.SIGN_IN_FAILURES_PER_NUMBER
        and wallet.signin_window is not None
        and wallet.signin_window >= now - window,
        axes_failures=failures,
        axes_locked=failures >= settings.AXES_FAILURE_LIMIT
        and wallet.axes_last is not None
        and wallet.axes_last >= now - settings.AXES_COOLOFF_TIME,
        last_failure_at=wallet.axes_last,
    )
    wallet.pin_tries_left = max(PIN_MAX_ATTEMPTS - wallet.pin_failed_attempts, 0)
    wallet.code = None
    if wallet.code_purpose:
        wallet.code = CodeState(
            purpose=CodePurpose(wallet.code_purpose).label,
            sends=wallet.code_sends or 0,
            max_sends=CODE_MAX_SENDS,
            guesses=wallet.code_guesses or 0,
            max_guesses=CODE_MAX_GUESSES,
            expires_at=wallet.code_expires_at,
            used=wallet.code_used_at is not None,
            expired=wallet.code_expires_at is not None and wallet.code_expires_at < now,
        )
    wallet.masked_inn = mask_inn(wallet.inn)
    wallet.number = wallet_number(wallet)
    try:
        wallet.web = wallet.web_account
    except User.DoesNotExist:
        wallet.web = None
    return wallet


# --- the timeline -----------------------------------------------------------------------------------------------

PAYMENT, CASH_IN, SMS, USSD, SIGN_IN, SIGN_IN_FAILURE, STAFF = range(1, 8)
KIND_NAMES = {
    PAYMENT: "payment",
    CASH_IN: "cash_in",
    SMS: "sms",
    USSD: "ussd",
    SIGN_IN: "sign_in",
    SIGN_IN_FAILURE: "sign_in_failure",
    STAFF: "staff",
}


@dataclass
class Event:
    """One line of the timeline. `kind` names the template block; `obj` is the row it comes from."""

    at: datetime
    kind: str
    obj: object
    amount: Decimal | None = None
    text: str = ""
    exchanges: list = field(default_factory=list)


@dataclass(frozen=True)
class TimelinePage:
    events: list[Event]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def discreet_reason(reason: str) -> str:
    """A reason as a trainee may read it: the scenario's name cut off; nothing if all of it is about training."""
    text = TRAINING_PREFIX_RE.sub("", reason or "").strip(" :;,.")
    return NO_REASON if not text or TRAINING_WORDS_RE.search(text) else text


def discreet_audit(entry: AuditEntry) -> AuditEntry:
    """The entry, in memory only, as a viewer with a scope sees it (the row is append-only and stays as it is)."""
    if TRAINING_WORDS_RE.search(entry.reason or ""):
        entry.reason = discreet_reason(entry.reason)
        entry.before, entry.after = {}, {}
    else:
        entry.before = {k: v for k, v in (entry.before or {}).items() if k not in TRAINING_KEYS}
        entry.after = {k: v for k, v in (entry.after or {}).items() if k not in TRAINING_KEYS}
    return entry


def discreet_error(text: str, *, sms: bool = False) -> str:
    """A gateway's raw (English) error as the console says it in Russian; Russian texts stay as they are."""
    if not text or not ASCII_TEXT_RE.search(text):
        return text
    if sms:
        return str(MSG_SMS_NOT_DELIVERED if "unreachable" in text.lower() else MSG_GATEWAY_ERROR)
    return str(MSG_PROVIDER_NO_ANSWER)


def discreet_exchange(exchange: ProviderExchange) -> ProviderExchange:
    exchange.error = discreet_error(exchange.error)
    if TRAINING_WORDS_RE.search(exchange.comment or ""):
        exchange.comment = ""
    return exchange


class CustomerTimeline:
    """Everything that happened to a customer, newest first: payments (with the provider's answers), cash-ins,
    SMS, USSD sessions, web sign-ins and failures, staff actions. Read a page at a time: no COUNT (the page asks
    for one row more than it shows to know whether there is a next one), so a page costs the same at 10 events as
    at 100 000. `discreet`: for a viewer with a scope (a trainee) — the classroom's own entries are not listed and
    the others do not name the case (discreet_audit, discreet_error)."""

    def __init__(self, *, wallet: Wallet, discreet: bool = False):
        self.discreet = discreet
        staff = AuditEntry.objects.filter(wallet=wallet)
        if discreet:
            staff = staff.exclude(action__in=TRAINING_ACTIONS)
        parts = [
            (PAYMENT, Payment.objects.filter(wallet=wallet), "created_at"),
            (CASH_IN, wallet_cash_ins(wallet=wallet), "created_at"),
            (SMS, SmsMessage.objects.filter(phone=wallet.phone), "created_at"),
            (USSD, UssdSession.objects.filter(phone=wallet.phone), "created_at"),
            (SIGN_IN, AccessLog.objects.filter(username=wallet.phone), "attempt_time"),
            # Failures as django-axes keeps them: one row per address and browser with its count and the time of the
            # last one (axes' AccessFailureLog, a row per failure, is off: its extra writes widen the race in axes'
            # own lock-out count that tests/cabinet/test_hardening.py tolerates only barely).
            (SIGN_IN_FAILURE, AccessAttempt.objects.filter(username=wallet.phone), "attempt_time"),
            (STAFF, staff, "created_at"),
        ]
        selects = [
            queryset.order_by()
            .annotate(ev_kind=Value(kind, output_field=IntegerField()), ev_at=F(at))
            .values_list("ev_kind", "id", "ev_at")
            for kind, queryset, at in parts
        ]
        self._union = selects[0].union(*selects[1:], all=True)

    def page(self, number: int, size: int = 20) -> TimelinePage:
        number = max(1, number)
        start = (number - 1) * size
        rows = list(self._union.order_by("-ev_at", "-ev_kind", "-id")[start : start + size + 1])
        has_next = len(rows) > size
        rows = rows[:size]
        ids: dict[int, list[int]] = {}
        for kind, pk, _at in rows:
            ids.setdefault(kind, []).append(pk)
        loaded = {kind: _LOADERS[kind](pks) for kind, pks in ids.items()}
        events = [loaded[kind][pk] for kind, pk, _at in rows]
        if self.discreet:
            for event in events:
                _discreet_event(event)
        return TimelinePage(events=events, number=number, has_next=has_next)


def _discreet_event(event: Event) -> None:
    if event.kind == "staff":
        discreet_audit(event.obj)  # type: ignore[arg-type]
    elif event.kind == "payment":
        event.exchanges = [discreet_exchange(exchange) for exchange in event.exchanges]
    elif event.kind == "sms":
        message = event.obj
        message.last_error = discreet_error(message.last_error, sms=True)  # type: ignore[attr-defined]


def _load_payments(pks: list[int]) -> dict[int, Event]:
    pending = RefundRequest.objects.filter(payment=OuterRef("pk"), status=RefundStatus.PENDING)
    payments = Payment.objects.select_related("service").annotate(refund_pending=Exists(pending)).filter(pk__in=pks)
    events = {p.pk: Event(at=p.created_at, kind="payment", obj=p, amount=-p.total) for p in payments}
    for exchange in ProviderExchange.objects.filter(payment_id__in=pks).order_by("created_at", "id"):
        events[exchange.payment_id].exchanges.append(exchange)
    return events


def _load_cash_ins(pks: list[int]) -> dict[int, Event]:
    return {
        pk: Event(at=cash_in.at, kind="cash_in", obj=cash_in, amount=cash_in.amount, text=cash_in.title)
        for pk, cash_in in cash_ins_by_id(pks).items()
    }


def _load_sms(pks: list[int]) -> dict[int, Event]:
    return {
        m.pk: Event(at=m.created_at, kind="sms", obj=m, text=masked_text(m))
        for m in SmsMessage.objects.select_related("payment").filter(pk__in=pks)
    }


def _load_ussd(pks: list[int]) -> dict[int, Event]:
    # last_response is the last screen the phone showed: menus and answers, never what was typed (no PIN).
    return {
        s.pk: Event(at=s.created_at, kind="ussd", obj=s, text=s.last_response)
        for s in UssdSession.objects.filter(pk__in=pks).defer("state", "last_text_digest")
    }


def _load_sign_ins(pks: list[int]) -> dict[int, Event]:
    return {a.pk: Event(at=a.attempt_time, kind="sign_in", obj=a) for a in AccessLog.objects.filter(pk__in=pks)}


def _load_sign_in_failures(pks: list[int]) -> dict[int, Event]:
    return {
        a.pk: Event(at=a.attempt_time, kind="sign_in_failure", obj=a)
        for a in AccessAttempt.objects.filter(pk__in=pks).only(
            "pk", "attempt_time", "ip_address", "failures_since_start", "username"
        )
    }


def _load_audit(pks: list[int]) -> dict[int, Event]:
    return {
        e.pk: Event(at=e.created_at, kind="staff", obj=e)
        for e in AuditEntry.objects.select_related("actor", "payment").filter(pk__in=pks)
    }


_LOADERS = {
    PAYMENT: _load_payments,
    CASH_IN: _load_cash_ins,
    SMS: _load_sms,
    USSD: _load_ussd,
    SIGN_IN: _load_sign_ins,
    SIGN_IN_FAILURE: _load_sign_in_failures,
    STAFF: _load_audit,
}


# --- a payment's file -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentFile:
    payment: Payment
    postings: list  # [(label, posting, [transfers])]
    exchanges: list[ProviderExchange]
    sms: list[SmsMessage]
    refunds: list[RefundRequest]
    audit: list[AuditEntry]


def payment_file_get(*, code: str, discreet: bool = False) -> PaymentFile | None:
    """Everything about one payment: its postings with their transfers, every exchange with the provider, the SMS
    about it (codes masked), refund requests and staff actions. `discreet`: as a viewer with a scope sees it
    (CustomerTimeline)."""
    if not PAYMENT_CODE_RE.fullmatch(code or ""):
        return None
    payment = (
        Payment.objects.select_related("wallet__ledger_account", "service__provider", "service__category")
        .filter(code=code)
        .first()
    )
    if payment is None:
        return None
    payment.wallet.number = wallet_number(payment.wallet)
    labelled = [
        (_("резерв: кошелек -> платежи в обработке"), payment.reserve_posting_id),
        (_("расчет"), payment.settle_posting_id),
        (_("возврат"), payment.refund_posting_id),
    ]
    written = payment_postings(payment=payment)
    postings = [
        (label, written[pk].posting, written[pk].transfers)
        for label, pk in labelled
        if pk is not None and pk in written
    ]
    sms = list(SmsMessage.objects.filter(payment=payment).order_by("-created_at", "-id"))
    for message in sms:
        message.shown_text = masked_text(message)
    exchanges = list(ProviderExchange.objects.filter(payment=payment).order_by("created_at", "id"))
    audit = AuditEntry.objects.select_related("actor").filter(payment=payment)
    if discreet:
        for _label, posting, _transfers in postings:
            if TRAINING_WORDS_RE.search(posting.idempotency_key or ""):
                posting.idempotency_key = ""  # in memory only: how the demo staged the payment is no clue to give
        audit = audit.exclude(action__in=TRAINING_ACTIONS)
        exchanges = [discreet_exchange(exchange) for exchange in exchanges]
        for message in sms:
            message.last_error = discreet_error(message.last_error, sms=True)
    return PaymentFile(
        payment=payment,
        postings=postings,
        exchanges=exchanges,
        sms=sms,
        refunds=list(
            RefundRequest.objects.select_related("requested_by", "decided_by").filter(payment=payment).order_by("-id")
        ),
        audit=[discreet_audit(entry) for entry in audit] if discreet else list(audit),
    )


# --- the supervisor's queue -------------------------------------------------------------------------------------


def refund_queue() -> QuerySet[RefundRequest]:
    """Refund requests waiting for a decision, oldest first (first asked, first decided)."""
    return (
        RefundRequest.objects.select_related("payment__wallet", "payment__service", "requested_by")
        .filter(status=RefundStatus.PENDING)
        .order_by("created_at", "id")
    )


def refund_recent(limit: int = 10) -> list[RefundRequest]:
    return list(
        RefundRequest.objects.select_related("payment__wallet", "requested_by", "decided_by")
        .exclude(status=RefundStatus.PENDING)
        .order_by("-decided_at", "-id")[:limit]
    )
