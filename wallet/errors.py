from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MSG_NAME_REQUIRED = _("Введите имя и фамилию через пробел.")
MSG_NAME_LETTERS = _("Имя и фамилия пишутся буквами (можно дефис и апостроф).")
MSG_NAME_LENGTH = _("Имя и фамилия — от 2 до 60 букв каждое.")
MSG_WALLET_EXISTS = _("Кошелек с этим номером уже открыт.")
MSG_WALLET_NOT_FOUND = _(
    "Кошелек с номером %(phone)s не найден. Откройте его на сайте или в приложении ЭЛСОМ (Megacom и Beeline — "
    "также по *900#)."
)
MSG_WALLET_BLOCKED = _("Кошелек заблокирован. Обратитесь в call-центр ЭЛСОМ: %(phone)s.")
MSG_PIN_FORMAT = _("PIN — это 4 цифры.")
MSG_PIN_TRIVIAL = _("Такой PIN легко угадать. Выберите другие 4 цифры.")
MSG_PIN_SAME = _("Новый PIN совпадает с текущим.")
MSG_PIN_MISMATCH = _("PIN-коды не совпадают.")
MSG_PIN_WRONG = _("Неверный PIN. Осталось попыток: %(left)s.")
MSG_PIN_LOCKED = _("PIN заблокирован после 3 неверных вводов. Обратитесь в call-центр ЭЛСОМ: %(phone)s.")
MSG_INN_WRONG = _("ИНН не совпадает с личным ИНН владельца кошелька. Осталось попыток: %(left)s.")
MSG_INN_WRONG_LAST = _(
    "ИНН не совпадает с личным ИНН владельца кошелька. Код больше не действует: запросите новый код."
)
MSG_WALLET_BLOCKED_STAFF = _("Кошелек заблокирован: сначала его должен разблокировать старший смены.")
MSG_CASH_IN_CHANNEL = _("Неизвестный канал пополнения: %(channel)s.")
MSG_CASH_IN_LIMIT = _("Сумма больше лимита канала %(channel)s: %(limit)s сом за операцию.")


class InvalidName(DomainError):
    code = "invalid_name"


class WalletExists(DomainError):
    code = "wallet_exists"


class WalletNotFound(DomainError):
    code = "wallet_not_found"


class WalletBlocked(DomainError):
    code = "wallet_blocked"


class InvalidPin(DomainError):
    code = "invalid_pin"


class WrongPin(DomainError):
    code = "wrong_pin"


class PinLocked(DomainError):
    code = "pin_locked"


class WrongInn(DomainError):
    """A forgotten PIN: the code was right, the personal INN was not (a guess of the code's flow was spent).
    Params: left. `field`: where a form shows it."""

    code = "wrong_inn"
    field = "inn"


class InvalidCashIn(DomainError):
    code = "invalid_cash_in"
