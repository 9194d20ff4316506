from django.db import transaction

from sochi.companies import company_save, company_user_set_pin, inn_parse, name_parse, pin_parse
from sochi.management.base import SochiCommand
from sochi.models import CompanyStatus, Role


class Command(SochiCommand):
    help = (
        "Create the company with this INN in СОЧИ, or update its name and status. "
        "Example: sochi_company 01503201010011 --name 'ОсОО «Ала-Тоо Консалт»' [--closed]"
    )

    def add_arguments(self, parser):
        parser.add_argument("inn", help="14 digits; a company's starts with 0, an entrepreneur's with 1 or 2")
        parser.add_argument("--name", required=True, help="the name in Russian, e.g. 'ОсОО «Ала-Тоо Консалт»'")
        parser.add_argument("--name-ky", help="the name in Kyrgyz (shown on the Kyrgyz page)")
        status = parser.add_mutually_exclusive_group()
        status.add_argument("--closed", action="store_true", help="the company is closed: payments get result 79")
        status.add_argument("--active", action="store_true", help="reopen a closed company")
        payments = parser.add_mutually_exclusive_group()
        payments.add_argument("--refuse-payments", action="store_true", help="payments are forbidden for it: result 7")
        payments.add_argument("--accept-payments", action="store_true", help="accept payments again")
        parser.add_argument("--director-pin", help="6-digit PIN of the Руководитель (created or replaced)")
        parser.add_argument("--accountant-pin", help="6-digit PIN of the Бухгалтер (created or replaced)")

    def handle(self, *args, inn, name, name_ky, closed, active, refuse_payments, accept_payments, **options):
        # Everything is checked before anything is written: a bad PIN must not leave a half-made company.
        inn_parse(inn)
        name_parse(name)
        if name_ky is not None:
            name_parse(name_ky, required=False)
        pins = {Role.DIRECTOR: options["director_pin"], Role.ACCOUNTANT: options["accountant_pin"]}
        for pin in pins.values():
            if pin is not None:
                pin_parse(pin)
        with transaction.atomic():
            company, created = company_save(
                inn=inn,
                name=name,
                name_ky=name_ky,
                closed=True if closed else (False if active else None),
                accepts_payments=False if refuse_payments else (True if accept_payments else None),
            )
            for role, pin in pins.items():
                if pin is not None:
                    company_user_set_pin(company=company, role=role, pin=pin)
        status = "closed" if company.status == CompanyStatus.CLOSED else "active"
        payments = "accepts payments" if company.accepts_payments else "refuses payments"
        verb = "created" if created else "updated"
        self.stdout.write(f"{verb}: {company.inn} {company.name} ({status}, {payments})")
