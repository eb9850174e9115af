"""A hospital stay from the ward's side: admitted, checked, planned, and what stands before the door.

:func:`admit` records an admission. A person with an active care package has
it suspended from the day they were admitted (the package's own states,
desk.packages.arrange), and each provider in it is listed to be told, ticked
off with :func:`desk.packages.arrange.mark_told`. The tasks before the door
(equipment, transport, medicines, the discharge summary, agreement, and the
provider's confirmation of the package for someone with one) are made
outstanding; the package's confirmation joins them when the pathway brings new
support (1 or 2), a care home bed when it is 3.

:func:`plan` records what the ward's multidisciplinary meeting decided: the
discharge ready date (the day the patient no longer needed a hospital bed;
unless they go home that day, it and every day after it in hospital are
delayed days, by desk.discharge.delays), the pathway, whether the
patient and family were involved, the day the package must be ready. A first
care home placement (pathway 3) is a social worker's decision, so setting it
refers the person to the zone's social workers (desk.packages.la_rules).

:func:`ward_list` and :func:`stay` are the ward screen's and stay screen's
reads. The ward list is two queries whatever the number of beds, each a
round trip to a database server: the stays with what their rows show of the
person, then everything the rows list (contacts, open tasks, delayed days
with a reason, the package before, providers to tell) as one UNION ALL. It is
sorted by what needs doing first.

Times are UTC; days (admitted on, ready on, a delayed day) are UK local dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    func,
    literal_column,
    null,
    union_all,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from desk import clock, dates, history, nhs, phones
from desk.crisis import referrals
from desk.discharge import delays
from desk.discharge.delays import DelayDayRow
from desk.discharge_models import DelayDay, DischargeTask, WardCover
from desk.errors import InvalidForm, NotFound
from desk.history import Actor
from desk.models import (
    Admission,
    CarePackage,
    CarePackageItem,
    Contact,
    Organisation,
    Person,
    Staff,
    saved_id,
)
from desk.package_models import CarePackageLine, CarePackageVersion, ProviderNotice
from desk.packages import arrange, catalogue, la_rules
from desk.packages.arrange import NoticeRow, StepInput
from desk.services import caseload
from desk.vocabulary import DELAY_REASONS, DISCHARGE_TASKS, PATHWAYS, TASK_STATES

STANDING_TASKS: tuple[str, ...] = tuple(k for k in DISCHARGE_TASKS if k not in ("package", "care_home_bed"))
"""The tasks every stay starts with."""

NEW_SUPPORT_PATHWAYS = frozenset({"1", "2"})
"""Pathways with new support to arrange (more care at home, a bed-based stay): the provider must confirm it."""


def tasks_at_admission(*, has_package: bool) -> tuple[str, ...]:
    """The tasks a stay starts with: the package's confirmation only for someone with a package to restart.

    The package task is added later when the plan sets a pathway with new support
    (:data:`NEW_SUPPORT_PATHWAYS`), and a care home bed when it sets pathway 3.
    """
    return (("package",) if has_package else ()) + STANDING_TASKS


OPEN_TASK_STATES = frozenset({"outstanding", "in_hand"})
"""Task states that still stand between the patient and the door."""

STAGES: dict[str, str] = {
    "new": "Just admitted, not checked yet",
    "awaiting_drd": "Awaiting a discharge ready date",
    "delayed": "Ready and still here: delayed",
    "ready": "Discharge ready today: may go home today",
    "going_today": "Going home today",
}
"""Where a stay is, as the ward screen groups it."""

# What needs doing first, first (WardRow.priority).
MISSING_REASON = 0
GOING_TODAY_OUTSTANDING = 1
DELAYED = 2
NOT_CHECKED = 3
AWAITING_DRD = 4
THE_REST = 5


# --- what the forms send ------------------------------------------------------------------


@dataclass(frozen=True)
class AdmissionInput:
    """An admission as the co-ordinator records it (or picks it from the ward's list)."""

    person_id: int
    ward_id: int
    admitted_at: datetime | None = None
    """When they were admitted; None: now. A naive time is UK local (as typed)."""
    reason: str = ""
    """Why they were admitted, in the ward's words."""


@dataclass(frozen=True)
class PlanInput:
    """The plan from the ward's multidisciplinary meeting."""

    admission_id: int
    expected_version: int
    ready_on: date | None
    """The discharge ready date: the day they no longer needed to be in hospital (not a forecast)."""
    pathway: str
    """A key of desk.vocabulary.PATHWAYS ("0" to "3"), or "" while it is not decided."""
    involved: bool
    """The patient and family were involved in the plan."""
    involved_note: str
    package_ready_by: date | None
    """The day the package must be ready: the day they are going home."""
    placement_id: int | None
    """Pathway 3: the care home (an organisation of kind care_home)."""
    placement_note: str


@dataclass(frozen=True)
class TaskInput:
    """One task before the door moved on: its state, who owns it, a note."""

    task_id: int
    expected_version: int
    state: str
    owner: str
    note: str


# --- what readers get ----------------------------------------------------------------------


@dataclass(frozen=True)
class WardRow:
    """One patient on the ward screen."""

    admission_id: int
    version: int
    person_id: int
    name: str
    """``WESTAWAY, Reg``."""
    nhs_number: str
    zone_id: str
    ward_id: int
    ward: str
    admitted_at: datetime
    days_in: int
    """Nights in hospital so far (0 on the day of admission); to the discharge day for a stay that ended."""
    package_before: str
    """The package in force when they were admitted, in words; "" when they had none."""
    contacts: str
    key_worker: str
    ready_on: date | None
    pathway: str
    """The pathway's key ("0" to "3"), "" while not decided."""
    delayed_days: int
    """Delayed days so far (desk.discharge.delays.days_of): the ready date and each day since, while here."""
    delay_reason: str
    """The delay's reason as it stands, in words; "" when none was given."""
    outstanding: tuple[str, ...]
    """What still stands before the door, in plain words, the most pressing first."""
    going_home_on: date | None
    """The day the package must be ready (PlanInput.package_ready_by)."""
    stage: str
    """A key of :data:`STAGES`."""
    priority: int
    """What needs doing first sorts first: :data:`MISSING_REASON` ... :data:`THE_REST`."""

    @property
    def nhs_display(self) -> str:
        """The NHS number spaced 3-3-4."""
        return nhs.display(self.nhs_number)

    @property
    def pathway_label(self) -> str:
        """``Pathway 1: home with new or more support``; "" while not decided."""
        return PATHWAYS.get(self.pathway, "")


@dataclass(frozen=True)
class TaskRow:
    """One thing before the door, with its owner and state."""

    task_id: int
    version: int
    kind: str
    label: str
    state: str
    state_label: str
    owner: str
    note: str
    updated_at: datetime
    updated_by: str

    @property
    def open(self) -> bool:
        """Still stands in the way (outstanding or in hand)."""
        return self.state in OPEN_TASK_STATES


@dataclass(frozen=True)
class StayView(WardRow):
    """Everything the stay screen shows: the ward row and the plan, tasks, providers to tell, delayed days."""

    reason: str = ""
    """Why they were admitted."""
    checked_at: datetime | None = None
    checked_by: str = ""
    ward_phone: str = ""
    involved: bool = False
    involved_note: str = ""
    placement_id: int | None = None
    placement: str = ""
    """The care home's name (pathway 3)."""
    placement_note: str = ""
    package_id: int | None = None
    package_state: str = ""
    """The package's state now (desk.packages.arrange.STATES key), "" with no package."""
    package_now: str = ""
    """The package as it is now, in words (changed on the ward assessment, say)."""
    tasks: list[TaskRow] = field(default_factory=list)
    providers: list[NoticeRow] = field(default_factory=list)
    """The providers to tell about the package, newest version first; ticked off with arrange.mark_told."""
    delay_days: list[DelayDayRow] = field(default_factory=list)
    """Every delayed day, oldest first, with the reason it had (a missing one has none)."""
    missing_days: list[date] = field(default_factory=list)
    """Delayed days with no reason recorded (and none to carry forward to them)."""
    delay_reason_key: str = ""
    delay_owner: str = ""
    discharged_at: datetime | None = None
    discharge_note: str = ""


# --- the rules in one place each ------------------------------------------------------------


short_ward = caseload.short_ward
"""``Ward 3`` for ``Ward 3 (Care of the Elderly), Bay General Hospital`` (the caseload's rule)."""


def admitted_on(admitted_at: datetime) -> date:
    """The UK local day of an admission."""
    return clock.local(admitted_at).date()


def to_ask(stay: Admission, missing: list[date], today: date) -> list[date]:
    """The missing delayed days the ward must give a reason for now.

    All of them, except the discharge ready date itself while it is still today and the patient still
    here: they may yet go today, and then it is no delayed day at all (desk.discharge.delays.delayed_days).
    If they are still here tomorrow, it is asked for with tomorrow.
    """
    if stay.discharged_at is None and stay.ready_on == today:
        return [d for d in missing if d != today]
    return missing


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    out: list[tuple[date, date]] = []
    for d in sorted(days):
        if out and d == out[-1][1] + timedelta(days=1):
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def _missing_words(days: list[date]) -> list[str]:
    out = []
    for first, last in _runs(days):
        if first == last:
            out.append(f"Delay reason missing for {dates.nhs_style(first)}")
        else:
            out.append(f"Delay reason missing for {dates.nhs_style(first)} to {dates.nhs_style(last)}")
    return out


def _as_utc(value: datetime | None) -> datetime:
    if value is None:
        return clock.now()
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.LONDON)
    return value.astimezone(UTC)


