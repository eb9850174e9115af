"""Delayed days: every day a patient stays after their discharge ready date, each with the reason it had.

ONE rule says which days are delayed (:func:`delayed_days`): days are UK local
dates, never spans of hours, so a day of 23 or 25 hours at a clock change is
one day, and a delay over a month end counts each day in its own month.

Each delayed day is a :class:`~desk.discharge_models.DelayDay` row. A reason
given (:func:`set_reason`) is written for its day and every later delayed day
up to today, replacing only those: earlier days keep the reason they had. Days
after the last one recorded take the last reason and owner
(:func:`carry_forward`, run by the desks' reminder poll and before a
discharge), marked ``carried``. Days before the first reason was ever given
stay missing (:func:`missing_days`): the ward screen asks for them by day.

The delays view reads :func:`delayed_now` (who is delayed today, longest
first) and :func:`counts` (delayed days per zone, reason and month, counted
from the rows), and exports both with :func:`export_csv`.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, insert
from sqlalchemy import select as sa_select
from sqlalchemy.sql.dml import ReturningInsert
from sqlmodel import Session, col, select

from desk import clock, history
from desk.discharge_models import DelayDay
from desk.errors import InvalidForm, NotFound
from desk.history import Actor
from desk.models import Admission, History, Organisation, Person
from desk.vocabulary import DELAY_REASONS

DESK_ACTOR = Actor(None, "desk")
"""Who carries a reason forward when no one at a desk asked: the desk itself."""


def delayed_days(ready_on: date | None, discharged_on: date | None, today: date) -> list[date]:
    """The delayed days of a stay: THE rule, in UK local dates.

    None without a discharge ready date, or when discharged on it (or before).
    Otherwise every day from the discharge ready date up to and including the
    discharge day, or today while the patient is still in hospital: ready on
    day 3 and discharged on day 4 is two delayed days, 3 and 4.
    """
    if ready_on is None:
        return []
    if discharged_on is not None and discharged_on <= ready_on:
        return []
    last = discharged_on if discharged_on is not None else today
    return [ready_on + timedelta(days=n) for n in range((last - ready_on).days + 1)]


def discharged_day(admission: Admission) -> date | None:
    """The UK local day a stay ended, or None while it is open."""
    return clock.local(admission.discharged_at).date() if admission.discharged_at is not None else None


def days_of(admission: Admission, today: date | None = None) -> list[date]:
    """The delayed days of one admission as it stands (see :func:`delayed_days`)."""
    return delayed_days(admission.ready_on, discharged_day(admission), today or clock.today())


def reason_words(reason: str) -> str:
    """A delay reason in the national category's words ("" for none)."""
    return DELAY_REASONS.get(reason, reason)


def day_words(day: date) -> str:
    """A delayed day as the ward reads it: 30-Nov-2026."""
    return f"{day:%d-%b-%Y}"


# --- recording a reason -------------------------------------------------------------


@dataclass(frozen=True)
class DelayInput:
    """A delay reason given on the ward, from a day on."""

    admission_id: int
    reason: str
    """A key of desk.vocabulary.DELAY_REASONS."""
    owner: str
    """Who is acting on it (a name, a team)."""
    from_day: date | None = None
    """The first day it holds for (today if None); must be a delayed day."""
    note: str = ""


def _admission(session: Session, admission_id: int) -> Admission:
    adm = session.get(Admission, admission_id)
    if adm is None:
        raise NotFound("That stay is not on record.")
    return adm


def _zone_of(session: Session, person_id: int) -> str:
    person = session.get(Person, person_id)
    assert person is not None
    return person.zone_id


