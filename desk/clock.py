"""One place that says what time it is, so tests can freeze it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
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
