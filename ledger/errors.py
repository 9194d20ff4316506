from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MSG_INSUFFICIENT_FUNDS = _("Недостаточно средств. Баланс: %(balance)s сом.")
MSG_IDEMPOTENCY_CONFLICT = _("Этот запрос уже выполнен с другими данными. Начните операцию заново.")
MSG_ALREADY_REVERSED = _("Операция уже сторнирована.")


class InsufficientFunds(DomainError):
    code = "insufficient_funds"
    account_id: int | None = None  # the ledger account that would have gone below zero


class IdempotencyConflict(DomainError):
    code = "idempotency_conflict"


class AlreadyReversed(DomainError):
    code = "already_reversed"
