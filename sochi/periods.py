"""Report periods: stored as '2025-12' (a month), '2025-Q4' (a quarter) or '2025' (a year), shown in the reader's
language."""

import re

from django.utils.dates import MONTHS
from django.utils.translation import gettext as _

PERIOD_RE = re.compile(r"(?P<year>[0-9]{4})(?:-(?:(?P<month>0[1-9]|1[0-2])|Q(?P<quarter>[1-4])))?", re.ASCII)
QUARTER_NUMERALS = {"1": "I", "2": "II", "3": "III", "4": "IV"}


def period_valid(period: str) -> bool:
    return bool(PERIOD_RE.fullmatch(period or ""))


def period_label(period: str) -> str:
    match = PERIOD_RE.fullmatch(period or "")
    if match is None:
        return period
    year = match["year"]
    if match["month"]:
        return f"{MONTHS[int(match['month'])]} {year}"
    if match["quarter"]:
        return _("%(quarter)s квартал %(year)s г.") % {"quarter": QUARTER_NUMERALS[match["quarter"]], "year": year}
    return _("%(year)s год") % {"year": year}
