"""training_reset: the demo data back to what seed_demo made, with the books still consistent.

The ledger is append-only and the audit log is kept for good, and both point at wallets and payments, so nothing
that moved money is deleted. Instead:

- money is put back by new postings (wallet_balance_adjust: one per wallet, against the system account
  «training:reset»): each demo wallet of the seed gets back the balance the seed gave it (its seed cash-ins minus
  its seed payments, found by their exact keys); wallets opened during training are brought to zero and blocked
  («закрыт после обучения»). The sum of all balances stays zero and check_ledger stays clean;
- payments in progress are asked about at the provider once more (payment_attempt), pending refund requests are
  rejected (refund_reject), so nothing is left half-way;
- states are put back: the seed's wallets active / blocked / PIN-locked as the seed left them, the demo PIN
  (wallet_pin_set) and web password, no web account where the seed made none; SMS faults lifted, СОЧИ's fault
  switch at normal (if reachable), failed SMS sent again;
- what only held a moment of training is deleted: one-time codes (their rows and their SMS), USSD sessions, the
  holders' web sessions (staff stay signed in), attempt counters and django-axes lockouts;
- anything the seed would create and is missing (a wallet, a web account, the admin) is created by seed_demo.

Payment history and the SMS tied to payments stay: they are the books' record (check_ledger counts each payment's
SMS). СОЧИ's own data is DosTek group's: the wallet does not reach into it (its fault switch is set over OSMP, like
any provider's); a clean СОЧИ is `make clean`."""

import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from io import StringIO

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import transaction
from django.db.models import ProtectedError, Q, Sum
from django.utils import timezone

from accounts.models import PhoneCode, User
from audit.models import StaffAction
from audit.operations import SYSTEM, audit_reason, audit_record, staff_require
from audit.roles import StaffPermission
from core.idempotency import idempotency_key_training_reset
from core.models import Throttle
from demo.constants import DEMO_PIN, DEMO_WALLETS, DEMO_WEB_PASSWORD, DemoState, DemoWallet
from demo.table import demo_table
from services.bulkhead import worker_patience
from services.faults import FaultSwitchFailed, provider_fault_set
from services.models import Payment, PaymentStatus, Provider, RefundRequest, RefundStatus
from services.payments import payment_attempt
from services.refunds import RefundRefused, refund_reject
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_requeue
from training.errors import MSG_RESET_REFUSED, TrainingResetRefused
from training.models import RunStatus, ScenarioRun, SmsGatewayFault
from ussd.models import UssdSession
from wallet.balance import wallet_balance, wallet_balance_adjust
from wallet.models import Wallet, WalletStatus
from wallet.pin_operations import wallet_pin_set
from wallet.selectors import cash_in_total
from wallet.status import wallet_set_status

# Payments the seed made count as the seed left them: in progress or committed (a later refund is training's).
SEED_SPENT = [PaymentStatus.RESERVED, PaymentStatus.COMMITTED, PaymentStatus.REVERSED]


@dataclass
class ResetReport:
    done: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seed_output: str = ""
    seed_table: str = ""


def training_reset(*, actor=SYSTEM, reason: str = "") -> ResetReport:
    """Put the demo data back as seed_demo made it (see the module's text). Refused unless DEMO_MODE or DEBUG."""
    if not (settings.DEMO_MODE or settings.DEBUG):
        raise TrainingResetRefused(MSG_RESET_REFUSED)
    staff_require(actor, StaffPermission.RUN_TRAINING)
    why = audit_reason(f"Сброс учебных данных: {reason}" if reason.strip() else "Сброс учебных данных")
    report = ResetReport()
    key = uuid.uuid4().hex[:12]
    _faults_lift(actor=actor, reason=why, report=report)
    _payments_settle(report=report)
    _refunds_reject(actor=actor, reason=why, report=report)
    ended = ScenarioRun.objects.filter(status=RunStatus.ACTIVE).update(
        status=RunStatus.RESET, reset_at=timezone.now(), reset_by=_person(actor)
    )
    report.done.append(f"scenario runs ended: {ended}")
    _web_accounts_remove(report=report)
    seed_output = StringIO()
    call_command("seed_demo", stdout=seed_output)  # creates whatever of the seed is missing; adds nothing else
    report.seed_output = seed_output.getvalue()
    restored = sum(_seed_wallet_restore(row=row, key=key, actor=actor, reason=why) for row in DEMO_WALLETS)
    report.done.append(f"demo wallets put back: {restored} of {len(DEMO_WALLETS)} changed")
    closed = _training_wallets_close(key=key, actor=actor, reason=why)
    report.done.append(f"wallets opened in training closed: {closed}")
    _traces_clear(actor=actor, reason=why, report=report)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=StaffAction.TRAINING_RESET,
            reason=why,
            after={"key": key, "done": report.done, "warnings": report.warnings},
        )
    report.seed_table = demo_table()
    violations = books_violations()
    if violations:
        report.warnings.extend(f"check_ledger: {violation}" for violation in violations)
    else:
        report.done.append("check_ledger: clean")
    return report


