"""The zone's records as SQLModel tables.

Every record two desks could change carries a ``version``; SQLAlchemy checks it
on UPDATE, so a save based on a stale read fails rather than overwrites. The
schema itself is owned by Alembic (desk/migrations); these classes describe it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import JSON, Column, Index, Table, event
from sqlalchemy.orm import declared_attr
from sqlmodel import Field, SQLModel

from desk import names
from desk.types import UTCDateTime

# The vocabularies live in desk.vocabulary (no ORM there, so a screen can use them
# before SQLAlchemy has loaded); they are named here too, where the tables use them.
from desk.vocabulary import CALL_REASONS as CALL_REASONS
from desk.vocabulary import CALLER_KINDS as CALLER_KINDS
from desk.vocabulary import DISCIPLINES as DISCIPLINES
from desk.vocabulary import ORG_KINDS as ORG_KINDS
from desk.vocabulary import ROLES as ROLES
from desk.vocabulary import SEXES as SEXES
from desk.vocabulary import URGENCIES as URGENCIES


def _versioned() -> Any:
    return Field(default=1, nullable=False)


class Versioned:
    """Mixin: optimistic locking on the ``version`` column."""

    __table__: ClassVar[Table]  # made by SQLModel for each table class; named here for the type checker

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


def saved_id(value: int | None) -> int:
    """The id of a record that has been flushed: the database gave it one, so it is never None here."""
    if value is None:
        raise ValueError("the record has no id yet: flush the session before asking for it")
    return value


# --- reference data ---------------------------------------------------------


class Zone(SQLModel, table=True):
    """An integrated zone: a cluster of GP practices with one phone line."""

    id: str = Field(primary_key=True, max_length=8)
    name: str
    phone_e164: str = Field(index=True)


class Practice(SQLModel, table=True):
    """A GP practice; its zone is the zone of everyone registered with it."""

    ods_code: str = Field(primary_key=True, max_length=8)
    name: str
    zone_id: str = Field(foreign_key="zone.id", index=True)
    phone_e164: str = Field(index=True)
    phone_raw: str = ""
    phone_valid: bool = True


class Organisation(SQLModel, table=True):
    """A ward, care home or ambulance service that rings the line."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str
    name: str
    zone_id: str | None = Field(default=None, foreign_key="zone.id")
    phone_e164: str = Field(index=True)
    phone_raw: str = ""
    phone_valid: bool = True


class Staff(SQLModel, table=True):
    """A member of the zone's team."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    role: str
    zone_id: str = Field(foreign_key="zone.id", index=True)
    phone_e164: str | None = Field(default=None, index=True)
    active: bool = True


# --- people -----------------------------------------------------------------


class Person(Versioned, SQLModel, table=True):
    """Someone registered with a zone practice: the subject of calls and care."""

    __table_args__ = (
        Index("ix_person_family_key", "family_key", "given_key"),
        Index("ix_person_zone_family", "zone_id", "family_key"),
        # migration 0002: search results in order, per zone and by postcode
        Index("ix_person_zone_family_given", "zone_id", "family_key", "given_key"),
        Index("ix_person_postcode_family", "postcode_key", "family_key", "given_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    nhs_number: str = Field(unique=True, max_length=10)
    family_name: str
    given_name: str
    # desk.names.key of each name (accents, apostrophes, hyphens, spaces and case folded away):
    # prefix search by B-tree, substring by trigram (migrations 0002, 0003). Set from the names
    # on every insert and update (_name_keys below), whatever the writer passed.
    family_key: str = ""
    given_key: str = ""
    date_of_birth: date = Field(index=True)
    sex: str = ""
    address: str = ""
    postcode: str = ""
    postcode_key: str = Field(default="", index=True)  # upper, no spaces
    phone_e164: str | None = Field(default=None, index=True)
    phone_raw: str = ""
    phone_valid: bool = True
    phone_rev: str = Field(default="", index=True)  # national digits reversed: "last digits" search
    practice_id: str = Field(foreign_key="practice.ods_code", index=True)
    zone_id: str = Field(foreign_key="zone.id")
    lives_alone: bool = False
    conditions: str = ""  # long-term conditions, comma separated
    key_worker_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = Field(sa_type=UTCDateTime)
    version: int = _versioned()


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _name_keys(_mapper: Any, _connection: Any, person: Person) -> None:
    """Keep a person's search keys the folded form of their names, on every write through the ORM."""
    person.family_key = names.key(person.family_name)
    person.given_key = names.key(person.given_name)


