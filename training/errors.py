from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

MSG_UNKNOWN_SCENARIO = _("Такого сценария нет.")
MSG_UNKNOWN_VARIANT = _("У этого сценария нет такого варианта.")
MSG_NEEDS_SOCHI = _(
    "Сценарию нужен настоящий СОЧИ: DosTek group должен работать по протоколу OSMP (make run запускает СОЧИ)."
)
MSG_NEEDS_SMS_FAULTS = _(
    "Сценарию нужен учебный SMS-шлюз: SMS_BACKEND=sms.backends.failing.FailingNumbersBackend "
    "(так по умолчанию в демо-режиме)."
)
MSG_WALLET_OPERATOR = _("Для этого сценария нужен номер оператора %(operators)s, а у кошелька %(operator)s.")
MSG_WALLET_BLOCKED = _("Кошелек заблокирован: выберите активный кошелек.")
MSG_WALLET_PIN_LOCKED = _("PIN этого кошелька уже заблокирован: выберите другой кошелек или разблокируйте PIN.")
MSG_WALLET_FUNDS = _("На кошельке %(balance)s сом, для сценария нужно не меньше %(needed)s сом.")
MSG_WALLET_HAS_WEB = _("У кошелька уже есть вход на сайт: для этого сценария нужен кошелек без него.")
MSG_PREPARE_FAILED = _("Сценарий не подготовлен: %(error)s")
MSG_RESET_REFUSED = _("Сброс учебных данных работает только в демо-режиме (DEMO_MODE или DEBUG).")


class ScenarioUnavailable(DomainError):
    code = "scenario_unavailable"


class WalletNotSuitable(DomainError):
    code = "wallet_not_suitable"


class ScenarioFailed(DomainError):
    """Preparing the case went wrong (СОЧИ did not misbehave as asked, a payment did not end as expected ...)."""

    code = "scenario_failed"


class TrainingResetRefused(DomainError):
    code = "training_reset_refused"
