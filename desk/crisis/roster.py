"""The duty roster: who is on duty in each zone, in which discipline, and who is away.

Shifts are stored in UTC with a start and an end, so a night shift simply
ends the next morning. The zone manager adds, changes and removes shifts and
marks people absent; the crisis desk asks :func:`on_duty` who can go today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import func
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, col, select

from desk import clock, history
from desk.crisis_models import Absence, Booking, Shift
from desk.errors import InvalidForm, NotFound, StaleRecord
from desk.history import Actor
from desk.models import History, Staff, Zone
from desk.vocabulary import DISCIPLINES

ABSENCE_KINDS: dict[str, str] = {
    "sick": "Off sick",
    "leave": "Annual leave",
    "training": "Training",
    "other": "Other absence",
}
"""Why someone is away."""

LONGEST_SHIFT = timedelta(hours=16)


@dataclass(frozen=True)
class ShiftInput:
    """A new shift: who, where, in which discipline, from when to when (aware times)."""

    zone_id: str
    staff_id: int
    discipline: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ShiftChange:
    """A changed shift, read at ``expected_version``; ``why`` is kept in the history."""

    shift_id: int
    expected_version: int
    staff_id: int
    discipline: str
    starts_at: datetime
    ends_at: datetime
    why: str


@dataclass(frozen=True)
class ShiftRemoval:
    """A shift taken off the roster, read at ``expected_version``, and why."""

    shift_id: int
    expected_version: int
    why: str


@dataclass(frozen=True)
class AbsenceInput:
    """Someone away: off sick, on leave, at training; from when to when."""

    staff_id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    note: str = ""


@dataclass(frozen=True)
class ShiftRow:
    """A shift as the roster screen shows it, with the absence that covers any of it."""

    id: int
    version: int
    zone_id: str
    staff_id: int
    staff_name: str
    discipline: str
    starts_at: datetime
    ends_at: datetime
    absence: str  # "" or a key of ABSENCE_KINDS


@dataclass(frozen=True)
class AbsenceRow:
    """A recorded absence."""

    id: int
    version: int
    staff_id: int
    kind: str
    starts_at: datetime
    ends_at: datetime
    note: str


@dataclass(frozen=True)
class OnDuty:
    """Someone of a discipline who can go: their shift, how busy they are today, when they are free."""

    staff_id: int
    name: str
    discipline: str
    shift_id: int
    starts_at: datetime
    ends_at: datetime
    visits_today: int
    free_from: datetime


class DayBounds(NamedTuple):
    """A half-open range of time in UTC: from ``start`` up to, not including, ``end``."""

    start: datetime
    end: datetime


def day_bounds(day: date) -> DayBounds:
    """A day on the office wall (Europe/London) as a UTC half-open range; 23 or 25 hours on a change."""
    start = datetime.combine(day, time.min, tzinfo=clock.LONDON)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=clock.LONDON)
    return DayBounds(start.astimezone(UTC), end.astimezone(UTC))


def _check_times(problems: dict[str, str], starts_at: datetime, ends_at: datetime, longest: timedelta | None) -> None:
    if starts_at.tzinfo is None:
        problems["starts_at"] = "Give the start with its time zone."
    if ends_at.tzinfo is None:
        problems["ends_at"] = "Give the end with its time zone."
    if problems:
        return
    if ends_at <= starts_at:
        problems["ends_at"] = "The end must be after the start (a night shift ends the next morning)."
    elif longest is not None and ends_at - starts_at > longest:
        problems["ends_at"] = f"A shift cannot be longer than {int(longest.total_seconds() // 3600)} hours."


def _validate_shift(
    session: Session,
    zone_id: str,
    staff_id: int,
    discipline: str,
    starts_at: datetime,
    ends_at: datetime,
    *,
    shift_id: int | None = None,
) -> None:
    problems: dict[str, str] = {}
    if session.get(Zone, zone_id) is None:
        problems["zone_id"] = f"No zone {zone_id}."
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        problems["staff_id"] = "Choose someone from the zone's team."
    if discipline not in DISCIPLINES:
        problems["discipline"] = "Choose the discipline they work in on this shift."
    _check_times(problems, starts_at, ends_at, LONGEST_SHIFT)
    if not problems:
        q = select(Shift).where(
            Shift.staff_id == staff_id, col(Shift.starts_at) < ends_at, col(Shift.ends_at) > starts_at
        )
        if shift_id is not None:
            q = q.where(Shift.id != shift_id)
        clash = session.exec(q).first()
        if clash is not None:
            problems["starts_at"] = (
                f"{staff.name if staff else 'They'} already {_on_shift(clash)}: change that shift instead."
            )
    if problems:
        raise InvalidForm(problems)


def _on_shift(shift: Shift) -> str:
    s, e = clock.local(shift.starts_at), clock.local(shift.ends_at)
    return f"has a shift {s:%a %d-%b %H:%M} to {e:%H:%M}"


def _row(session: Session, shift: Shift) -> ShiftRow:
    assert shift.id is not None
    staff = session.get(Staff, shift.staff_id)
    away = absent_during(session, shift.staff_id, shift.starts_at, shift.ends_at)
    return ShiftRow(
        id=shift.id,
        version=shift.version,
        zone_id=shift.zone_id,
        staff_id=shift.staff_id,
        staff_name=staff.name if staff else "",
        discipline=shift.discipline,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        absence=away.kind if away else "",
    )


def add_shift(session: Session, actor: Actor, data: ShiftInput) -> ShiftRow:
    """Put someone on the roster for a shift."""
    _validate_shift(session, data.zone_id, data.staff_id, data.discipline, data.starts_at, data.ends_at)
    shift = Shift(
        zone_id=data.zone_id,
        staff_id=data.staff_id,
        discipline=data.discipline,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
    )
    history.create(session, actor, shift, "Shift added to the roster")
    return _row(session, shift)


def _shift(session: Session, shift_id: int) -> Shift:
    shift = session.get(Shift, shift_id)
    if shift is None:
        raise NotFound("That shift is no longer on the roster.")
    return shift


def change_shift(session: Session, actor: Actor, data: ShiftChange) -> ShiftRow:
    """Change who works a shift, in which discipline, or when; refused if another desk changed it first."""
    if not data.why.strip():
        raise InvalidForm({"why": "Say why the shift is changing (e.g. 'swapped with Sam')."})
    shift = _shift(session, data.shift_id)
    _validate_shift(
        session, shift.zone_id, data.staff_id, data.discipline, data.starts_at, data.ends_at, shift_id=shift.id
    )
    history.change(
        session,
        actor,
        shift,
        dict(staff_id=data.staff_id, discipline=data.discipline, starts_at=data.starts_at, ends_at=data.ends_at),
        expected_version=data.expected_version,
        why=data.why.strip(),
        label="shift",
    )
    return _row(session, shift)


def remove_shift(session: Session, actor: Actor, data: ShiftRemoval) -> None:
    """Take a shift off the roster; its history keeps what it was and why it went."""
    if not data.why.strip():
        raise InvalidForm({"why": "Say why the shift is removed."})
    shift = _shift(session, data.shift_id)
    history.change(
        session, actor, shift, {}, expected_version=data.expected_version, why=data.why.strip(), label="shift"
    )
    live = session.exec(
        select(Booking.id).where(
            Booking.staff_id == shift.staff_id,
            col(Booking.visit_at) >= shift.starts_at,
            col(Booking.visit_at) < shift.ends_at,
            col(Booking.state).in_(("booked", "on_the_way")),
        )
    ).first()
    if live is not None:
        raise InvalidForm({"shift": "A crisis visit is booked in this shift: move or cancel it first."})
    session.add(
        History(
            at=clock.now(),
            staff_id=actor.staff_id,
            desk=actor.desk,
            entity="shift",
            entity_id=str(shift.id),
            action="end",
            before=history.snapshot(shift),
            after=None,
            why=data.why.strip(),
        )
    )
    session.delete(shift)
    try:
        session.flush()
    except StaleDataError:
        raise StaleRecord("This shift was changed at another desk a moment ago: reopen the roster.") from None


def mark_absent(session: Session, actor: Actor, data: AbsenceInput) -> AbsenceRow:
    """Record someone away (off sick, on leave): none of their shifts counts while it lasts."""
    problems: dict[str, str] = {}
    staff = session.get(Staff, data.staff_id)
    if staff is None:
        problems["staff_id"] = "Choose someone from the zone's team."
    if data.kind not in ABSENCE_KINDS:
        problems["kind"] = "Say why they are away: off sick, annual leave, training or other."
    _check_times(problems, data.starts_at, data.ends_at, None)
    if problems:
        raise InvalidForm(problems)
    absence = Absence(
        staff_id=data.staff_id,
        kind=data.kind,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        note=data.note.strip(),
    )
    history.create(session, actor, absence, f"Marked away: {ABSENCE_KINDS[data.kind].lower()}")
    assert absence.id is not None
    return AbsenceRow(
        id=absence.id,
        version=absence.version,
        staff_id=absence.staff_id,
        kind=absence.kind,
        starts_at=absence.starts_at,
        ends_at=absence.ends_at,
        note=absence.note,
    )


def absent_during(session: Session, staff_id: int, start: datetime, end: datetime) -> Absence | None:
    """An absence of theirs overlapping ``[start, end)``, if any."""
    return session.exec(
        select(Absence).where(Absence.staff_id == staff_id, col(Absence.starts_at) < end, col(Absence.ends_at) > start)
    ).first()


def week(session: Session, zone_id: str, monday: date) -> list[ShiftRow]:
    """The zone's shifts starting in the seven local days from ``monday``, by start then name."""
    start, _ = day_bounds(monday)
    _, end = day_bounds(monday + timedelta(days=6))
    shifts = session.exec(
        select(Shift)
        .where(Shift.zone_id == zone_id, col(Shift.starts_at) >= start, col(Shift.starts_at) < end)
        .order_by(col(Shift.starts_at), col(Shift.staff_id))
    ).all()
    return [_row(session, s) for s in shifts]


