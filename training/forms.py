"""Forms of the trainer's board. They only validate; the views call one training function with the cleaned data."""

from django import forms
from django.utils.translation import gettext_lazy as _

from demo.constants import DEMO_WALLETS
from training.models import Trainee, TrainingClass
from training.scenarios import SCENARIOS, Scenario
from wallet.models import Wallet

RECENT_WALLETS = 30


class WalletChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, wallet: Wallet) -> str:
        marks = [wallet.get_operator_display()]
        if wallet.status != "active":
            marks.append(str(_("заблокирован")))
        if wallet.pin_locked_at is not None:
            marks.append(str(_("PIN заблокирован")))
        return f"{wallet.phone} · {wallet.full_name} · {', '.join(marks)}"


def wallet_choices():
    """The seed's demo wallets and the newest others (fresh training wallets among them), in one query."""
    recent = list(Wallet.objects.order_by("-created_at", "-id").values_list("pk", flat=True)[:RECENT_WALLETS])
    seed_phones = [row.phone for row in DEMO_WALLETS]
    return (Wallet.objects.filter(pk__in=recent) | Wallet.objects.filter(phone__in=seed_phones)).order_by(
        "-created_at", "-id"
    )


class StartForm(forms.Form):
    wallet = WalletChoiceField(
        label=_("Кошелек"),
        queryset=Wallet.objects.none(),
        required=False,
        empty_label=_("новый демо-кошелек"),
    )

    def __init__(self, *args, scenario: Scenario, wallets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scenario = scenario
        self.auto_id = f"id_{scenario.slug}_%s"
        self.fields["wallet"].queryset = wallets if wallets is not None else wallet_choices()
        if scenario.variants:
            self.fields["variant"] = forms.ChoiceField(
                label=_("Вариант"), choices=[(v.slug, v.label) for v in scenario.variants]
            )


class ResetForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Да, вернуть демо-данные к состоянию seed_demo (учебные кошельки будут закрыты)"), required=True
    )
    reason = forms.CharField(label=_("Причина (необязательно)"), max_length=200, required=False)


class ClassForm(forms.Form):
    name = forms.CharField(label=_("Название группы"), max_length=60)
    trainees = forms.IntegerField(label=_("Число стажеров"), min_value=1, max_value=40, initial=10)


def assign_choices() -> list[tuple[str, str]]:
    """Every scenario, a scenario with variants once per variant: "slug" or "slug/variant", «4. Заблокирован PIN»."""
    choices = []
    for scenario in SCENARIOS.values():
        label = f"{scenario.number}. {scenario.title}"
        if scenario.variants:
            choices += [(f"{scenario.slug}/{v.slug}", f"{label} — {v.label}") for v in scenario.variants]
        else:
            choices.append((scenario.slug, label))
    return choices


class AssignForm(forms.Form):
    """A case for the whole class (no trainee chosen) or for one of its trainees."""

    case = forms.ChoiceField(label=_("Случай"))
    trainee = forms.ModelChoiceField(
        label=_("Кому"), queryset=Trainee.objects.none(), required=False, empty_label=_("всем стажерам группы")
    )

    def __init__(self, *args, training_class: TrainingClass, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = assign_choices()
        self.fields["trainee"].queryset = (
            Trainee.objects.filter(training_class=training_class, user__is_active=True)
            .select_related("user")
            .order_by("user__username")
        )
        self.fields["trainee"].label_from_instance = lambda trainee: trainee.user.get_username()

    def clean(self):
        cleaned = super().clean()
        slug, _sep, variant = (cleaned.get("case") or "").partition("/")
        cleaned["scenario"], cleaned["variant"] = slug, variant
        return cleaned
