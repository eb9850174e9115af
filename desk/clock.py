"""One place that says what time it is, so tests can freeze it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def _wall_clock() -> datetime:
    return datetime.now(UTC)


_now: Callable[[], datetime] = _wall_clock


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return _now()


def today() -> date:
    """Today's date on the office wall clock (Europe/London), not in UTC."""
    return now().astimezone(LONDON).date()


def nearest_at(wall: time, *, at: datetime | None = None) -> datetime:
    """The office-clock time ``wall`` (14:30) nearest to now, as UTC: today's, or tomorrow's when today's is
    more than 12 hours gone.

    So a time typed late in the evening for a night shift's visit just after
    midnight ("00:15" at 23:50) is tomorrow's, while "14:00" typed at 15:00 is
    today's and has passed, which the caller says.
    """
    now = at or _now()
    day = now.astimezone(LONDON).date()
    then = datetime.combine(day, wall, tzinfo=LONDON).astimezone(UTC)
    if now - then > timedelta(hours=12):
        then = datetime.combine(day + timedelta(days=1), wall, tzinfo=LONDON).astimezone(UTC)
    return then


def set_clock(fn: Callable[[], datetime] | None) -> None:
    """Replace the clock (tests); ``None`` restores the real one."""
    global _now
    _now = fn if fn is not None else _wall_clock


@contextmanager
def held_at(at: datetime) -> Iterator[None]:
    """The clock stopped at ``at`` for a block, then as it was: a seed recording its stays through the services."""
    global _now
    before = _now

    def stopped() -> datetime:
        return at

    _now = stopped
    try:
        yield
    finally:
        _now = before


def local(dt: datetime) -> datetime:
    """A stored UTC time as the office reads it."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(LONDON)


def age_on(dob: date, on: date) -> int:
    """Whole years of age on a date."""
    return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))
