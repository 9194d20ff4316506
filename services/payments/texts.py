"""What a payment's SMS say, in the holder's language: accepted (with the payment's code), cancelled by the
provider (the money back on the wallet), returned (a reversal)."""

from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _

from core.money import format_som
from services.models import Payment


def payment_sms_text(payment: Payment) -> str:
    with translation.override(payment.wallet.language):
        return _(
            "Платеж %(amount)s сом в %(service)s (счет %(account)s) принят, код %(code)s. "
            "Комиссия %(commission)s сом. Баланс: %(balance)s сом."
        ) % {
            "amount": format_som(payment.amount),
            "service": payment.service.display_name,
            "account": payment.account,
            "code": payment.code,
            "commission": format_som(payment.commission),
            "balance": format_som(payment.balance_after),
        }


def payment_aborted_sms_text(*, payment: Payment, balance: Decimal) -> str:
    """The provider refused (or never confirmed) a payment: the total is back on the wallet, whose balance is now
    `balance`."""
    with translation.override(payment.wallet.language):
        return _(
            "Платеж %(code)s в %(service)s отменен поставщиком, %(total)s сом возвращены на кошелек. "
            "Баланс: %(balance)s сом."
        ) % {
            "code": payment.code,
            "service": payment.service.display_name,
            "total": format_som(payment.total),
            "balance": format_som(balance),
        }


def payment_reversed_sms_text(*, payment: Payment, balance: Decimal) -> str:
    """A committed payment returned by the provider: amount and commission are back on the wallet."""
    with translation.override(payment.wallet.language):
        return _("Платеж %(code)s возвращен: %(total)s сом зачислены на кошелек. Баланс: %(balance)s сом.") % {
            "code": payment.code,
            "total": format_som(payment.total),
            "balance": format_som(balance),
        }