def set_reason(session: Session, actor: Actor, data: DelayInput) -> None:
    """Give the delay a reason and who is acting, from a day on; earlier days keep theirs.

    Writes the reason for ``from_day`` and each later delayed day up to today
    (or the discharge day), replacing only those days, and sets the stay's
    reason as it stands. Refused (nothing written): a reason not in the
    national categories, nobody acting, a day that is not a delayed day.
    """
    adm = _admission(session, data.admission_id)
    today = clock.today()
    days = days_of(adm, today)
    from_day = data.from_day or (days[-1] if days and adm.discharged_at is not None else today)
    owner = data.owner.strip()
    problems: dict[str, str] = {}
    if data.reason not in DELAY_REASONS:
        problems["reason"] = "Choose a reason from the national categories."
    if not owner:
        problems["owner"] = "Say who is acting on the delay."
    if adm.ready_on is None:
        problems["from_day"] = "There is no discharge ready date yet, so no day is delayed."
    elif from_day not in days:
        problems["from_day"] = (
            f"{day_words(from_day)} is not a delayed day: the delay runs from {day_words(adm.ready_on)}"
            + (f" to {day_words(days[-1])}." if days else ", and no day of it has come yet.")
        )
    if problems:
        raise InvalidForm(problems)
    assert adm.id is not None
    carry_forward(session, actor=actor, today=today, admission_id=adm.id)  # the days between keep the reason before
    zone = _zone_of(session, adm.person_id)
    why = f"Delay reason: {reason_words(data.reason)}"
    have = {
        d.day: d
        for d in session.exec(select(DelayDay).where(DelayDay.admission_id == adm.id, col(DelayDay.day) >= from_day))
    }
    now = clock.now()
    for day in (d for d in days if d >= from_day):
        values: dict[str, object] = dict(
            reason=data.reason,
            owner=owner,
            carried=False,
            note=data.note.strip(),
            recorded_at=now,
            recorded_by_id=actor.staff_id,
        )
        row = have.get(day)
        if row is None:
            new = DelayDay.model_validate(dict(admission_id=adm.id, day=day, zone_id=zone, **values))
            history.create(session, actor, new, why, adm.person_id)
        else:
            history.change(
                session, actor, row, values, expected_version=None, why=why, person_id=adm.person_id, label="delay"
            )
    history.change(
        session,
        actor,
        adm,
        dict(delay_reason=data.reason, delay_owner=owner),
        expected_version=None,
        why=why,
        person_id=adm.person_id,
        label="stay",
    )


def carry_forward(
    session: Session, *, actor: Actor | None = None, today: date | None = None, admission_id: int | None = None
) -> int:
    """Give each open stay's delayed days after its last recorded one the last reason; how many days written.

    Idempotent and cheap (one query over the stays in hospital with a reason):
    run by the desks' reminder poll and before a discharge (``admission_id``
    narrows it to one stay). A stay whose delay has never had a reason is
    left alone: its days stay missing. Written by ``actor``, or by the desk
    itself (no one at it) when None.
    """
    today = today or clock.today()
    who = actor or DESK_ACTOR
    one = [] if admission_id is None else [col(Admission.id) == admission_id]
    last = (
        sa_select(col(DelayDay.admission_id), func.max(DelayDay.day).label("last_day"))
        .group_by(col(DelayDay.admission_id))
        .subquery()
    )
    rows = session.execute(
        sa_select(
            col(Admission.id),
            col(Admission.person_id),
            col(Admission.ready_on),
            col(Admission.delay_reason),
            col(Admission.delay_owner),
            col(Person.zone_id),
            last.c.last_day,
        )
        .join(Person, col(Person.id) == Admission.person_id)
        .outerjoin(last, last.c.admission_id == Admission.id)
        .where(
            col(Admission.discharged_at).is_(None),
            col(Admission.delay_reason) != "",
            col(Admission.ready_on).is_not(None),
            col(Admission.ready_on) <= today,
            *one,
        )
    ).all()
    written = 0
    now = clock.now()
    for adm_id, person_id, ready_on, reason, owner, zone, last_day in rows:
        start = ready_on if last_day is None else max(ready_on, last_day + timedelta(days=1))
        days = [d for d in delayed_days(ready_on, None, today) if d >= start]
        if not days:
            continue
        values = dict(zone_id=zone, reason=reason, owner=owner, carried=True, recorded_at=now)
        new = list(
            session.execute(
                _insert_new(
                    session, [dict(values, admission_id=adm_id, day=d, recorded_by_id=who.staff_id) for d in days]
                )
            ).scalars()
        )
        if not new:
            continue  # another desk carried these days a moment ago
        days = sorted(new)
        session.add(  # one entry for the days carried at once: they are the desk's, not typed
            History(
                at=now,
                staff_id=who.staff_id,
                desk=who.desk,
                entity="delayday",
                entity_id=f"{adm_id}/{days[0].isoformat()}",
                person_id=person_id,
                action="create",
                before=None,
                after={"days": [d.isoformat() for d in days], "reason": reason, "owner": owner, "carried": True},
                why=f"Delay reason carried forward: {reason_words(reason)}",
            )
        )
        written += len(days)
    if written:
        session.flush()
    return written


