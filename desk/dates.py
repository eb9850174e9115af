"""Dates as people type them, and as the NHS shows them."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from desk import clock
from desk.errors import InvalidInput

_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d-%b-%Y", "%d %b %Y", "%d %B %Y", "%Y-%m-%d", "%d%m%Y")
OLDEST_YEARS = 125
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.\- ](\d{1,2}|[A-Za-z]+)[/.\- ](\d{4})|(\d{2})(\d{2})(\d{4})")
_YEAR_MONTH_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if n} | {
    name.lower(): n for n, name in enumerate(calendar.month_abbr) if n
}


def parse(text: str) -> date | None:
    """A date from the common UK forms (23/11/1944, 23-Nov-1944, 1944-11-23), or None."""
    t = re.sub(r"\s+", " ", (text or "").strip())
    for fmt in _FORMATS:
        try:
            return datetime.strptime(t, fmt).date()
        except ValueError:
            continue
    return None


def impossible(text: str) -> str | None:
    """Why a date written in a form we read cannot exist (31/02/1944, 23/13/1944), or None.

    Tells "there is no such day" apart from "not written as a date", so the
    co-ordinator checks the digits rather than the way they typed them.
    """
    t = re.sub(r"\s+", " ", (text or "").strip())
    if m := _YEAR_MONTH_DAY.fullmatch(t):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DAY_MONTH_YEAR.fullmatch(t):
        day_s, month_s, year_s = (m[1], m[2], m[3]) if m[1] else (m[4], m[5], m[6])
        day, year = int(day_s), int(year_s)
        if month_s.isdigit():
            month = int(month_s)
        elif month_s.lower() in _MONTHS:
            month = _MONTHS[month_s.lower()]
        else:
            return None  # not a month's name: not written as a date at all
    else:
        return None
    if not 1 <= month <= 12:
        return f"'{text.strip()}' is impossible: there is no month {month}. Day first, then month: 23/11/1944."
    if year < 1:
        return None
    if day < 1:
        return f"'{text.strip()}' is impossible: there is no day {day}. Check the day."
    days = calendar.monthrange(year, month)[1]
    if day > days:
        name = calendar.month_name[month]
        return f"'{text.strip()}' is impossible: {name} {year} has {days} days. Check the day."
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
            raise InvalidInput(
                field, impossible(text) or f"'{text}' is not a date: type it as 23/11/1944 or 23-Nov-1944."
            )
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
