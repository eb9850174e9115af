"""The daily handover: every crisis assessed in the last day, the team's decision, what follows.

At the handover meeting the team decides for each crisis: further support,
reduce support, close, admitted to hospital, or a bed-based reablement stay of
24 to 48 hours. A crisis cannot be closed without a decision. The list exports
as plain text for the meeting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_
from sqlmodel import Session, col, select

from desk import clock, history, triage
from desk.crisis import escalation, liaison
from desk.crisis.escalation import WHEREABOUTS, BookingRow
from desk.crisis_models import Booking, Crisis
from desk.errors import InvalidForm, NotFound
from desk.history import Actor
from desk.models import Person, Referral
from desk.services import caseload

DECISIONS: dict[str, str] = {
    "further_support": "Further support",
    "reduce_support": "Reduce support",
    "close": "Close",
    "admitted": "Admitted to hospital",
    "bed_based_stay": "Bed-based reablement stay (24-48 h)",
}
"""The team's decisions at handover."""

LOOK_BACK = timedelta(days=1)


@dataclass(frozen=True)
class DecisionInput:
    """The team's decision on a crisis read at ``expected_version``, with a note of what follows."""

    crisis_id: int
    decision: str
    note: str
    expected_version: int


@dataclass(frozen=True)
class CloseInput:
    """Closing a crisis read at ``expected_version``."""

    crisis_id: int
    expected_version: int


@dataclass(frozen=True)
class HandoverItem:
    """One crisis on the handover list."""

    crisis_id: int
    version: int
    person_id: int
    person: str
    what_happened: str
    need: str
    whereabouts: str
    raised_at: datetime
    assessed_at: datetime | None
    status: str
    decision: str
    decision_note: str
    follow_ups: tuple[BookingRow, ...]
    latest_liaison: str

    @property
    def decision_label(self) -> str:
        """The decision in words, or that it is still to be made."""
        return DECISIONS.get(self.decision, "No decision yet")


def _crisis(session: Session, crisis_id: int) -> Crisis:
    crisis = session.get(Crisis, crisis_id)
    if crisis is None:
        raise NotFound("That crisis is not on record.")
    return crisis


def decide(session: Session, actor: Actor, data: DecisionInput) -> HandoverItem:
    """Record the team's decision on a crisis (refused if another desk changed it since it was read)."""
    problems: dict[str, str] = {}
    if data.decision not in DECISIONS:
        problems["decision"] = "Choose the team's decision: further support, reduce support, close, admitted, bed stay."
    crisis = _crisis(session, data.crisis_id)
    if crisis.status != "open":
        problems["decision"] = "This crisis is already closed."
    if problems:
        raise InvalidForm(problems)
    history.change(
        session,
        actor,
        crisis,
        dict(
            decision=data.decision,
            decision_note=data.note.strip(),
            decided_at=clock.now(),
            decided_by_id=actor.staff_id,
        ),
        expected_version=data.expected_version,
        why=f"Handover decision: {DECISIONS[data.decision]}",
        person_id=crisis.person_id,
        label="crisis",
    )
    return item(session, data.crisis_id)


def close(session: Session, actor: Actor, data: CloseInput) -> HandoverItem:
    """Close a crisis and its referral; refused without the team's decision."""
    crisis = _crisis(session, data.crisis_id)
    if crisis.status != "open":
        raise InvalidForm({"crisis": "This crisis is already closed."})
    if not crisis.decision:
        raise InvalidForm({"decision": "Record the team's decision before closing the crisis."})
    now = clock.now()
    history.change(
        session,
        actor,
        crisis,
        dict(status="closed", closed_at=now),
        expected_version=data.expected_version,
        why=f"Crisis closed: {DECISIONS[crisis.decision]}",
        person_id=crisis.person_id,
        label="crisis",
    )
    referral = session.get(Referral, crisis.referral_id)
    if referral is not None and referral.status == "open":
        history.change(
            session,
            actor,
            referral,
            dict(status="closed", closed_at=now),
            expected_version=None,
            why="Crisis closed",
            person_id=crisis.person_id,
            label="referral",
        )
    caseload.refresh(session, crisis.person_id)
    return item(session, data.crisis_id)