def visits_on(session: Session, staff_ids: Sequence[int], day: date) -> dict[int, int]:
    """How many visits (not cancelled) each of them has booked on a local day."""
    if not staff_ids:
        return {}
    start, end = day_bounds(day)
    rows = session.exec(
        select(Booking.staff_id, func.count())
        .where(
            col(Booking.staff_id).in_(staff_ids),
            col(Booking.visit_at) >= start,
            col(Booking.visit_at) < end,
            Booking.state != "cancelled",
        )
        .group_by(col(Booking.staff_id))
    ).all()
    return {sid: int(n) for sid, n in rows}


def on_duty(session: Session, zone_id: str, discipline: str, *, at: datetime | None = None) -> list[OnDuty]:
    """Who of ``discipline`` in ``zone_id`` is on duty now or later today, fewest visits today first.

    A shift counts if it has not ended and starts before the local day ends,
    and nobody counts while an absence covers the rest of their shift. Ties go
    to whoever is free soonest, then by name.
    """
    now = at or clock.now()
    today = clock.local(now).date()
    _, day_end = day_bounds(today)
    rows = session.exec(
        select(Shift, Staff.name)
        .join(Staff, col(Staff.id) == Shift.staff_id)
        .where(
            Shift.zone_id == zone_id,
            Shift.discipline == discipline,
            col(Shift.ends_at) > now,
            col(Shift.starts_at) < day_end,
        )
        .order_by(col(Shift.starts_at))
    ).all()
    chosen: dict[int, tuple[Shift, str]] = {}
    for shift, name in rows:
        if shift.staff_id in chosen:
            continue
        if absent_during(session, shift.staff_id, max(now, shift.starts_at), shift.ends_at) is not None:
            continue
        chosen[shift.staff_id] = (shift, name)
    counts = visits_on(session, list(chosen), today)
    out = [_on_duty(shift, name, counts.get(sid, 0), now) for sid, (shift, name) in chosen.items()]
    out.sort(key=lambda d: (d.visits_today, d.free_from, d.name))
    return out


def _on_duty(shift: Shift, name: str, visits_today: int, now: datetime) -> OnDuty:
    assert shift.id is not None
    return OnDuty(
        staff_id=shift.staff_id,
        name=name,
        discipline=shift.discipline,
        shift_id=shift.id,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        visits_today=visits_today,
        free_from=max(now, shift.starts_at),
    )


def covering_shift(
    session: Session, staff_id: int, at: datetime, *, zone_id: str, discipline: str | None = None
) -> Shift | None:
    """Their shift in the zone that covers the moment ``at`` (and is not cancelled by an absence)."""
    q = select(Shift).where(
        Shift.staff_id == staff_id, Shift.zone_id == zone_id, col(Shift.starts_at) <= at, col(Shift.ends_at) > at
    )
    if discipline is not None:
        q = q.where(Shift.discipline == discipline)
    shift = session.exec(q).first()
    if shift is None:
        return None
    if absent_during(session, staff_id, at, at + timedelta(minutes=1)) is not None:
        return None
    return shift
