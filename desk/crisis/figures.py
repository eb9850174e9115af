"""The 2-hour figure: of Crisis referrals, how many had a first face-to-face contact within 2 hours.

The NHS urgent community response standard is at least 70%. A Crisis
referral's clock (``due_at``) is received + 2 hours, stored when it was made,
so "within 2 hours" is "first contact at or before the deadline": the same
comparison on both databases, answered from the referral's index.

Counted: **met** (first contact by the deadline), **missed** (first contact
late, or none and the deadline passed), and **waiting** (no contact yet, clock
still running; not in the percentage until it is met or missed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from desk import clock, triage
from desk.crisis.roster import day_bounds
from desk.models import Person, Referral

STANDARD = 0.70
"""At least 70% of those referred seen within 2 hours."""

WINDOW_DAYS = 28


@dataclass(frozen=True)
class TwoHourCount:
    """Crisis referrals in a period: met, missed and still waiting."""

    met: int
    missed: int
    waiting: int

    @property
    def decided(self) -> int:
        """Referrals whose 2 hours are settled, met or missed."""
        return self.met + self.missed

    @property
    def percent(self) -> float | None:
        """Met as a share of those settled (None when none are)."""
        return round(100 * self.met / self.decided, 1) if self.decided else None

    @property
    def meets_standard(self) -> bool | None:
        """True at or above the 70% standard, None when nothing is settled yet."""
        return None if not self.decided else self.met / self.decided >= STANDARD


@dataclass(frozen=True)
class TwoHourFigure:
    """Today and the last 28 days (today and the 27 local days before), against the standard."""

    today: TwoHourCount
    last_28_days: TwoHourCount
    standard: float = STANDARD

    @property
    def header(self) -> str:
        """The line the crisis board's header shows."""

        def part(label: str, c: TwoHourCount) -> str:
            if c.percent is None:
                return f"{label}: none yet" + (f" ({c.waiting} waiting)" if c.waiting else "")
            return f"{label}: {c.met}/{c.decided} ({c.percent:g}%)"

        return (
            f"2-hour response {part('today', self.today)}; {part('28 days', self.last_28_days)}; "
            f"standard {self.standard:.0%}"
        )


def _count(session: Session, zone_id: str | None, start: datetime, end: datetime, now: datetime) -> TwoHourCount:
    first, due = col(Referral.first_contact_at), col(Referral.due_at)
    met = case((and_(first.is_not(None), first <= due), 1), else_=0)
    missed = case((or_(first > due, and_(first.is_(None), due < now)), 1), else_=0)
    waiting = case((and_(first.is_(None), due >= now), 1), else_=0)
    q = select(func.coalesce(func.sum(met), 0), func.coalesce(func.sum(missed), 0), func.coalesce(func.sum(waiting), 0))
    q = q.where(
        col(Referral.response) == triage.CRISIS, col(Referral.received_at) >= start, col(Referral.received_at) < end
    )
    if zone_id is not None:
        q = q.join(Person, col(Person.id) == Referral.person_id).where(Person.zone_id == zone_id)
    m, x, w = session.exec(q).one()
    return TwoHourCount(int(m), int(x), int(w))


def two_hour_figure(session: Session, zone_id: str | None = None, *, now: datetime | None = None) -> TwoHourFigure:
    """The 2-hour figure for a zone (or every zone), today and over the last 28 days."""
    at = now or clock.now()
    today = clock.local(at).date()
    today_start, _ = day_bounds(today)
    window_start, _ = day_bounds(today - timedelta(days=WINDOW_DAYS - 1))
    end = at + timedelta(microseconds=1)
    return TwoHourFigure(
        today=_count(session, zone_id, today_start, end, at),
        last_28_days=_count(session, zone_id, window_start, end, at),
    )
