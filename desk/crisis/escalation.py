"""Escalate a crisis to a same-day assessment, booked from the duty roster.

The desk proposes a nurse, a physiotherapist and an OT of the zone who are on
duty now or later today (fewest visits today first), each with a time. The
crisis worker may change who goes and when, or drop a discipline with a reason;
a discipline with nobody on duty is said at once and the zone manager's
decision recorded: nobody is ever silently not booked. A booked visit goes
booked, on the way, arrived, assessed (or cancelled, with a reason); the first
arrival is the referral's first contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from desk import clock, history, triage
from desk.crisis import referrals, reminders, roster
from desk.crisis.roster import OnDuty
from desk.crisis_models import Booking, Crisis, CrisisGap
from desk.errors import InvalidForm, NotFound
from desk.history import Actor
from desk.models import Call, Person, Referral, Staff
from desk.services import caseload
from desk.vocabulary import DISCIPLINES

CRISIS_DISCIPLINES: tuple[str, ...] = ("nursing", "physiotherapy", "occupational_therapy")
"""Who goes to a same-day crisis assessment: a nurse, a physiotherapist, an OT."""

WHEREABOUTS: dict[str, str] = {
    "home": "At home",
    "care_home": "In a care home",
    "ambulance": "With an ambulance crew",
    "a_and_e": "In A&E",
    "other": "Somewhere else",
}
"""Where the person is now."""

GAP_KINDS: dict[str, str] = {
    "nobody_on_duty": "Nobody on duty today (zone manager's decision)",
    "dropped": "Not needed (crisis worker's reason)",
}

BOOKING_STATES: dict[str, str] = {
    "booked": "Booked",
    "on_the_way": "On the way",
    "arrived": "Arrived",
    "assessed": "Assessed",
    "cancelled": "Cancelled",
}
"""A visit's states, each with the word the board shows."""

_NEXT: dict[str, frozenset[str]] = {
    "booked": frozenset({"on_the_way", "arrived", "cancelled"}),
    "on_the_way": frozenset({"arrived", "cancelled"}),
    "arrived": frozenset({"assessed"}),
    "assessed": frozenset(),
    "cancelled": frozenset(),
}

PROPOSAL_STEP = timedelta(minutes=15)
PROPOSAL_MARGIN = timedelta(minutes=10)
"""A proposed visit is at least this far ahead, so the worker has time to fill in the form and the team to go."""
PROPOSAL_KEPT = timedelta(minutes=5)
"""A proposed time left as it was is moved on once it is less than this far ahead (the form was open a while)."""
PAST_SLACK = timedelta(minutes=1)  # a time typed as "now" a moment ago is not "in the past"


# --- the proposal ------------------------------------------------------------------


@dataclass(frozen=True)
class ProposedVisit:
    """Who the desk proposes for one discipline, when, and who else is on duty."""

    discipline: str
    staff_id: int
    name: str
    visit_at: datetime
    visits_today: int
    others: tuple[OnDuty, ...]
    starts_at: datetime
    ends_at: datetime
    """The proposed person's shift, for proposing again as time goes on."""

    def again_at(self, staff_id: int, now: datetime) -> datetime:
        """The time to propose at ``now`` for ``staff_id``: the proposed person or another on duty, in their shift."""
        shift = next(((o.starts_at, o.ends_at) for o in self.others if o.staff_id == staff_id), None)
        starts_at, ends_at = shift or (self.starts_at, self.ends_at)
        return proposed_visit_at(starts_at, ends_at, now)


@dataclass(frozen=True)
class TeamProposal:
    """The same-day team the desk proposes, and the disciplines nobody is on duty for."""

    zone_id: str
    visits: tuple[ProposedVisit, ...]
    nobody_on_duty: tuple[str, ...]


def _next_minute(at: datetime) -> datetime:
    """The whole minute at or after ``at``."""
    base = at.replace(second=0, microsecond=0)
    return base + timedelta(minutes=1) if base < at else base


