"""A discharge the zone must pick up: on every desk of the zone until someone there acknowledges it.

Recording a discharge (desk.discharge.leaving) makes a
:class:`~desk.discharge_models.ZonePickup` for the person's zone with what was
put in place and who to ring, due to be raised at once. It is raised like a
reminder (desk.crisis.reminders): each desk's poll (:func:`poll`, run by
desk.crisis.reminders.poll_pickups on the reminder watch's wakes) claims each
pick-up whose ``next_raise_at`` has come with a conditional UPDATE, so exactly
one desk raises it each time, and sets it again :data:`RAISE_AGAIN` later,
until someone acknowledges it (:func:`acknowledge`, who and when recorded).
Every desk of the zone lists it (:func:`outstanding`) until then.

A raise does not move the pick-up's version: an acknowledgement made on a
pick-up another desk has raised again since is still the same acknowledgement.
Only an acknowledgement does, so of two desks acknowledging at once the
second is refused.

Other desks see a new pick-up within two seconds through a cheap mark
(:func:`mark`) a screen polls each second; the pick-up's history entry also
moves desk.services.changes.mark, which live lists already follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, CursorResult, func, update
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from desk import clock, history
from desk.discharge_models import ZonePickup
from desk.errors import InvalidForm, NotFound
from desk.history import Actor
from desk.models import Admission, Organisation, Person, Staff

RAISE_AGAIN = timedelta(minutes=30)
"""An unacknowledged pick-up is raised again this long after it was last raised."""


@dataclass(frozen=True)
class PickupRow:
    """A pick-up as the zone's desks list and notify it."""

    pickup_id: int
    version: int
    admission_id: int
    person_id: int
    name: str
    zone_id: str
    discharged_at: datetime
    ward: str
    put_in_place: str
    who_to_ring: str
    made_by: str
    """The name of who recorded the discharge."""
    raised_count: int
    acknowledged_at: datetime | None
    acknowledged_by: str
    """The name of who acknowledged it ("" until then)."""
    acknowledged_note: str

    @property
    def message(self) -> str:
        """What the notification says."""
        return (
            f"Discharge to pick up: {self.name}, home from {self.ward.split(',')[0]} "
            f"{clock.local(self.discharged_at):%d-%b %H:%M}. {self.put_in_place}"
        )


_MADE_BY = aliased(Staff, name="made_by")
_ACK_BY = aliased(Staff, name="ack_by")


def _rows(
    session: Session, where: list[ColumnElement[bool]], *, newest_first: bool = False, limit: int | None = None
) -> list[PickupRow]:
    order = (
        [col(ZonePickup.made_at).desc(), col(ZonePickup.id).desc()]
        if newest_first
        else [
            col(ZonePickup.made_at),
            col(ZonePickup.id),
        ]
    )
    q = (
        sa_select(
            ZonePickup,
            col(Person.family_name),
            col(Person.given_name),
            col(Organisation.name),
            col(_MADE_BY.name),
            col(_ACK_BY.name),
        )
        .join(Person, col(Person.id) == ZonePickup.person_id)
        .join(Admission, col(Admission.id) == ZonePickup.admission_id)
        .join(Organisation, col(Organisation.id) == Admission.ward_id)
        .outerjoin(_MADE_BY, col(_MADE_BY.id) == ZonePickup.made_by_id)
        .outerjoin(_ACK_BY, col(_ACK_BY.id) == ZonePickup.acknowledged_by_id)
        .where(*where)
        .order_by(*order)
    )
    if limit is not None:
        q = q.limit(limit)
    out = []
    for p, family, given, ward, made_by, ack_by in session.execute(q):
        assert p.id is not None
        out.append(
            PickupRow(
                pickup_id=p.id,
                version=p.version,
                admission_id=p.admission_id,
                person_id=p.person_id,
                name=f"{family.upper()}, {given}",
                zone_id=p.zone_id,
                discharged_at=p.discharged_at,
                ward=ward,
                put_in_place=p.put_in_place,
                who_to_ring=p.who_to_ring,
                made_by=made_by or "",
                raised_count=p.raised_count,
                acknowledged_at=p.acknowledged_at,
                acknowledged_by=ack_by or "",
                acknowledged_note=p.acknowledged_note,
            )
        )
    return out


def _zone(zone_id: str | None) -> list[ColumnElement[bool]]:
    return [] if zone_id is None else [col(ZonePickup.zone_id) == zone_id]


def outstanding(session: Session, zone_id: str | None) -> list[PickupRow]:
    """The zone's pick-ups not yet acknowledged, oldest first: what every desk of the zone shows."""
    return _rows(session, [col(ZonePickup.acknowledged_at).is_(None), *_zone(zone_id)])


def recent(session: Session, zone_id: str | None, limit: int = 50) -> list[PickupRow]:
    """The zone's latest pick-ups, acknowledged or not, newest first."""
    return _rows(session, _zone(zone_id), newest_first=True, limit=limit)


def pickup(session: Session, pickup_id: int) -> PickupRow:
    """One pick-up as the list shows it."""
    rows = _rows(session, [col(ZonePickup.id) == pickup_id])
    if not rows:
        raise NotFound("That pick-up is not on record.")
    return rows[0]


