"""The app channel's own refusals (beside the domain's), and how every refusal maps to an HTTP status.

Every error of the API is one JSON shape, {"code", "message", "params"}: a DomainError of any app (its `code`,
its translated message, its params) or one of these."""

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

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


# Statuses by error code; every other DomainError is a 400 (bad input or a rule that said no).
STATUS_BY_CODE = {
    "token_required": 401,
    "token_invalid": 401,
    "token_expired": 401,
    "token_revoked": 401,
    "wallet_blocked": 403,
    "pin_locked": 403,
    "not_allowed": 403,
    "wallet_not_found": 404,
    "payment_not_found": 404,
    "service_not_found": 404,
    "device_not_found": 404,
    "favourite_not_found": 404,
    "not_found": 404,
    "method_not_allowed": 405,
    "idempotency_conflict": 409,
    "wallet_exists": 409,
    "favourite_exists": 409,
    "throttled": 429,
    "code_rate_limited": 429,
    "code_resend_wait": 429,
    "codes_exhausted": 429,
    "provider_unavailable": 503,
}
# The contract's names for params the domain calls otherwise.
PARAM_NAMES = {"left": "attempts_left"}