# --- writing -------------------------------------------------------------------------------


def _ward(session: Session, ward_id: int) -> Organisation | None:
    ward = session.get(Organisation, ward_id)
    return ward if ward is not None and ward.kind == "ward" else None


def _open_stay(session: Session, person_id: int) -> Admission | None:
    return session.exec(
        select(Admission).where(Admission.person_id == person_id, col(Admission.discharged_at).is_(None))
    ).first()


def admit(session: Session, actor: Actor, data: AdmissionInput) -> int:
    """Record an admission; suspend the person's active package and list its providers to tell. Returns its id.

    Refuses (nothing written): a person already in hospital, an admission in
    the future or before their last discharge, a ward that is not a ward.
    """
    person = session.get(Person, data.person_id)
    if person is None:
        raise NotFound("That person is no longer on the register.")
    problems: dict[str, str] = {}
    ward = _ward(session, data.ward_id)
    if ward is None:
        problems["ward_id"] = "Choose the ward they were admitted to."
    at = _as_utc(data.admitted_at)
    now = clock.now()
    if at > now:
        problems["admitted_at"] = "That time has not come yet: give the time they were admitted."
    current = _open_stay(session, data.person_id)
    if current is not None:
        where = session.get(Organisation, current.ward_id)
        since = dates.nhs_style(admitted_on(current.admitted_at))
        problems["person_id"] = (
            f"{person.given_name} {person.family_name} is already in hospital on "
            f"{where.name if where else 'a ward'} since {since}: discharge that stay first."
        )
    else:
        last = session.exec(
            select(Admission.discharged_at)
            .where(Admission.person_id == data.person_id, col(Admission.discharged_at).is_not(None))
            .order_by(col(Admission.discharged_at).desc())
        ).first()
        if last is not None and at < last and "admitted_at" not in problems:
            problems["admitted_at"] = (
                f"They were discharged at {clock.local(last):%d-%b-%Y %H:%M}: the admission must come after that."
            )
    if problems:
        raise InvalidForm(problems)
    assert ward is not None
    reason = data.reason.strip()
    pkg = arrange.package_of(session, data.person_id)  # the stay points at it: restarted (or started) at discharge
    stay = Admission(
        person_id=data.person_id,
        ward_id=saved_id(ward.id),
        admitted_at=at,
        reason=reason,
        recorded_at=now,
        recorded_by_id=actor.staff_id,
        package_id=pkg.id if pkg is not None else None,
    )
    history.create(
        session,
        actor,
        stay,
        f"Admitted to {ward.name}" + (f": {reason}" if reason else ""),
        person_id=data.person_id,
    )
    if pkg is not None and pkg.state == "active":
        _suspend(session, actor, pkg, ward, admitted_on(at))
    for kind in tasks_at_admission(has_package=pkg is not None):
        history.create(
            session,
            actor,
            DischargeTask(
                admission_id=saved_id(stay.id),
                kind=kind,
                updated_at=now,
                updated_by_id=actor.staff_id,
            ),
            f"Before discharge: {DISCHARGE_TASKS[kind]}",
            person_id=data.person_id,
        )
    caseload.refresh(session, data.person_id)
    return saved_id(stay.id)


