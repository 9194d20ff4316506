"""Companies and their users: the INN rule, create-or-update, PINs."""

import re
import unicodedata

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sochi.errors import CompanyNotFound, InvalidInput
from sochi.models import Company, CompanyStatus, CompanyUser, Role

MSG_INN_FORMAT = _("ИНН состоит ровно из 14 цифр.")
MSG_INN_FIRST_DIGIT = _("ИНН организации начинается с 0, ИНН предпринимателя — с 1 или 2.")
MSG_NAME_EMPTY = _("Укажите название организации.")
MSG_NAME_TOO_LONG = _("Название длиннее 200 знаков.")
MSG_NAME_CONTROL = _("В названии есть непечатаемые символы.")
MSG_COMPANY_NOT_FOUND = _("Организация с ИНН %(inn)s не найдена.")
MSG_PIN_FORMAT = _("ПИН-код состоит из 6 цифр.")

INN_RE = re.compile(r"[0-9]{14}", re.ASCII)
PIN_RE = re.compile(r"[0-9]{6}", re.ASCII)
NAME_MAX_LENGTH = 200
# The demo companies' well-known PINs (sochi_seed; a trainee's company registered over /osmp/companies/ too).
DEMO_PINS = {Role.DIRECTOR: "123456", Role.ACCOUNTANT: "654321"}


def inn_parse(raw: str) -> str:
    """A company's or entrepreneur's INN as typed (spaces ignored); anything else raises InvalidInput."""
    inn = re.sub(r"\s", "", raw or "")
    if not INN_RE.fullmatch(inn):
        raise InvalidInput(MSG_INN_FORMAT)
    if inn[0] not in "012":
        raise InvalidInput(MSG_INN_FIRST_DIGIT)
    return inn


def name_parse(raw: str, *, required: bool = True) -> str:
    name = " ".join((raw or "").split())
    if not name:
        if required:
            raise InvalidInput(MSG_NAME_EMPTY)
        return ""
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(MSG_NAME_TOO_LONG)
    # The name goes into XML answers and HTML: control and unassigned characters have no business there.
    if any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"} for char in name):
        raise InvalidInput(MSG_NAME_CONTROL)
    return name


def pin_parse(raw: str) -> str:
    if not PIN_RE.fullmatch(raw or ""):
        raise InvalidInput(MSG_PIN_FORMAT)
    return raw


def company_get(*, inn: str) -> Company:
    company = Company.objects.filter(inn=inn).first()
    if company is None:
        raise CompanyNotFound(MSG_COMPANY_NOT_FOUND, inn=inn)
    return company


@transaction.atomic
def company_save(
    *,
    inn: str,
    name: str,
    name_ky: str | None = None,
    closed: bool | None = None,
    accepts_payments: bool | None = None,
) -> tuple[Company, bool]:
    """Create the company with this INN, or update the fields given (None leaves a field as it is).
    Returns (company, created)."""
    inn = inn_parse(inn)
    name = name_parse(name)
    fields: dict[str, object] = {"name": name}
    if name_ky is not None:
        fields["name_ky"] = name_parse(name_ky, required=False)
    if closed is not None:
        fields["status"] = CompanyStatus.CLOSED if closed else CompanyStatus.ACTIVE
    if accepts_payments is not None:
        fields["accepts_payments"] = accepts_payments
    company = Company.objects.select_for_update().filter(inn=inn).first()
    if company is None:
        return Company.objects.create(inn=inn, **fields), True
    for field, value in fields.items():
        setattr(company, field, value)
    company.save(update_fields=list(fields))
    return company, False


def company_user_set_pin(*, company: Company, role: Role | str, pin: str, pin_hash: str | None = None) -> CompanyUser:
    """Create the user of this role or give it a new PIN (which also lifts a lock). `pin_hash` lets the demo seed
    reuse one hash for one well-known demo PIN instead of hashing it again for every user."""
    if role not in Role.values:
        raise InvalidInput(_("Неизвестная роль."))
    encoded = pin_hash or make_password(pin_parse(pin))
    user, created = CompanyUser.objects.get_or_create(company=company, role=role, defaults={"pin_hash": encoded})
    if not created:
        user.pin_hash = encoded
        user.failed_attempts = 0
        user.locked_until = None
        user.save(update_fields=["pin_hash", "failed_attempts", "locked_until"])
    return user
