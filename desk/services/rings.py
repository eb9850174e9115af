"""The zone line ringing: the phone system's hook and the desks that answer.

``desk ring NUMBER`` records a ring; every desk open on the zone polls for
rings it has not seen and shows the caller. Answering is a conditional
update, so when two desks press answer at once exactly one gets the call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CursorResult
from sqlmodel import Session, col, select, update

from desk import clock, phones
from desk.errors import InvalidInput, NotFound
from desk.models import Ring, Zone, saved_id
from desk.services.recognise import Recognition, recognise

RING_FRESH_FOR = timedelta(minutes=2)  # an unanswered ring older than this has rung off


def ring(session: Session, zone_id: str, number: str) -> Ring:
    """Record that the zone line is ringing from ``number`` (may be withheld: empty)."""
    zone = session.get(Zone, zone_id.upper())
    if zone is None:
        codes = ", ".join(z.id for z in session.exec(select(Zone).order_by(Zone.id)))
        raise InvalidInput("zone", f"No zone '{zone_id}'. Zones: {codes}.")
    phone = phones.try_parse(number) if number.strip() else None
    r = Ring(zone_id=zone.id, number_raw=number.strip(), number_e164=phone.e164 if phone else None, rung_at=clock.now())
    session.add(r)
    session.flush()
    return r


@dataclass(frozen=True)
class Incoming:
    """A ring a desk should show, with the caller recognised."""

    ring_id: int
    rung_at: datetime
    number: str
    recognition: Recognition


def latest_id(session: Session) -> int:
    """The newest ring's id: a desk that opens shows only rings after this."""
    return session.exec(select(Ring.id).order_by(col(Ring.id).desc()).limit(1)).first() or 0


def waiting(session: Session, zone_id: str, after_id: int) -> list[Incoming]:
    """Unanswered, fresh rings on the zone line newer than ``after_id``."""
    since = clock.now() - RING_FRESH_FOR
    rows = session.exec(
        select(Ring)
        .where(
            Ring.zone_id == zone_id,
            col(Ring.id) > after_id,
            col(Ring.answered_by).is_(None),
            col(Ring.rung_at) >= since,
        )
        .order_by(col(Ring.id))
    ).all()
    return [Incoming(saved_id(r.id), r.rung_at, r.number_raw, recognise(session, r.number_raw)) for r in rows]


def claim(session: Session, ring_id: int, desk: str) -> bool:
    """Answer a ring at this desk; False if another desk answered it first."""
    result = session.execute(
        update(Ring).where(col(Ring.id) == ring_id, col(Ring.answered_by).is_(None)).values(answered_by=desk)
    )
    assert isinstance(result, CursorResult)
    if result.rowcount == 1:
        return True
    if session.get(Ring, ring_id) is None:
        raise NotFound("That ring is not on record.")
    return False


def attach_call(session: Session, ring_id: int, call_id: int) -> None:
    """Link the answered ring to the call it became."""
    r = session.get(Ring, ring_id)
    if r is not None:
        r.call_id = call_id
