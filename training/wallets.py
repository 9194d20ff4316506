"""Fresh demo wallets for training scenarios: a new number in a range of its own (+996 555 8…, 770 8…, 700 8…),
a plausible holder, the demo PIN and money from a KICB branch, so that a case never disturbs another one."""

import secrets
from collections.abc import Callable
from decimal import Decimal

from django.db import transaction

from core.idempotency import idempotency_key_training_cash_in_new
from demo.constants import DEMO_PIN
from wallet.cash_in import cash_in
from wallet.errors import WalletExists
from wallet.models import CashInChannel, Language, OpenedChannel, Wallet
from wallet.operations import wallet_register
from wallet.phone import Operator

TRAINING_PREFIXES = {Operator.MEGACOM: "5558", Operator.BEELINE: "7708", Operator.O: "7008"}
FRESH_BALANCE = Decimal("5000.00")
# (name and surname, first digit of the personal INN: 1 a woman, 2 a man)
HOLDERS = [
    ("Айбек Жумабаев", "2"),
    ("Гульнара Осмонова", "1"),
    ("Нурбек Асанов", "2"),
    ("Асель Токтосунова", "1"),
    ("Марат Бекмуратов", "2"),
    ("Чолпон Исакова", "1"),
    ("Тимур Алиев", "2"),
    ("Айжан Маматова", "1"),
    ("Эрлан Сыдыков", "2"),
    ("Мээрим Усенова", "1"),
]


def training_phone(operator: str) -> str:
    """A number of the training range that has no wallet yet."""
    prefix = TRAINING_PREFIXES[operator]
    for _attempt in range(50):
        phone = f"+996{prefix}{secrets.randbelow(10**5):05d}"
        if not Wallet.objects.filter(phone=phone).exists():
            return phone
    raise RuntimeError(f"no free training number left in +996{prefix}xxxxx")


def training_inn(sex: str) -> str:
    day, month, year = 1 + secrets.randbelow(28), 1 + secrets.randbelow(12), 1965 + secrets.randbelow(36)
    return f"{sex}{day:02d}{month:02d}{year}{secrets.randbelow(10**5):05d}"


def training_wallet_open(
    *,
    operator: str = Operator.MEGACOM,
    balance: Decimal = FRESH_BALANCE,
    phone_for: Callable[[str], str] = training_phone,
    channel: str = OpenedChannel.DEMO,
) -> Wallet:
    """Open a wallet for a scenario, with the demo PIN and `balance` som paid in at a KICB branch. `phone_for`
    draws a free number of the operator (default: the training range; a trainee's case: the trainee's sandbox),
    `channel` is where the wallet says it was opened."""
    name, sex = HOLDERS[secrets.randbelow(len(HOLDERS))]
    for _attempt in range(5):
        try:
            with transaction.atomic():
                wallet, _pin = wallet_register(
                    phone=phone_for(operator),
                    full_name=name,
                    inn=training_inn(sex),
                    channel=channel,
                    language=Language.RU,
                    pin=DEMO_PIN,
                )
                if balance > 0:
                    cash_in(
                        wallet=wallet,
                        amount=balance,
                        channel=CashInChannel.KICB_BRANCH,
                        idempotency_key=idempotency_key_training_cash_in_new(),
                    )
        except WalletExists:  # the same number drawn at the same moment by another board
            continue
        return Wallet.objects.select_related("ledger_account").get(pk=wallet.pk)
    raise RuntimeError("could not open a training wallet")
