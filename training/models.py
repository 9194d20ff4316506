from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    """A run the trainer started on the board is ACTIVE until reset. A case assigned to a trainee lives its own
    life: ASSIGNED -> IN_PROGRESS (the trainee opened the caller card) -> RESOLVED / FAILED (an automatic fail of
    the rubric) / TIMED_OUT, switching by itself (training.judging). BROKEN: the case could not be staged."""

    ACTIVE = "active", _("идет")
    ASSIGNED = "assigned", _("назначен")
    IN_PROGRESS = "in_progress", _("в работе")
    RESOLVED = "resolved", _("решен")
    FAILED = "failed", _("провален")
    TIMED_OUT = "timed_out", _("время вышло")
    BROKEN = "broken", _("не удалось подготовить")
    RESET = "reset", _("сброшен")


# A trainee's case that has ended: nothing the trainee does afterwards changes its score.
RUN_FINISHED = (RunStatus.RESOLVED, RunStatus.FAILED, RunStatus.TIMED_OUT, RunStatus.BROKEN, RunStatus.RESET)


class ScenarioRun(models.Model):
    """One start of a training scenario: on which wallet, by whom, and what the scenario's check needs to know (the
    payment it made, the wallet's state before it). Who did what is in the audit log too (SCENARIO_START / RESET)."""

    scenario = models.CharField(_("сценарий"), max_length=40)
    variant = models.CharField(_("вариант"), max_length=20, blank=True)
    wallet = models.ForeignKey(
        "wallet.Wallet", verbose_name=_("кошелек"), on_delete=models.PROTECT, related_name="training_runs"
    )
    fresh_wallet = models.BooleanField(_("новый кошелек"), default=False)
    payment = models.ForeignKey(
        "services.Payment",
        verbose_name=_("платеж"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_runs",
    )
    status = models.CharField(_("статус"), max_length=12, choices=RunStatus.choices, default=RunStatus.ACTIVE)
    # A case assigned to a trainee (training_assign); empty for a run the trainer started on the board.
    trainee = models.ForeignKey(
        "training.Trainee",
        verbose_name=_("стажер"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="runs",
    )
    opened_at = models.DateTimeField(_("открыт стажером"), null=True, blank=True)
    finished_at = models.DateTimeField(_("завершен"), null=True, blank=True)
    time_limit = models.PositiveIntegerField(_("лимит времени, с"), default=900)
    score = models.PositiveSmallIntegerField(_("баллы"), null=True, blank=True)
    # What the judge found, from the audit log, the ledger and СОЧИ's register: [{"step", "label", "points", "at"}]
    # and [{"fail", "label", "at"}]. Written when the run ends; recomputed while it is open.
    steps = models.JSONField(_("шаги"), default=list, blank=True)
    auto_fail = models.JSONField(_("автоматический провал"), default=list, blank=True)
    # Never a PIN or a code: whether the demo PIN is the wallet's PIN, the state before, the email in the way ...
    facts = models.JSONField(_("данные сценария"), default=dict, blank=True)
    error = models.CharField(_("ошибка подготовки"), max_length=300, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("запустил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_runs_started",
    )
    started_at = models.DateTimeField(_("запущен"), auto_now_add=True, db_index=True)
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("сбросил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_runs_reset",
    )
    reset_at = models.DateTimeField(_("сброшен"), null=True, blank=True)

    class Meta:
        verbose_name = _("запуск сценария")
        verbose_name_plural = _("запуски сценариев")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scenario} {self.wallet_id} {self.started_at:%Y-%m-%d %H:%M}"


class SmsGatewayFault(models.Model):
    """A number the demo's SMS gateway cannot reach (sms.backends.failing): set by the scenario «Не пришло SMS»,
    lifted by the trainer, a scenario reset or training_reset."""

    phone = models.CharField(_("телефон"), max_length=13, unique=True)
    run = models.ForeignKey(
        ScenarioRun, verbose_name=_("сценарий"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("включен"), auto_now_add=True)

    class Meta:
        verbose_name = _("сбой SMS-шлюза для номера")
        verbose_name_plural = _("сбои SMS-шлюза для номеров")

    def __str__(self) -> str:
        return self.phone


# A trainee's sandbox: a block of 100 wallet numbers per operator that only their cases use, so that two trainees'
# customers never meet. Block B (1..999) is +996 555 9BBB 00..99 (Megacom), 770 9BBB … (Beeline), 700 9BBB … (O!),
# next to the scenarios' own range (+996 555 8…, 770 8…, 700 8…: training/wallets.py).
SANDBOX_PREFIXES = {"megacom": "5559", "beeline": "7709", "o": "7009"}
SANDBOX_LAST = 999
SANDBOX_SIZE = 100


class TrainingClass(models.Model):
    """A group of trainees a trainer teaches together (made by training_class_create with its staff users)."""

    name = models.CharField(_("название"), max_length=60, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("создал"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_classes_created",
    )
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)

    class Meta:
        verbose_name = _("учебная группа")
        verbose_name_plural = _("учебные группы")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class Trainee(models.Model):
    """A staff user of the «Стажер» role in a class, and their sandbox (see SANDBOX_PREFIXES).

    The row outlives its class, like its user (users named in the append-only audit log are deactivated, never
    deleted): its sandbox block stays taken, so the wallets opened in it (the ledger keeps them) are never handed
    to another trainee. A new trainee gets the block after the highest ever given."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("сотрудник"), on_delete=models.PROTECT, related_name="trainee"
    )
    training_class = models.ForeignKey(
        TrainingClass,
        verbose_name=_("учебная группа"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="trainees",
    )
    sandbox = models.PositiveSmallIntegerField(
        _("песочница"), unique=True, help_text=_("Блок номеров кошельков стажера: +996 555 9БББ 00…99.")
    )

    class Meta:
        verbose_name = _("стажер")
        verbose_name_plural = _("стажеры")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()

    def sandbox_phone(self, operator: str, index: int) -> str:
        """The `index`-th (0..99) wallet number of this trainee's sandbox for `operator` (wallet.phone.Operator)."""
        if not 0 <= index < SANDBOX_SIZE:
            raise ValueError(f"a sandbox holds {SANDBOX_SIZE} numbers per operator")
        return f"+996{SANDBOX_PREFIXES[operator]}{self.sandbox:03d}{index:02d}"

    @property
    def sandbox_range(self) -> str:
        """The Megacom block as people read it: «+996 555 9001 00…99»."""
        return f"+996 555 9{self.sandbox:03d} 00…99"