def _suspend(session: Session, actor: Actor, pkg: CarePackage, ward: Organisation, day: date) -> None:
    """Suspend the package from the day of admission and list each of its providers to be told."""
    arrange.move(
        session,
        actor,
        StepInput(
            package_id=saved_id(pkg.id),
            expected_version=pkg.version,
            state="suspended",
            on=day,
            note=f"In hospital on {ward.name}",
        ),
    )
    if not pkg.current_version:
        return  # nothing in it to tell anyone about
    row = session.exec(
        select(CarePackageVersion).where(
            CarePackageVersion.package_id == pkg.id, CarePackageVersion.number == pkg.current_version
        )
    ).one()
    providers: list[str] = []
    for provider in session.exec(
        select(CarePackageLine.provider).where(CarePackageLine.version_id == row.id).order_by(col(CarePackageLine.line))
    ):
        if provider not in providers:
            providers.append(provider)
    for provider in providers:
        history.create(
            session,
            actor,
            ProviderNotice(
                package_id=saved_id(pkg.id),
                version_id=saved_id(row.id),
                provider=provider,
                what=f"Suspended: in hospital on {ward.name} from {dates.nhs_style(day)}",
            ),
            "Provider to tell of the suspension",
            person_id=pkg.person_id,
        )


def _stay(session: Session, admission_id: int) -> Admission:
    stay = session.get(Admission, admission_id)
    if stay is None:
        raise NotFound("That hospital stay is not on record.")
    return stay


def check(session: Session, actor: Actor, admission_id: int, expected_version: int) -> None:
    """The co-ordinator has checked a new admission: their history and the package before it."""
    stay = _stay(session, admission_id)
    if stay.checked_at is not None and stay.version == expected_version:
        return
    history.change(
        session,
        actor,
        stay,
        dict(checked_at=clock.now(), checked_by_id=actor.staff_id),
        expected_version=expected_version,
        why="Admission checked: history and package before admission",
        person_id=stay.person_id,
        label="hospital stay",
    )


