"""The demo's SMS gateway with faults for chosen numbers (training scenario «Не пришло SMS»).

Messages to a number listed in the training app's table (training.SmsGatewayFault, set and lifted from the trainer's
board) fail as an unreachable gateway would; every other message goes to SMS_FAULTS_DELEGATE (the virtual phone in
demo mode). The table is read at each send, so `send_sms --loop` in another process sees a fault the moment the
trainer sets it."""

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

from sms.backends.base import BaseBackend

DEFAULT_DELEGATE = "sms.backends.virtual.VirtualPhoneBackend"


class SmsGatewayUnreachable(Exception):
    """What the outbox records as the delivery error (and retries later, like any gateway failure)."""


def delegate_path() -> str:
    return getattr(settings, "SMS_FAULTS_DELEGATE", DEFAULT_DELEGATE)


def number_is_failing(phone: str) -> bool:
    # Looked up by name: the SMS layer does not import the training app, which may not be installed.
    if not apps.is_installed("training"):
        return False
    return apps.get_model("training", "SmsGatewayFault").objects.filter(phone=phone).exists()


class FailingNumbersBackend(BaseBackend):
    def __init__(self) -> None:
        self.delegate = import_string(delegate_path())()

    def send(self, message) -> None:
        if number_is_failing(message.phone):
            raise SmsGatewayUnreachable("SMS gateway: the subscriber is unreachable (training fault)")
        self.delegate.send(message)
