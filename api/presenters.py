"""Domain objects as the API's JSON: money as "100.00", times in Bishkek time with the offset, texts in the
request's language."""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import DeviceToken, Favourite
from services.catalog import Catalog
from services.models import Category, Payment, PaymentStatus, Service
from services.payments import PaymentQuote
from wallet.models import Wallet
from wallet.phone import phone_parse

CURRENCY = "KGS"
# The app's four states: a payment the provider has not answered yet is «in progress» whatever step it is at.
STATUS = {
    PaymentStatus.RECEIVED: "in_progress",
    PaymentStatus.RESERVED: "in_progress",
    PaymentStatus.COMMITTED: "committed",
    PaymentStatus.ABORTED: "aborted",
    PaymentStatus.REVERSED: "reversed",
}


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


def local(moment):
    return timezone.localtime(moment) if moment is not None else None


def profile(wallet: Wallet) -> dict:
    return {
        "phone": wallet.phone,
        "phone_display": phone_parse(wallet.phone).national,
        "first_name": wallet.first_name,
        "last_name": wallet.last_name,
        "operator": wallet.operator,
        "language": wallet.language,
        "balance": money(wallet.ledger_account.balance),
        "currency": CURRENCY,
        "status": wallet.status,
        "pin_locked": wallet.is_pin_locked,
    }


def device(row: DeviceToken, *, current: DeviceToken | None) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "created_at": local(row.created_at),
        "last_used_at": local(row.last_used_at),
        "current": current is not None and row.pk == current.pk,
    }


def service(row: Service) -> dict:
    return {
        "id": row.pk,
        "name": row.display_name,
        "provider": row.provider.code,
        "account_label": row.display_account_label,
        "account_rule": row.account_rule,
        "account_min_length": row.account_min_length,
        "account_max_length": row.account_max_length,
        "min_amount": money(row.min_amount),
        "max_amount": money(row.max_amount),
        "commission_fixed": money(row.commission_fixed),
        "commission_percent": money(row.commission_percent),
    }


def catalog_tree(data: Catalog) -> list[dict]:
    """The categories as a tree (children, then services, in the web's order), without empty branches."""
    children: dict[int | None, list[Category]] = {}
    for category in data.categories:
        children.setdefault(category.parent_id, []).append(category)

    def node(category: Category) -> dict | None:
        kids = [n for n in (node(c) for c in children.get(category.pk, [])) if n is not None]
        services = [service(s) for s in data.services_of(category)]
        if not kids and not services:
            return None
        return {"id": category.pk, "name": category.display_name, "children": kids, "services": services}

    return [n for n in (node(c) for c in children.get(None, [])) if n is not None]


def _payment_message(payment: Payment) -> str:
    values = {"code": payment.code, "total": money(payment.total)}
    if payment.status == PaymentStatus.COMMITTED:
        return _("Платеж проведен, код %(code)s.") % values
    if payment.status == PaymentStatus.ABORTED:
        return _("Поставщик отменил платеж, %(total)s сом возвращены на кошелек.") % values
    if payment.status == PaymentStatus.REVERSED:
        return _("Платеж возвращен: %(total)s сом зачислены на кошелек.") % values
    return _("Поставщик еще не подтвердил платеж. Статус обновится сам; деньги не потеряются.") % values


def payment(row: Payment) -> dict:
    completed = row.committed_at or row.aborted_at
    if row.status == PaymentStatus.REVERSED:
        completed = row.reversed_at
    return {
        "code": row.code,
        "status": STATUS[row.status],
        "status_label": str(PaymentStatus(row.status).label),
        "service_id": row.service_id,
        "service_name": row.service.display_name,
        "account": row.account,
        "account_holder": row.account_holder,
        "amount": money(row.amount),
        "commission": money(row.commission),
        "total": money(row.total),
        "channel": row.channel,
        "created_at": local(row.created_at),
        "completed_at": local(completed),
        "message": _payment_message(row),
        "provider_name": row.service.provider.name,
        "provider_call_centre": row.service.provider.holder_call_centre,
    }


def quote(result: PaymentQuote, *, wallet: Wallet) -> dict:
    """The confirm screen's figures, the provider's name for the account, and the balance they are paid from."""
    return {
        "service_id": result.service.pk,
        "service_name": result.service.display_name,
        "account": result.account,
        "account_holder": result.account_holder,
        "amount": money(result.amount),
        "commission": money(result.commission),
        "total": money(result.total),
        "balance": money(wallet.ledger_account.balance),
    }


def favourite(row: Favourite) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "service_id": row.service_id,
        "service_name": row.service.display_name,
        "account": row.account,
        "created_at": local(row.created_at),
    }
