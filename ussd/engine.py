"""The *900# session engine: Africa's Talking requests in, CON/END screens out.

Each request carries every input of the session joined by '*'. The engine remembers how many it has handled
and feeds only the new ones through the menu nodes, so '3*3*14*14' typed at once lands where it leads; the first
refused answer stops there (the rest of that request is dropped, never fed to the screens after it)."""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.rows import columns, row_insert
from ussd.gsm import screen_fits
from ussd.models import UssdSession
from ussd.nodes import Ctx, Finish, Goto, Input, Menu, Retry
from ussd.screens import MSG_OPERATOR, NODES, blocked_text
from wallet.models import Wallet, WalletStatus
from wallet.phone import USSD_OPERATORS, KgPhone
from wallet.selectors import wallet_row

SESSION_TIMEOUT = timedelta(seconds=180)
NEXT_PAGE, BACK, HOME = "98", "0", "00"


@dataclass
class Reply:
    text: str
    ends: bool

    def __str__(self) -> str:
        return ("END " if self.ends else "CON ") + self.text


def _digest(session_id: str, text: str) -> str:
    # An HMAC, because the text holds the PIN and a plain hash of a 4-digit PIN is easily reversed.
    return hmac.new(settings.SECRET_KEY.encode(), f"{session_id}\x00{text}".encode(), hashlib.sha256).hexdigest()


def menu_pages(title: str, lines: list[str], back: bool) -> list[str]:
    """Split a menu into screens that each fit one USSD message, with «98 Далее» / «0 Назад»."""

    def footer(more: bool, first: bool) -> list[str]:
        return ([f"{NEXT_PAGE} {_('Далее')}"] if more else []) + ([f"{BACK} {_('Назад')}"] if back or not first else [])

    pages: list[list[str]] = []
    current = [title] if title else []
    for line in lines:
        candidate = current + [line]
        if not current or screen_fits("\n".join(candidate + footer(True, not pages))):
            current = candidate
        else:
            pages.append(current + footer(True, not pages))
            current = [line]
    pages.append(current + footer(False, not pages))
    return ["\n".join(page) for page in pages]


def _language(wallet: Wallet | None, state: dict) -> str:
    language = wallet.language if wallet else state.get("data", {}).get("lang", "ru")
    return language if language in ("ru", "ky") else "ru"


class Engine:
    def __init__(self, *, session_id: str, phone: KgPhone, inputs: list[str], state: dict, wallet: Wallet | None):
        self.session_id, self.phone, self.inputs, self.state, self.wallet = session_id, phone, inputs, state, wallet

    def ctx(self, index: int) -> Ctx:
        nonce = self.state.setdefault("nonce", _session_nonce(self.session_id, None))  # a state from before nonces
        return Ctx(self.session_id, self.phone, self.wallet, self.state["data"], self.inputs, index, nonce)

    @property
    def node_name(self) -> str:
        return self.state["stack"][-1]

    def feed(self, index: int) -> Reply | None:
        """Handle one input; returns a Reply only when the session ends."""
        raw = self.inputs[index].strip()
        node = NODES[self.node_name]
        self.state["error"] = ""
        if raw == HOME and self.state["stack"][0] == "main":
            self.state["stack"], self.state["page"] = ["main"], 0
            return None
        if raw == BACK and (node.back or self.state["page"]):
            if self.state["page"]:
                self.state["page"] -= 1
            elif len(self.state["stack"]) > 1:
                self.state["stack"].pop()
            return None
        if raw == NEXT_PAGE and isinstance(node, Menu):
            if self.state["page"] + 1 < len(self.pages(node, index)):
                self.state["page"] += 1
                return None
        ctx = self.ctx(index)
        step = node.answer(ctx, raw)
        if isinstance(step, Goto) and NODES[step.node].guard is not None:
            # Told at the door, not after seven steps: a locked PIN ends the session before its flow begins.
            step = NODES[step.node].guard(ctx) or step
        if isinstance(step, Finish):
            return Reply(str(step.text), ends=True)
        if isinstance(step, Retry):
            self.state["error"] = str(step.error)
        elif isinstance(step, Goto):
            self.state["stack"].append(step.node)
            self.state["page"] = 0
            self.state["error"] = str(step.error or "")
        return None

    def pages(self, node: Menu, index: int) -> list[str]:
        ctx = self.ctx(index)
        return menu_pages(node.prompt(ctx), node.option_lines(ctx), node.back)

    def screen(self) -> Reply:
        node = NODES[self.node_name]
        error = self.state.get("error", "")
        if isinstance(node, Menu):
            pages = self.pages(node, len(self.inputs))
            text = pages[min(self.state["page"], len(pages) - 1)]
            if error and screen_fits(f"{error}\n{text}"):
                text = f"{error}\n{text}"
            if len(pages) == 1 and not node.option_list(self.ctx(len(self.inputs))):
                return Reply(_("Услуга недоступна."), ends=True)
        else:
            assert isinstance(node, Input)
            text = node.screen(self.ctx(len(self.inputs)), error)
        return Reply(text, ends=False)


def _fresh_state(wallet: Wallet | None, nonce: str) -> dict:
    return {"stack": ["main" if wallet else "reg_lang"], "page": 0, "data": {}, "error": "", "nonce": nonce}