def _next_step(at: datetime) -> datetime:
    """The next quarter hour at or after ``at``."""
    base = _next_minute(at)
    step = int(PROPOSAL_STEP.total_seconds() // 60)
    return base + timedelta(minutes=-base.minute % step)


def proposed_visit_at(starts_at: datetime, ends_at: datetime, now: datetime) -> datetime:
    """When the desk proposes a visit by someone on a shift from ``starts_at`` to ``ends_at``, at ``now``.

    The first quarter hour at least PROPOSAL_MARGIN ahead and not before the
    shift starts. If the shift ends before that quarter hour, the soonest
    minute with the margin while still on shift; with less than the margin
    left of the shift, the soonest minute they are on it.
    """
    earliest = max(starts_at, now + PROPOSAL_MARGIN)
    for at in (_next_step(earliest), _next_minute(earliest), _next_minute(max(starts_at, now))):
        if at < ends_at:
            return at
    return max(starts_at, now)


def proposal_gone_stale(visit_at: datetime, now: datetime) -> bool:
    """Whether a proposed time left untouched is now too close (or past) to keep: propose again."""
    return visit_at < now + PROPOSAL_KEPT


def propose_team(session: Session, zone_id: str) -> TeamProposal:
    """A nurse, a physiotherapist and an OT on duty now or later today, each at a time with a margin.

    The time is :func:`proposed_visit_at` within the proposed person's shift.
    """
    now = clock.now()
    visits: list[ProposedVisit] = []
    nobody: list[str] = []
    for discipline in CRISIS_DISCIPLINES:
        duty = roster.on_duty(session, zone_id, discipline)
        if not duty:
            nobody.append(discipline)
            continue
        first = duty[0]
        visits.append(
            ProposedVisit(
                discipline=discipline,
                staff_id=first.staff_id,
                name=first.name,
                visit_at=proposed_visit_at(first.free_from, first.ends_at, now),
                visits_today=first.visits_today,
                others=tuple(duty[1:]),
                starts_at=first.starts_at,
                ends_at=first.ends_at,
            )
        )
    return TeamProposal(zone_id=zone_id, visits=tuple(visits), nobody_on_duty=tuple(nobody))


# --- escalating --------------------------------------------------------------------


@dataclass(frozen=True)
class TeamMember:
    """One person chosen to go, in a discipline, at a time."""

    discipline: str
    staff_id: int
    visit_at: datetime


@dataclass(frozen=True)
class DisciplineGap:
    """A discipline nobody goes for, and the decision or reason why."""

    discipline: str
    kind: str  # a key of GAP_KINDS
    decision: str


@dataclass(frozen=True)
class EscalationInput:
    """Everything the escalate form gathers."""

    zone_id: str
    person_id: int
    caller: str
    what_happened: str
    need: str
    whereabouts: str
    team: tuple[TeamMember, ...]
    gaps: tuple[DisciplineGap, ...] = ()
    call_id: int | None = None
    referral_id: int | None = None


@dataclass(frozen=True)
class BookingRow:
    """A booked visit as the board and the crisis screen show it."""

    id: int
    version: int
    crisis_id: int
    staff_id: int
    staff_name: str
    discipline: str
    purpose: str
    visit_at: datetime
    state: str
    cancel_reason: str
    arrived_at: datetime | None
    assessed_at: datetime | None

    @property
    def state_word(self) -> str:
        """The state in words (the board shows a word as well as a colour)."""
        return BOOKING_STATES[self.state]


@dataclass(frozen=True)
class Escalated:
    """A crisis just raised: its referral's clock, its bookings, what was not booked and why."""

    crisis_id: int
    referral_id: int
    due_at: datetime
    bookings: tuple[BookingRow, ...]
    gaps: tuple[DisciplineGap, ...]


def _booking_row(session: Session, b: Booking) -> BookingRow:
    assert b.id is not None
    staff = session.get(Staff, b.staff_id)
    return BookingRow(
        id=b.id,
        version=b.version,
        crisis_id=b.crisis_id,
        staff_id=b.staff_id,
        staff_name=staff.name if staff else "",
        discipline=b.discipline,
        purpose=b.purpose,
        visit_at=b.visit_at,
        state=b.state,
        cancel_reason=b.cancel_reason,
        arrived_at=b.arrived_at,
        assessed_at=b.assessed_at,
    )


def _check_visit(session: Session, zone_id: str, staff_id: int, discipline: str, visit_at: datetime) -> str | None:
    """Why this visit cannot be booked, or None."""
    if visit_at.tzinfo is None:
        return "Give the visit time with its time zone."
    if visit_at < clock.now() - PAST_SLACK:
        return f"The visit time {clock.local(visit_at):%H:%M} has passed: choose a time from now on."
    staff = session.get(Staff, staff_id)
    if staff is None or not staff.active:
        return "Choose someone from the zone's team."
    label = DISCIPLINES.get(discipline, (discipline, ""))[0].lower()
    if roster.covering_shift(session, staff_id, visit_at, zone_id=zone_id, discipline=discipline) is None:
        away = roster.absent_during(session, staff_id, visit_at, visit_at + timedelta(minutes=1))
        if away is not None:
            return f"{staff.name} is away then ({roster.ABSENCE_KINDS[away.kind].lower()}): choose someone on duty."
        return f"{staff.name} is not on a {label} shift at {clock.local(visit_at):%H:%M}: choose someone on duty then."
    return None


def _validate(session: Session, data: EscalationInput) -> Person:
    problems: dict[str, str] = {}
    person = session.get(Person, data.person_id)
    if person is None:
        problems["person"] = "Find or register the person before escalating."
    elif person.zone_id != data.zone_id:
        problems["zone_id"] = f"They are in zone {person.zone_id}: the same-day team comes from their zone's roster."
    if not data.what_happened.strip():
        problems["what_happened"] = "Say what happened."
    if data.need not in triage.UCR_NEEDS:
        problems["need"] = "Say which urgent community response need it is. " + triage.EMERGENCY_REMINDER
    if data.whereabouts not in WHEREABOUTS:
        problems["whereabouts"] = "Say where the person is now: home, care home, with an ambulance, in A&E, other."
    if not data.team:
        problems["team"] = "Choose at least one person to go: a crisis is never escalated with nobody booked."
    chosen = {m.discipline for m in data.team}
    gapped: dict[str, DisciplineGap] = {g.discipline: g for g in data.gaps}
    for gap in data.gaps:
        key = f"gap.{gap.discipline}"
        if gap.kind not in GAP_KINDS:
            problems[key] = "Say whether nobody is on duty or the discipline is not needed."
        elif not gap.decision.strip():
            who = "the zone manager's decision" if gap.kind == "nobody_on_duty" else "why it is not needed"
            problems[key] = f"Record {who} for {DISCIPLINES.get(gap.discipline, (gap.discipline, ''))[0].lower()}."
    if data.team:
        for discipline in CRISIS_DISCIPLINES:
            if discipline not in chosen and discipline not in gapped:
                problems[f"team.{discipline}"] = (
                    f"Nobody is chosen for {DISCIPLINES[discipline][0].lower()}: choose someone, "
                    "or say why not (nobody on duty, or not needed)."
                )
    for member in data.team:
        why = _check_visit(session, data.zone_id, member.staff_id, member.discipline, member.visit_at)
        if why:
            problems.setdefault(f"team.{member.discipline}", why)
    if data.call_id is not None and session.get(Call, data.call_id) is None:
        problems["call"] = "That call is not on record."
    if data.referral_id is not None:
        ref = session.get(Referral, data.referral_id)
        if ref is None or ref.person_id != data.person_id:
            problems["referral"] = "That referral is not this person's."
    if problems:
        raise InvalidForm(problems)
    assert person is not None
    return person


def escalate(session: Session, actor: Actor, data: EscalationInput) -> Escalated:
    """Raise a crisis with its same-day team booked, in one transaction; nothing if anything is wrong."""
    person = _validate(session, data)
    assert person.id is not None
    now = clock.now()
    if data.referral_id is not None:
        referral = session.get(Referral, data.referral_id)
        assert referral is not None
        if referral.response != triage.CRISIS:
            history.change(
                session,
                actor,
                referral,
                dict(
                    response=triage.CRISIS,
                    crisis=True,
                    urgency=triage.RAPID,
                    due_at=triage.due_at(referral.received_at, triage.CRISIS),
                    ucr_need=data.need,
                ),
                expected_version=None,
                why="Escalated to a crisis",
                person_id=person.id,
                label="referral",
            )
    else:
        call = session.get(Call, data.call_id) if data.call_id is not None else None
        received = call.started_at if call is not None else now
        proposal = triage.propose("crisis", data.need)
        referral = Referral(
            person_id=person.id,
            received_at=received,
            source=call.caller_kind if call is not None else "",
            discipline=proposal.discipline,
            reason=f"Crisis: {triage.UCR_NEEDS[data.need]}",
            urgency=triage.RAPID,
            crisis=True,
            due_at=triage.due_at(received, triage.CRISIS),
            call_id=data.call_id,
            response=triage.CRISIS,
            lead=proposal.lead,
            ucr_need=data.need,
            proposed_response=proposal.response,
            proposed_lead=proposal.lead,
            triaged_by_id=actor.staff_id,
        )
        history.create(session, actor, referral, "Crisis escalated", person_id=person.id)
    assert referral.id is not None and referral.due_at is not None
    reminders.schedule(session, referral)
    crisis = Crisis(
        zone_id=data.zone_id,
        person_id=person.id,
        referral_id=referral.id,
        call_id=data.call_id,
        caller=data.caller.strip(),
        what_happened=data.what_happened.strip(),
        need=data.need,
        whereabouts=data.whereabouts,
        raised_at=now,
        raised_by_id=actor.staff_id,
    )
    history.create(session, actor, crisis, "Crisis escalated to a same-day assessment", person_id=person.id)
    assert crisis.id is not None
    for gap in data.gaps:
        row = CrisisGap(
            crisis_id=crisis.id,
            discipline=gap.discipline,
            kind=gap.kind,
            decision=gap.decision.strip(),
            decided_by_id=actor.staff_id,
            at=now,
        )
        history.create(session, actor, row, GAP_KINDS[gap.kind], person_id=person.id)
    bookings = [_book(session, actor, crisis, m.staff_id, m.discipline, m.visit_at, "assessment") for m in data.team]
    caseload.refresh(session, person.id)
    return Escalated(
        crisis_id=crisis.id,
        referral_id=referral.id,
        due_at=referral.due_at,
        bookings=tuple(_booking_row(session, b) for b in bookings),
        gaps=data.gaps,
    )


def _book(
    session: Session, actor: Actor, crisis: Crisis, staff_id: int, discipline: str, visit_at: datetime, purpose: str
) -> Booking:
    assert crisis.id is not None
    booking = Booking(
        crisis_id=crisis.id,
        person_id=crisis.person_id,
        staff_id=staff_id,
        discipline=discipline,
        purpose=purpose,
        visit_at=visit_at,
        booked_at=clock.now(),
        booked_by_id=actor.staff_id,
    )
    what = "Follow-up visit booked" if purpose == "follow_up" else "Crisis visit booked"
    history.create(session, actor, booking, what, person_id=crisis.person_id)
    return booking


# --- visits after escalation -------------------------------------------------------


@dataclass(frozen=True)
class BookingInput:
    """Another visit for a crisis: a change of who goes, or a follow-up."""

    crisis_id: int
    staff_id: int
    discipline: str
    visit_at: datetime
    purpose: str = "assessment"  # assessment | follow_up


@dataclass(frozen=True)
class BookingMove:
    """A visit moving on: on the way, arrived, assessed, or cancelled (with a reason)."""

    booking_id: int
    expected_version: int
    to_state: str
    at: datetime | None = None  # when it happened; now if not given
    reason: str = ""


def _crisis(session: Session, crisis_id: int) -> Crisis:
    crisis = session.get(Crisis, crisis_id)
    if crisis is None:
        raise NotFound("That crisis is not on record.")
    return crisis


def book_visit(session: Session, actor: Actor, data: BookingInput) -> BookingRow:
    """Book one more visit for an open crisis, checked against the roster like the first ones."""
    crisis = _crisis(session, data.crisis_id)
    problems: dict[str, str] = {}
    if crisis.status != "open":
        problems["crisis"] = "This crisis is closed: nothing more can be booked for it."
    if data.purpose not in ("assessment", "follow_up"):
        problems["purpose"] = "Book an assessment or a follow-up."
    if data.discipline not in DISCIPLINES:
        problems["discipline"] = "Choose the discipline of the visit."
    else:
        why = _check_visit(session, crisis.zone_id, data.staff_id, data.discipline, data.visit_at)
        if why:
            problems["staff_id"] = why
    if problems:
        raise InvalidForm(problems)
    return _booking_row(
        session, _book(session, actor, crisis, data.staff_id, data.discipline, data.visit_at, data.purpose)
    )


def move_booking(session: Session, actor: Actor, data: BookingMove) -> BookingRow:
    """Move a visit on; the first arrival is the referral's first contact, an assessment its assessment."""
    booking = session.get(Booking, data.booking_id)
    if booking is None:
        raise NotFound("That visit is no longer booked.")
    if data.to_state not in _NEXT.get(booking.state, frozenset()):
        raise InvalidForm(
            {
                "state": f"A visit that is {BOOKING_STATES[booking.state].lower()} cannot become "
                f"{BOOKING_STATES.get(data.to_state, data.to_state).lower()}."
            }
        )
    at = data.at or clock.now()
    if at.tzinfo is None or at > clock.now() + referrals.FUTURE_SLACK:
        raise InvalidForm({"at": "That time has not come yet: record it when it happens."})
    changes: dict[str, object] = {"state": data.to_state}
    if data.to_state == "cancelled":
        if not data.reason.strip():
            raise InvalidForm({"reason": "Say why the visit is cancelled."})
        changes["cancel_reason"] = data.reason.strip()
    if data.to_state == "arrived":
        changes["arrived_at"] = at
    if data.to_state == "assessed":
        changes["assessed_at"] = at
    crisis = _crisis(session, booking.crisis_id)
    history.change(
        session,
        actor,
        booking,
        changes,
        expected_version=data.expected_version,
        why=f"Visit {BOOKING_STATES[data.to_state].lower()}"
        + (f": {data.reason.strip()}" if data.reason.strip() else ""),
        person_id=crisis.person_id,
        label="visit",
    )
    referral = session.get(Referral, crisis.referral_id)
    assert referral is not None
    if data.to_state == "arrived" and referral.first_contact_at is None and booking.purpose == "assessment":
        referrals.set_moment(
            session, actor, referral, "first_contact", at, expected_version=None, why="First arrival of the crisis team"
        )
    if data.to_state == "assessed" and referral.assessed_at is None and booking.purpose == "assessment":
        referrals.set_moment(
            session, actor, referral, "assessment", at, expected_version=None, why="Crisis assessment made"
        )
    caseload.refresh(session, crisis.person_id)
    return _booking_row(session, booking)


def bookings(session: Session, crisis_id: int) -> list[BookingRow]:
    """A crisis's visits, in time order."""
    rows = session.exec(select(Booking).where(Booking.crisis_id == crisis_id).order_by(col(Booking.visit_at))).all()
    return [_booking_row(session, b) for b in rows]


def gaps(session: Session, crisis_id: int) -> list[DisciplineGap]:
    """The disciplines not sent to a crisis, with the decision or reason."""
    rows = session.exec(select(CrisisGap).where(CrisisGap.crisis_id == crisis_id).order_by(col(CrisisGap.id))).all()
    return [DisciplineGap(g.discipline, g.kind, g.decision) for g in rows]


@dataclass(frozen=True)
class OpenCrisis:
    """A person's open crisis as their record shows it: what happened, where they are, its visits."""

    crisis_id: int
    referral_id: int
    raised_at: datetime
    what_happened: str
    need: str
    whereabouts: str
    due_at: datetime | None
    first_contact_at: datetime | None
    bookings: tuple[BookingRow, ...]


def open_crisis_for(session: Session, person_id: int) -> OpenCrisis | None:
    """The person's newest open crisis with its visits, or None: what their record shows and acts on."""
    crisis = session.exec(
        select(Crisis)
        .where(Crisis.person_id == person_id, Crisis.status == "open")
        .order_by(col(Crisis.raised_at).desc())
        .limit(1)
    ).first()
    if crisis is None:
        return None
    assert crisis.id is not None
    referral = session.get(Referral, crisis.referral_id)
    return OpenCrisis(
        crisis_id=crisis.id,
        referral_id=crisis.referral_id,
        raised_at=crisis.raised_at,
        what_happened=crisis.what_happened,
        need=crisis.need,
        whereabouts=crisis.whereabouts,
        due_at=referral.due_at if referral else None,
        first_contact_at=referral.first_contact_at if referral else None,
        bookings=tuple(bookings(session, crisis.id)),
    )
