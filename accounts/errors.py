from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MSG_ACCOUNT_EXISTS = _("Для этого кошелька уже есть вход на сайт. Войдите с паролем.")
MSG_EMAIL_TAKEN = _("Этот email уже используется другим кошельком.")
MSG_CODE_TOO_MANY = _("Слишком много кодов на этот номер. Попробуйте через час.")


class WebAccountExists(DomainError):
    code = "web_account_exists"


class CodeRateLimited(DomainError):
    code = "code_rate_limited"
