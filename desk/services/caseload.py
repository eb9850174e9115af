"""The combined health and social caseload.

``refresh`` rebuilds one person's row of the read model after any change that
touches them; ``page`` serves the screen one window at a time, so a caseload
of tens of thousands never has to be loaded whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple, TypeVar

import sqlalchemy as sa
from sqlalchemy import func, insert, or_, text
from sqlalchemy.orm import Mapped, aliased
from sqlmodel import Session, col, delete, select

from desk import caseload_query, clock, triage
from desk.discharge_models import ZonePickup
from desk.models import (
    Admission,
    CarePackage,
    CarePackageItem,
    CaseloadEntry,
    History,
    Involvement,
    Organisation,
    Person,
    Practice,
    Referral,
    Staff,
    saved_id,
)
from desk.rows import DUE_RANK, FILTERS, PAGE_SIZE, SORTS, CaseloadRow, Page
from desk.vocabulary import DISCIPLINES

__all__ = [  # the screens reach the caseload's shapes and vocabularies through this module
    "DUE_RANK",
    "FILTERS",
    "PAGE_SIZE",
    "SORTS",
    "CaseloadRow",
    "EntryValues",
    "Page",
    "compute_rows",
    "page",
    "rebuild",
    "refresh",
    "short_ward",
]

_SHORT = {
    "nursing": "Nursing",
    "physiotherapy": "Physio",
    "occupational_therapy": "OT",
    "social_work": "SW",
    "support": "Support",
}


class EntryValues(NamedTuple):
    """A person's caseload row as computed from their records: the columns of :class:`CaseloadEntry`."""

    person_id: int
    zone_id: str
    sort_name: str
    display_name: str
    nhs_number: str
    date_of_birth: date
    practice_name: str
    key_worker_id: int | None
    key_worker_name: str
    health: str
    social: str
    next_due_on: date | None
    next_due_what: str
    lives_alone: bool
    in_hospital: bool
    crisis: bool
    wait_flag_from: date | None


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
    values = rows[0]._asdict()
    if existing is None:
        session.add(CaseloadEntry(**values))
    else:
        for key, value in values.items():
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
            delete(CaseloadEntry).where(
                or_(col(CaseloadEntry.zone_id) == zone_id, col(CaseloadEntry.person_id).in_(in_zone))
            )
        )
    else:
        session.exec(delete(CaseloadEntry))
    connection = session.connection()
    for start in range(0, len(rows), _INSERT_CHUNK):
        connection.execute(insert(CaseloadEntry), [row._asdict() for row in rows[start : start + _INSERT_CHUNK]])
    return session.exec(select(func.count()).select_from(CaseloadEntry)).one()


_INSERT_CHUNK = 5_000

NEW_FOR_DAYS = 28
"""Days a person registered at the desk stays on their zone's caseload with nothing else to keep them there."""


def _registered_at_desk_since(since: Any) -> sa.Select[int | None, datetime]:
    """People a member of staff registered at the desk since the cut-off, with when (newest first per person).

    A registration is the history "create" entry on the person; the synthetic
    seed's bulk registrations carry no member of staff, so they never count.
    """
    return (
        sa.select(col(History.person_id), func.max(col(History.at)))
        .where(
            col(History.entity) == "person",
            col(History.action) == "create",
            col(History.staff_id).is_not(None),
            col(History.at) >= since,
        )
        .group_by(col(History.person_id))
    )


_Q = TypeVar("_Q", bound=sa.Select[*tuple[Any, ...]])


class _Statements(NamedTuple):
    involvements: Any
    packages: Any
    items: Any
    referrals: Any
    admissions: Any
    pickups: Any
    registered: Any
    people: Any


_PERSON: list[_Statements] = []
"""One person's statements, built once: a refresh after every change runs them with the person's id bound."""


def _person_statements() -> _Statements:
    if not _PERSON:
        _PERSON.append(_statements(None, sa.bindparam("since"), person=sa.bindparam("person_id")))
    return _PERSON[0]


