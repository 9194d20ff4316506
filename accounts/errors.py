from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MSG_ACCOUNT_EXISTS = _("Для этого кошелька уже есть вход на сайт. Войдите с паролем.")
MSG_EMAIL_TAKEN = _("Этот email уже используется другим кошельком.")
MSG_CODE_TOO_MANY = _("Слишком много кодов на этот номер. Попробуйте через час.")
# What a code flow tells the holder, the same on the website and in the app.
MSG_CODE_WAIT = _("Новый код можно запросить через %(seconds)s с.")
MSG_CODE_NO_MORE = _("Коды на этот номер закончились. Начните заново через час.")
MSG_CODE_WRONG = _("Неверный код. Осталось попыток: %(left)s.")
MSG_CODE_EXPIRED = _("Срок действия кода истек (5 минут). Запросите новый код.")
MSG_CODE_VOID = _("Код недействителен после 3 неверных вводов. Запросите новый код.")


class WebAccountExists(DomainError):
    code = "web_account_exists"


class CodeRateLimited(DomainError):
    code = "code_rate_limited"
