"""A crisis on the person's timeline: raised, the team booked and arriving, liaison, the decision, what followed.

The person's timeline (:mod:`desk.services.timeline`) shows the whole story in
order; these are the crisis line's events in it. What followed a crisis (an
admission, a package change, the follow-up visits booked) is what the record
holds from the crisis being raised until it closed, or until now while it is
open; the decision entry names it, so the story reads from the call to what
came of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from desk import clock, triage
from desk.crisis.escalation import WHEREABOUTS
from desk.crisis.handover import DECISIONS
from desk.crisis.liaison import PARTIES
from desk.crisis_models import Booking, Crisis, CrisisGap, LiaisonEntry
from desk.models import Admission, CarePackage, CarePackageItem, Organisation
from desk.vocabulary import DISCIPLINES


@dataclass(frozen=True)
class StoryEvent:
    """One event of a crisis, as the timeline draws it (its side is the health side)."""

    at: datetime
    title: str
    detail: str = ""
    by_id: int | None = None


def _discipline(d: str) -> str:
    return DISCIPLINES.get(d, (d, ""))[0]


def what_followed(session: Session, crisis: Crisis, name_of: Callable[[int | None], str]) -> list[str]:
    """What the record holds from the crisis being raised to its close: admissions, package changes, follow-ups."""
    until = crisis.closed_at or clock.now()
    out: list[str] = []
    for adm, ward in session.exec(
        select(Admission, Organisation.name)
        .join(Organisation, col(Organisation.id) == col(Admission.ward_id))
        .where(Admission.person_id == crisis.person_id)
        .where(col(Admission.admitted_at) >= crisis.raised_at, col(Admission.admitted_at) <= until)
    ):
        out.append(f"admitted to {ward} {clock.local(adm.admitted_at):%d-%b %H:%M}")
    first, last = clock.local(crisis.raised_at).date(), clock.local(until).date()
    for item in session.exec(
        select(CarePackageItem)
        .join(CarePackage, col(CarePackage.id) == col(CarePackageItem.package_id))
        .where(CarePackage.person_id == crisis.person_id)
    ):
        if first <= item.start_date <= last:
            out.append(f"package: {item.service} started {item.start_date:%d-%b}")
        if item.end_date is not None and first <= item.end_date <= last:
            out.append(f"package: {item.service} ended {item.end_date:%d-%b}")
    for b in session.exec(select(Booking).where(Booking.crisis_id == crisis.id, Booking.purpose == "follow_up")):
        who = f"{name_of(b.staff_id)} ({_discipline(b.discipline).lower()})"
        out.append(f"follow-up: {who} {clock.local(b.visit_at):%d-%b %H:%M}")
    return out


def _events(session: Session, crisis: Crisis, name_of: Callable[[int | None], str]) -> Iterator[StoryEvent]:
    need = triage.UCR_NEEDS.get(crisis.need, crisis.need)
    where = WHEREABOUTS.get(crisis.whereabouts, crisis.whereabouts).lower()
    caller = f"; rang: {crisis.caller}" if crisis.caller else ""
    yield StoryEvent(
        crisis.raised_at, f"Crisis raised: {need}", f"{crisis.what_happened}; {where}{caller}", crisis.raised_by_id
    )
    for b in session.exec(select(Booking).where(Booking.crisis_id == crisis.id)):
        who = f"{name_of(b.staff_id)} ({_discipline(b.discipline).lower()})"
        kind = "Follow-up visit" if b.purpose == "follow_up" else "Crisis visit"
        state = f"; cancelled: {b.cancel_reason}" if b.state == "cancelled" else ""
        yield StoryEvent(
            b.booked_at, f"{kind} booked: {who}", f"for {clock.local(b.visit_at):%d-%b %H:%M}{state}", b.booked_by_id
        )
        if b.arrived_at is not None:
            yield StoryEvent(b.arrived_at, f"{kind}: {who} arrived")
        if b.assessed_at is not None:
            yield StoryEvent(b.assessed_at, f"{kind}: {who} assessed")
    for g in session.exec(select(CrisisGap).where(CrisisGap.crisis_id == crisis.id)):
        why = "nobody on duty" if g.kind == "nobody_on_duty" else "not needed"
        yield StoryEvent(g.at, f"No {_discipline(g.discipline).lower()} sent ({why})", g.decision, g.decided_by_id)
    for e in session.exec(select(LiaisonEntry).where(LiaisonEntry.crisis_id == crisis.id)):
        who = f" ({e.contact})" if e.contact else ""
        yield StoryEvent(e.at, f"Liaison: {PARTIES.get(e.party, e.party)}{who}", e.agreed, e.by_id)
    followed = what_followed(session, crisis, name_of)
    if crisis.decided_at is not None:
        detail = "; ".join(
            x for x in (crisis.decision_note, "what followed: " + ", ".join(followed) if followed else "") if x
        )
        yield StoryEvent(
            crisis.decided_at,
            f"Handover decision: {DECISIONS.get(crisis.decision, crisis.decision)}",
            detail,
            crisis.decided_by_id,
        )
    if crisis.closed_at is not None:
        yield StoryEvent(crisis.closed_at, "Crisis closed", f"what followed: {', '.join(followed)}" if followed else "")


def events(session: Session, person_id: int, name_of: Callable[[int | None], str], *, limit: int) -> list[StoryEvent]:
    """Every event of the person's newest ``limit`` crises, each crisis's last first.

    The timeline sorts newest first and keeps the order of events at the same
    moment (a crisis and its bookings are written together): last first, they
    read as they happened from the bottom up.
    """
    crises = session.exec(
        select(Crisis).where(Crisis.person_id == person_id).order_by(col(Crisis.raised_at).desc()).limit(limit)
    ).all()
    return [e for c in crises for e in reversed(list(_events(session, c, name_of)))]
