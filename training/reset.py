"""training_reset: the demo data back to what seed_demo made, with the books still consistent.

The ledger is append-only and the audit log is kept for good, and both point at wallets and payments, so nothing
that moved money is deleted. Instead:

- money is put back by new postings (one per wallet, on the system account «training:reset»): each demo wallet of
  the seed gets back the balance the seed gave it (its seed cash-ins minus its seed payments); wallets opened during
  training are brought to zero and blocked («закрыт после обучения»). The sum of all balances stays zero and
  check_ledger stays clean;
- payments in progress are asked about at the provider once more (payment_attempt), pending refund requests are
  rejected, so nothing is left half-way;
- states are put back: the seed's wallets active / blocked / PIN-locked as the seed left them, the demo PIN and web
  password, no web account where the seed made none; SMS faults lifted, СОЧИ's fault switch at normal (if reachable),
  failed SMS sent again;
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
from audit.operations import SYSTEM, audit_reason, audit_record
from core.models import Throttle
from ledger.models import AccountKind, LedgerAccount, PostingKind, Transfer
from ledger.posting import Leg, ledger_account_get_or_create, ledger_post_in_transaction
from services.faults import FaultSwitchFailed, provider_fault_set
from services.models import Payment, PaymentStatus, Provider, RefundRequest, RefundStatus
from services.payments import payment_attempt
from services.verify import books_violations
from sms.models import SmsKind, SmsMessage, SmsStatus
from sms.outbox import sms_requeue
from training.errors import MSG_RESET_REFUSED, TrainingResetRefused
from training.models import RunStatus, ScenarioRun, SmsGatewayFault
from ussd.models import UssdSession
from wallet.management.commands.seed_demo import DEMO_PIN, DEMO_WALLETS, DEMO_WEB_PASSWORD, demo_table
from wallet.models import Wallet, WalletStatus
from wallet.operations import PIN_MAX_ATTEMPTS, wallet_set_status
from wallet.pin import pin_hash_check, pin_hash_make

ADJUSTMENT_ACCOUNT = "training:reset"
ADJUSTMENT_KIND = "training_reset"  # the transfers' kind: not a top-up, so «История» does not list it
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
    adjustments = ledger_account_get_or_create(
        code=ADJUSTMENT_ACCOUNT, kind=AccountKind.CASH_IN, name="Сброс учебных данных (корректировки)"
    )
    restored = sum(
        _seed_wallet_restore(row=row, adjustments=adjustments, key=key, actor=actor, reason=why) for row in DEMO_WALLETS
    )
    report.done.append(f"demo wallets put back: {restored} of {len(DEMO_WALLETS)} changed")
    closed = _training_wallets_close(adjustments=adjustments, key=key, actor=actor, reason=why)
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
        payment_attempt(payment_id=payment_id, ignore_schedule=True)
    left = Payment.objects.filter(status=PaymentStatus.RESERVED).count()
    if left:
        report.warnings.append(f"payments still in progress (the provider did not answer): {left}")
    else:
        report.done.append("payments in progress: none left")


def _refunds_reject(*, actor, reason: str, report: ResetReport) -> None:
    rejected = 0
    for request in RefundRequest.objects.filter(status=RefundStatus.PENDING).select_related("payment"):
        with transaction.atomic():
            # Not refund_reject(): that asks for a supervisor, and the reset may run from the command line.
            if RefundRequest.objects.filter(pk=request.pk, status=RefundStatus.PENDING).update(
                status=RefundStatus.REJECTED,
                decided_by=_person(actor),
                decision_reason=reason,
                decided_at=timezone.now(),
            ):
                rejected += 1
                audit_record(
                    actor=actor,
                    action=StaffAction.REFUND_REJECT,
                    wallet_id=request.payment.wallet_id,
                    payment=request.payment,
                    reason=reason,
                    before={"refund_request": request.pk, "status": RefundStatus.PENDING},
                    after={"refund_request": request.pk, "status": RefundStatus.REJECTED},
                )
    report.done.append(f"pending refund requests rejected: {rejected}")


def _web_accounts_remove(*, report: ResetReport) -> None:
    """Web accounts the seed did not make (their emails would be «already used» in the next session)."""
    seed_accounts = [row[0] for row in DEMO_WALLETS if row[4]]
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
    wallet = Wallet.objects.select_for_update().get(phone=phone)
    wallet.ledger_account = LedgerAccount.objects.select_for_update().get(pk=wallet.ledger_account_id)
    return wallet


def _state(wallet: Wallet) -> dict:
    return {
        "status": wallet.status,
        "pin_locked": wallet.pin_locked_at is not None,
        "pin_failed_attempts": wallet.pin_failed_attempts,
        "balance": str(wallet.ledger_account.balance),
    }


def _seed_balance(wallet: Wallet) -> Decimal:
    """What the seed left on the wallet: its cash-ins minus its payments (those that did not come back)."""
    cash_ins = Transfer.objects.filter(
        credit_account_id=wallet.ledger_account_id, posting__idempotency_key__startswith=f"demo:cash-in:{wallet.phone}:"
    ).aggregate(s=Sum("amount"))["s"]
    spent = Payment.objects.filter(
        wallet=wallet, idempotency_key__startswith=f"demo:payment:{wallet.phone}:", status__in=SEED_SPENT
    ).aggregate(s=Sum("total"))["s"]
    return (cash_ins or Decimal(0)) - (spent or Decimal(0))


def _balance_set(*, wallet: Wallet, target: Decimal, adjustments: LedgerAccount, key: str) -> None:
    """One posting that brings the wallet's balance (its row locked by the caller) to `target`."""
    difference = target - wallet.ledger_account.balance
    if difference == 0:
        return
    if difference > 0:
        leg = Leg(debit=adjustments, credit=wallet.ledger_account, amount=difference, kind=ADJUSTMENT_KIND)
    else:
        leg = Leg(debit=wallet.ledger_account, credit=adjustments, amount=-difference, kind=ADJUSTMENT_KIND)
    ledger_post_in_transaction(
        idempotency_key=f"training-reset:{key}:{wallet.phone}",
        kind=PostingKind.CASH_IN,
        legs=[leg],
        reference=f"training-reset:{key}",
    )
    wallet.ledger_account.refresh_from_db(fields=["balance"])


