"""The demo SMS gateway's faults per number (sms.backends.failing reads them), set and lifted with an audit entry:
the trainer plays the SMS operator, and the log says who made delivery fail and who repaired it."""

from django.db import transaction

from audit.models import StaffAction
from audit.operations import audit_record, staff_require
from audit.roles import StaffPermission
from training.models import ScenarioRun, SmsGatewayFault
from wallet.models import Wallet

SMS_GATEWAY = "sms-gateway"


def sms_gateway_fault_set(
    *, phone: str, actor, reason: str, run: ScenarioRun | None = None, wallet_linked: bool = True
) -> bool:
    """Delivery to `phone` fails until lifted. False: it was failing already. `wallet_linked=False`: the entry
    names the number but not its wallet (a trainee's case: the customer's card shows only the customer's doings)."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    with transaction.atomic():
        _fault, created = SmsGatewayFault.objects.get_or_create(phone=phone, defaults={"run": run})
        if created:
            _audit(phone=phone, actor=actor, reason=reason, mode="unreachable", wallet_linked=wallet_linked)
    return created


def sms_gateway_fault_lift(*, phone: str, actor, reason: str) -> bool:
    """Delivery to `phone` works again. False: there was no fault."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    with transaction.atomic():
        deleted, _rows = SmsGatewayFault.objects.filter(phone=phone).delete()
        if deleted:
            _audit(phone=phone, actor=actor, reason=reason, mode="normal")
    return bool(deleted)


def _audit(*, phone: str, actor, reason: str, mode: str, wallet_linked: bool = True) -> None:
    audit_record(
        actor=actor,
        action=StaffAction.PROVIDER_FAULT,
        wallet_id=Wallet.objects.filter(phone=phone).values_list("pk", flat=True).first() if wallet_linked else None,
        reason=reason,
        after={"provider": SMS_GATEWAY, "phone": phone, "mode": mode},
    )
