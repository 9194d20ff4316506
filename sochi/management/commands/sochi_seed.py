from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError
from django.db import transaction

from sochi import conf
from sochi.companies import DEMO_PINS, company_save, company_user_set_pin
from sochi.management.base import SochiCommand
from sochi.models import Company, CompanyStatus, CompanyUser, Report, ReportForm, ReportStatus
from sochi.money import format_som, som

# (INN, name, Kyrgyz name, closed, accepts payments, [(form, period, price)])
DEMO_COMPANIES = [
    (
        "01503201010011",
        "ОсОО «Ала-Тоо Консалт»",
        "«Ала-Тоо Консалт» ЖЧК",
        False,
        True,
        [(ReportForm.UNIFIED_TAX, "2025", "1200.00"), (ReportForm.SOCIAL_FUND_MONTHLY, "2026-01", "350.00")],
    ),
    (
        "02106201510234",
        "ОсОО «Бишкек Трейд»",
        "«Бишкек Трейд» ЖЧК",
        False,
        True,
        [
            (ReportForm.VAT_MONTHLY, "2025-12", "350.00"),
            (ReportForm.SOCIAL_FUND_MONTHLY, "2025-12", "350.00"),
            (ReportForm.STATISTICS_QUARTERLY, "2025-Q4", "500.00"),
        ],
    ),
    (
        "00908199910058",
        "ОАО «Нарын Курулуш»",
        "«Нарын Курулуш» ААК",
        False,
        True,
        [(ReportForm.PROFIT_TAX, "2025", "1500.00")],
    ),
    (
        "21204198800345",
        "ИП Садыков Б.",
        "ЖИ Садыков Б.",
        False,
        True,
        [(ReportForm.SALES_TAX, "2025-Q4", "350.00"), (ReportForm.UNIFIED_TAX, "2025", "1200.00")],
    ),
    (
        "01812201300077",
        "ОсОО «Старый Караван»",
        "«Эски Кербен» ЖЧК",
        True,
        True,
        [(ReportForm.SOCIAL_FUND_MONTHLY, "2024-06", "350.00")],
    ),
    (
        "01204201700123",
        "ОсОО «Иссык-Куль Сервис»",
        "«Ысык-Көл Сервис» ЖЧК",
        False,
        False,
        [(ReportForm.VAT_MONTHLY, "2026-01", "350.00")],
    ),
]


class Command(SochiCommand):
    help = (
        "Load СОЧИ's demo companies (found by INN: a second run adds nothing), each with reports awaiting payment "
        "and two users: Руководитель (PIN 123456) and Бухгалтер (PIN 654321). Only with DEBUG or DEMO_MODE on."
    )

    def handle(self, *args, **options):
        if not conf.demo_allowed():
            raise CommandError("sochi_seed loads demo PINs: it runs only with DEBUG or DEMO_MODE on.")
        rows = self.seed()
        self.stdout.write(f"{'INN':<15} {'status':<7} {'balance':>10} {'waiting':>8}  company")
        for inn, name, status, balance, waiting, created in rows:
            mark = "new" if created else "kept"
            self.stdout.write(f"{inn:<15} {status:<7} {format_som(balance):>10} {waiting:>8}  {name} ({mark})")
        self.stdout.write("PINs: Руководитель 123456, Бухгалтер 654321 (every demo company)")

    @transaction.atomic
    def seed(self) -> list[tuple]:
        # One hash per demo PIN, shared by every demo user: hashing is slow on purpose and these PINs are public.
        hashes = {role: make_password(pin) for role, pin in DEMO_PINS.items()}
        rows = []
        for inn, name, name_ky, closed, accepts, reports in DEMO_COMPANIES:
            company = Company.objects.filter(inn=inn).first()
            created = company is None
            if created:
                company, _created = company_save(
                    inn=inn, name=name, name_ky=name_ky, closed=closed, accepts_payments=accepts
                )
                for form, period, price in reports:
                    Report.objects.create(company=company, form=form, period=period, price=som(price))
            for role, pin in DEMO_PINS.items():
                if not CompanyUser.objects.filter(company=company, role=role).exists():
                    company_user_set_pin(company=company, role=role, pin=pin, pin_hash=hashes[role])
            waiting = company.reports.filter(status=ReportStatus.AWAITING_PAYMENT).count()
            status = "closed" if company.status == CompanyStatus.CLOSED else "active"
            if not company.accepts_payments:
                status = "no-pay"
            rows.append((inn, company.name, status, Decimal(company.balance), waiting, created))
        return rows
