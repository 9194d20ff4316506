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
from demo.constants import (
    ADMIN_PASSWORD,
    ADMIN_USERNAME,
    DEMO_PIN,
    DEMO_STAFF,
    DEMO_WALLETS,
    DEMO_WEB_PASSWORD,
    DemoState,
    DemoWallet,
    staff_password,
)
from demo.table import demo_table
from services.models import Channel, Service
from services.payments import payment_execute
from wallet.cash_in import cash_in
from wallet.models import OpenedChannel, Wallet, WalletStatus
from wallet.operations import wallet_register
from wallet.pin_operations import wallet_pin_verify
from wallet.status import wallet_set_status


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
            new_wallets += self._wallet(dostek, row)
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

    def _wallet(self, dostek: Service, row: DemoWallet) -> int:
        with transaction.atomic():
            existing = Wallet.objects.select_related("ledger_account").filter(phone=row.phone).first()
            created = existing is None
            if existing is None:
                wallet, _pin = wallet_register(
                    phone=row.phone,
                    full_name=row.name,
                    inn=row.inn,
                    channel=OpenedChannel.DEMO,
                    language=row.language,
                    pin=DEMO_PIN,
                )
            else:
                wallet = existing
            if row.email and not User.objects.filter(wallet=wallet).exists():
                web_account_create(wallet=wallet, email=row.email, password=DEMO_WEB_PASSWORD)
            for (channel, amount), key in zip(row.cash_ins, row.cash_in_keys, strict=True):
                if wallet.status == WalletStatus.ACTIVE:
                    cash_in(wallet=wallet, amount=Decimal(amount), channel=channel, idempotency_key=key)
        for (account, amount), key in zip(row.payments, row.payment_keys, strict=True):
            if wallet.status == WalletStatus.ACTIVE:
                payment_execute(
                    wallet=wallet,
                    service=dostek,
                    account=account,
                    amount=Decimal(amount),
                    idempotency_key=key,
                    channel=Channel.DEMO,
                )
        if row.state == DemoState.BLOCKED and wallet.status != WalletStatus.BLOCKED:
            wallet_set_status(
                wallet=wallet, status=WalletStatus.BLOCKED, actor=SYSTEM, reason="демо-данные: заблокированный кошелек"
            )
        if row.state == DemoState.PIN_LOCKED:
            wallet.refresh_from_db()
            while wallet.pin_locked_at is None:
                try:
                    wallet_pin_verify(wallet=wallet, pin="0000")
                except DomainError:
                    pass
        return int(created)
