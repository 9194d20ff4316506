"""The demo data as seed_demo makes it (`make run`, training): the admin, one staff user per role, the demo wallets
with their PIN, web password, top-ups and payments, and the companies they pay through DosTek group. training_reset
puts the data back to this; training's scenarios and fresh wallets use the same PIN, password and companies.

Idempotency keys of the seed's top-ups and payments are built by core.idempotency only, and
found again by the exact keys of a wallet's row (DemoWallet.cash_in_keys, .payment_keys), never by a prefix."""

from enum import StrEnum
from typing import NamedTuple

from core.idempotency import idempotency_key_demo_cash_in, idempotency_key_demo_payment
from wallet.models import CashInChannel, Language

ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "elsom-demo-admin"
# The call-centre's demo staff: one user per role (staff/migrations/0002_roles.py), password elsom-demo-<username>.
DEMO_STAFF = [
    ("agent", "Агент", "Айбек", "Агент"),
    ("supervisor", "Старший смены", "Гульнара", "Старшая"),
    ("trainer", "Тренер", "Марат", "Тренер"),
    ("cashier", "Кассир", "Чолпон", "Кассир"),
]
DEMO_PIN = "2580"
DEMO_WEB_PASSWORD = "Demo-Password-2026"

# Companies (and one individual entrepreneur) that pay their СОЧИ balance through DosTek group; СОЧИ's own seed
# (sochi_seed) knows the same INNs.
ALA_TOO = "01503201010011"
BISHKEK_TRADE = "02106201510234"
NARYN = "00908199910058"
SADYKOV = "21204198800345"
DEMO_COMPANY_INNS = {
    ALA_TOO: "ОсОО «Ала-Тоо Консалт»",
    BISHKEK_TRADE: "ОсОО «Бишкек Трейд»",
    NARYN: "ОАО «Нарын Курулуш»",
    SADYKOV: "ИП Садыков Б.",
}
# The company a guide or a test pays for when any one will do.
DEMO_INN = ALA_TOO


def staff_password(username: str) -> str:
    return f"elsom-demo-{username}"


class DemoState(StrEnum):
    """How the seed leaves a demo wallet."""

    ACTIVE = "active"
    BLOCKED = "blocked"
    PIN_LOCKED = "pin_locked"


class DemoWallet(NamedTuple):
    phone: str
    name: str
    inn: str  # personal
    language: str
    email: str | None  # of the web account (None: the seed makes none)
    cash_ins: list[tuple[str, str]]  # (CashInChannel, som), in order
    payments: list[tuple[str, str]]  # (company INN paid through DosTek group, som), in order
    state: DemoState

    @property
    def cash_in_keys(self) -> list[str]:
        return [idempotency_key_demo_cash_in(phone=self.phone, index=index) for index in range(len(self.cash_ins))]

    @property
    def payment_keys(self) -> list[str]:
        return [idempotency_key_demo_payment(phone=self.phone, index=index) for index in range(len(self.payments))]


DEMO_WALLETS = [
    DemoWallet(
        "+996555010101",
        "Айгуль Асанова",
        "10512199000123",
        Language.RU,
        "aigul@example.kg",
        [(CashInChannel.KICB_BRANCH, "15000.00")],
        [(ALA_TOO, "2500.00"), (BISHKEK_TRADE, "1200.50")],
        DemoState.ACTIVE,
    ),
    DemoWallet(
        "+996770020202",
        "Бакыт Садыков",
        SADYKOV,
        Language.KY,
        None,
        [(CashInChannel.QIWI, "3000.00"), (CashInChannel.MOBILNIK, "500.00")],
        [(SADYKOV, "800.00")],
        DemoState.ACTIVE,
    ),
    DemoWallet(
        "+996700030303",
        "Elena Petrova",
        "10101198500456",
        Language.RU,
        "elena@example.kg",
        [(CashInChannel.KICB_TERMINAL, "7000.00")],
        [(NARYN, "4000.00")],
        DemoState.ACTIVE,
    ),
    DemoWallet("+996555040404", "Нурлан Токтогулов", "22002199500567", Language.RU, None, [], [], DemoState.ACTIVE),
    DemoWallet(
        "+996777050505",
        "Жылдыз Абдыкадырова",
        "11503199200678",
        Language.KY,
        "jyldyz@example.kg",
        [(CashInChannel.KICB_BRANCH, "2000.00")],
        [],
        DemoState.BLOCKED,
    ),
    DemoWallet(
        "+996550060606",
        "Эрмек Иманалиев",
        "20707198700789",
        Language.RU,
        None,
        [(CashInChannel.QIWI, "1000.00")],
        [],
        DemoState.PIN_LOCKED,
    ),
]