def flagged(session: Session, person_ids: list[int]) -> set[int]:
    """Which of these people have a pick-up not yet acknowledged (the caseload's PICKUP flag)."""
    if not person_ids:
        return set()
    return set(
        session.execute(
            sa_select(col(ZonePickup.person_id)).where(
                col(ZonePickup.person_id).in_(person_ids), col(ZonePickup.acknowledged_at).is_(None)
            )
        ).scalars()
    )


def mark(session: Session, zone_id: str | None) -> tuple[int, int]:
    """A cheap mark of the zone's pick-ups: the newest id and how many are outstanding; equal marks, no news.

    Read from the ``(zone_id, acknowledged_at)`` index, so a desk can ask it
    every second and show a new pick-up within two.
    """
    newest = session.execute(sa_select(func.max(ZonePickup.id)).where(*_zone(zone_id))).scalar() or 0
    waiting = session.execute(
        sa_select(func.count())
        .select_from(ZonePickup)
        .where(col(ZonePickup.acknowledged_at).is_(None), *_zone(zone_id))
    ).scalar_one()
    return newest, waiting


# --- raised until acknowledged ----------------------------------------------------------


def due(session: Session, zone_id: str | None, *, now: datetime | None = None) -> list[int]:
    """Pick-ups whose time to be raised has come and that nobody has acknowledged, oldest first."""
    q = sa_select(col(ZonePickup.id)).where(
        col(ZonePickup.acknowledged_at).is_(None),
        col(ZonePickup.next_raise_at) <= (now or clock.now()),
        *_zone(zone_id),
    )
    return [pid for pid in session.execute(q.order_by(col(ZonePickup.next_raise_at), col(ZonePickup.id))).scalars()]


def claim(session: Session, pickup_id: int, desk: str) -> bool:
    """Raise one pick-up if no desk has since it fell due: a conditional UPDATE, so of many desks one gets True."""
    now = clock.now()
    result = session.execute(
        update(ZonePickup)
        .where(
            col(ZonePickup.id) == pickup_id,
            col(ZonePickup.acknowledged_at).is_(None),
            col(ZonePickup.next_raise_at) <= now,
        )
        .values(
            next_raise_at=now + RAISE_AGAIN,
            raised_count=col(ZonePickup.raised_count) + 1,
            raised_at=now,
            raised_by_desk=desk,
        )
        .execution_options(synchronize_session=False)
    )
    assert isinstance(result, CursorResult)
    return result.rowcount == 1


def poll(session: Session, actor: Actor, zone_id: str | None) -> list[PickupRow]:
    """Raise every pick-up of the zone now due that no desk has raised; returns the ones this desk raised.

    Run in a write transaction on the reminder watch's wakes (and at start-up,
    to catch up): the first raise is as soon as a desk looks after the
    discharge, then every :data:`RAISE_AGAIN` until acknowledged.
    """
    ids = due(session, zone_id)
    if not ids:
        return []  # the usual answer, from one index read
    person_of: dict[int, int] = {
        pid: person
        for pid, person in session.execute(
            sa_select(col(ZonePickup.id), col(ZonePickup.person_id)).where(col(ZonePickup.id).in_(ids))
        )
        if pid is not None
    }
    mine = history.claimed(
        session,
        actor,
        ids,
        claim,
        entity="zonepickup",
        why="Pick-up raised",
        before=None,
        after={"raised_by_desk": actor.desk},
        person_of=person_of,
    )
    if not mine:
        return []
    return _rows(session, [col(ZonePickup.id).in_(mine)])


def next_raise_at(session: Session, zone_id: str | None) -> datetime | None:
    """When the zone's next unacknowledged pick-up is to be raised (a desk's scheduler may wake then)."""
    return session.execute(
        sa_select(func.min(ZonePickup.next_raise_at)).where(col(ZonePickup.acknowledged_at).is_(None), *_zone(zone_id))
    ).scalar()


@dataclass(frozen=True)
class PickupAck:
    """Someone in the zone saying they have the discharge in hand."""

    pickup_id: int
    expected_version: int
    note: str = ""


def acknowledge(session: Session, actor: Actor, data: PickupAck) -> PickupRow:
    """Take a pick-up off every desk of the zone, recording who and when; refused once acknowledged, or stale."""
    p = session.get(ZonePickup, data.pickup_id)
    if p is None:
        raise NotFound("That pick-up is not on record.")
    if p.acknowledged_at is not None:
        who = session.get(Staff, p.acknowledged_by_id) if p.acknowledged_by_id is not None else None
        by = f" by {who.name}" if who is not None else ""
        raise InvalidForm(
            {"pickup": f"Already acknowledged{by} at {clock.local(p.acknowledged_at):%H:%M on %d-%b-%Y}."}
        )
    if actor.staff_id is None:
        raise InvalidForm({"pickup": "Sign in at the desk to acknowledge a pick-up, so the zone knows who has it."})
    history.change(
        session,
        actor,
        p,
        dict(
            acknowledged_at=clock.now(),
            acknowledged_by_id=actor.staff_id,
            acknowledged_note=data.note.strip(),
            next_raise_at=None,
        ),
        expected_version=data.expected_version,
        why="Discharge picked up by the zone",
        person_id=p.person_id,
        label="pick-up",
    )
    return pickup(session, data.pickup_id)
