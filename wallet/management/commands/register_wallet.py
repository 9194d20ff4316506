from django.utils.translation import gettext as _

from core.management.base import DomainCommand
from wallet.models import Language, OpenedChannel
from wallet.operations import wallet_register


class Command(DomainCommand):
    help = (
        "Open an ELSOM wallet at a KICB branch (back office): the wallet number is the phone number; "
        "the holder gets an SMS with the PIN."
    )

    def add_arguments(self, parser):
        parser.add_argument("phone", help="Mobile number (Megacom, Beeline, O!), e.g. '0555 12 34 56' or +996555123456")
        parser.add_argument("--name", required=True, help='Name and surname, e.g. "Айгуль Асанова"')
        parser.add_argument("--inn", required=True, help="Personal INN from the ID card: 14 digits")
        parser.add_argument("--pin", help="4-digit PIN (default: a random one, sent by SMS)")
        parser.add_argument(
            "--language", choices=Language.values, default=Language.RU, help="Language of SMS and menus"
        )

    def handle(self, *args, **options):
        wallet, _pin = wallet_register(
            phone=options["phone"],
            full_name=options["name"],
            inn=options["inn"],
            pin=options["pin"],
            language=options["language"],
            channel=OpenedChannel.BRANCH,
        )
        self.stdout.write(
            _("Кошелек %(phone)s открыт на имя %(name)s (%(operator)s). PIN отправлен по SMS.")
            % {"phone": wallet.phone, "name": wallet.full_name, "operator": wallet.get_operator_display()}
        )