def _statements(zone_id: str | None, now_utc: Any, *, person: Any = None) -> _Statements:
    """The queries :func:`compute_rows` runs: everyone, one zone, or (``person``, a bound id) one person.

    For one person ``now_utc`` is the bound cut-off itself (the registration window's start), not the time.
    """
    person_id = person

    def in_zone(stmt: _Q, person_col: Mapped[int]) -> _Q:
        if person_id is not None:
            return stmt.where(person_col == person_id)
        if zone_id:
            return stmt.join(Person, col(Person.id) == person_col).where(col(Person.zone_id) == zone_id)
        return stmt

    open_inv = col(Involvement.ended_on).is_(None)
    involvements = in_zone(
        select(Involvement.person_id, Involvement.discipline, Staff.name)
        .join(Staff, col(Staff.id) == col(Involvement.staff_id))
        .where(open_inv),
        col(Involvement.person_id),
    ).order_by(col(Involvement.person_id), col(Involvement.id))
    packages = in_zone(
        select(col(CarePackage.person_id), col(CarePackage.id), col(CarePackage.review_due)).where(
            CarePackage.status == "active"
        ),
        col(CarePackage.person_id),
    ).order_by(col(CarePackage.person_id), col(CarePackage.id))
    items = in_zone(
        select(CarePackageItem.package_id, CarePackageItem.service)
        .join(CarePackage, col(CarePackage.id) == col(CarePackageItem.package_id))
        .where(CarePackage.status == "active", col(CarePackageItem.end_date).is_(None)),
        col(CarePackage.person_id),
    )
    referrals = in_zone(
        sa.select(
            col(Referral.person_id),
            col(Referral.discipline),
            col(Referral.crisis),
            col(Referral.due_at),
            col(Referral.urgency),
        ).where(col(Referral.status) == "open"),
        col(Referral.person_id),
    ).order_by(col(Referral.person_id), col(Referral.id))
    admissions = in_zone(
        sa.select(col(Admission.person_id), col(Admission.admitted_at), col(Organisation.name))
        .join(Organisation, col(Organisation.id) == col(Admission.ward_id))
        .where(col(Admission.discharged_at).is_(None)),
        col(Admission.person_id),
    ).order_by(col(Admission.person_id), col(Admission.admitted_at))
    waiting_pickup = col(ZonePickup.acknowledged_at).is_(None)
    pickups = in_zone(select(ZonePickup.person_id).where(waiting_pickup), col(ZonePickup.person_id))

    since = now_utc if person is not None else now_utc - timedelta(days=NEW_FOR_DAYS)
    new_people = _registered_at_desk_since(since)
    if person_id is not None:
        new_people = new_people.where(col(History.person_id) == person_id)
    elif zone_id:
        new_people = new_people.join(Person, col(Person.id) == col(History.person_id)).where(
            col(Person.zone_id) == zone_id
        )

    candidates = (
        sa.select(col(Involvement.person_id))
        .where(open_inv)
        .union(
            sa.select(col(CarePackage.person_id)).where(col(CarePackage.status) == "active"),
            sa.select(col(Referral.person_id)).where(col(Referral.status) == "open"),
            sa.select(col(Admission.person_id)).where(col(Admission.discharged_at).is_(None)),
            sa.select(col(ZonePickup.person_id)).where(waiting_pickup),
            sa.select(col(Person.id)).where(col(Person.key_worker_id).is_not(None)),
            _registered_at_desk_since(since).with_only_columns(col(History.person_id)),
        )
        .subquery()
    )
    kw = aliased(Staff)
    people = (
        sa.select(
            col(Person.id),
            col(Person.zone_id),
            col(Person.family_key),
            col(Person.given_key),
            col(Person.family_name),
            col(Person.given_name),
            col(Person.nhs_number),
            col(Person.date_of_birth),
            col(Person.key_worker_id),
            col(Person.lives_alone),
            col(Practice.name),
            col(kw.name),
        )
        .join(Practice, col(Practice.ods_code) == col(Person.practice_id), isouter=True)
        .join(kw, col(kw.id) == col(Person.key_worker_id), isouter=True)
    )
    if person_id is not None:
        people = people.where(col(Person.id) == person_id)  # one person: no need to list candidates
    else:
        people = people.join(candidates, candidates.c[0] == col(Person.id))
        if zone_id:
            people = people.where(col(Person.zone_id) == zone_id)
    return _Statements(
        involvements, packages, items, referrals, admissions, pickups, new_people, people.order_by(col(Person.id))
    )


