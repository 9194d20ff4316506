import json

from django.utils import timezone

from sochi.companies import company_get, inn_parse
from sochi.management.base import SochiCommand
from sochi.models import BalanceEntry, EntryKind
from sochi.money import format_som
from sochi.osmp import format_sum
from sochi.periods import period_label


def _iso(moment):
    return None if moment is None else timezone.localtime(moment).isoformat(timespec="seconds")


class Command(SochiCommand):
    help = "Show a company's personal balance, the payments credited to it and its reports (--json: machine-readable)."

    def add_arguments(self, parser):
        parser.add_argument("inn", help="the company's 14-digit INN")
        parser.add_argument("--json", action="store_true", help="JSON; money as strings such as '350.00'")

    def handle(self, *args, inn, **options):
        company = company_get(inn=inn_parse(inn))
        credits = [
            {
                "txn_id": payment.txn_id,
                "prv_txn": payment.prv_txn,
                "sum": format_sum(payment.amount),
                "txn_date": payment.txn_date,
                "aggregator": payment.aggregator,
                "credited_at": _iso(payment.credited_at),
            }
            for payment in company.payments.order_by("-credited_at", "-id")
        ]
        debits = [
            {
                "report_id": entry.report_id,
                "sum": format_sum(entry.amount),
                "reason": entry.reason,
                "at": _iso(entry.created_at),
            }
            for entry in BalanceEntry.objects.filter(company=company, kind=EntryKind.DEBIT).order_by("-id")
        ]
        reports = [
            {
                "id": report.pk,
                "form": report.form,
                "form_name": str(report.get_form_display()),
                "period": report.period,
                "price": format_sum(report.price),
                "status": report.status,
                "sent_at": _iso(report.sent_at),
            }
            for report in company.reports.order_by("-created_at", "-id")
        ]
        if options["json"]:
            data = {
                "inn": company.inn,
                "name": company.name,
                "status": company.status,
                "accepts_payments": company.accepts_payments,
                "balance": format_sum(company.balance),
                "credits": credits,
                "debits": debits,
                "reports": reports,
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{company.inn} {company.name} ({company.get_status_display()})")
        self.stdout.write(f"Личный баланс: {format_som(company.balance)} сом")
        self.stdout.write(f"Поступления ({len(credits)}):")
        for credit in credits:
            self.stdout.write(
                f"  txn_id {credit['txn_id']:<20} prv_txn {credit['prv_txn']:<12} {credit['sum']:>12} сом  "
                f"{credit['credited_at']}"
            )
        self.stdout.write(f"Отчеты ({len(reports)}):")
        for report in reports:
            sent = f" {report['sent_at']}" if report["sent_at"] else ""
            self.stdout.write(
                f"  {report['form_name']}, {period_label(report['period'])}: {report['price']} сом — "
                f"{report['status']}{sent}"
            )
