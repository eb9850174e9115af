"""The crisis line's tables: duty roster, crises, bookings, liaison, crisis plans, reminders.

Imported by desk.models, so every table is on the one metadata Alembic and the
tests see. The schema is made by migration 0004. Times are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from desk.models import Versioned, _versioned
from desk.types import UTCDateTime

# --- duty roster ------------------------------------------------------------


class Shift(Versioned, SQLModel, table=True):
    """Someone on duty in a zone, in one discipline, from a start to an end (a night crosses midnight)."""

    __table_args__ = (Index("ix_shift_zone_discipline_end", "zone_id", "discipline", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    zone_id: str = Field(foreign_key="zone.id")
    staff_id: int = Field(foreign_key="staff.id", index=True)
    discipline: str
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    version: int = _versioned()


class Absence(Versioned, SQLModel, table=True):
    """A member of staff away (off sick, on leave, training): no shift of theirs counts then."""

    __table_args__ = (Index("ix_absence_staff_end", "staff_id", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    kind: str
    starts_at: datetime = Field(sa_type=UTCDateTime)
    ends_at: datetime = Field(sa_type=UTCDateTime)
    note: str = ""
    version: int = _versioned()


# --- crises -----------------------------------------------------------------


class Crisis(Versioned, SQLModel, table=True):
    """A crisis escalated to a same-day assessment: what happened, where the person is, what was decided."""

    __table_args__ = (Index("ix_crisis_zone_status", "zone_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    zone_id: str = Field(foreign_key="zone.id")
    person_id: int = Field(foreign_key="person.id", index=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    call_id: int | None = Field(default=None, foreign_key="call.id")
    caller: str = ""
    what_happened: str
    need: str
    whereabouts: str
    status: str = "open"  # open | closed
    raised_at: datetime = Field(sa_type=UTCDateTime)
    raised_by_id: int | None = Field(default=None, foreign_key="staff.id")
    decision: str = ""
    decision_note: str = ""
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = _versioned()


class CrisisGap(SQLModel, table=True):
    """A discipline not sent to a crisis: nobody on duty (with the zone manager's decision) or dropped."""

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = Field(foreign_key="crisis.id", index=True)
    discipline: str
    kind: str  # nobody_on_duty | dropped
    decision: str
    decided_by_id: int | None = Field(default=None, foreign_key="staff.id")
    at: datetime = Field(sa_type=UTCDateTime)


class Booking(Versioned, SQLModel, table=True):
    """A visit booked for a crisis: booked, on the way, arrived, assessed, or cancelled with a reason."""

    __table_args__ = (Index("ix_booking_staff_visit", "staff_id", "visit_at"),)

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = Field(foreign_key="crisis.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    staff_id: int = Field(foreign_key="staff.id")
    discipline: str
    purpose: str = "assessment"  # assessment | follow_up
    visit_at: datetime = Field(sa_type=UTCDateTime)
    state: str = "booked"
    cancel_reason: str = ""
    booked_at: datetime = Field(sa_type=UTCDateTime)
    booked_by_id: int | None = Field(default=None, foreign_key="staff.id")
    arrived_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assessed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = _versioned()


class LiaisonEntry(SQLModel, table=True):
    """One party contacted about a crisis: who, by whom, when, what was agreed. Append-only."""

    id: int | None = Field(default=None, primary_key=True)
    crisis_id: int = Field(foreign_key="crisis.id", index=True)
    party: str
    contact: str = ""
    agreed: str
    at: datetime = Field(sa_type=UTCDateTime)
    by_id: int | None = Field(default=None, foreign_key="staff.id")


class CrisisPlan(Versioned, SQLModel, table=True):
    """What to do in a crisis, for one person: who to ring, what has worked, what they want."""

    person_id: int = Field(primary_key=True, foreign_key="person.id")
    who_to_ring: str = ""
    what_has_worked: str = ""
    what_they_want: str = ""
    updated_at: datetime = Field(sa_type=UTCDateTime)
    version: int = _versioned()


# --- reminders --------------------------------------------------------------


class Reminder(Versioned, SQLModel, table=True):
    """A deadline the desks must raise once: 30 minutes before a referral's clock runs out, and at it.

    The truth lives here, not in any scheduler: ``state`` goes pending, then
    raised (by exactly one desk, claimed with a conditional update), then
    acknowledged (by someone, which clears it on every desk).
    """

    __table_args__ = (
        UniqueConstraint("referral_id", "kind", name="uq_reminder_referral_kind"),
        Index("ix_reminder_state_due", "state", "due_at"),
        Index("ix_reminder_zone_state", "zone_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    zone_id: str = Field(foreign_key="zone.id")
    referral_id: int = Field(foreign_key="referral.id")
    kind: str  # before | deadline
    due_at: datetime = Field(sa_type=UTCDateTime)
    state: str = "pending"  # pending | raised | acknowledged
    raised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    raised_by_desk: str = ""
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="staff.id")
    version: int = _versioned()