def compute_rows(session: Session, zone_id: str | None = None, *, person_id: int | None = None) -> list[EntryValues]:
    """The caseload rows, by person id, for everyone, one zone, or one person.

    The one place the rule lives: who is on the caseload, and what their row says.

    On it: anyone with an open involvement, an active care package, an open
    referral, a current admission, a discharge the zone has not yet picked
    up (desk.discharge.pickups) or a key worker; and anyone a member of
    staff registered at the desk in the last :data:`NEW_FOR_DAYS` days (the
    co-ordinator will ring them back, or be rung about them). Someone there
    only because they are new shows "Registered 30-Nov" in the Health column;
    a person with any other reason keeps the row those reasons give.

    After the 28 days a newly registered person with nothing else drops off
    the next time their row is computed: any :func:`refresh` (every change to
    them) or a :func:`rebuild` (``desk seed``, the demo). Stored rows are not
    re-evaluated on a timer, so a person nobody touches again stays on the
    stored caseload, still marked with the date they were registered, until
    the next rebuild.
    """
    session.flush()  # the statements run on the session's connection, which does not flush by itself
    q = _person_statements() if person_id is not None else _statements(zone_id, clock.now())
    params: dict[str, Any] = (
        {"person_id": person_id, "since": clock.now() - timedelta(days=NEW_FOR_DAYS)} if person_id is not None else {}
    )
    connection = session.connection()
    inv_rows = connection.execute(q.involvements, params).all()
    pkg_rows = connection.execute(q.packages, params).all()
    item_rows = connection.execute(q.items, params).all()
    ref_rows = connection.execute(q.referrals, params).all()
    in_hospital_since: dict[int, str] = {}
    for pid, admitted_at, ward in connection.execute(q.admissions, params).all():
        in_hospital_since.setdefault(pid, f"{short_ward(ward)} since {clock.local(admitted_at):%d-%b}")
    adm_ids = set(in_hospital_since)
    pickup_ids = set(connection.execute(q.pickups, params).scalars().all())
    registered = {saved_id(pid): clock.local(at).date() for pid, at in connection.execute(q.registered, params).all()}

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
    for pid, pkg_id, review_due in pkg_rows:
        first_package.setdefault(pid, (saved_id(pkg_id), review_due))
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
            clock_kind = triage.CRISIS if is_crisis else urgency  # the response, as migration 0004 reads it
            local_due = clock.local(due_at)
            at = f"{local_due:%H:%M} " if clock_kind in triage.HOUR_BASED else ""  # hours: the time as well
            due.setdefault(pid, []).append(
                (local_due.date(), DUE_RANK.get(urgency, 3), f"{at}{label} referral ({clock_kind})")
            )

    wait_from = _wait_flags(connection, zone_id, person_id)
    out: list[EntryValues] = []
    for (
        row_id,
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
    ) in connection.execute(q.people, params).all():
        pid = saved_id(row_id)
        h, so = health.get(pid, []), social.get(pid, [])
        in_hospital = pid in adm_ids
        if in_hospital:
            h = [in_hospital_since[pid], *h]  # the ward and since when, first: "Ward 3 since 20-Nov"
        if not (h or so or in_hospital or key_worker_id or pid in pickup_ids):  # a pick-up keeps them on till done
            if pid not in registered:
                continue
            h = [f"Registered {registered[pid]:%d-%b}"]  # on the caseload only because they are new
        d = sorted(due.get(pid, []))
        out.append(
            EntryValues(
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
                wait_flag_from=wait_from.get(pid),
            )
        )
    return out


