"""Demo data for training and `make run`. Idempotent: every object is found by a natural key first."""

from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.operations import web_account_create
from audit.operations import SYSTEM
from core.errors import DomainError
from services.models import Channel, Service
from services.payments import payment_execute
from wallet.models import Language, OpenedChannel, Wallet, WalletStatus
from wallet.operations import cash_in, wallet_pin_verify, wallet_register, wallet_set_status

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

# Companies (and one individual entrepreneur) that pay their СОЧИ balance through DosTek group.
DEMO_COMPANY_INNS = {
    "01503201010011": "ОсОО «Ала-Тоо Консалт»",
    "02106201510234": "ОсОО «Бишкек Трейд»",
    "00908199910058": "ОАО «Нарын Курулуш»",
    "21204198800345": "ИП Садыков Б.",
}

# phone, name, personal INN, language, web email, cash-ins (channel, som), DosTek payments (INN, som), state
DEMO_WALLETS = [
    (
        "+996555010101",
        "Айгуль Асанова",
        "10512199000123",
        Language.RU,
        "aigul@example.kg",
        [("kicb-branch", "15000.00")],
        [("01503201010011", "2500.00"), ("02106201510234", "1200.50")],
        "active",
    ),
    (
        "+996770020202",
        "Бакыт Садыков",
        "21204198800345",
        Language.KY,
        None,
        [("qiwi", "3000.00"), ("mobilnik", "500.00")],
        [("21204198800345", "800.00")],
        "active",
    ),
    (
        "+996700030303",
        "Elena Petrova",
        "10101198500456",
        Language.RU,
        "elena@example.kg",
        [("kicb-terminal", "7000.00")],
        [("00908199910058", "4000.00")],
        "active",
    ),
    ("+996555040404", "Нурлан Токтогулов", "22002199500567", Language.RU, None, [], [], "active"),
    (
        "+996777050505",
        "Жылдыз Абдыкадырова",
        "11503199200678",
        Language.KY,
        "jyldyz@example.kg",
        [("kicb-branch", "2000.00")],
        [],
        "blocked",
    ),
    ("+996550060606", "Эрмек Иманалиев", "20707198700789", Language.RU, None, [("qiwi", "1000.00")], [], "pin_locked"),
]


def staff_password(username: str) -> str:
    return f"elsom-demo-{username}"


class Command(BaseCommand):
    help = (
        "Load demo data: an admin user, wallets on Megacom, Beeline and O! numbers in varied states, funded by "
        "cash-ins, with past DosTek group payments. Running it again adds nothing. Refused unless DEMO_MODE or DEBUG."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the replica is served, for the addresses printed (make run passes http://$(HOST))",
        )

    def handle(self, *args, **options):
        if not (settings.DEMO_MODE or settings.DEBUG):
            raise CommandError("seed_demo creates known passwords; it runs only with DEMO_MODE=1 or DEBUG=1")
        created_admin = self._admin()
        new_staff = self._staff()
        dostek = Service.objects.select_related("provider__settlement_account", "category").get(slug="dostek")
        new_wallets = 0
        for row in DEMO_WALLETS:
            new_wallets += self._wallet(dostek, *row)
        self.stdout.write(f"demo data: {new_wallets} new wallet(s), admin {'created' if created_admin else 'kept'}")
        self.stdout.write(demo_table(base_url=options["base_url"]))
        self.stdout.write(f"  staff console at /staff/ ({new_staff} new staff user(s)); one user per role:")
        for username, role, _first, _last in DEMO_STAFF:
            self.stdout.write(f"    {username:<11} {role:<14} password {staff_password(username)}")

    def _admin(self) -> bool:
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            return False
        User.objects.create_superuser(ADMIN_USERNAME, "admin@elsom.example", ADMIN_PASSWORD)
        return True

    def _staff(self) -> int:
        created = 0
        for username, role, first_name, last_name in DEMO_STAFF:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create_user(
                    username,
                    email=f"{username}@elsom.example",
                    password=staff_password(username),
                    first_name=first_name,
                    last_name=last_name,
                    is_staff=True,
                )
                created += 1
            elif not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name=role))
        return created

    def _wallet(self, dostek, phone, name, inn, language, email, cash_ins, payments, state) -> int:
        with transaction.atomic():
            wallet = Wallet.objects.select_related("ledger_account").filter(phone=phone).first()
            created = wallet is None
            if created:
                wallet, _pin = wallet_register(
                    phone=phone, full_name=name, inn=inn, channel=OpenedChannel.DEMO, language=language, pin=DEMO_PIN
                )
            if email and not User.objects.filter(wallet=wallet).exists():
                web_account_create(wallet=wallet, email=email, password=DEMO_WEB_PASSWORD)
            for index, (channel, amount) in enumerate(cash_ins):
                if wallet.status == WalletStatus.ACTIVE:
                    cash_in(
                        wallet=wallet,
                        amount=Decimal(amount),
                        channel=channel,
                        idempotency_key=f"demo:cash-in:{phone}:{index}",
                    )
        for index, (account, amount) in enumerate(payments):
            if wallet.status == WalletStatus.ACTIVE:
                payment_execute(
                    wallet=wallet,
                    service=dostek,
                    account=account,
                    amount=Decimal(amount),
                    idempotency_key=f"demo:payment:{phone}:{index}",
                    channel=Channel.DEMO,
                )
        if state == "blocked" and wallet.status != WalletStatus.BLOCKED:
            wallet_set_status(
                wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="демо-данные: заблокированный кошелек"
            )
        if state == "pin_locked":
            wallet.refresh_from_db()
            while wallet.pin_locked_at is None:
                try:
                    wallet_pin_verify(wallet=wallet, pin="0000")
                except DomainError:
                    pass
        return int(created)


def _browsable(base_url: str) -> str:
    """http://0.0.0.0:9000 is where a server listens, not an address to open: the browser wants 127.0.0.1."""
    for wildcard in ("//0.0.0.0", "//[::]"):
        base_url = base_url.replace(wildcard, "//127.0.0.1")
    return base_url.rstrip("/")


def demo_table(*, base_url: str = "http://127.0.0.1:8000") -> str:
    """The admin's address and each demo wallet as it is now (status, PIN, balance), not as the seed planned it."""
    lines = [
        f"  admin: {_browsable(base_url)}/admin/  login {ADMIN_USERNAME}  password {ADMIN_PASSWORD}",
        f"  demo wallets (PIN {DEMO_PIN}, web password {DEMO_WEB_PASSWORD}):",
    ]
    wallets = Wallet.objects.select_related("ledger_account", "web_account").in_bulk(
        [row[0] for row in DEMO_WALLETS], field_name="phone"
    )
    for phone, name, *_rest in DEMO_WALLETS:
        wallet = wallets.get(phone)
        if wallet is None:
            lines.append(f"    {phone} {name:<22} missing (run seed_demo)")
            continue
        state = wallet.get_status_display() + (", PIN заблокирован" if wallet.pin_locked_at else "")
        account = getattr(wallet, "web_account", None)
        web = f"web {account.email}" if account is not None else "no web account"
        lines.append(
            f"    {phone} {wallet.full_name:<22} {wallet.get_operator_display():<8} {state:<26} "
            f"balance {wallet.balance:>9} {web}"
        )
    lines.append("  company INNs for DosTek group: " + ", ".join(DEMO_COMPANY_INNS))
    return "\n".join(lines)
