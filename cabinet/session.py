"""What the cabinet keeps in the (server-side) session between steps, each under its own namespace, like
django-oscar's CheckoutSessionData: the number typed at «Войти», the registration waiting for its code, the code
flow, the pending payment."""

import time
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime

from accounts.codes import phone_code_start
from accounts.models import PhoneCode
from accounts.operations import WebRegistration
from core.idempotency import idempotency_key_web

LOGIN_PHONE_KEY = "cabinet_login_phone"
REGISTRATION_KEY = "cabinet_registration"
CODE_KEY = "cabinet_code"
PENDING_KEY = "cabinet_pending_payment"
OPENING_KEY = "cabinet_wallet_opening"
AUTH_AT_KEY = "cabinet_auth_at"
LAST_SEEN_KEY = "cabinet_last_seen"

PENDING_TTL_SECONDS = 15 * 60


def login_phone_get(request) -> str | None:
    return request.session.get(LOGIN_PHONE_KEY)


def login_phone_set(request, phone: str) -> None:
    request.session[LOGIN_PHONE_KEY] = phone


# --- registering the web account ------------------------------------------------------------------------------


class PendingRegistration:
    """The registration form's data (the password hashed) while its SMS code is on the way."""

    def __init__(self, request):
        self.session = request.session

    def put(self, registration: WebRegistration) -> None:
        self.session[REGISTRATION_KEY] = {
            **asdict(registration),
            "offer_accepted_at": registration.offer_accepted_at.isoformat(),  # the session is JSON
        }

    def get(self) -> WebRegistration | None:
        data = self.session.get(REGISTRATION_KEY)
        if not data:
            return None
        return WebRegistration(**{**data, "offer_accepted_at": datetime.fromisoformat(data["offer_accepted_at"])})

    def clear(self) -> None:
        self.session.pop(REGISTRATION_KEY, None)


# --- opening a wallet on the website ---------------------------------------------------------------------------

OPENING_VERIFIED_TTL_SECONDS = 15 * 60


class WalletOpening:
    """A number typed at «Войти» that has no wallet yet, and whether its SMS code was confirmed (and when): the
    name, INN and offer step needs a confirmed number; right after the wallet opens, the email-and-password
    registration may use that same confirmation once instead of a second code."""

    def __init__(self, request):
        self.session = request.session

    def start(self, phone: str) -> None:
        self.session[OPENING_KEY] = {"phone": phone, "verified_at": None, "opened": False}

    @property
    def phone(self) -> str | None:
        state = self.session.get(OPENING_KEY)
        return state["phone"] if state else None

    def _fresh(self, phone: str, *, opened: bool) -> bool:
        state = self.session.get(OPENING_KEY)
        return bool(
            state
            and state["phone"] == phone
            and state["opened"] == opened
            and state["verified_at"] is not None
            and time.time() - state["verified_at"] <= OPENING_VERIFIED_TTL_SECONDS
        )

    def verified(self, phone: str) -> bool:
        """The code for this number was confirmed a short while ago and no wallet was opened with it yet."""
        return self._fresh(phone, opened=False)

    def mark_verified(self) -> None:
        self.session[OPENING_KEY] = {**self.session[OPENING_KEY], "verified_at": int(time.time())}

    def mark_opened(self) -> None:
        self.session[OPENING_KEY] = {**self.session[OPENING_KEY], "opened": True}

    def opened_just_now(self, phone: str) -> bool:
        """This browser opened the wallet of this number with a confirmed code a short while ago."""
        return self._fresh(phone, opened=True)

    def clear(self) -> None:
        self.session.pop(OPENING_KEY, None)


# --- one-time SMS code -------------------------------------------------------------------------------------


class CodeFlow:
    """The code flow this browser is in (registration or reset for one number). Only the PhoneCode row's id is
    kept here; the code's hash, its expiry and every counter live in the database (accounts/codes.py)."""

    def __init__(self, request):
        self.session = request.session

    def get(self, *, purpose: str, phone: str) -> PhoneCode | None:
        state = self.session.get(CODE_KEY)
        if not state or state.get("purpose") != purpose or state.get("phone") != phone:
            return None
        return PhoneCode.objects.filter(pk=state["id"], purpose=purpose, phone=phone, used_at__isnull=True).first()

    def phone(self, *, purpose: str) -> str | None:
        """The number of this browser's flow of `purpose` (a forgotten PIN's: typed on its own page, not at
        «Войти»)."""
        state = self.session.get(CODE_KEY)
        return state.get("phone") if state and state.get("purpose") == purpose else None

    def get_or_start(self, *, purpose: str, phone: str) -> PhoneCode:
        challenge = self.get(purpose=purpose, phone=phone)
        if challenge is None:
            challenge = phone_code_start(purpose=purpose, phone=phone)
            self.session[CODE_KEY] = {"id": challenge.pk, "purpose": purpose, "phone": phone}
        return challenge

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
    account_holder: str = ""  # the name the provider's check returned

    @property
    def idempotency_key(self) -> str:
        return idempotency_key_web(self.token)

    @property
    def expired(self) -> bool:
        return int(time.time()) - self.created > PENDING_TTL_SECONDS


class PendingPayment:
    def __init__(self, request):
        self.session = request.session

    def get(self) -> Pending | None:
        data = self.session.get(PENDING_KEY)
        return Pending(**data) if data else None

    def put(self, *, wallet_id: int, service_id: int, account: str, amount: str, account_holder: str = "") -> Pending:
        """Keep the entered data. Same data as the pending one (a second tab, «Назад» -> «Далее») keeps its
        token, so both tabs pay once; other data gets a new token and voids the old confirm page."""
        current = self.get()
        if (
            current is not None
            and not current.expired
            and (current.wallet_id, current.service_id, current.account, current.amount)
            == (wallet_id, service_id, account, amount)
        ):
            if current.account_holder != account_holder:
                current.account_holder = account_holder
                self.session[PENDING_KEY] = asdict(current)
            return current
        pending = Pending(
            token=uuid.uuid4().hex,
            wallet_id=wallet_id,
            service_id=service_id,
            account=account,
            amount=amount,
            created=int(time.time()),
            account_holder=account_holder,
        )
        self.session[PENDING_KEY] = asdict(pending)
        return pending

    def clear(self) -> None:
        self.session.pop(PENDING_KEY, None)