def plan(session: Session, actor: Actor, data: PlanInput) -> int | None:
    """Record the discharge plan; returns the social work referral made when the pathway became 3, else None.

    Refuses (nothing written): a discharge ready date before the admission or
    after today, a pathway that is not one, pathway 3 with no care home, a day
    for the package to be ready that has passed.
    """
    stay = _stay(session, data.admission_id)
    today = clock.today()
    problems: dict[str, str] = {}
    if stay.discharged_at is not None:
        raise InvalidForm({"admission_id": "This stay has ended: the plan can no longer change."})
    day_in = admitted_on(stay.admitted_at)
    if data.ready_on is not None:
        if data.ready_on < day_in:
            problems["ready_on"] = (
                f"The discharge ready date cannot be before the admission on {dates.nhs_style(day_in)}."
            )
        elif data.ready_on > today:
            problems["ready_on"] = (
                "The discharge ready date cannot be after today: it is the day they were ready, not a forecast."
            )
    pathway = data.pathway.strip()
    if pathway and pathway not in PATHWAYS:
        problems["pathway"] = "Choose pathway 0, 1, 2 or 3."
    placement: Organisation | None = None
    if data.placement_id is not None:
        placement = session.get(Organisation, data.placement_id)
        if placement is None or placement.kind != "care_home":
            problems["placement_id"] = "Choose the care home from the list."
            placement = None
    if pathway == "3" and data.placement_id is None:
        problems["placement_id"] = "Pathway 3 is a care home placement: choose the care home."
    if data.package_ready_by is not None and data.package_ready_by != stay.package_ready_by:
        if data.package_ready_by < today:
            problems["package_ready_by"] = "The day the package must be ready has passed: give today or later."
    if problems:
        raise InvalidForm(problems)
    was_pathway = stay.pathway
    changes: dict[str, object] = dict(
        ready_on=data.ready_on,
        pathway=pathway,
        involved=data.involved,
        involved_note=data.involved_note.strip(),
        package_ready_by=data.package_ready_by,
        placement_id=data.placement_id,
        placement_note=data.placement_note.strip(),
    )
    ready_moved = data.ready_on != stay.ready_on
    if ready_moved:
        changes.update(ready_recorded_at=clock.now(), ready_recorded_by_id=actor.staff_id)
    words = _plan_words(stay, data, pathway)
    history.change(
        session,
        actor,
        stay,
        changes,
        expected_version=data.expected_version,
        why="Discharge plan: " + ("; ".join(words) if words else "no change"),
        person_id=stay.person_id,
        label="discharge plan",
    )
    if ready_moved:
        delays.settle(session, actor, stay)  # days a ready date moved later leaves behind are no delayed days
    referral_id: int | None = None
    if pathway in NEW_SUPPORT_PATHWAYS:
        _package_task(session, actor, stay)
    if pathway == "3" and was_pathway != "3":
        _care_home_task(session, actor, stay, "outstanding")
        ward = session.get(Organisation, stay.ward_id)
        home = placement.name if placement else "a care home"
        rule = la_rules.PERMANENT_CARE_HOME
        referral = referrals.refer(
            session,
            actor,
            person_id=stay.person_id,
            discipline="social_work",
            reason=f"Needs a social worker ({rule.label}): pathway 3 discharge from "
            f"{ward.name if ward else 'hospital'} to {home}",
            why=f"Pathway 3 set on the ward: {rule.why}",
        )
        referral_id = saved_id(referral.id)
    elif was_pathway == "3" and pathway != "3":
        _care_home_task(session, actor, stay, "not_needed")
    caseload.refresh(session, stay.person_id)
    return referral_id


def _plan_words(stay: Admission, data: PlanInput, pathway: str) -> list[str]:
    words = []
    if data.ready_on != stay.ready_on:
        ready = dates.nhs_style(data.ready_on)
        words.append(f"discharge ready date {ready}" if data.ready_on else "discharge ready date cleared")
    if pathway != stay.pathway:
        words.append(PATHWAYS.get(pathway, "pathway not decided").lower() if pathway else "pathway not decided")
    if data.package_ready_by != stay.package_ready_by:
        words.append(
            f"package ready by {dates.nhs_style(data.package_ready_by)}"
            if data.package_ready_by
            else "no day set for the package"
        )
    if data.involved != stay.involved:
        words.append("patient and family involved" if data.involved else "patient and family not yet involved")
    return words


def _package_task(session: Session, actor: Actor, stay: Admission) -> None:
    """Add the provider's confirmation of the package, once, for a pathway with new support to arrange."""
    if session.exec(
        select(DischargeTask.id).where(DischargeTask.admission_id == stay.id, DischargeTask.kind == "package")
    ).first():
        return
    history.create(
        session,
        actor,
        DischargeTask(
            admission_id=saved_id(stay.id),
            kind="package",
            updated_at=clock.now(),
            updated_by_id=actor.staff_id,
        ),
        f"Before discharge: {DISCHARGE_TASKS['package']} (pathway {stay.pathway})",
        person_id=stay.person_id,
    )