def _person(actor):
    return actor if actor is not None and actor.is_authenticated else None


def _faults_lift(*, actor, reason: str, report: ResetReport) -> None:
    deleted, _rows = SmsGatewayFault.objects.all().delete()
    report.done.append(f"SMS gateway faults lifted: {deleted}")
    for provider in Provider.objects.filter(code__in=settings.OSMP_ENDPOINTS):
        try:
            provider_fault_set(provider=provider, mode="normal", count=None, delay=None, actor=actor, reason=reason)
        except FaultSwitchFailed as exc:
            report.warnings.append(f"{provider.code}: fault switch not reached ({exc}); left as it is")
        else:
            report.done.append(f"{provider.code}: fault switch at normal")


def _payments_settle(*, report: ResetReport) -> None:
    """Ask the provider about every payment in progress now (its fault is off): it commits or is refused."""
    for payment_id in Payment.objects.filter(status=PaymentStatus.RESERVED).values_list("pk", flat=True):
        with worker_patience():  # a command, not a request: the provider's full timeout
            payment_attempt(payment_id=payment_id, ignore_schedule=True)
    left = Payment.objects.filter(status=PaymentStatus.RESERVED).count()
    if left:
        report.warnings.append(f"payments still in progress (the provider did not answer): {left}")
    else:
        report.done.append("payments in progress: none left")


def _refunds_reject(*, actor, reason: str, report: ResetReport) -> None:
    rejected = 0
    for request in RefundRequest.objects.filter(status=RefundStatus.PENDING).order_by("pk"):
        try:
            refund_reject(request=request, actor=actor, reason=reason)
        except RefundRefused:  # decided at the console meanwhile
            continue
        rejected += 1
    report.done.append(f"pending refund requests rejected: {rejected}")


def _web_accounts_remove(*, report: ResetReport) -> None:
    """Web accounts the seed did not make (their emails would be «already used» in the next session)."""
    seed_accounts = [row.phone for row in DEMO_WALLETS if row.email]
    removed = 0
    for user in User.objects.filter(wallet__isnull=False).exclude(wallet__phone__in=seed_accounts):
        try:
            user.delete()
        except ProtectedError:  # someone's action refers to it: keep the row, close the account
            user.is_active, user.email = False, ""
            user.set_unusable_password()
            user.save(update_fields=["is_active", "email", "password"])
        removed += 1
    report.done.append(f"web accounts opened in training removed: {removed}")


def _lock_wallet(phone: str) -> Wallet:
    return Wallet.objects.select_for_update().select_related("ledger_account").get(phone=phone)


def _state(wallet: Wallet) -> dict:
    return {
        "status": wallet.status,
        "pin_locked": wallet.pin_locked_at is not None,
        "pin_failed_attempts": wallet.pin_failed_attempts,
        "balance": str(wallet_balance(wallet=wallet)),
    }


def _seed_balance(wallet: Wallet, row: DemoWallet) -> Decimal:
    """What the seed left on the wallet: its cash-ins minus its payments (those that did not come back), each found
    by the exact key the seed posted it under."""
    cash_ins = cash_in_total(wallet=wallet, idempotency_keys=row.cash_in_keys)
    spent = Payment.objects.filter(
        wallet=wallet, idempotency_key__in=row.payment_keys, status__in=SEED_SPENT
    ).aggregate(s=Sum("total"))["s"]
    return cash_ins - (spent or Decimal(0))