def _insert_new(session: Session, rows: list[dict[str, object]]) -> ReturningInsert[tuple[date]]:
    """One INSERT of day rows that leaves any day already recorded alone, returning the days it wrote.

    Two desks polling at once may carry the same stay's days: on PostgreSQL
    the second waits for the first to commit and then inserts nothing, instead
    of failing on the primary key (SQLite's write lock already orders them).
    """
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert  # only on that database

        return (
            pg_insert(DelayDay)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["admission_id", "day"])
            .returning(col(DelayDay.day))
        )
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return (
            sqlite_insert(DelayDay)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["admission_id", "day"])
            .returning(col(DelayDay.day))
        )
    return insert(DelayDay).values(rows).returning(col(DelayDay.day))


def settle(session: Session, actor: Actor, admission: Admission) -> list[date]:
    """Drop day rows that are no longer delayed days; the stay's delayed days as they now stand.

    Run at a discharge and whenever the discharge ready date changes: days
    carried forward to today for a discharge recorded afterwards, a reason
    given on the discharge ready date for a patient who then left that day,
    or days before a ready date moved later are not delayed days, and the
    delays view (:func:`counts`) counts every row it finds.
    """
    assert admission.id is not None
    days = days_of(admission)
    stale = [
        d for d in session.exec(select(DelayDay).where(DelayDay.admission_id == admission.id)) if d.day not in days
    ]
    if stale:
        session.add(
            History(
                at=clock.now(),
                staff_id=actor.staff_id,
                desk=actor.desk,
                entity="delayday",
                entity_id=str(admission.id),
                person_id=admission.person_id,
                action="delete",
                before={"days": [d.day.isoformat() for d in stale]},
                after=None,
                why="No longer delayed days: the patient had left, or the discharge ready date moved",
            )
        )
        session.execute(
            delete(DelayDay).where(
                col(DelayDay.admission_id) == admission.id, col(DelayDay.day).in_([d.day for d in stale])
            )
        )
    return days


def _gaps(days: list[date], have: set[date], carries: bool) -> list[date]:
    """Of ``days``, those with no row that carrying the last reason forward would not fill either."""
    last = max(have) if have else None
    return [d for d in days if d not in have and not (carries and (last is None or d > last))]


def missing_among(session: Session, admission: Admission, days: list[date]) -> list[date]:
    """Of these delayed days of a stay, those still without a reason once the last one is carried forward."""
    have = set(
        session.execute(sa_select(col(DelayDay.day)).where(col(DelayDay.admission_id) == admission.id)).scalars()
    )
    return missing_given(admission, days, have)


def missing_given(admission: Admission, days: list[date], recorded: set[date]) -> list[date]:
    """:func:`missing_among` with the days that have a reason already read (``recorded``, a ward list's)."""
    return _gaps(days, recorded, bool(admission.delay_reason) and admission.discharged_at is None)


