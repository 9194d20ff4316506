from django.utils.translation import gettext as _

from core.management.base import DomainCommand
from core.money import format_som, parse_amount
from wallet.balance import wallet_balance
from wallet.cash_in import cash_in
from wallet.models import CashInChannel
from wallet.operations import wallet_get


class Command(DomainCommand):
    help = "Top up a wallet as a KICB branch or a KICB / Mobilnik / QIWI terminal does; the holder gets an SMS."

    def add_arguments(self, parser):
        parser.add_argument("phone", help="Wallet number, e.g. 0555123456")
        parser.add_argument("amount", help="Som, e.g. 500 or 500.50")
        parser.add_argument(
            "--channel", required=True, choices=sorted(CashInChannel.values), help="Where the cash was handed in"
        )
        parser.add_argument("--idempotency-key", help="The terminal's receipt number: the same key tops up only once")

    def handle(self, *args, **options):
        amount = parse_amount(options["amount"])
        wallet = wallet_get(phone=options["phone"])
        cash_in(wallet=wallet, amount=amount, channel=options["channel"], idempotency_key=options["idempotency_key"])
        balance = wallet_balance(wallet=wallet)
        self.stdout.write(
            _("Пополнено %(amount)s сом на %(phone)s. Баланс: %(balance)s сом.")
            % {"amount": format_som(amount), "phone": wallet.phone, "balance": format_som(balance)}
        )