class Contact(Versioned, SQLModel, table=True):
    """A carer, relative or neighbour of a person, with the number they ring from."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    name: str
    relationship: str
    is_carer: bool = False
    phone_e164: str | None = Field(default=None, index=True)
    phone_raw: str = ""
    phone_valid: bool = True
    version: int = _versioned()


class Involvement(Versioned, SQLModel, table=True):
    """A professional working with a person (health or social side)."""

    # migration 0002: "my caseload" (a professional's open involvements)
    __table_args__ = (Index("ix_involvement_staff_open", "staff_id", "ended_on", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    discipline: str
    started_on: date
    ended_on: date | None = None
    version: int = _versioned()


class Alert(Versioned, SQLModel, table=True):
    """Something everyone must know before they ring or visit (a dog, a key safe, a risk)."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    text: str
    raised_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = _versioned()


class CarePackage(Versioned, SQLModel, table=True):
    """The social and home care arranged for a person: its current state.

    Every change is also kept as a numbered version (desk.package_models.CarePackageVersion,
    made by desk.packages.arrange); this row and its items are the newest version as
    the caseload, record and timeline read it.
    """

    # migration 0006: the trust-wide waiting list reads packages not yet available by their 28-day target
    __table_args__ = (Index("ix_carepackage_waiting", "available_on", "target_on"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: str = "active"  # active | ended: open or not, as the caseload counts it (``state`` says more)
    started_on: date
    ended_on: date | None = None
    review_due: date | None = None
    version: int = _versioned()
    # migration 0006, packages on an assessment: where the package is in its life
    # (desk.packages.arrange.STATES), its newest version's number, and the 28-day target.
    state: str = Field(default="active", sa_column_kwargs={"server_default": "active"})
    current_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    requested_on: date | None = None
    available_on: date | None = None
    target_on: date | None = None


class CarePackageItem(Versioned, SQLModel, table=True):
    """One service in a package: home care visits, meals, telecare, a day centre.

    ``service`` and ``provider`` are the names people read; a service arranged
    through desk.packages also carries the catalogue's ids and its line number,
    which stays the same from version to version of the package.
    """

    # migration 0006: the trust-wide waiting list reads equipment not yet delivered by its 7-day target
    __table_args__ = (Index("ix_carepackageitem_waiting", "available_on", "target_on"),)

    id: int | None = Field(default=None, primary_key=True)
    package_id: int = Field(foreign_key="carepackage.id", index=True)
    service: str
    detail: str = ""
    provider: str = ""
    start_date: date
    end_date: date | None = None
    weekly_cost_pence: int = 0
    version: int = _versioned()
    # migration 0006: the line in the package's versions, catalogue ids, state, and the 7-day target (equipment)
    line: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    service_id: str = Field(default="", sa_column_kwargs={"server_default": ""})
    provider_id: str = Field(default="", sa_column_kwargs={"server_default": ""})
    state: str = Field(default="active", sa_column_kwargs={"server_default": "active"})
    requested_on: date | None = None
    available_on: date | None = None
    target_on: date | None = None


class Referral(Versioned, SQLModel, table=True):
    """A request for a professional's help; its dates give the service's three measures."""

    # migration 0004: the 2-hour figure reads Crisis referrals by when they came in
    __table_args__ = (
        Index("ix_referral_response_received", "response", "received_at"),
        Index("ix_referral_status_response", "status", "response"),  # migration 0008: the crisis board's open ones
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    received_at: datetime = Field(sa_type=UTCDateTime)
    source: str = ""
    discipline: str
    reason: str = ""
    urgency: str = "normal"
    crisis: bool = False
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    first_contact_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assessed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    services_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = "open"  # open | closed
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    call_id: int | None = Field(default=None, foreign_key="call.id")
    version: int = _versioned()
    # migration 0004, the crisis line: the response (desk.triage.RESPONSES) and its lead as
    # confirmed, what the desk proposed, why they differ, and who recorded each interval.
    response: str = Field(default="normal", sa_column_kwargs={"server_default": "normal"})
    lead: str = Field(default="", sa_column_kwargs={"server_default": ""})
    ucr_need: str = Field(default="", sa_column_kwargs={"server_default": ""})
    proposed_response: str = Field(default="", sa_column_kwargs={"server_default": ""})
    proposed_lead: str = Field(default="", sa_column_kwargs={"server_default": ""})
    change_why: str = Field(default="", sa_column_kwargs={"server_default": ""})
    triaged_by_id: int | None = Field(default=None, foreign_key="staff.id")
    first_contact_by_id: int | None = Field(default=None, foreign_key="staff.id")
    first_contact_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    assessed_by_id: int | None = Field(default=None, foreign_key="staff.id")
    assessed_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    services_by_id: int | None = Field(default=None, foreign_key="staff.id")
    services_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Admission(Versioned, SQLModel, table=True):
    """A hospital stay; open while ``discharged_at`` is empty.

    From migration 0009 it also holds the discharge plan made on the ward
    (desk.discharge): the discharge ready date, the pathway, the day the
    package must be ready, and how the stay ended.
    """

    # migration 0009: a ward's patients in hospital now, and a year of discharges for the delays view
    __table_args__ = (
        Index("ix_admission_ward_open", "ward_id", "discharged_at"),
        Index("ix_admission_discharged", "discharged_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    ward_id: int = Field(foreign_key="organisation.id")
    admitted_at: datetime = Field(sa_type=UTCDateTime)
    medically_fit_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    discharged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = _versioned()
    # migration 0009, ward discharge: why admitted and who recorded it; when a co-ordinator checked it
    # (history and package before); the package suspended for the stay.
    reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    recorded_by_id: int | None = Field(default=None, foreign_key="staff.id")
    checked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked_by_id: int | None = Field(default=None, foreign_key="staff.id")
    package_id: int | None = Field(default=None, foreign_key="carepackage.id")
    # The plan from the ward's multidisciplinary meeting: the discharge ready date (UK local day), the
    # pathway (desk.vocabulary.PATHWAYS: "0" to "3"), the patient's and family's involvement, the day the
    # package must be ready, and for pathway 3 the care home placed in.
    ready_on: date | None = None
    ready_recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    ready_recorded_by_id: int | None = Field(default=None, foreign_key="staff.id")
    pathway: str = Field(default="", sa_column_kwargs={"server_default": ""})
    involved: bool = False
    involved_note: str = Field(default="", sa_column_kwargs={"server_default": ""})
    package_ready_by: date | None = None
    placement_id: int | None = Field(default=None, foreign_key="organisation.id")
    placement_note: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # The delay as it stands today (each day's own reason is a desk.discharge_models.DelayDay).
    delay_reason: str = Field(default="", sa_column_kwargs={"server_default": ""})
    delay_owner: str = Field(default="", sa_column_kwargs={"server_default": ""})
    # How the stay ended: who recorded the discharge, a note, and the reason given when the
    # package was not confirmed by its provider.
    discharged_by_id: int | None = Field(default=None, foreign_key="staff.id")
    discharge_note: str = Field(default="", sa_column_kwargs={"server_default": ""})
    unconfirmed_why: str = Field(default="", sa_column_kwargs={"server_default": ""})


class Assessment(SQLModel, table=True):
    """A professional's assessment of a person's needs. Never changed once saved.

    A correction is a new assessment naming the one it corrects (``corrects_id``).
    Its findings, one per area of need assessed, are
    desk.package_models.AssessmentFinding rows.
    """

    # migration 0006: a person's latest assessments, newest first
    __table_args__ = (Index("ix_assessment_person_at", "person_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    discipline: str
    at: datetime = Field(sa_type=UTCDateTime)
    summary: str = ""
    # migration 0006: the role assessed in (desk.vocabulary.ASSESSOR_ROLES), where, what is recommended,
    # who recorded it if not the assessor (a co-ordinator taking it by phone), when, and what it corrects.
    assessor_role: str = Field(default="", sa_column_kwargs={"server_default": ""})
    place: str = Field(default="", sa_column_kwargs={"server_default": ""})
    recommendations: str = Field(default="", sa_column_kwargs={"server_default": ""})
    recorded_by_id: int | None = Field(default=None, foreign_key="staff.id")
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    corrects_id: int | None = Field(default=None, foreign_key="assessment.id")
    correction_why: str = Field(default="", sa_column_kwargs={"server_default": ""})


class Visit(SQLModel, table=True):
    """A home visit by a professional or support worker."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    staff_id: int = Field(foreign_key="staff.id")
    discipline: str
    at: datetime = Field(sa_type=UTCDateTime)
    note: str = ""


# --- calls ------------------------------------------------------------------


class Call(Versioned, SQLModel, table=True):
    """A call on the zone line: who rang, about whom, why, what was done."""

    __table_args__ = (Index("ix_call_zone_started", "zone_id", "started_at"),)

    id: int | None = Field(default=None, primary_key=True)
    zone_id: str = Field(foreign_key="zone.id")
    started_at: datetime = Field(sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    caller_raw: str = ""
    caller_e164: str | None = None
    caller_kind: str = "unknown"
    caller_name: str = ""
    caller_person_id: int | None = Field(default=None, foreign_key="person.id")
    caller_contact_id: int | None = Field(default=None, foreign_key="contact.id")
    caller_practice_id: str | None = Field(default=None, foreign_key="practice.ods_code")
    caller_org_id: int | None = Field(default=None, foreign_key="organisation.id")
    person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    reason: str = ""
    notes: str = ""
    outcome: str = ""
    taken_by_id: int = Field(foreign_key="staff.id")
    desk: str = ""
    status: str = "open"  # open | finished
    version: int = _versioned()


class CallDraft(SQLModel, table=True):
    """What is typed during a call, saved as it is typed so a crash loses nothing.

    A scratch buffer, not the record: finishing the call copies it into the
    call (with a history entry) and removes it.
    """

    call_id: int = Field(primary_key=True, foreign_key="call.id")
    person_id: int | None = None
    reason: str = ""
    notes: str = ""
    outcome: str = ""
    saved_at: datetime = Field(sa_type=UTCDateTime)


class Ring(SQLModel, table=True):
    """The zone line ringing, as reported by the phone system (``desk ring``)."""

    id: int | None = Field(default=None, primary_key=True)
    zone_id: str = Field(foreign_key="zone.id", index=True)
    number_raw: str
    number_e164: str | None = None
    rung_at: datetime = Field(sa_type=UTCDateTime)
    answered_by: str | None = None  # desk name
    call_id: int | None = Field(default=None, foreign_key="call.id")


# --- history and read models -----------------------------------------------


class History(SQLModel, table=True):
    """Append-only: who changed what, when, from which desk, and why.

    Written in the same transaction as the change it describes; nothing ever
    updates or deletes a row here.
    """

    __table_args__ = (
        Index("ix_history_entity", "entity", "entity_id"),
        Index("ix_history_person_id_id", "person_id", "id"),  # a person's newest entry: desk.services.changes
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    desk: str = ""
    entity: str
    entity_id: str
    person_id: int | None = None
    action: str  # create | update | end
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    why: str = ""


_CASELOAD_FILTERS = ("next_due_on", "in_hospital", "crisis", "key_worker_id", "nhs_number")


class CaseloadEntry(SQLModel, table=True):
    """The caseload screen's row for a person, kept current by the services.

    A read model: derived entirely from the records above and rebuilt by
    ``desk.services.caseload.refresh``, so the screen can page, sort and
    filter tens of thousands of people with one indexed query.
    """

    # migration 0002: one index per sort order, per zone and trust-wide, each carrying
    # the filter columns, so a page at any offset walks one index (desk.services.caseload.page).
    # The "due" sort's expression indexes and the partial hospital/crisis indexes are made by
    # the migration alone (desk/migrations/env.py leaves them out of the comparison).
    __table_args__ = (
        Index("ix_caseload_zone_due", "zone_id", "next_due_on"),
        Index("ix_cl_name", "sort_name", "person_id", *_CASELOAD_FILTERS),
        Index("ix_cl_zone_name", "zone_id", "sort_name", "person_id", *_CASELOAD_FILTERS),
        Index("ix_cl_dob", "date_of_birth", "sort_name", "person_id", *_CASELOAD_FILTERS),
        Index("ix_cl_zone_dob", "zone_id", "date_of_birth", "sort_name", "person_id", *_CASELOAD_FILTERS),
        Index("ix_cl_practice", "practice_name", "sort_name", "person_id", *_CASELOAD_FILTERS),
        Index("ix_cl_zone_practice", "zone_id", "practice_name", "sort_name", "person_id", *_CASELOAD_FILTERS),
        Index("ix_cl_kw", "key_worker_name", "sort_name", "person_id", *_CASELOAD_FILTERS),
        Index("ix_cl_zone_kw", "zone_id", "key_worker_name", "sort_name", "person_id", *_CASELOAD_FILTERS),
        Index("ix_cl_key_worker_id", "key_worker_id"),
    )
    sortable: ClassVar[tuple[str, ...]] = (
        "sort_name",
        "date_of_birth",
        "next_due_on",
        "practice_name",
        "key_worker_name",
    )

    person_id: int = Field(primary_key=True, foreign_key="person.id")
    zone_id: str = Field(foreign_key="zone.id")
    sort_name: str = ""
    display_name: str = ""
    nhs_number: str = ""
    date_of_birth: date
    practice_name: str = ""
    key_worker_id: int | None = None
    key_worker_name: str = ""
    health: str = ""
    social: str = ""
    next_due_on: date | None = None
    next_due_what: str = ""
    lives_alone: bool = False
    in_hospital: bool = False
    crisis: bool = False
    # migration 0007: the day a package or equipment still waiting comes within the zone's at-risk
    # days of its 28- or 7-day target (desk.packages.targets); from then the row is flagged WAIT.
    wait_flag_from: date | None = None


# The crisis line's tables (duty roster, crises, bookings, liaison, crisis plans, reminders) and
# those of packages on an assessment (findings, versions, steps, providers told, reviews) and of
# ward discharge (wards covered, tasks before the door, delayed days, pick-ups) live
# in their own modules; importing them here puts them on this metadata (after Versioned, which they use).
from desk import crisis_models, discharge_models, package_models  # noqa: E402, F401