def _item(session: Session, crisis: Crisis, person: Person, assessed_at: datetime | None) -> HandoverItem:
    assert crisis.id is not None
    follow = tuple(
        b for b in escalation.bookings(session, crisis.id) if b.purpose == "follow_up" and b.state != "cancelled"
    )
    newest = liaison.newest(session, [crisis.id]).get(crisis.id)
    return HandoverItem(
        crisis_id=crisis.id,
        version=crisis.version,
        person_id=crisis.person_id,
        person=f"{person.family_name.upper()}, {person.given_name}",
        what_happened=crisis.what_happened,
        need=crisis.need,
        whereabouts=crisis.whereabouts,
        raised_at=crisis.raised_at,
        assessed_at=assessed_at,
        status=crisis.status,
        decision=crisis.decision,
        decision_note=crisis.decision_note,
        follow_ups=follow,
        latest_liaison=f"{newest.party_label}: {newest.agreed}" if newest else "",
    )


def item(session: Session, crisis_id: int) -> HandoverItem:
    """One crisis as the handover list shows it."""
    crisis = _crisis(session, crisis_id)
    person = session.get(Person, crisis.person_id)
    referral = session.get(Referral, crisis.referral_id)
    assert person is not None
    return _item(session, crisis, person, referral.assessed_at if referral else None)


def handover_list(session: Session, zone_id: str, *, now: datetime | None = None) -> list[HandoverItem]:
    """Every crisis of the zone assessed in the last day (by its referral or any visit), oldest first."""
    at = now or clock.now()
    since = at - LOOK_BACK
    assessed_visit = (
        select(Booking.crisis_id).where(col(Booking.assessed_at) >= since, col(Booking.assessed_at) <= at).distinct()
    )
    rows = session.exec(
        select(Crisis, Person, Referral.assessed_at)
        .join(Person, col(Person.id) == Crisis.person_id)
        .join(Referral, col(Referral.id) == Crisis.referral_id)
        .where(
            Crisis.zone_id == zone_id,
            or_(
                col(Referral.assessed_at).between(since, at),
                col(Crisis.id).in_(assessed_visit),
            ),
        )
        .order_by(col(Crisis.raised_at), col(Crisis.id))
    ).all()
    return [_item(session, c, p, assessed) for c, p, assessed in rows]


def export_text(items: list[HandoverItem], *, zone_id: str, at: datetime | None = None) -> str:
    """The handover list as plain text for the meeting: one block per crisis."""
    when = clock.local(at or clock.now())
    lines = [
        f"Crisis handover, zone {zone_id}, {when:%a %d-%b-%Y %H:%M}",
        f"{len(items)} crises assessed in the last day",
    ]
    for n, it in enumerate(items, 1):
        assessed = f"{clock.local(it.assessed_at):%H:%M}" if it.assessed_at else "visit assessed"
        lines += [
            "",
            f"{n}. {it.person}: {triage.UCR_NEEDS.get(it.need, it.need)} ({WHEREABOUTS.get(it.whereabouts, '')})",
            f"   What happened: {it.what_happened}",
            f"   Raised {clock.local(it.raised_at):%d-%b %H:%M}, assessed {assessed}",
            f"   Decision: {it.decision_label}" + (f" - {it.decision_note}" if it.decision_note else ""),
        ]
        for b in it.follow_ups:
            lines.append(
                f"   Follow-up: {b.staff_name} ({b.discipline}) {clock.local(b.visit_at):%a %H:%M}, {b.state_word}"
            )
        if it.latest_liaison:
            lines.append(f"   Latest liaison: {it.latest_liaison}")
        if it.status == "closed":
            lines.append("   Closed")
    return "\n".join(lines) + "\n"