def _care_home_task(session: Session, actor: Actor, stay: Admission, state: str) -> None:
    """Add (or reopen) the care home bed task for pathway 3; mark it not needed when the pathway moves off 3."""
    task = session.exec(
        select(DischargeTask).where(DischargeTask.admission_id == stay.id, DischargeTask.kind == "care_home_bed")
    ).first()
    now = clock.now()
    if task is None:
        if state != "outstanding":
            return
        history.create(
            session,
            actor,
            DischargeTask(
                admission_id=saved_id(stay.id),
                kind="care_home_bed",
                updated_at=now,
                updated_by_id=actor.staff_id,
            ),
            f"Before discharge: {DISCHARGE_TASKS['care_home_bed']} (pathway 3)",
            person_id=stay.person_id,
        )
        return
    if state == "not_needed" and task.state not in OPEN_TASK_STATES:
        return
    if state == "outstanding" and task.state in OPEN_TASK_STATES | {"done"}:
        return
    history.change(
        session,
        actor,
        task,
        dict(state=state, updated_at=now, updated_by_id=actor.staff_id),
        expected_version=None,
        why=f"{DISCHARGE_TASKS['care_home_bed']}: "
        + ("pathway 3" if state == "outstanding" else "no longer pathway 3"),
        person_id=stay.person_id,
        label="task",
    )


def set_task(session: Session, actor: Actor, data: TaskInput) -> None:
    """Move a task before the door on: its state, owner and note, with who and when."""
    task = session.get(DischargeTask, data.task_id)
    if task is None:
        raise NotFound("That task is not on record.")
    if data.state not in TASK_STATES:
        raise InvalidForm({"state": "Choose outstanding, in hand, done or not needed."})
    stay = _stay(session, task.admission_id)
    owner = data.owner.strip()
    label = DISCHARGE_TASKS.get(task.kind, task.kind)
    history.change(
        session,
        actor,
        task,
        dict(
            state=data.state,
            owner=owner,
            note=data.note.strip(),
            updated_at=clock.now(),
            updated_by_id=actor.staff_id,
        ),
        expected_version=data.expected_version,
        why=f"{label}: {TASK_STATES[data.state].lower()}" + (f" ({owner})" if owner else ""),
        person_id=stay.person_id,
        label="task",
    )


# --- the wards ---------------------------------------------------------------------------------


def wards(session: Session) -> list[tuple[int, str]]:
    """Every ward, by name: (id, name)."""
    return [
        (saved_id(i), n)
        for i, n in session.exec(
            select(Organisation.id, Organisation.name).where(Organisation.kind == "ward").order_by(Organisation.name)
        )
    ]


def wards_of(session: Session, staff_id: int) -> list[int]:
    """The wards a discharge co-ordinator covers (their ward screen's), by ward name."""
    return [
        saved_id(i)
        for i in session.exec(
            select(Organisation.id)
            .join(WardCover, col(WardCover.ward_id) == col(Organisation.id))
            .where(WardCover.staff_id == staff_id)
            .order_by(Organisation.name)
        )
    ]


@dataclass(frozen=True)
class WardEntry:
    """One ward of the trust as the ward screen knows it."""

    ward_id: int
    name: str
    phone: str
    """The ward's number as recorded: who the zone rings about a discharge."""
    covered: bool
    """The co-ordinator asked about covers it (:func:`wards_of`)."""


def ward_directory(session: Session, staff_id: int | None) -> list[WardEntry]:
    """Every ward by name with its phone, and whether ``staff_id`` covers it: the ward screen's wards in one query."""
    cover = and_(col(WardCover.ward_id) == col(Organisation.id), col(WardCover.staff_id) == staff_id)
    found = session.execute(
        sa_select(col(Organisation.id), col(Organisation.name), col(Organisation.phone_raw), col(WardCover.staff_id))
        .outerjoin(WardCover, cover)
        .where(col(Organisation.kind) == "ward")
        .order_by(col(Organisation.name))
    )
    return [WardEntry(saved_id(i), name, phone or "", by is not None) for i, name, phone, by in found]


# --- reading -------------------------------------------------------------------------------------


def _line_words(service: str, times: str) -> str:
    spec = catalogue.load().service(service)
    name = spec.name if spec else service
    n = len([t for t in times.split(",") if t])
    return f"{name} ({n} visit{'s' if n != 1 else ''} a day)" if spec and spec.form == "visits" and n else name


