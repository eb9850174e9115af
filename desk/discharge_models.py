"""The tables of ward discharge: who covers which ward, what stands before the door, delayed days, pick-ups.

Imported by desk.models, so every table is on the one metadata Alembic and the
tests see. The schema is made by migration 0009, which also gives the
admission (desk.models.Admission) its plan: the discharge ready date, the
pathway, the day the package must be ready. Times are stored in UTC; days (a
discharge ready date, a delayed day) are UK local dates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from desk.models import Versioned, _versioned
from desk.types import UTCDateTime


class WardCover(SQLModel, table=True):
    """A ward a discharge co-ordinator covers: their ward screen lists its patients, from any zone."""

    staff_id: int = Field(primary_key=True, foreign_key="staff.id")
    ward_id: int = Field(primary_key=True, foreign_key="organisation.id")


class DischargeTask(Versioned, SQLModel, table=True):
    """One thing standing between the patient and the door, with its owner and state.

    ``kind`` is one of desk.vocabulary.DISCHARGE_TASKS; ``state`` one of
    desk.vocabulary.TASK_STATES (outstanding, in hand, done, not needed).
    Every change is in the history with who, when and why.
    """

    __table_args__ = (UniqueConstraint("admission_id", "kind", name="uq_dischargetask_kind"),)

    id: int | None = Field(default=None, primary_key=True)
    admission_id: int = Field(foreign_key="admission.id", index=True)
    kind: str
    owner: str = ""
    state: str = "outstanding"
    note: str = ""
    updated_at: datetime = Field(sa_type=UTCDateTime)
    updated_by_id: int | None = Field(default=None, foreign_key="staff.id")
    version: int = _versioned()


class DelayDay(SQLModel, table=True):
    """One day a patient stayed in hospital after their discharge ready date, with the reason it had that day.

    A day keeps its own row: changing the reason today never rewrites
    yesterday. ``carried`` marks a day that took the reason of the day
    before, because nobody changed it (recorded by the desk, not typed).
    ``zone_id`` is the person's zone on the day, so the counts per zone
    hold when a person moves.
    """

    # The delays view counts a year of days per zone, reason and month from these indexes alone.
    __table_args__ = (
        Index("ix_delayday_day", "day", "zone_id", "reason"),
        Index("ix_delayday_zone_day", "zone_id", "day", "reason"),
    )

    admission_id: int = Field(primary_key=True, foreign_key="admission.id")
    day: date = Field(primary_key=True)
    zone_id: str = Field(foreign_key="zone.id")
    reason: str  # desk.vocabulary.DELAY_REASONS
    owner: str = ""
    carried: bool = False
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by_id: int | None = Field(default=None, foreign_key="staff.id")
    note: str = ""


class ZonePickup(Versioned, SQLModel, table=True):
    """A discharge the zone must pick up: on every desk of the zone until someone acknowledges it.

    Raised like a reminder: ``next_raise_at`` is claimed with a conditional
    update, so one desk raises it each time, and it is raised again after an
    interval until ``acknowledged_at`` is set.
    """

    __table_args__ = (
        Index("ix_zonepickup_zone_ack", "zone_id", "acknowledged_at"),
        Index("ix_zonepickup_raise", "acknowledged_at", "next_raise_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    admission_id: int = Field(foreign_key="admission.id", unique=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    zone_id: str = Field(foreign_key="zone.id")
    discharged_at: datetime = Field(sa_type=UTCDateTime)
    put_in_place: str  # what was put in place, in words a co-ordinator reads
    who_to_ring: str = ""  # name and number
    made_at: datetime = Field(sa_type=UTCDateTime)
    made_by_id: int | None = Field(default=None, foreign_key="staff.id")
    next_raise_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    raised_count: int = 0
    raised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    raised_by_desk: str = ""
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_by_id: int | None = Field(default=None, foreign_key="staff.id")
    acknowledged_note: str = ""
    version: int = _versioned()
