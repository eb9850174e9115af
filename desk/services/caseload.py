"""The combined health and social caseload.

``refresh`` rebuilds one person's row of the read model after any change that
touches them; ``page`` serves the screen one window at a time, so a caseload
of tens of thousands never has to be loaded whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, func, or_
from sqlmodel import Session, col, delete, select

from desk import clock, nhs
from desk.models import (
    DISCIPLINES,
    Admission,
    CarePackage,
    CarePackageItem,
    CaseloadEntry,
    Involvement,
    Person,
    Practice,
    Referral,
    Staff,
)

FILTERS: dict[str, str] = {
    "zone": "Whole zone",
    "mine": "My caseload",
    "hospital": "In hospital",
    "due": "Due today",
    "crisis": "Open crisis",
}

SORTS: dict[str, tuple[str, str]] = {
    # key: (label, column)
    "name": ("Name", "sort_name"),
    "age": ("Age", "date_of_birth"),
    "due": ("Next due", "next_due_on"),
    "practice": ("GP practice", "practice_name"),
    "key_worker": ("Key worker", "key_worker_name"),
}

_SHORT = {"nursing": "Nursing", "physiotherapy": "Physio", "occupational_therapy": "OT",
          "social_work": "SW", "support": "Support"}


def refresh(session: Session, person_id: int) -> None:
    """Recompute one person's caseload row from their records (same transaction)."""
    session.flush()
    person = session.get(Person, person_id)
    existing = session.get(CaseloadEntry, person_id)
    if person is None:
        if existing is not None:
            session.delete(existing)
        return
    health: list[str] = []
    social: list[str] = []
    rows = session.exec(
        select(Involvement.discipline, Staff.name).join(Staff, Staff.id == Involvement.staff_id)
        .where(Involvement.person_id == person_id, Involvement.ended_on == None)  # noqa: E711
    ).all()
    for discipline, name in rows:
        side = DISCIPLINES.get(discipline, ("", "health"))[1]
        label = _SHORT.get(discipline, discipline)
        (health if side == "health" else social).append(f"{label} ({name.split()[-1]})" if side == "social" else label)
    package = session.exec(
        select(CarePackage).where(CarePackage.person_id == person_id, CarePackage.status == "active")
    ).first()
    due: list[tuple[date, str]] = []
    if package is not None:
        services = session.exec(
            select(CarePackageItem.service).where(
                CarePackageItem.package_id == package.id, CarePackageItem.end_date == None  # noqa: E711
            )
        ).all()
        social.insert(0, "Package: " + ", ".join(sorted(set(services))) if services else "Package")
        if package.review_due:
            due.append((package.review_due, "Package review"))
    crisis = False
    for r in session.exec(select(Referral).where(Referral.person_id == person_id, Referral.status == "open")):
        label = _SHORT.get(r.discipline, r.discipline)
        side = DISCIPLINES.get(r.discipline, ("", "health"))[1]
        (health if side == "health" else social).append(f"ref {label}")
        crisis = crisis or r.crisis
        if r.due_at:
            due.append((clock.local(r.due_at).date(), f"{label} referral ({r.urgency})"))
    in_hospital = session.exec(
        select(Admission.id).where(Admission.person_id == person_id, Admission.discharged_at == None)  # noqa: E711
    ).first() is not None
    on_caseload = bool(health or social or in_hospital or person.key_worker_id)
    if not on_caseload:
        if existing is not None:
            session.delete(existing)
        return
    practice = session.get(Practice, person.practice_id)
    kw = session.get(Staff, person.key_worker_id) if person.key_worker_id else None
    due.sort()
    values = dict(
        zone_id=person.zone_id,
        sort_name=f"{person.family_key} {person.given_key}",
        display_name=f"{person.family_name.upper()}, {person.given_name}",
        nhs_number=person.nhs_number,
        date_of_birth=person.date_of_birth,
        practice_name=practice.name if practice else "",
        key_worker_id=person.key_worker_id,
        key_worker_name=kw.name if kw else "",
        health=", ".join(health),
        social=", ".join(social),
        next_due_on=due[0][0] if due else None,
        next_due_what=due[0][1] if due else "",
        lives_alone=person.lives_alone,
        in_hospital=in_hospital,
        crisis=crisis,
    )
    if existing is None:
        session.add(CaseloadEntry(person_id=person_id, **values))
    else:
        for k, v in values.items():
            setattr(existing, k, v)


