"""Set-up for the crisis line's tests: the Brixham team by role, and shifts on the roster."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Engine

from desk import db
from desk.clock import LONDON
from desk.crisis import escalation, roster
from desk.crisis.escalation import DisciplineGap, Escalated, EscalationInput, TeamMember
from desk.crisis.roster import ShiftInput, ShiftRow
from desk.history import Actor
from desk.rows import StaffRow
from desk.services import reference

ROLE_DISCIPLINE = {
    "nurse": "nursing",
    "physiotherapist": "physiotherapy",
    "occupational_therapist": "occupational_therapy",
    "social_worker": "social_work",
}


def team(engine: Engine, zone_id: str = "BXM") -> dict[str, list[StaffRow]]:
    """The zone's active staff grouped by role, by name."""
    with db.reading(engine) as session:
        out: dict[str, list[StaffRow]] = {}
        for row in reference.staff(session, zone_id):
            out.setdefault(row.role, []).append(row)
    return out


def local(day: date, hh: int, mm: int = 0) -> datetime:
    """A wall-clock time in Brixham as an aware datetime."""
    return datetime.combine(day, time(hh, mm), tzinfo=LONDON)


def put_on(
    engine: Engine, actor: Actor, staff: StaffRow, start: datetime, end: datetime, discipline: str | None = None
) -> ShiftRow:
    """Put one person on the roster (their role's discipline unless given)."""
    with db.writing(engine) as session:
        return roster.add_shift(
            session,
            actor,
            ShiftInput(
                zone_id=staff.zone_id,
                staff_id=staff.id,
                discipline=discipline or ROLE_DISCIPLINE[staff.role],
                starts_at=start,
                ends_at=end,
            ),
        )


def day_team(engine: Engine, actor: Actor, day: date, roles: tuple[str, ...] = tuple(ROLE_DISCIPLINE)) -> None:
    """Everyone of these roles on an 08:00-20:00 shift on ``day``."""
    members = team(engine)
    for role in roles:
        for staff in members.get(role, []):
            put_on(engine, actor, staff, local(day, 8), local(day, 20))


def raise_crisis(
    engine: Engine, actor: Actor, person_id: int, *, need: str = "fall", what: str = "Fell at home, cannot get up."
) -> Escalated:
    """Escalate a crisis for a person with the proposed team (put them on the roster first)."""
    with db.writing(engine) as session:
        prop = escalation.propose_team(session, "BXM")
        return escalation.escalate(
            session,
            actor,
            EscalationInput(
                zone_id="BXM",
                person_id=person_id,
                caller="Daughter",
                what_happened=what,
                need=need,
                whereabouts="home",
                team=tuple(TeamMember(v.discipline, v.staff_id, v.visit_at) for v in prop.visits),
                gaps=tuple(DisciplineGap(d, "nobody_on_duty", "Manager: cover tomorrow") for d in prop.nobody_on_duty),
            ),
        )
