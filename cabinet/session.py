"""What the cabinet keeps in the (server-side) session between steps, each under its own namespace, like
django-oscar's CheckoutSessionData: the number typed at «Войти», the one-time SMS code, the pending payment."""

import time
import uuid
from dataclasses import asdict, dataclass

from django.utils.crypto import constant_time_compare, salted_hmac

from accounts.operations import CODE_TTL

LOGIN_PHONE_KEY = "cabinet_login_phone"
REGISTRATION_KEY = "cabinet_registration"
CODE_KEY = "cabinet_code"
PENDING_KEY = "cabinet_pending_payment"
AUTH_AT_KEY = "cabinet_auth_at"
LAST_SEEN_KEY = "cabinet_last_seen"

CODE_MAX_WRONG = 3
CODE_MAX_SENDS = 3
CODE_RESEND_AFTER_SECONDS = 60
PENDING_TTL_SECONDS = 15 * 60


def login_phone_get(request) -> str | None:
    return request.session.get(LOGIN_PHONE_KEY)


def login_phone_set(request, phone: str) -> None:
    request.session[LOGIN_PHONE_KEY] = phone


# --- one-time SMS code -------------------------------------------------------------------------------------


def _code_hash(purpose: str, phone: str, code: str) -> str:
    return salted_hmac("cabinet.phone-code", f"{purpose}|{phone}|{code}", algorithm="sha256").hexdigest()


class PhoneCode:
    """State of one code flow (allauth's code_verification style): hash of the code, expiry, wrong entries,
    sends. Only a keyed hash of the code is stored."""

    VALID, WRONG, EXPIRED, VOID, MISSING = "valid", "wrong", "expired", "void", "missing"

    def __init__(self, request):
        self.session = request.session

    @property
    def state(self) -> dict | None:
        return self.session.get(CODE_KEY)

    def start(self, *, purpose: str, phone: str) -> None:
        self.session[CODE_KEY] = {
            "purpose": purpose,
            "phone": phone,
            "hash": "",
            "expires": 0,
            "wrong": 0,
            "sends": 0,
            "last_sent": 0,
        }

    def matches(self, *, purpose: str, phone: str) -> bool:
        state = self.state
        return bool(state) and state["purpose"] == purpose and state["phone"] == phone

    def can_send(self) -> tuple[bool, int]:
        """(allowed, seconds to wait). At most CODE_MAX_SENDS codes per flow, one a minute."""
        state = self.state
        if state["sends"] >= CODE_MAX_SENDS:
            return False, 0
        wait = state["last_sent"] + CODE_RESEND_AFTER_SECONDS - int(time.time())
        return (wait <= 0 or state["sends"] == 0), max(wait, 0)

    def sent(self, code: str) -> None:
        state = self.state
        now = int(time.time())
        state.update(
            hash=_code_hash(state["purpose"], state["phone"], code),
            expires=now + int(CODE_TTL.total_seconds()),
            wrong=0,
            sends=state["sends"] + 1,
            last_sent=now,
        )
        self.session[CODE_KEY] = state

    def check(self, code: str) -> str:
        state = self.state
        if not state or not state["hash"]:
            return self.MISSING
        if state["wrong"] >= CODE_MAX_WRONG:
            return self.VOID
        if int(time.time()) > state["expires"]:
            return self.EXPIRED
        if constant_time_compare(state["hash"], _code_hash(state["purpose"], state["phone"], code)):
            return self.VALID
        state["wrong"] += 1
        self.session[CODE_KEY] = state
        return self.VOID if state["wrong"] >= CODE_MAX_WRONG else self.WRONG

    def wrong_left(self) -> int:
        return CODE_MAX_WRONG - self.state["wrong"]

    def clear(self) -> None:
        self.session.pop(CODE_KEY, None)


# --- pending payment ----------------------------------------------------------------------------------------


@dataclass
class Pending:
    """A payment the holder filled in and has not yet confirmed. The token becomes its idempotency key."""

    token: str
    wallet_id: int
    service_id: int
    account: str
    amount: str
    created: int

    @property
    def idempotency_key(self) -> str:
        return f"web:{self.token}"

    @property
    def expired(self) -> bool:
        return int(time.time()) - self.created > PENDING_TTL_SECONDS


class PendingPayment:
    def __init__(self, request):
        self.session = request.session

    def get(self) -> Pending | None:
        data = self.session.get(PENDING_KEY)
        return Pending(**data) if data else None

    def put(self, *, wallet_id: int, service_id: int, account: str, amount: str) -> Pending:
        """Keep the entered data. Same data as the pending one (a second tab, «Назад» -> «Далее») keeps its
        token, so both tabs pay once; other data gets a new token and voids the old confirm page."""
        current = self.get()
        if (
            current is not None
            and not current.expired
            and (current.wallet_id, current.service_id, current.account, current.amount)
            == (wallet_id, service_id, account, amount)
        ):
            return current
        pending = Pending(
            token=uuid.uuid4().hex,
            wallet_id=wallet_id,
            service_id=service_id,
            account=account,
            amount=amount,
            created=int(time.time()),
        )
        self.session[PENDING_KEY] = asdict(pending)
        return pending

    def clear(self) -> None:
        self.session.pop(PENDING_KEY, None)