def rebuild(session: Session, zone_id: str | None = None) -> int:
    """Rebuild every row (after a bulk load); returns how many people are on the caseload."""
    q = select(Person.id)
    if zone_id:
        q = q.where(Person.zone_id == zone_id)
        session.exec(delete(CaseloadEntry).where(CaseloadEntry.zone_id == zone_id))  # type: ignore[call-overload]
    else:
        session.exec(delete(CaseloadEntry))  # type: ignore[call-overload]
    for pid in session.exec(q).all():
        refresh(session, pid)
    session.flush()
    return session.exec(select(func.count()).select_from(CaseloadEntry)).one()


@dataclass(frozen=True)
class CaseloadRow:
    """One line of the caseload screen."""

    person_id: int
    name: str
    nhs_number: str
    date_of_birth: date
    practice: str
    key_worker: str
    health: str
    social: str
    next_due_on: date | None
    next_due_what: str
    lives_alone: bool
    in_hospital: bool
    crisis: bool

    @property
    def age(self) -> int:
        return clock.age_on(self.date_of_birth, clock.today())

    @property
    def nhs_display(self) -> str:
        return nhs.display(self.nhs_number)

    @property
    def flags(self) -> str:
        """Short flags a co-ordinator scans for: CRISIS, HOSP, ALONE."""
        out = []
        if self.crisis:
            out.append("CRISIS")
        if self.in_hospital:
            out.append("HOSP")
        if self.lives_alone:
            out.append("ALONE")
        return " ".join(out)


@dataclass(frozen=True)
class Page:
    """A window of the caseload and where it sits in the whole."""

    rows: list[CaseloadRow]
    offset: int
    total: int


_COLUMNS = (
    CaseloadEntry.person_id, CaseloadEntry.display_name, CaseloadEntry.nhs_number,
    CaseloadEntry.date_of_birth, CaseloadEntry.practice_name, CaseloadEntry.key_worker_name,
    CaseloadEntry.health, CaseloadEntry.social, CaseloadEntry.next_due_on, CaseloadEntry.next_due_what,
    CaseloadEntry.lives_alone, CaseloadEntry.in_hospital, CaseloadEntry.crisis,
)


def _where(zone_id: str, filter_key: str, staff_id: int | None, search: str) -> list:  # type: ignore[type-arg]
    conds = [CaseloadEntry.zone_id == zone_id]
    if filter_key == "mine":
        mine = exists().where(
            Involvement.person_id == CaseloadEntry.person_id,
            Involvement.staff_id == staff_id,
            Involvement.ended_on == None,  # noqa: E711
        )
        conds.append(or_(CaseloadEntry.key_worker_id == staff_id, mine))
    elif filter_key == "hospital":
        conds.append(CaseloadEntry.in_hospital == True)  # noqa: E712
    elif filter_key == "due":
        conds.append(and_(CaseloadEntry.next_due_on != None, col(CaseloadEntry.next_due_on) <= clock.today()))  # noqa: E711
    elif filter_key == "crisis":
        conds.append(CaseloadEntry.crisis == True)  # noqa: E712
    text = search.strip().lower()
    if text:
        digits = nhs.digits(text)
        if digits.isdigit():
            conds.append(col(CaseloadEntry.nhs_number).startswith(digits))
        else:
            conds.append(col(CaseloadEntry.sort_name).startswith(" ".join(text.replace(",", " ").split())))
    return conds


def page(
    session: Session,
    zone_id: str,
    *,
    filter_key: str = "zone",
    staff_id: int | None = None,
    sort: str = "name",
    descending: bool = False,
    search: str = "",
    offset: int = 0,
    limit: int = 100,
) -> Page:
    """One window of the caseload, filtered and sorted in the database."""
    conds = _where(zone_id, filter_key, staff_id, search)
    total = session.exec(select(func.count()).select_from(CaseloadEntry).where(*conds)).one()
    column = getattr(CaseloadEntry, SORTS.get(sort, SORTS["name"])[1])
    order = [column.desc() if descending else column.asc(), CaseloadEntry.sort_name, CaseloadEntry.person_id]
    if sort == "due":
        order.insert(0, column.is_(None))  # nothing due sorts last either way
    offset = max(0, min(offset, max(0, total - 1)))
    rows = session.exec(select(*_COLUMNS).where(*conds).order_by(*order).offset(offset).limit(limit)).all()
    return Page([CaseloadRow(*r) for r in rows], offset, total)
