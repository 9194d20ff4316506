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


# --- sending a phone code: nothing was sent ---------------------------------------------------------------------


class CodeNotSent(DomainError):
    """No code went out; the one sent before (if any) still works."""


class CodeTooSoon(CodeNotSent):
    """A code went out less than a minute ago. Params: seconds (until the next may be asked for)."""

    code = "code_resend_wait"


class CodesExhausted(CodeNotSent):
    """The flow sent its last code; a new flow (after the hourly limits) sends again."""

    code = "codes_exhausted"


class CodeRateLimited(CodeNotSent):
    """The requester (or, against SMS bombing, the phone) had too many codes this hour."""

    code = "code_rate_limited"


# --- checking a typed code: it did not prove the phone ----------------------------------------------------------
# Their codes are the ones the app already reads in the API's errors: keep them.


class CodeRejected(DomainError):
    """The typed code proved nothing; the flow's counters say what the holder may do next."""


class CodeWrong(CodeRejected):
    """Not the code sent; guesses are left. Params: left."""

    code = "wrong_code"


class CodeExpired(CodeRejected):
    """The code lived its five minutes."""

    code = "code_expired"


class CodeVoid(CodeRejected):
    """The guesses of this code are used up: only a new code helps."""

    code = "code_void"


class CodeMissing(CodeVoid):
    """No code was sent in this flow, or it was used already (by a concurrent request, too). To the holder it is
    a void code (the same message and code): only a new one helps."""