def missing_days(session: Session, admission_id: int, today: date | None = None) -> list[date]:
    """The stay's delayed days with no reason: what the ward must still give a reason for.

    A day after the last one recorded is not missing while the stay has a
    reason: the desks' poll (or the discharge) carries the reason on to it.
    """
    adm = _admission(session, admission_id)
    return missing_among(session, adm, days_of(adm, today))


def missing_by_stay(session: Session, admission_ids: list[int], today: date | None = None) -> dict[int, list[date]]:
    """:func:`missing_days` for many stays in two queries (a ward list); stays with none missing are left out."""
    if not admission_ids:
        return {}
    today = today or clock.today()
    stays = session.execute(
        sa_select(
            col(Admission.id), col(Admission.ready_on), col(Admission.discharged_at), col(Admission.delay_reason)
        ).where(col(Admission.id).in_(admission_ids), col(Admission.ready_on).is_not(None))
    ).all()
    have: dict[int, set[date]] = defaultdict(set)
    for adm_id, day in session.execute(
        sa_select(col(DelayDay.admission_id), col(DelayDay.day)).where(
            col(DelayDay.admission_id).in_([s[0] for s in stays])
        )
    ):
        have[adm_id].add(day)
    out: dict[int, list[date]] = {}
    for adm_id, ready_on, discharged_at, reason in stays:
        left = clock.local(discharged_at).date() if discharged_at is not None else None
        gaps = _gaps(delayed_days(ready_on, left, today), have[adm_id], bool(reason) and discharged_at is None)
        if gaps:
            out[adm_id] = gaps
    return out


@dataclass(frozen=True)
class DelayDayRow:
    """One delayed day of a stay as the stay screen lists it (a missing one has no reason)."""

    day: date
    reason: str
    reason_words: str
    owner: str
    carried: bool
    note: str
    recorded_at: datetime | None

    @property
    def missing(self) -> bool:
        """No reason recorded for this day yet."""
        return not self.reason


def delay_days(session: Session, admission_id: int, today: date | None = None) -> list[DelayDayRow]:
    """Every delayed day of a stay, oldest first, with the reason it had (or missing)."""
    adm = _admission(session, admission_id)
    rows = {d.day: d for d in session.exec(select(DelayDay).where(DelayDay.admission_id == admission_id))}
    out = []
    for day in days_of(adm, today):
        r = rows.get(day)
        if r is None:
            out.append(DelayDayRow(day, "", "", "", False, "", None))
        else:
            out.append(DelayDayRow(day, r.reason, reason_words(r.reason), r.owner, r.carried, r.note, r.recorded_at))
    return out


# --- the delays view ------------------------------------------------------------------


@dataclass(frozen=True)
class DelayedRow:
    """A patient in hospital past their discharge ready date, as the delays view lists them."""

    admission_id: int
    person_id: int
    name: str
    ward: str
    zone_id: str
    ready_on: date
    days: int
    reason: str
    """The reason as it stands, in the national category's words ("" if none given yet)."""
    owner: str


def delayed_now(session: Session, *, zone_id: str | None = None, today: date | None = None) -> list[DelayedRow]:
    """Patients still in hospital with delayed days, most days first (then by name)."""
    today = today or clock.today()
    q = (
        sa_select(
            col(Admission.id),
            col(Admission.person_id),
            col(Person.family_name),
            col(Person.given_name),
            col(Organisation.name),
            col(Person.zone_id),
            col(Admission.ready_on),
            col(Admission.delay_reason),
            col(Admission.delay_owner),
        )
        .join(Person, col(Person.id) == Admission.person_id)
        .join(Organisation, col(Organisation.id) == Admission.ward_id)
        .where(
            col(Admission.discharged_at).is_(None),
            col(Admission.ready_on).is_not(None),
            col(Admission.ready_on) <= today,
        )
    )
    if zone_id is not None:
        q = q.where(col(Person.zone_id) == zone_id)
    out = [
        DelayedRow(
            admission_id=adm_id,
            person_id=person_id,
            name=f"{family.upper()}, {given}",
            ward=ward,
            zone_id=zone,
            ready_on=ready_on,
            days=len(delayed_days(ready_on, None, today)),
            reason=reason_words(reason),
            owner=owner,
        )
        for adm_id, person_id, family, given, ward, zone, ready_on, reason, owner in session.execute(q)
    ]
    return sorted(out, key=lambda r: (-r.days, r.name, r.admission_id))