def _seed_wallet_restore(*, row: DemoWallet, key: str, actor, reason: str) -> int:
    with transaction.atomic():
        wallet = _lock_wallet(row.phone)
        before = _state(wallet)
        # The PIN as the seed set it, without an SMS: this is a restore, not an event for the holder.
        pin_changed = wallet_pin_set(
            wallet=wallet, pin=DEMO_PIN, locked=row.state == DemoState.PIN_LOCKED, actor=actor, reason=reason
        )
        status = WalletStatus.BLOCKED if row.state == DemoState.BLOCKED else WalletStatus.ACTIVE
        if wallet.status != status:
            # A restore by the portal, not a call (no caller's identity to check); the reset's entry names who.
            wallet_set_status(wallet=wallet, status=status, actor=SYSTEM, reason=reason)
        web_changed = _seed_web_account_restore(wallet=wallet, email=row.email)
        wallet_balance_adjust(
            wallet=wallet,
            target=_seed_balance(wallet, row),
            actor=actor,
            reason=reason,
            idempotency_key=idempotency_key_training_reset(reset=key, phone=wallet.phone),
        )
        after = _state(wallet)
        changed = after != before or bool(pin_changed) or web_changed
        if changed:
            audit_record(
                actor=actor,
                action=StaffAction.TRAINING_RESET,
                wallet=wallet,
                reason=reason,
                before=before,
                after={**after, "pin_rewritten": "pin_hash" in pin_changed, "web_account_restored": web_changed},
            )
    return int(changed)


def _seed_web_account_restore(*, wallet: Wallet, email: str | None) -> bool:
    if not email:
        return False
    user = User.objects.filter(wallet=wallet).first()
    if user is None:  # pragma: no cover - seed_demo ran just before and made it
        return False
    fields = []
    if user.email != email:
        user.email = email
        fields.append("email")
    if not user.is_active:
        user.is_active = True
        fields.append("is_active")
    if not user.check_password(DEMO_WEB_PASSWORD):
        user.set_password(DEMO_WEB_PASSWORD)
        fields.append("password")
    if fields:
        user.save(update_fields=fields)
    return bool(fields)


def _training_wallets_close(*, key: str, actor, reason: str) -> int:
    """Wallets the seed did not open: their money taken back to zero and the wallet blocked. They stay in the
    books and the audit log, which refer to them; their numbers are of the training range, never reused."""
    seed_phones = [row.phone for row in DEMO_WALLETS]
    closed = 0
    open_ones = (
        Wallet.objects.exclude(phone__in=seed_phones)
        .filter(Q(status=WalletStatus.ACTIVE) | ~Q(ledger_account__balance=0))
        .values_list("phone", flat=True)
    )
    for phone in list(open_ones):
        with transaction.atomic():
            wallet = _lock_wallet(phone)
            before = _state(wallet)
            wallet_balance_adjust(
                wallet=wallet,
                target=Decimal(0),
                actor=actor,
                reason=reason,
                idempotency_key=idempotency_key_training_reset(reset=key, phone=wallet.phone),
            )
            if wallet.status != WalletStatus.BLOCKED:
                wallet_set_status(
                    wallet=wallet,
                    status=WalletStatus.BLOCKED,
                    actor=SYSTEM,  # the portal closes it; the reset's entry names who
                    reason=f"{reason}: кошелек открыт во время обучения, закрыт",
                )
            audit_record(
                actor=actor,
                action=StaffAction.TRAINING_RESET,
                wallet=wallet,
                reason=reason,
                before=before,
                after=_state(wallet),
            )
        closed += 1
    return closed


def _traces_clear(*, actor, reason: str, report: ResetReport) -> None:
    requeued = sum(
        sms_requeue(message=message, actor=actor, reason=reason)
        for message in SmsMessage.objects.filter(status=SmsStatus.FAILED).order_by("pk")
    )
    report.done.append(f"failed SMS queued again: {requeued}")
    codes, _rows = SmsMessage.objects.filter(kind=SmsKind.CODE).delete()
    challenges, _rows = PhoneCode.objects.all().delete()
    report.done.append(f"one-time codes deleted: {challenges} (their SMS: {codes})")
    sessions, _rows = UssdSession.objects.all().delete()
    report.done.append(f"USSD sessions deleted: {sessions}")
    staff = {str(pk) for pk in User.objects.filter(wallet__isnull=True).values_list("pk", flat=True)}
    ended = [s.pk for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") not in staff]
    Session.objects.filter(pk__in=ended).delete()
    report.done.append(f"web sessions of holders and visitors ended: {len(ended)}")
    throttles, _rows = Throttle.objects.all().delete()
    axes_reset()
    report.done.append(f"attempt counters cleared: {throttles}, sign-in lockouts lifted")
