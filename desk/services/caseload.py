"""The combined health and social caseload.

``refresh`` rebuilds one person's row of the read model after any change that
touches them; ``page`` serves the screen one window at a time, so a caseload
of tens of thousands never has to be loaded whole.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, insert, or_, text
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, delete, select

from desk import caseload_query, clock
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
from desk.rows import DUE_RANK, FILTERS, PAGE_SIZE, SORTS, CaseloadRow, Page  # noqa: F401  (the screens' names for them)

_SHORT = {
    "nursing": "Nursing",
    "physiotherapy": "Physio",
    "occupational_therapy": "OT",
    "social_work": "SW",
    "support": "Support",
}


def refresh(session: Session, person_id: int) -> None:
    """Recompute one person's caseload row from their records (same transaction).

    The same rule as the bulk rebuild (:func:`compute_rows`), for one person.
    """
    session.flush()
    rows = compute_rows(session, person_id=person_id)
    existing = session.get(CaseloadEntry, person_id)
    if not rows:
        if existing is not None:
            session.delete(existing)
        return
    if existing is None:
        session.add(CaseloadEntry(**rows[0]))
    else:
        for key, value in rows[0].items():
            setattr(existing, key, value)


def rebuild(session: Session, zone_id: str | None = None) -> int:
    """Rebuild every row (after a bulk load); returns how many people are on the caseload.

    Computes the same rows :func:`refresh` would, person by person, but from a
    handful of set-wide queries and one bulk insert, so 40,000 people take
    seconds rather than minutes.
    """
    session.flush()
    rows = compute_rows(session, zone_id)
    if zone_id:
        in_zone = select(Person.id).where(Person.zone_id == zone_id)
        session.exec(
            delete(CaseloadEntry).where(  # type: ignore[call-overload]
                or_(CaseloadEntry.zone_id == zone_id, col(CaseloadEntry.person_id).in_(in_zone))
            )
        )
    else:
        session.exec(delete(CaseloadEntry))  # type: ignore[call-overload]
    table = CaseloadEntry.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), _INSERT_CHUNK):
        session.execute(insert(table), rows[start : start + _INSERT_CHUNK])
    return session.exec(select(func.count()).select_from(CaseloadEntry)).one()


_INSERT_CHUNK = 5_000


def compute_rows(session: Session, zone_id: str | None = None, *, person_id: int | None = None) -> list[dict[str, Any]]:
    """The caseload rows (as column dicts, by person id) for everyone, one zone, or one person.

    The one place the rule lives: who is on the caseload, and what their row says.
    """

    def in_zone(stmt: Any, person_col: Any) -> Any:
        if person_id is not None:
            return stmt.where(person_col == person_id)
        if zone_id:
            return stmt.join(Person, Person.id == person_col).where(Person.zone_id == zone_id)
        return stmt

    open_inv = Involvement.ended_on == None  # noqa: E711
    inv_rows = session.exec(
        in_zone(
            select(Involvement.person_id, Involvement.discipline, Staff.name)
            .join(Staff, Staff.id == Involvement.staff_id)
            .where(open_inv),
            Involvement.person_id,
        ).order_by(Involvement.person_id, Involvement.id)
    ).all()
    pkg_rows = session.exec(
        in_zone(
            select(CarePackage.person_id, CarePackage.id, CarePackage.review_due).where(CarePackage.status == "active"),
            CarePackage.person_id,
        ).order_by(CarePackage.person_id, CarePackage.id)
    ).all()
    item_rows = session.exec(
        in_zone(
            select(CarePackageItem.package_id, CarePackageItem.service)
            .join(CarePackage, CarePackage.id == CarePackageItem.package_id)
            .where(CarePackage.status == "active", CarePackageItem.end_date == None),  # noqa: E711
            CarePackage.person_id,
        )
    ).all()
    ref_rows = session.exec(
        in_zone(
            select(Referral.person_id, Referral.discipline, Referral.crisis, Referral.due_at, Referral.urgency).where(
                Referral.status == "open"
            ),
            Referral.person_id,
        ).order_by(Referral.person_id, Referral.id)
    ).all()
    adm_ids = set(
        session.exec(
            in_zone(
                select(Admission.person_id).where(Admission.discharged_at == None),
                Admission.person_id,  # noqa: E711
            )
        ).all()
    )

    health: dict[int, list[str]] = {}
    social: dict[int, list[str]] = {}
    for pid, discipline, name in inv_rows:
        side = DISCIPLINES.get(discipline, ("", "health"))[1]
        label = _SHORT.get(discipline, discipline)
        if side == "health":
            health.setdefault(pid, []).append(label)
        else:
            social.setdefault(pid, []).append(f"{label} ({name.split()[-1]})")
    services: dict[int, set[str]] = {}
    for package_id, service in item_rows:
        services.setdefault(package_id, set()).add(service)
    due: dict[int, list[tuple[date, int, str]]] = {}
    first_package: dict[int, tuple[int, date | None]] = {}
    for pid, package_id, review_due in pkg_rows:
        first_package.setdefault(pid, (package_id, review_due))
    for pid, (package_id, review_due) in first_package.items():
        svc = services.get(package_id)
        social.setdefault(pid, []).insert(0, "Package: " + ", ".join(sorted(svc)) if svc else "Package")
        if review_due:
            due.setdefault(pid, []).append((review_due, DUE_RANK["review"], "Package review"))
    crisis: set[int] = set()
    for pid, discipline, is_crisis, due_at, urgency in ref_rows:
        label = _SHORT.get(discipline, discipline)
        side = DISCIPLINES.get(discipline, ("", "health"))[1]
        (health if side == "health" else social).setdefault(pid, []).append(f"ref {label}")
        if is_crisis:
            crisis.add(pid)
        if due_at:
            due.setdefault(pid, []).append(
                (clock.local(due_at).date(), DUE_RANK.get(urgency, 3), f"{label} referral ({urgency})")
            )

    candidates = (
        select(Involvement.person_id)
        .where(open_inv)
        .union(
            select(CarePackage.person_id).where(CarePackage.status == "active"),
            select(Referral.person_id).where(Referral.status == "open"),
            select(Admission.person_id).where(Admission.discharged_at == None),  # noqa: E711
            select(Person.id).where(Person.key_worker_id != None),  # noqa: E711
        )
        .subquery()
    )
    kw = aliased(Staff)
    people = (
        select(
            Person.id,
            Person.zone_id,
            Person.family_key,
            Person.given_key,
            Person.family_name,
            Person.given_name,
            Person.nhs_number,
            Person.date_of_birth,
            Person.key_worker_id,
            Person.lives_alone,
            Practice.name,
            kw.name,
        )
        .join(Practice, Practice.ods_code == Person.practice_id, isouter=True)
        .join(kw, kw.id == Person.key_worker_id, isouter=True)
    )
    if person_id is not None:
        people = people.where(Person.id == person_id)  # one person: no need to list candidates
    else:
        people = people.join(candidates, candidates.c[0] == Person.id)
        if zone_id:
            people = people.where(Person.zone_id == zone_id)
    out: list[dict[str, Any]] = []
    for (
        pid,
        zone,
        family_key,
        given_key,
        family_name,
        given_name,
        nhs_number,
        dob,
        key_worker_id,
        lives_alone,
        practice_name,
        kw_name,
    ) in session.exec(people.order_by(Person.id)).all():
        h, so = health.get(pid, []), social.get(pid, [])
        in_hospital = pid in adm_ids
        if not (h or so or in_hospital or key_worker_id):
            continue
        d = sorted(due.get(pid, []))
        out.append(
            dict(
                person_id=pid,
                zone_id=zone,
                sort_name=f"{family_key} {given_key}",
                display_name=f"{family_name.upper()}, {given_name}",
                nhs_number=nhs_number,
                date_of_birth=dob,
                practice_name=practice_name or "",
                key_worker_id=key_worker_id,
                key_worker_name=kw_name or "",
                health=", ".join(h),
                social=", ".join(so),
                next_due_on=d[0][0] if d else None,
                next_due_what=d[0][2] if d else "",
                lives_alone=lives_alone,
                in_hospital=in_hospital,
                crisis=pid in crisis,
            )
        )
    return out


def page(
    session: Session,
    zone_id: str | None,
    *,
    filter_key: str = "zone",
    staff_id: int | None = None,
    sort: str = "name",
    descending: bool = False,
    search: str = "",
    offset: int = 0,
    limit: int = PAGE_SIZE,
) -> Page:
    """One window of the caseload, filtered and sorted in the database (see desk.caseload_query).

    ``zone_id`` None (or empty) pages the whole trust. The query is plain SQL,
    shared with the desk's opening, which runs it before the ORM has loaded.
    """

    def run(sql: str, params: dict[str, Any]) -> Any:
        return session.execute(text(sql), params).all()

    return caseload_query.page(
        run,
        session.get_bind().dialect.name,
        zone_id,
        today=clock.today(),
        filter_key=filter_key,
        staff_id=staff_id,
        sort=sort,
        descending=descending,
        search=search,
        offset=offset,
        limit=limit,
    )
