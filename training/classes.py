"""Classes and trainees: a trainer makes a class of N trainees, each a staff user of the «Стажер» role with a
sandbox of wallet numbers of their own (training.models.SANDBOX_PREFIXES), and removes it when the course is over.

Usernames are `<class-slug>-01`, `-02` … (the name transliterated to Latin letters); a name already taken (by a
trainee of a removed class: their users stay, deactivated) is skipped. Passwords are drawn here and stored only as
hashes: the caller gets them once, at creation, to hand out (the command prints them in demo mode only)."""

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from audit.models import StaffAction, StaffScope
from audit.operations import audit_record, staff_require
from audit.roles import Role, StaffPermission
from core.errors import DomainError
from training.models import SANDBOX_LAST, SANDBOX_PREFIXES, Trainee, TrainingClass

TRAINEES_MIN = 1
TRAINEES_MAX = 40
NAME_MAX = 60
SLUG_MAX = 30
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed from a sheet
PASSWORD_GROUPS = 3

MSG_NAME_REQUIRED = _("Укажите название группы.")
MSG_NAME_TOO_LONG = _("Название группы не длиннее %(max)s символов.")
MSG_NAME_TAKEN = _("Группа «%(name)s» уже есть.")
MSG_TRAINEES_RANGE = _("Число стажеров — от %(min)s до %(max)s.")
MSG_SANDBOXES_EXHAUSTED = _("Блоки номеров для стажеров закончились.")
MSG_UNKNOWN_CLASS = _("Группы «%(name)s» нет.")

# Russian and Kyrgyz letters as Latin ones, for the usernames (people type them from a sheet).
_LATIN = str.maketrans(
    {
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
        "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r",
        "с": "s", "т": "t", "у": "u", "ү": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
        "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    }
)  # fmt: skip


class ClassRefused(DomainError):
    code = "class_refused"


class ClassNotFound(DomainError):
    code = "class_not_found"


@dataclass(frozen=True)
class NewTrainee:
    username: str
    password: str


def class_slug(name: str) -> str:
    """«Группа 1» -> "gruppa-1": the usernames' stem."""
    slug = slugify(name.lower().translate(_LATIN))[:SLUG_MAX].strip("-")
    return re.sub(r"-+", "-", slug) or "class"


def class_name_clean(name: str) -> str:
    text = " ".join((name or "").split())
    if not text:
        raise ClassRefused(MSG_NAME_REQUIRED)
    if len(text) > NAME_MAX:
        raise ClassRefused(MSG_NAME_TOO_LONG, max=NAME_MAX)
    return text


def trainee_password() -> str:
    return "-".join("".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(4)) for _ in range(PASSWORD_GROUPS))


def _usernames(slug: str, count: int) -> list[str]:
    """`count` free usernames `<slug>-NN`, counting up past the taken ones."""
    taken = set(get_user_model().objects.filter(username__startswith=f"{slug}-").values_list("username", flat=True))
    names: list[str] = []
    number = 0
    while len(names) < count:
        number += 1
        username = f"{slug}-{number:02d}"
        if username not in taken:
            names.append(username)
    return names


def trainee_scope_prefixes(trainee: Trainee) -> list[str]:
    """The number prefixes of the trainee's sandbox, one per operator (+996 555 9BBB, 770 9BBB, 700 9BBB): what
    their StaffScope lets them see and act on."""
    return [trainee.sandbox_phone(operator, 0)[:-2] for operator in SANDBOX_PREFIXES]


@transaction.atomic
def training_class_create(*, name: str, trainees: int, actor) -> tuple[TrainingClass, list[NewTrainee]]:
    """Make the class and its `trainees` staff users («Стажер», each with a sandbox block); return them with
    their passwords, which exist in clear only in this return value."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    name = class_name_clean(name)
    if not TRAINEES_MIN <= trainees <= TRAINEES_MAX:
        raise ClassRefused(MSG_TRAINEES_RANGE, min=TRAINEES_MIN, max=TRAINEES_MAX)
    if _class_named(name) is not None:
        raise ClassRefused(MSG_NAME_TAKEN, name=name)
    first_block = (Trainee.objects.aggregate(last=Max("sandbox"))["last"] or 0) + 1
    if first_block + trainees - 1 > SANDBOX_LAST:
        raise ClassRefused(MSG_SANDBOXES_EXHAUSTED)
    try:
        with transaction.atomic():  # the unique name decides between two trainers naming a class alike at once
            training_class = TrainingClass.objects.create(
                name=name, created_by=actor if actor is not None and actor.is_authenticated else None
            )
    except IntegrityError:
        raise ClassRefused(MSG_NAME_TAKEN, name=name) from None
    group = Group.objects.get(name=Role.TRAINEE)
    user_model = get_user_model()
    made: list[NewTrainee] = []
    for offset, username in enumerate(_usernames(class_slug(name), trainees)):
        password = trainee_password()
        user = user_model.objects.create_user(username, password=password, is_staff=True)
        user.groups.add(group)
        trainee = Trainee.objects.create(user=user, training_class=training_class, sandbox=first_block + offset)
        StaffScope.objects.create(user=user, prefixes=trainee_scope_prefixes(trainee))
        made.append(NewTrainee(username=username, password=password))
    audit_record(
        actor=actor,
        action=StaffAction.CLASS_CREATE,
        reason=f"Учебная группа «{name}»: {trainees} стажеров",
        after={"class": name, "trainees": [row.username for row in made]},
    )
    return training_class, made


@transaction.atomic
def training_class_delete(*, training_class: TrainingClass, actor) -> None:
    """Remove the class: its trainees' users are deactivated (the audit log names them, so they stay) and keep
    their sandbox blocks; the class row goes."""
    staff_require(actor, StaffPermission.RUN_TRAINING)
    training_class = TrainingClass.objects.select_for_update().get(pk=training_class.pk)
    trainees = list(Trainee.objects.filter(training_class=training_class).select_related("user"))
    usernames = [trainee.user.get_username() for trainee in trainees]
    get_user_model().objects.filter(pk__in=[trainee.user_id for trainee in trainees]).update(is_active=False)
    Trainee.objects.filter(pk__in=[trainee.pk for trainee in trainees]).update(training_class=None)
    audit_record(
        actor=actor,
        action=StaffAction.CLASS_DELETE,
        reason=f"Учебная группа «{training_class.name}» удалена: {len(usernames)} стажеров отключены",
        before={"class": training_class.name, "trainees": usernames},
    )
    training_class.delete()


def _class_named(name: str) -> TrainingClass | None:
    """The class of that name, whatever the case (compared here: SQLite folds the case of Latin letters only)."""
    wanted = " ".join((name or "").split()).casefold()
    return next((c for c in TrainingClass.objects.all() if c.name.casefold() == wanted), None)


def training_class_get(*, name: str) -> TrainingClass:
    found = _class_named(name)
    if found is None:
        raise ClassNotFound(MSG_UNKNOWN_CLASS, name=name)
    return found


def training_classes_list():
    """The classes, newest first, each with its trainees (and their users) prefetched: two queries in all."""
    trainees = Trainee.objects.select_related("user").order_by("user__username")
    return TrainingClass.objects.select_related("created_by").prefetch_related(Prefetch("trainees", queryset=trainees))
