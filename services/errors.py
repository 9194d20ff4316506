from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

# The ledger's refusals a payment passes on to its channel as they are: channels name them from here, never from
# the ledger (no channel imports ledger).
from ledger.errors import IdempotencyConflict, InsufficientFunds

__all__ = ["IdempotencyConflict", "InsufficientFunds"]

MSG_SERVICE_INACTIVE = _("Эта услуга сейчас недоступна.")
MSG_AMOUNT_BELOW_MIN = _("Минимальная сумма платежа: %(min)s сом.")
MSG_AMOUNT_ABOVE_MAX = _("Максимальная сумма платежа: %(max)s сом.")
MSG_PAYMENT_NOT_COMMITTED = _("Вернуть можно только проведенный платеж.")
MSG_PAYMENT_NOT_IN_PROGRESS = _("Спросить поставщика можно только о платеже в обработке; этот уже завершен.")


class ServiceUnavailable(DomainError):
    code = "service_unavailable"


class AmountOutOfRange(DomainError):
    code = "amount_out_of_range"


class PaymentNotReversible(DomainError):
    code = "payment_not_reversible"


class PaymentNotInProgress(DomainError):
    code = "payment_not_in_progress"


# The provider's answers to `check`, in the holder's words (the codes are OSMP's).
MSG_PROVIDER_ACCOUNT_FORMAT = _("%(provider)s не принимает такой номер счета. Проверьте %(label)s.")
MSG_PROVIDER_ACCOUNT_NOT_FOUND = _("Счет %(account)s не найден у %(provider)s. Проверьте %(label)s.")
MSG_PROVIDER_FORBIDDEN = _("%(provider)s не принимает платежи на счет %(account)s.")
MSG_PROVIDER_ACCOUNT_CLOSED = _("Счет %(account)s у %(provider)s закрыт: платежи не принимаются.")
MSG_PROVIDER_SUM_SMALL = _("%(provider)s не принимает такую маленькую сумму.")
MSG_PROVIDER_SUM_LARGE = _("%(provider)s не принимает такую большую сумму.")
MSG_PROVIDER_REFUSED = _("%(provider)s отклонил платеж.")
MSG_PROVIDER_UNAVAILABLE = _("Сервис %(provider)s временно недоступен. Деньги не списаны; попробуйте немного позже.")
PROVIDER_REFUSALS: dict[int | None, Promise] = {
    4: MSG_PROVIDER_ACCOUNT_FORMAT,
    5: MSG_PROVIDER_ACCOUNT_NOT_FOUND,
    7: MSG_PROVIDER_FORBIDDEN,
    79: MSG_PROVIDER_ACCOUNT_CLOSED,
    241: MSG_PROVIDER_SUM_SMALL,
    242: MSG_PROVIDER_SUM_LARGE,
}


class ProviderRefusedAccount(DomainError):
    """The provider's `check` said no for good (unknown, closed, malformed account ...): nothing was charged."""

    code = "provider_refused"


class ProviderUnavailable(DomainError):
    """The provider did not answer the `check`: nothing was charged; try again later."""

    code = "provider_unavailable"