def _before_version() -> ColumnElement[int | None]:
    """Per stay, the id of its package's version in force when the stay was recorded (else the first version).

    A correlated sub-query of the stay's own row, so the ward's rows carry it
    without a query of their own: the newest version arranged by then, or the
    package's first when every version came later; none for a package that
    has no versions (its open items say what it was).
    """
    version = CarePackageVersion
    by_package = col(version.package_id) == col(Admission.package_id)
    cutoff = func.coalesce(col(Admission.recorded_at), col(Admission.admitted_at))
    in_force = (
        sa_select(col(version.id))
        .where(by_package, col(version.arranged_at) <= cutoff)
        .order_by(col(version.number).desc())
        .limit(1)
        .correlate(Admission)
        .scalar_subquery()
    )
    first = (
        sa_select(col(version.id))
        .where(by_package)
        .order_by(col(version.number))
        .limit(1)
        .correlate(Admission)
        .scalar_subquery()
    )
    return func.coalesce(in_force, first)


_STAYS = (
    sa_select(
        Admission,
        col(Person.family_name),
        col(Person.given_name),
        col(Person.nhs_number),
        col(Person.zone_id),
        col(Staff.name),
        col(Organisation.name),
        _before_version(),
    )
    .join(Person, col(Person.id) == col(Admission.person_id))
    .outerjoin(Staff, col(Staff.id) == col(Person.key_worker_id))
    .outerjoin(Organisation, col(Organisation.id) == col(Admission.ward_id))
)
"""The stays with what their rows show of the person, the key worker's and ward's names, the package version
before: one query. The caller adds which stays."""


_Expr = Any
"""A column (``sqlmodel.col``) or SQL expression, or None for a part's blank."""


def _detail_part(
    kind: str,
    key: _Expr,
    *,
    text: _Expr,
    more: _Expr = None,
    phone: _Expr = None,
    day: _Expr = None,
    order: _Expr = None,
    then: _Expr = None,
) -> Select[*tuple[Any, ...]]:
    """One kind of the ward rows' detail as the shape every kind shares (see :data:`_DETAILS`)."""
    blank = literal_column("''", String)
    return sa_select(
        literal_column(f"'{kind}'", String).label("kind"),
        key.label("key"),
        text.label("text"),
        (more if more is not None else blank).label("more"),
        (phone if phone is not None else cast(null(), String)).label("phone"),
        (day if day is not None else cast(null(), Date)).label("day"),
        (order if order is not None else literal_column("0", Integer)).label("ord"),
        (then if then is not None else blank).label("then"),
    )


def _details_statement() -> CompoundSelect[*tuple[Any, ...]]:
    """Everything the ward rows list per stay, person or package, in one query: a UNION ALL of one part per kind.

    Each part reads only what a row shows, keyed by what it belongs to, in the
    order the row lists it: the contacts (carers first, then by name), the
    open tasks, the recorded delayed days, the lines of the package version
    before the stay (or the open items of a package with no versions), the
    providers not yet told. The ids come as expanding parameters, so the
    statement is built and compiled once.
    """
    ids = bindparam("stays", expanding=True, type_=Integer)
    ready = bindparam("ready", expanding=True, type_=Integer)
    people = bindparam("people", expanding=True, type_=Integer)
    versions = bindparam("versions", expanding=True, type_=Integer)
    unversioned = bindparam("unversioned", expanding=True, type_=Integer)
    packages = bindparam("packages", expanding=True, type_=Integer)
    parts = [
        _detail_part(
            "contact",
            col(Contact.person_id),
            text=col(Contact.name),
            more=col(Contact.relationship),
            phone=col(Contact.phone_e164),
            order=case((col(Contact.is_carer), 0), else_=1),
            then=col(Contact.name),
        ).where(col(Contact.person_id).in_(people)),
        _detail_part(
            "task", col(DischargeTask.admission_id), text=col(DischargeTask.kind), order=col(DischargeTask.id)
        ).where(col(DischargeTask.admission_id).in_(ids), col(DischargeTask.state).in_(sorted(OPEN_TASK_STATES))),
        _detail_part("day", col(DelayDay.admission_id), text=literal_column("''", String), day=col(DelayDay.day)).where(
            col(DelayDay.admission_id).in_(ready)
        ),
        _detail_part(
            "line",
            col(CarePackageLine.version_id),
            text=col(CarePackageLine.service),
            more=col(CarePackageLine.times),
            order=col(CarePackageLine.line),
        ).where(col(CarePackageLine.version_id).in_(versions)),
        _detail_part(
            "item", col(CarePackageItem.package_id), text=col(CarePackageItem.service), order=col(CarePackageItem.id)
        ).where(col(CarePackageItem.package_id).in_(unversioned), col(CarePackageItem.end_date).is_(None)),
        _detail_part(
            "notice", col(ProviderNotice.package_id), text=col(ProviderNotice.provider), order=col(ProviderNotice.id)
        ).where(col(ProviderNotice.package_id).in_(packages), col(ProviderNotice.told_at).is_(None)),
    ]
    return union_all(*parts).order_by("kind", "key", "ord", "then")


_DETAILS = _details_statement()


