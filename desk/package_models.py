"""The tables of packages arranged on an assessment: findings, versions, steps, notices, reviews.

Imported by desk.models, so every table is on the one metadata Alembic and the
tests see. The schema is made by migration 0006. Times are stored in UTC;
dates (a service's start, a target) are UK local dates.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from desk.models import Versioned, _versioned
from desk.types import UTCDateTime


class AssessmentFinding(SQLModel, table=True):
    """What an assessment found in one area of need, with the level of need. Never changed once saved."""

    assessment_id: int = Field(primary_key=True, foreign_key="assessment.id")
    area: str = Field(primary_key=True)  # desk.vocabulary.AREAS_OF_NEED
    level: str  # desk.vocabulary.NEED_LEVELS
    note: str = ""


class CarePackageVersion(SQLModel, table=True):
    """One version of a package: what authorised it, who arranged it, when and why. Never changed once saved."""

    __table_args__ = (UniqueConstraint("package_id", "number", name="uq_carepackageversion_number"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="carepackage.id")
    number: int
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id", index=True)
    arranged_by_id: int | None = Field(default=None, foreign_key="staff.id")
    arranged_at: datetime = Field(sa_type=UTCDateTime)
    desk: str = ""
    why: str
    care_minutes_per_week: int = 0
    cost_per_week_pence: int = 0
    one_off_pence: int = 0


class CarePackageLine(SQLModel, table=True):
    """One service as a version of the package has it. ``line`` is the same service from version to version."""

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="carepackageversion.id", index=True)
    line: int
    service: str  # catalogue id
    provider: str  # catalogue id
    start_date: date
    end_date: date | None = None
    unit_cost_pence: int
    times: str = ""  # visits: times of day, "08:00,12:30"
    minutes: int = 0
    carers: int = 0
    days: str = ""  # visits: days of the week, "mon,tue,..."
    quantity: int = 1  # items, meals, days, nights: how many (a week, for weekly services)


class CareStep(SQLModel, table=True):
    """A package (``line`` None) or one of its services moving to a state, dated, with who did it. Append-only."""

    __table_args__ = (Index("ix_carestep_package_id", "package_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="carepackage.id")
    line: int | None = None
    state: str  # desk.packages.arrange.STATES
    happened_on: date  # the day it happened (UK local)
    at: datetime = Field(sa_type=UTCDateTime)  # when it was recorded
    by_id: int | None = Field(default=None, foreign_key="staff.id")
    confirmed_by: str = ""  # arranged: who at the provider confirmed
    note: str = ""


class ProviderNotice(Versioned, SQLModel, table=True):
    """A provider to be told about a version of a package, ticked off when told (who, when)."""

    __table_args__ = (Index("ix_providernotice_package_told", "package_id", "told_at"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="carepackage.id")
    version_id: int = Field(foreign_key="carepackageversion.id", index=True)
    provider: str  # catalogue id
    what: str
    told_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    told_by_id: int | None = Field(default=None, foreign_key="staff.id")
    version: int = _versioned()


class PackageReview(Versioned, SQLModel, table=True):
    """A package's review: a deadline in our own table, raised once by one desk, seen on every desk of the zone.

    ``state`` goes pending, then raised (claimed with a conditional update by
    desk.crisis.reminders), then done when the review is recorded, which sets
    the next one.
    """

    __table_args__ = (
        Index("ix_packagereview_state_due", "state", "due_at"),
        Index("ix_packagereview_zone_state", "zone_id", "state"),
    )

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="carepackage.id", index=True)
    person_id: int = Field(foreign_key="person.id")
    zone_id: str = Field(foreign_key="zone.id")
    kind: str  # first | yearly | discharge (four weeks after a discharge, desk.discharge)
    admission_id: int | None = Field(default=None, foreign_key="admission.id")  # migration 0009: kind discharge
    due_at: datetime = Field(sa_type=UTCDateTime)
    state: str = "pending"  # pending | raised | done
    raised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    raised_by_desk: str = ""
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by_id: int | None = Field(default=None, foreign_key="staff.id")
    outcome: str = ""  # no_change | changed | routed | ended | replaced
    assessment_id: int | None = Field(default=None, foreign_key="assessment.id")
    package_version: int | None = None
    """Changed: the number of the package version the review made (of ``package_id``)."""
    note: str = ""
    version: int = _versioned()


class AssessmentReferral(SQLModel, table=True):
    """A referral the desk made from an assessment: to the local authority (a rule met) or for a new assessment."""

    referral_id: int = Field(primary_key=True, foreign_key="referral.id")
    assessment_id: int = Field(foreign_key="assessment.id", index=True)
    kind: str  # local_authority | reassessment
    rule: str = ""  # desk.packages.la_rules: the rule that applied
    why: str = ""
    package_id: int | None = Field(default=None, foreign_key="carepackage.id")