def short_ward(name: str) -> str:
    """A ward as a busy row names it: ``Ward 3 (Care of the Elderly), Bay General Hospital`` as ``Ward 3``,
    ``Brixham Community Hospital, Harbour Ward`` as ``Harbour Ward``; a name of one part as it is."""
    head = name.split(" (")[0].split(",")[0].strip()
    if head.lower().startswith("ward"):
        return head
    parts = [p.strip() for p in name.split(",")]
    return parts[-1] if len(parts) > 1 else head


def _wait_flags(connection: Any, zone_id: str | None, person_id: int | None) -> dict[int, date]:
    """Per person, the day their soonest waiting target comes within the zone's at-risk days (the WAIT flag).

    A package not yet available counts against its 28-day target, equipment
    not yet delivered against its 7 (desk.packages.targets stores each target
    date); the flag is stored as the day it starts, so a stored row flags on
    time without being computed again.
    """
    from desk.packages import config

    if person_id is not None:  # after every change: the statements built once, the person bound
        if not _PERSON_TARGETS:
            _PERSON_TARGETS.extend(_target_statements(None, sa.bindparam("person_id")))
        statements, params = list(_PERSON_TARGETS), {"person_id": person_id}
    else:
        statements, params = _target_statements(zone_id, None), {}
    soonest: dict[int, tuple[date, str]] = {}
    for stmt in statements:
        for pid, zone, target_on in connection.execute(stmt, params):
            target = target_on if isinstance(target_on, date) else date.fromisoformat(str(target_on))
            if pid not in soonest or target < soonest[pid][0]:
                soonest[saved_id(pid)] = (target, zone)
    at_risk: dict[str, int] = {}
    out: dict[int, date] = {}
    for pid, (target, zone) in soonest.items():
        if zone not in at_risk:
            at_risk[zone] = config.for_zone(zone).at_risk_days
        out[pid] = target - timedelta(days=at_risk[zone])
    return out


_PERSON_TARGETS: list[Any] = []
"""One person's two target statements (:func:`_wait_flags`), built once, the person's id bound at run time."""


def _target_statements(zone_id: str | None, person: Any) -> list[Any]:
    """The soonest waiting package target and equipment target per person: everyone, a zone, or ``person``."""
    who: list[Any] = [col(CarePackage.status) != "ended"]
    if person is not None:
        who.append(col(CarePackage.person_id) == person)
    elif zone_id:
        who.append(col(Person.zone_id) == zone_id)
    pkg_targets = sa.select(col(CarePackage.person_id), col(Person.zone_id), func.min(col(CarePackage.target_on)))
    pkg_targets = pkg_targets.join(Person, col(Person.id) == col(CarePackage.person_id)).where(
        col(CarePackage.available_on).is_(None), col(CarePackage.target_on).is_not(None), *who
    )
    item_targets = (
        sa.select(col(CarePackage.person_id), col(Person.zone_id), func.min(col(CarePackageItem.target_on)))
        .join(CarePackage, col(CarePackage.id) == col(CarePackageItem.package_id))
        .join(Person, col(Person.id) == col(CarePackage.person_id))
        .where(
            col(CarePackageItem.available_on).is_(None),
            col(CarePackageItem.target_on).is_not(None),
            col(CarePackageItem.state) != "ended",
            *who,
        )
    )
    return [stmt.group_by(col(CarePackage.person_id), col(Person.zone_id)) for stmt in (pkg_targets, item_targets)]


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

    connection = session.connection()

    def run(sql: str, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        return connection.execute(text(sql), params).all()

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