@dataclass
class _Details:
    """The ward rows' lists, by what they belong to."""

    contacts: dict[int, list[str]] = field(default_factory=dict)
    """Per person: 'name (relationship) phone', carers first."""
    tasks: dict[int, list[str]] = field(default_factory=dict)
    """Per stay: the kinds of its open tasks."""
    days: dict[int, set[date]] = field(default_factory=dict)
    """Per stay: the delayed days with a reason recorded."""
    lines: dict[int, list[str]] = field(default_factory=dict)
    """Per package version: its lines in words."""
    items: dict[int, list[str]] = field(default_factory=dict)
    """Per package with no versions: its open items' services."""
    untold: dict[int, list[str]] = field(default_factory=dict)
    """Per package: the providers not yet told, by name, once each."""


def _details(session: Session, stays: list[Admission], versions: dict[int, int | None]) -> _Details:
    """The lists the rows of these stays show (``versions``: per package, the version before the stay)."""
    out = _Details()
    params = {
        "stays": [saved_id(s.id) for s in stays],
        "ready": [saved_id(s.id) for s in stays if s.ready_on is not None],
        "people": sorted({s.person_id for s in stays}),
        "versions": sorted({v for v in versions.values() if v is not None}),
        "unversioned": sorted(p for p, v in versions.items() if v is None),
        "packages": sorted(versions),
    }
    cat = catalogue.load()
    for kind, key, text, more, phone, day, _order, _then in session.execute(_DETAILS, params):
        if kind == "contact":
            number = phones.national(phone)
            out.contacts.setdefault(key, []).append(f"{text} ({more})" + (f" {number}" if number else ""))
        elif kind == "task":
            out.tasks.setdefault(key, []).append(text)
        elif kind == "day":
            out.days.setdefault(key, set()).add(day)
        elif kind == "line":
            out.lines.setdefault(key, []).append(_line_words(text, more))
        elif kind == "item":
            out.items.setdefault(key, []).append(text)
        else:
            provider = cat.provider(text)
            name = provider.name if provider else text
            if name not in out.untold.setdefault(key, []):
                out.untold[key].append(name)
    return out


def _package_words(package_id: int, version_id: int | None, details: _Details) -> str:
    """The package before the stay in words: its version's lines, or a package with no versions' open items."""
    words = details.lines.get(version_id, []) if version_id is not None else details.items.get(package_id, [])
    return ", ".join(words) if words else "Package (no services)"


def _rows(session: Session, which: ColumnElement[bool], today: date) -> list[WardRow]:
    """The ward rows of the stays ``which`` picks, in two queries whatever their number."""
    found = session.execute(_STAYS.where(which)).all()
    if not found:
        return []
    stays = [f[0] for f in found]
    versions = {s.package_id: f[7] for s, f in zip(stays, found, strict=True) if s.package_id is not None}
    details = _details(session, stays, versions)
    out = []
    order = list(DISCHARGE_TASKS)
    for s, family, given, nhs_number, zone_id, key_worker, ward, _version in found:
        aid = saved_id(s.id)
        discharged_on = delays.discharged_day(s)
        delayed = delays.days_of(s, today)
        missing = to_ask(s, delays.missing_given(s, delayed, details.days.get(aid, set())), today)
        outstanding = _missing_words(missing)
        if s.ready_on is None:
            outstanding.append("No discharge ready date")
        if not s.pathway:
            outstanding.append("No pathway")
        outstanding.extend(
            DISCHARGE_TASKS.get(k, k) for k in sorted(details.tasks.get(aid, []), key=lambda k: order.index(k))
        )
        if s.package_id is not None and details.untold.get(s.package_id):
            outstanding.append("Providers to tell: " + ", ".join(details.untold[s.package_id]))
        stage = stage_of(s, delayed, today)
        priority = priority_of(s, stage, delayed, missing, outstanding)
        day_in = admitted_on(s.admitted_at)
        out.append(
            WardRow(
                admission_id=aid,
                version=s.version,
                person_id=s.person_id,
                name=f"{family.upper()}, {given}",
                nhs_number=nhs_number,
                zone_id=zone_id,
                ward_id=s.ward_id,
                ward=ward or "",
                admitted_at=s.admitted_at,
                days_in=((discharged_on or today) - day_in).days,
                package_before=_package_words(s.package_id, versions[s.package_id], details)
                if s.package_id is not None
                else "",
                contacts="; ".join(details.contacts.get(s.person_id, [])),
                key_worker=key_worker or "",
                ready_on=s.ready_on,
                pathway=s.pathway,
                delayed_days=len(delayed),
                delay_reason=DELAY_REASONS.get(s.delay_reason, s.delay_reason),
                outstanding=tuple(outstanding),
                going_home_on=s.package_ready_by,
                stage=stage,
                priority=priority,
            )
        )
    return out


