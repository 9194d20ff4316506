"""The app channel's own refusals (beside the domain's), and how every refusal maps to an HTTP status.

Every error of the API is one JSON shape, {"code", "message", "params"}: a DomainError of any app (its `code`,
its translated message, its params) or one of these."""

from django.utils.translation import gettext_lazy as _

from accounts.errors import CodeNotSent
from audit.operations import NotAllowed
from core.errors import DomainError
from core.pdf import PdfUnavailable
from services.errors import IdempotencyConflict, ProviderUnavailable
from wallet.errors import PinLocked, WalletBlocked, WalletExists, WalletNotFound

MSG_TOKEN_REQUIRED = _("Войдите в приложение: запросу нужен токен устройства (Authorization: Bearer ...).")
MSG_TOKEN_INVALID = _("Этот вход в приложение не найден. Войдите снова.")
MSG_TOKEN_EXPIRED = _("Срок входа в приложение истек. Войдите снова.")
MSG_TOKEN_REVOKED = _("Вход с этого устройства отменен. Войдите снова.")
MSG_INVALID_REQUEST = _("Запрос заполнен неверно: проверьте поля.")
MSG_INVALID_JSON = _("Тело запроса должно быть JSON-объектом в UTF-8.")
MSG_BAD_CHARACTERS = _("В запросе есть недопустимые символы.")
MSG_ROUTE_NOT_FOUND = _("Такого адреса в API нет.")
MSG_METHOD_NOT_ALLOWED = _("Этот адрес API не принимает такой метод.")
MSG_THROTTLED = _("Слишком много запросов. Повторите через %(retry_after)s с.")
MSG_SERVER_ERROR = _("Сбой на сервере. Попробуйте позже.")
MSG_REQUEST_TOO_LARGE = _("Запрос слишком большой.")
MSG_IDEMPOTENCY_KEY_REQUIRED = _(
    "Нужен заголовок Idempotency-Key: от 1 до 64 символов из латинских букв, цифр, «_» и «-»."
)
MSG_CHALLENGE_INVALID = _("Вход не начат или устарел. Запросите код заново.")
MSG_OFFER_NOT_ACCEPTED = _("Чтобы открыть кошелек, примите публичную оферту.")
MSG_PAYMENT_NOT_FOUND = _("Платеж не найден.")
MSG_SERVICE_NOT_FOUND = _("Услуга не найдена.")
MSG_DEVICE_NOT_FOUND = _("Устройство не найдено.")
MSG_NO_DEVICES = _("С этого кошелька никто не вошел в приложение.")
MSG_FAVOURITE_NOT_FOUND = _("Избранный платеж не найден.")
MSG_FAVOURITE_EXISTS = _("Этот платеж уже есть в избранном.")
MSG_FAVOURITES_LIMIT = _("В избранном может быть не больше %(limit)s платежей.")
MSG_FAVOURITE_NAME = _("Название избранного — от 1 до 60 символов.")
MSG_BAD_CURSOR = _("Ссылка на следующую страницу истории неверна. Откройте историю заново.")
MSG_BAD_DATES = _("Дата «с» позже даты «по».")
MSG_BAD_DATE = _("Такой даты нет: укажите дату как ГГГГ-ММ-ДД.")


class ApiError(DomainError):
    """A refusal of the app channel itself (not of the wallet's rules)."""


class Unauthorized(ApiError):
    code = "token_invalid"


class Throttled(ApiError):
    code = "throttled"


class NotFound(ApiError):
    code = "not_found"


class Conflict(ApiError):
    code = "conflict"


class BadRequest(ApiError):
    code = "bad_request"


# Statuses by the error's class (the first that matches, so a subclass may stand before its base); every other
# DomainError is a 400 (bad input or a rule that said no). The `code` in the body is the class's own (or the one
# given where it was raised): the contract's name for the refusal, never used to choose the status.
STATUS_BY_CLASS: tuple[tuple[type[DomainError], int], ...] = (
    (Unauthorized, 401),
    (WalletBlocked, 403),
    (PinLocked, 403),
    (NotAllowed, 403),
    (WalletNotFound, 404),
    (NotFound, 404),
    (IdempotencyConflict, 409),
    (WalletExists, 409),
    (Conflict, 409),
    (Throttled, 429),
    (CodeNotSent, 429),
    (ProviderUnavailable, 503),
    (PdfUnavailable, 503),
)


def error_status(error: DomainError) -> int:
    return next((status for kind, status in STATUS_BY_CLASS if isinstance(error, kind)), 400)


# The contract's names for params the domain calls otherwise.
PARAM_NAMES = {"left": "attempts_left"}