def _session_nonce(session_id: str, previous: "StoredSession | None") -> str:
    """The name of this session's payments (their idempotency keys are `ussd:<nonce>:<input>`). Derived, not
    drawn: a new session's from its id, a restarted one's (a gateway reusing the id of an ended session) from the
    id and the nonce of the run before. So the same request again pays nothing more even when the session's row
    was lost, while a reused id still gets payments of its own."""
    before = previous.state.get("nonce", "") if previous is not None else ""
    seed = f"ussd-nonce\x00{session_id}\x00{before}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), seed, hashlib.sha256).hexdigest()[:16]


@dataclass
class StoredSession:
    pk: int
    phone: str
    state: dict
    consumed: int
    last_text_digest: str
    last_response: str
    ended: bool
    updated_at: datetime


SESSION_FIELDS = ("pk", "phone", "state", "consumed", "last_text_digest", "last_response", "ended", "updated_at")


def _load(session_id: str, phone: KgPhone) -> tuple[Wallet | None, StoredSession | None]:
    """The caller's wallet (with its ledger account) and this session in one hand-written query: the ORM's version
    (the session's columns as subqueries) cost more to compile than to run, on every request. A second query only
    for a number without a wallet (registration)."""
    vendor = connection.vendor
    wallet_cols = wallet_row(vendor)  # the wallet with its ledger account, the wallet's table aliased w
    session_cols = columns(UssdSession, "s", vendor)
    sql = (
        f"SELECT {wallet_cols.sql}, {session_cols.sql}"
        f" FROM {wallet_cols.tables}"
        f" LEFT JOIN {UssdSession._meta.db_table} s ON s.session_id = %s"
        " WHERE w.phone = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [session_id, phone.e164])
        row = cursor.fetchone()
    if row is not None:
        wallet = wallet_cols.build(row)
        session_values = row[wallet_cols.width :]
        if session_values[0] is None:  # no such session yet: the LEFT JOIN's NULLs
            return wallet, None
        return wallet, _stored(session_cols.values(session_values))
    stored = UssdSession.objects.filter(session_id=session_id).values(*SESSION_FIELDS).first()
    return None, (StoredSession(**stored) if stored else None)


def _stored(values: dict) -> StoredSession:
    return StoredSession(**{name: values["id" if name == "pk" else name] for name in SESSION_FIELDS})


def _save(*, session_id: str, phone: KgPhone, state: dict, consumed: int, digest, reply):
    values = {
        "phone": phone.e164,
        "state": state,
        "consumed": consumed,
        "last_text_digest": digest,
        "last_response": reply.text,
        "ended": reply.ends,
        "updated_at": timezone.now(),
    }
    # One upsert, whether the session is new, known, or was started a moment ago by a racing first request. Not
    # waiting for the disk: a session row lost in a crash is rebuilt from the gateway's next request, which repeats
    # every input, and its payments keep their keys (_session_nonce).
    row_insert(
        UssdSession,
        {"session_id": session_id, **values, "created_at": values["updated_at"]},
        upsert_on="session_id",
        durable=False,
    )


def ussd_handle(*, session_id: str, phone: KgPhone, text: str) -> Reply:
    """Answer one gateway request. A repeat of the last request returns the same screen and does nothing."""
    if phone.operator not in USSD_OPERATORS:
        return Reply(str(MSG_OPERATOR), ends=True)
    digest = _digest(session_id, text)
    wallet, session = _load(session_id, phone)
    if session is not None and session.phone != phone.e164:
        return Reply(_("Сессия принадлежит другому номеру."), ends=True)
    expired = session is not None and timezone.now() - session.updated_at > SESSION_TIMEOUT
    if session is not None and not expired and session.last_text_digest == digest and session.last_response:
        # The gateway repeated its request (a timeout on its side): same screen, nothing done twice.
        return Reply(session.last_response, ends=session.ended)

    inputs = text.split("*") if text else []
    stale = session is None or session.ended or expired
    if stale or len(inputs) < session.consumed:
        state = _fresh_state(wallet, _session_nonce(session_id, session))
        # A new session handles what was typed with *900*...#; an ended or expired one starts over from its first
        # screen, ignoring what the gateway still repeats of the old one.
        consumed = 0 if session is None else len(inputs)
    else:
        state, consumed = session.state, session.consumed

    if wallet is not None and wallet.status != WalletStatus.ACTIVE:
        with translation.override(_language(wallet, state)):
            reply = Reply(blocked_text(), ends=True)
    else:
        engine = Engine(session_id=session_id, phone=phone, inputs=inputs, state=state, wallet=wallet)
        reply = None
        for index in range(consumed, len(inputs)):
            # The language may change with the first answer (registration), so it is looked up per input.
            with translation.override(_language(wallet, state)):
                reply = engine.feed(index)
            if reply is not None or state["error"]:
                # A refused answer stops a one-shot text (*900*3*3*14*14*INN*5*2580#) at the screen that refused
                # it, with that screen's error, as if the answers had come one by one: what follows was meant for
                # another screen (here the PIN would have been taken as the amount, and shown on the next screen).
                break
        if reply is None:
            with translation.override(_language(wallet, state)):
                reply = engine.screen()
    _save(
        session_id=session_id,
        phone=phone,
        state=state,
        consumed=len(inputs),
        digest=digest,
        reply=reply,
    )
    return reply