def stage_of(stay: Admission, delayed: list[date], today: date) -> str:
    """Where a stay is (a key of :data:`STAGES`): going home today, new, awaiting a ready date, delayed, ready."""
    if stay.package_ready_by == today and stay.discharged_at is None:
        return "going_today"
    if stay.checked_at is None:
        return "new"
    if stay.ready_on is None:
        return "awaiting_drd"
    if stay.ready_on == today and stay.discharged_at is None:
        return "ready"  # ready today: they may yet go today
    return "delayed" if delayed else "ready"


def priority_of(stay: Admission, stage: str, delayed: list[date], missing: list[date], outstanding: list[str]) -> int:
    """What needs doing first: a day with no reason, going today with something outstanding, the delayed,
    new admissions not yet checked, those awaiting a ready date, the rest (:data:`MISSING_REASON` first)."""
    if missing:
        return MISSING_REASON
    if stage == "going_today" and outstanding:
        return GOING_TODAY_OUTSTANDING
    if delayed:
        return DELAYED
    if stay.checked_at is None:
        return NOT_CHECKED
    if stay.ready_on is None:
        return AWAITING_DRD
    return THE_REST


def _sort_key(row: WardRow) -> tuple[int, int, datetime, str]:
    return (row.priority, -row.delayed_days, row.admitted_at, row.name)


def ward_list(session: Session, *, ward_ids: list[int] | None, today: date | None = None) -> list[WardRow]:
    """The patients in hospital now on these wards (None: every ward), what needs doing first at the top.

    First a delayed day with no reason, then going home today with something
    still outstanding, then the delayed (longest first), new admissions not yet
    checked, those awaiting a discharge ready date, and the rest.
    """
    today = today or clock.today()
    which: ColumnElement[bool] = col(Admission.discharged_at).is_(None)
    if ward_ids is not None:
        if not ward_ids:
            return []
        which = and_(which, col(Admission.ward_id).in_(ward_ids))
    return sorted(_rows(session, which, today), key=_sort_key)


def stay(session: Session, admission_id: int, *, today: date | None = None) -> StayView:
    """One stay as the stay screen shows it: the ward row, the plan, tasks, providers to tell, delayed days."""
    today = today or clock.today()
    s = _stay(session, admission_id)
    [row] = _rows(session, col(Admission.id) == admission_id, today)
    staff = dict(session.exec(select(Staff.id, Staff.name)).all())
    tasks = [
        TaskRow(
            task_id=saved_id(t.id),
            version=t.version,
            kind=t.kind,
            label=DISCHARGE_TASKS.get(t.kind, t.kind),
            state=t.state,
            state_label=TASK_STATES.get(t.state, t.state),
            owner=t.owner,
            note=t.note,
            updated_at=t.updated_at,
            updated_by=staff.get(t.updated_by_id, "") if t.updated_by_id else "",
        )
        for t in session.exec(select(DischargeTask).where(DischargeTask.admission_id == admission_id))
    ]
    order = list(DISCHARGE_TASKS)
    tasks.sort(key=lambda t: order.index(t.kind) if t.kind in order else len(order))
    days = delays.delay_days(session, admission_id, today)
    missing = to_ask(s, delays.missing_days(session, admission_id, today), today)
    ward = session.get(Organisation, s.ward_id)
    placement = session.get(Organisation, s.placement_id) if s.placement_id is not None else None
    pkg = session.get(CarePackage, s.package_id) if s.package_id is not None else None
    now_words = ""
    providers: list[NoticeRow] = []
    if pkg is not None:
        view = arrange.current(session, saved_id(pkg.id))
        now_words = ", ".join(_line_words(ln.service, ",".join(ln.times)) for ln in view.lines) if view else ""
        providers = arrange.providers_to_tell(session, saved_id(pkg.id))
    return StayView(
        **{f.name: getattr(row, f.name) for f in fields(WardRow)},
        reason=s.reason,
        checked_at=s.checked_at,
        checked_by=staff.get(s.checked_by_id, "") if s.checked_by_id else "",
        ward_phone=phones.national(ward.phone_e164) if ward else "",
        involved=s.involved,
        involved_note=s.involved_note,
        placement_id=s.placement_id,
        placement=placement.name if placement else "",
        placement_note=s.placement_note,
        package_id=s.package_id,
        package_state=pkg.state if pkg else "",
        package_now=now_words,
        tasks=tasks,
        providers=providers,
        delay_days=days,
        missing_days=missing,
        delay_reason_key=s.delay_reason,
        delay_owner=s.delay_owner,
        discharged_at=s.discharged_at,
        discharge_note=s.discharge_note,
    )


def in_hospital_since(session: Session, person_ids: list[int]) -> dict[int, tuple[str, date]]:
    """Per person in hospital now: the ward's name and the UK local day they were admitted."""
    if not person_ids:
        return {}
    return {
        pid: (name, admitted_on(at))
        for pid, name, at in session.exec(
            select(Admission.person_id, Organisation.name, Admission.admitted_at)
            .join(Organisation, col(Organisation.id) == col(Admission.ward_id))
            .where(col(Admission.person_id).in_(person_ids), col(Admission.discharged_at).is_(None))
        )
    }
