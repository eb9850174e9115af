"""Dates as people type them, and as the NHS shows them."""

from __future__ import annotations

import re
from datetime import date, datetime

from desk import clock
from desk.errors import InvalidInput

_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%d%m%Y")
OLDEST_YEARS = 125


def parse(text: str) -> date | None:
    """A date from the common UK forms (23/11/1944, 23-Nov-1944, 1944-11-23), or None."""
    t = re.sub(r"\s+", " ", (text or "").strip())
    for fmt in _FORMATS:
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    return None


def date_of_birth(text: str | date, field: str = "date_of_birth") -> date:
    """A believable date of birth, or :class:`InvalidInput` saying what is wrong."""
    if isinstance(text, date):
        value: date | None = text
    else:
        if not (text or "").strip():
            raise InvalidInput(field, "Date of birth is required, e.g. 23/11/1944.")
        value = parse(text)
        if value is None:
            raise InvalidInput(field, f"'{text}' is not a date: type it as 23/11/1944 or 23-Nov-1944.")
    assert value is not None
    today = clock.today()
    if value > today:
        raise InvalidInput(field, f"Date of birth {nhs_style(value)} is in the future: check the year.")
    if clock.age_on(value, today) > OLDEST_YEARS:
        raise InvalidInput(
            field, f"Date of birth {nhs_style(value)} would make them over {OLDEST_YEARS}: check the year."
        )
    return value


def nhs_style(d: date | None) -> str:
    """``23-Nov-1944``, the NHS banner's form."""
    return d.strftime("%d-%b-%Y") if d else ""
