from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MSG_SERVICE_INACTIVE = _("Эта услуга сейчас недоступна.")
MSG_AMOUNT_BELOW_MIN = _("Минимальная сумма платежа: %(min)s сом.")
MSG_AMOUNT_ABOVE_MAX = _("Максимальная сумма платежа: %(max)s сом.")
MSG_PAYMENT_NOT_COMMITTED = _("Вернуть можно только проведенный платеж.")


class ServiceUnavailable(DomainError):
    code = "service_unavailable"


class AmountOutOfRange(DomainError):
    code = "amount_out_of_range"


class PaymentNotReversible(DomainError):
    code = "payment_not_reversible"