@dataclass(frozen=True)
class DelayCounts:
    """Delayed days counted from the day rows, between two days (inclusive)."""

    since: date
    until: date
    total: int
    by_zone: dict[str, int] = field(default_factory=dict)
    by_reason: dict[str, int] = field(default_factory=dict)
    """By reason key (desk.vocabulary.DELAY_REASONS), most days first."""
    by_month: dict[str, int] = field(default_factory=dict)
    """By month, "YYYY-MM", in order."""


def counts(session: Session, *, since: date, until: date, zone_id: str | None = None) -> DelayCounts:
    """Delayed days per zone, per reason and per month between ``since`` and ``until``, and the total.

    Counted in the database from the ``(day, zone_id, reason)`` index alone,
    grouped by day (no date function per row: the same on SQLite and
    PostgreSQL), then bucketed into months here: a year is a few thousand
    groups. Every row is a delayed day: :func:`settle` drops the rows a
    moved discharge ready date or a discharge leaves outside the delay.
    """
    q = (
        sa_select(col(DelayDay.zone_id), col(DelayDay.reason), col(DelayDay.day), func.count())
        .where(col(DelayDay.day) >= since, col(DelayDay.day) <= until)
        .group_by(col(DelayDay.zone_id), col(DelayDay.reason), col(DelayDay.day))
    )
    if zone_id is not None:
        q = q.where(col(DelayDay.zone_id) == zone_id)
    by_zone: dict[str, int] = defaultdict(int)
    by_reason: dict[str, int] = defaultdict(int)
    by_month: dict[str, int] = defaultdict(int)
    total = 0
    for zone, reason, day, n in session.execute(q):
        by_zone[zone] += n
        by_reason[reason] += n
        by_month[f"{day:%Y-%m}"] += n
        total += n
    return DelayCounts(
        since=since,
        until=until,
        total=total,
        by_zone=dict(sorted(by_zone.items())),
        by_reason=dict(sorted(by_reason.items(), key=lambda kv: (-kv[1], kv[0]))),
        by_month=dict(sorted(by_month.items())),
    )


def export_csv(rows: list[DelayedRow], counts: DelayCounts) -> str:
    """The delays view as CSV: the patients delayed now, then the delayed days counted (ISO dates)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["Delayed now"])
    w.writerow(["Name", "Ward", "Zone", "Discharge ready date", "Days delayed", "Reason", "Acting"])
    for r in rows:
        w.writerow([r.name, r.ward, r.zone_id, r.ready_on.isoformat(), r.days, r.reason, r.owner])
    w.writerow([])
    w.writerow([f"Delayed days from {counts.since.isoformat()} to {counts.until.isoformat()}"])
    w.writerow(["Counted by", "Value", "Days"])
    for zone, n in counts.by_zone.items():
        w.writerow(["Zone", zone, n])
    for reason, n in counts.by_reason.items():
        w.writerow(["Reason", reason_words(reason), n])
    for month_key, n in counts.by_month.items():
        w.writerow(["Month", month_key, n])
    w.writerow(["Total", "", counts.total])
    return out.getvalue()


def write_csv(folder: Path, rows: list[DelayedRow], counts: DelayCounts) -> Path:
    """Write :func:`export_csv` to a new file in ``folder`` (the desk's data directory); its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"delays-{clock.local(clock.now()):%Y-%m-%d-%H%M%S}.csv"
    path.write_text(export_csv(rows, counts), encoding="utf-8")
    return path