def _seed_wallet_restore(*, row, adjustments: LedgerAccount, key: str, actor, reason: str) -> int:
    phone, _name, _inn, _language, email, _cash_ins, _payments, state = row
    with transaction.atomic():
        wallet = _lock_wallet(phone)
        before = _state(wallet)
        pin_locked = state == "pin_locked"
        updates = {}
        if not pin_hash_check(wallet_id=wallet.pk, pin=DEMO_PIN, encoded=wallet.pin_hash).ok:
            updates["pin_hash"] = pin_hash_make(wallet_id=wallet.pk, pin=DEMO_PIN)
        attempts = PIN_MAX_ATTEMPTS if pin_locked else 0
        if wallet.pin_failed_attempts != attempts:
            updates["pin_failed_attempts"] = attempts
        if pin_locked != (wallet.pin_locked_at is not None):
            updates["pin_locked_at"] = timezone.now() if pin_locked else None
        if updates:
            # The PIN as the seed set it, without an SMS: this is a restore, not an event for the holder.
            Wallet.objects.filter(pk=wallet.pk).update(**updates, updated_at=timezone.now())
            for name, value in updates.items():
                setattr(wallet, name, value)
        status = WalletStatus.BLOCKED if state == "blocked" else WalletStatus.ACTIVE
        if wallet.status != status:
            wallet_set_status(wallet=wallet, status=status, actor=actor, reason=reason)
        web_changed = _seed_web_account_restore(wallet=wallet, email=email)
        _balance_set(wallet=wallet, target=_seed_balance(wallet), adjustments=adjustments, key=key)
        after = _state(wallet)
        changed = after != before or bool(updates) or web_changed
        if changed:
            audit_record(
                actor=actor,
                action=StaffAction.TRAINING_RESET,
                wallet=wallet,
                reason=reason,
                before=before,
                after={**after, "pin_rewritten": "pin_hash" in updates, "web_account_restored": web_changed},
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


def _training_wallets_close(*, adjustments: LedgerAccount, key: str, actor, reason: str) -> int:
    """Wallets the seed did not open: their money taken back to zero and the wallet blocked. They stay in the
    books and the audit log, which refer to them; their numbers are of the training range, never reused."""
    seed_phones = [row[0] for row in DEMO_WALLETS]
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
            _balance_set(wallet=wallet, target=Decimal(0), adjustments=adjustments, key=key)
            if wallet.status != WalletStatus.BLOCKED:
                wallet_set_status(
                    wallet=wallet,
                    status=WalletStatus.BLOCKED,
                    actor=actor,
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
