"""The crisis line in the demo zone: rosters, crises on their clocks, bookings, liaison, reminders, handover.

Added after the demo's people, referrals and calls are in (see
:func:`desk.demo.seed_demo`): it reads who lives in each zone and who works
there, and puts in, relative to ``now``,

* the duty roster for last week, this week and next (nurses early and late,
  a physiotherapist, an OT, social and support work by day, a crisis worker on
  nights that cross midnight) and two absences (one off sick today);
* open crises at different points of their 2-hour clocks (on time, nearly
  due, breached, already seen) with their same-day team booked and liaison
  logged, and open Rapid referrals (one nearly due, one breached);
* the crisis behind each open Crisis response the demo's stories gave (Ethel's
  GP call this morning), raised when the call came in;
* the crises of the last day, assessed and waiting for the handover meeting
  (one already decided, with a follow-up booked), and a month of closed ones
  for the 2-hour figure;
* the reminders each open Crisis or Rapid clock needs (desk.crisis.reminders).

A referral carries the crisis flag only once its crisis is written
(desk.synthetic.rules.crisis_flag), as escalation sets it: a Rapid referral is
never flagged, so the caseload's open crises are the board's.

An initial load, like the rest of the demo: rows are written directly and keep
no history. Everything is synthetic and reproducible from the seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import exists, func, update
from sqlmodel import Session, col, select

from desk import clock, triage
from desk.crisis import reminders
from desk.crisis.roster import day_bounds
from desk.crisis_models import Absence, Booking, Crisis, LiaisonEntry, Reminder, Shift
from desk.models import Person, Referral, Staff
from desk.synthetic import rules

WEEKDAYS = range(5)
SAT, SUN = 5, 6

# (role, discipline, days of the week, start, hours): one line of the weekly pattern.
PATTERN: tuple[tuple[str, int, str, tuple[int, ...], time, float], ...] = (
    ("nurse", 0, "nursing", (*WEEKDAYS, SAT), time(8), 8),
    ("nurse", 1, "nursing", (0, 1, 2, 3, SUN), time(14), 8),
    ("physiotherapist", 0, "physiotherapy", (*WEEKDAYS, SAT), time(8, 30), 8),
    ("occupational_therapist", 0, "occupational_therapy", (*WEEKDAYS, SUN), time(9), 8),
    ("social_worker", 0, "social_work", tuple(WEEKDAYS), time(9), 8),
    ("support_worker", 0, "support", tuple(WEEKDAYS), time(8), 6),
    ("crisis_worker", 0, "nursing", (SUN, 0, 1, 2, 3), time(22), 10),  # nights: ends the next morning
)
"""Who works when, each week; a weekend day shift is 08:00 to 20:00."""

WEEKEND_LONG = 12.0
WEEKEND_START = time(8)

HAPPENINGS: dict[str, tuple[str, ...]] = {
    "fall": ("Fell in the kitchen, cannot get up; no obvious injury", "Found on the floor by carer at lunchtime"),
    "frailty": ("Much weaker since the weekend, not eating", "Suddenly unable to stand from the chair"),
    "confusion": ("Not herself since yesterday, muddled and agitated", "Confused overnight, wandering the house"),
    "carer_cannot_cope": ("Husband who cares for her is exhausted and unwell", "Daughter cannot manage nights"),
    "catheter": ("Catheter blocked since this morning",),
    "reduced_mobility": ("Cannot manage the stairs since a chest infection",),
}
CALLERS = ("Daughter", "Son", "Neighbour", "Husband", "Care home", "GP", "Ambulance crew")
LIAISON: tuple[tuple[str, str, str], ...] = (
    ("family", "Jean (daughter)", "Will stay until the nurse arrives"),
    ("ambulance", "Crew 412", "No injury found; left with the crisis team to follow"),
    ("gp", "Dr Okafor", "Will review medication this afternoon"),
    ("care_home", "Manager on duty", "Staff will check every hour"),
    ("out_of_hours", "OOH GP", "Aware; ring if she deteriorates overnight"),
)
RAPID_REASONS = (
    "Change in need: increasingly breathless at home",
    "Change in need: new pressure sore reported by carers",
    "Change in need: struggling to transfer since discharge",
)


@dataclass(frozen=True)
class OpenCrisisSpec:
    """An open crisis on the board: how long ago it came in, and how far its team has got."""

    minutes_ago: int
    need: str
    arrived_minutes_ago: int | None  # the first visit's arrival (stops the 2-hour clock), if any


OPEN_CRISES: tuple[OpenCrisisSpec, ...] = (
    OpenCrisisSpec(98, "fall", None),  # 22 minutes left: amber, due soon
    OpenCrisisSpec(145, "confusion", None),  # 25 minutes past its deadline: red, breached
    OpenCrisisSpec(50, "frailty", 20),  # seen in time
    OpenCrisisSpec(10, "carer_cannot_cope", None),  # just raised, on time
)
OPEN_RAPID_MINUTES_AGO: tuple[int, ...] = (160, 190, 30)
"""Open Rapid referrals: 20 minutes left (amber), 10 minutes breached (red), on time."""
HANDOVER_HOURS_AGO: tuple[float, ...] = (22, 17, 9)
"""Crises of the last day, assessed and waiting for the team's decision at handover."""
CLOSED_CRISES = 6
"""Closed crises over the last four weeks per zone, for the 2-hour figure (two of them late)."""


@dataclass
class ZoneTeam:
    """One zone's team by role and who may be a crisis's person."""

    zone_id: str
    staff: dict[str, list[int]]
    people: list[int]
    taken: int = 0

    def person(self) -> int:
        pid = self.people[self.taken % len(self.people)]
        self.taken += 1
        return pid

    def one(self, role: str, index: int = 0) -> int | None:
        members = self.staff.get(role, [])
        return members[index % len(members)] if members else None


def zone_teams(session: Session, zone_ids: Sequence[str], rng: random.Random) -> list[ZoneTeam]:
    """Each zone's active team and a shuffled list of people without an open referral."""
    busy = select(Referral.person_id).where(Referral.status == "open")
    out = []
    for zone_id in zone_ids:
        staff: dict[str, list[int]] = {}
        for s in session.exec(
            select(Staff).where(Staff.zone_id == zone_id, col(Staff.active).is_(True)).order_by(col(Staff.id))
        ):
            assert s.id is not None
            staff.setdefault(s.role, []).append(s.id)
        people = [
            pid
            for pid in session.exec(
                select(Person.id)
                .where(Person.zone_id == zone_id, col(Person.id).not_in(busy))
                .order_by(col(Person.id))
                .limit(400)
            )
            if pid is not None
        ]
        rng.shuffle(people)
        if people:
            out.append(ZoneTeam(zone_id, staff, people))
    return out


def _wall(day: date, at: time) -> datetime:
    """A local wall-clock time on ``day`` as the UTC the database keeps."""
    return datetime.combine(day, at, tzinfo=clock.LONDON).astimezone(UTC)


# --- the roster ---------------------------------------------------------------------


def roster_rows(zone: ZoneTeam, today: date) -> list[Shift | Absence]:
    """Three weeks of shifts around ``today`` and two absences (one off sick from today)."""
    monday = today - timedelta(days=today.weekday() + 7)
    rows: list[Shift | Absence] = []
    for offset in range(21):
        day = monday + timedelta(days=offset)
        for role, index, discipline, days, start, hours in PATTERN:
            staff_id = zone.one(role, index)
            if staff_id is None or day.weekday() not in days:
                continue
            long = day.weekday() in (SAT, SUN) and role != "crisis_worker"
            begins = _wall(day, WEEKEND_START if long else start)
            rows.append(
                Shift(
                    zone_id=zone.zone_id,
                    staff_id=staff_id,
                    discipline=discipline,
                    starts_at=begins,
                    ends_at=begins + timedelta(hours=WEEKEND_LONG if long else hours),
                )
            )
    support, social = zone.one("support_worker"), zone.one("social_worker")
    if support is not None:
        sick_from, _ = day_bounds(today)
        _, sick_to = day_bounds(today + timedelta(days=1))
        rows.append(
            Absence(staff_id=support, kind="sick", starts_at=sick_from, ends_at=sick_to, note="Rang in at 07:10")
        )
    if social is not None:
        next_monday = today - timedelta(days=today.weekday() - 7)
        leave_from, _ = day_bounds(next_monday)
        _, leave_to = day_bounds(next_monday + timedelta(days=4))
        rows.append(Absence(staff_id=social, kind="leave", starts_at=leave_from, ends_at=leave_to))
    return rows


# --- crises -------------------------------------------------------------------------


def _referral(person_id: int, received: datetime, response: str, reason: str, need: str = "") -> Referral:
    """A referral as triage makes it: its response, lead and clock (flagged a crisis once its crisis is raised)."""
    proposal = triage.propose("crisis" if response == triage.CRISIS else "change_in_need", need or None)
    return Referral(
        person_id=person_id,
        received_at=received,
        source="Phone",
        discipline=proposal.discipline,
        reason=reason,
        urgency=triage.RAPID,
        crisis=rules.crisis_flag(response, crisis_record=False),
        due_at=triage.due_at(received, response),
        response=response,
        lead=proposal.lead,
        ucr_need=need,
        proposed_response=response,
        proposed_lead=proposal.lead,
    )


@dataclass
class RaisedCrisis:
    """A crisis being put together: its referral, the crisis, and what hangs off it."""

    referral: Referral
    crisis: Crisis
    bookings: list[Booking]
    liaison: list[LiaisonEntry]


def _crisis(zone: ZoneTeam, rng: random.Random, raised: datetime, need: str) -> RaisedCrisis:
    """A crisis of someone in the zone, and the Crisis referral it was raised on."""
    person = zone.person()
    what = rng.choice(HAPPENINGS.get(need, HAPPENINGS["fall"]))
    referral = _referral(person, raised, triage.CRISIS, f"Crisis: {triage.UCR_NEEDS[need]}", need)
    whereabouts = rng.choice(("home", "home", "home", "care_home", "ambulance"))
    return _raise(zone, referral, raised, rng.choice(CALLERS), what, whereabouts)


def _raise(
    zone: ZoneTeam, referral: Referral, raised: datetime, caller: str, what: str, whereabouts: str
) -> RaisedCrisis:
    """The crisis behind a Crisis referral, its same-day team booked; the referral is flagged now it has one."""
    person, need = referral.person_id, referral.ucr_need
    crisis = Crisis(
        zone_id=zone.zone_id,
        person_id=person,
        referral_id=0,
        call_id=referral.call_id,
        caller=caller,
        what_happened=what,
        need=need,
        whereabouts=whereabouts,
        raised_at=raised,
        raised_by_id=zone.one("crisis_worker"),
    )
    referral.crisis = rules.crisis_flag(referral.response, crisis_record=True)
    bookings = []
    for n, (role, discipline) in enumerate(
        (("nurse", "nursing"), ("physiotherapist", "physiotherapy"), ("occupational_therapist", "occupational_therapy"))
    ):
        staff_id = zone.one(role)
        if staff_id is not None:
            bookings.append(
                Booking(
                    crisis_id=0,
                    person_id=person,
                    staff_id=staff_id,
                    discipline=discipline,
                    visit_at=raised + timedelta(minutes=45 + 30 * n),
                    booked_at=raised,
                    booked_by_id=crisis.raised_by_id,
                )
            )
    return RaisedCrisis(referral, crisis, bookings, [])


def _liaise(raised: RaisedCrisis, rng: random.Random, at: datetime, by: int | None) -> None:
    party, contact, agreed = rng.choice(LIAISON)
    raised.liaison.append(LiaisonEntry(crisis_id=0, party=party, contact=contact, agreed=agreed, at=at, by_id=by))


def _arrive(raised: RaisedCrisis, at: datetime, assessed_at: datetime | None) -> None:
    """The first booked visit arrives (the referral's first contact), and perhaps assesses."""
    first = raised.bookings[0]
    first.state, first.arrived_at = "arrived", at
    raised.referral.first_contact_at = at
    raised.referral.first_contact_by_id = first.staff_id
    if assessed_at is not None:
        first.state, first.assessed_at = "assessed", assessed_at
        raised.referral.assessed_at = assessed_at
        raised.referral.assessed_by_id = first.staff_id
        for other in raised.bookings[1:]:
            other.state, other.arrived_at, other.assessed_at = "assessed", at, assessed_at


def open_crises(zone: ZoneTeam, rng: random.Random, now: datetime) -> list[RaisedCrisis]:
    """The zone's live crises: on time, nearly due, breached, seen."""
    out = []
    for spec in OPEN_CRISES:
        raised = _crisis(zone, rng, now - timedelta(minutes=spec.minutes_ago), spec.need)
        if spec.arrived_minutes_ago is not None:
            _arrive(raised, now - timedelta(minutes=spec.arrived_minutes_ago), None)
        elif raised.bookings:
            raised.bookings[0].visit_at = now + timedelta(minutes=10)
            raised.bookings[0].state = "on_the_way" if spec.minutes_ago < 120 else "booked"
        if spec.minutes_ago > 30:
            _liaise(raised, rng, raised.crisis.raised_at + timedelta(minutes=25), raised.crisis.raised_by_id)
        out.append(raised)
    return out


def story_crises(session: Session, zone: ZoneTeam, now: datetime) -> list[RaisedCrisis]:
    """The crisis behind each open Crisis response of the zone that has none yet (a story's, as its call told it).

    Raised when the call came in, its caller and what happened as the referral
    says; the team is on its way if that was under an hour ago, otherwise the
    first visit has arrived (and any other visit whose time has come), and once
    its 2-hour clock has run out the team has assessed within it, so the crisis
    waits for the handover like the last day's others.
    """
    waiting = session.exec(
        select(Referral)
        .join(Person, col(Person.id) == Referral.person_id)
        .where(
            Person.zone_id == zone.zone_id,
            Referral.status == "open",
            Referral.response == triage.CRISIS,
            ~exists().where(col(Crisis.referral_id) == Referral.id),
        )
        .order_by(col(Referral.id))
    ).all()
    out = []
    for referral in waiting:
        raised_at = referral.received_at
        raised = _raise(zone, referral, raised_at, referral.source, referral.reason, "home")
        if now - raised_at < timedelta(hours=1) or not raised.bookings:
            for b in raised.bookings[:1]:
                b.visit_at, b.state = max(b.visit_at, now + timedelta(minutes=10)), "on_the_way"
        else:
            arrived = raised.bookings[0].visit_at
            assessed = (
                arrived + timedelta(minutes=50) if now - raised_at >= triage.URGENCY_WITHIN[triage.CRISIS] else None
            )
            _arrive(raised, arrived, assessed)
            for other in raised.bookings[1:]:
                if assessed is None and other.visit_at <= now:
                    other.state, other.arrived_at = "arrived", other.visit_at
        out.append(raised)
    return out


def handover_crises(zone: ZoneTeam, rng: random.Random, now: datetime) -> list[RaisedCrisis]:
    """Crises of the last day, assessed, for the handover: the first already decided, with a follow-up."""
    out = []
    for n, hours in enumerate(HANDOVER_HOURS_AGO):
        raised_at = now - timedelta(hours=hours)
        raised = _crisis(zone, rng, raised_at, ("fall", "frailty", "catheter")[n])
        _arrive(raised, raised_at + timedelta(minutes=70), raised_at + timedelta(minutes=130))
        _liaise(raised, rng, raised_at + timedelta(minutes=150), raised.crisis.raised_by_id)
        if n == 0 and raised.bookings:
            raised.crisis.decision = "further_support"
            raised.crisis.decision_note = "Nurse to call daily for three days; review at Friday handover"
            raised.crisis.decided_at = raised_at + timedelta(hours=3)
            raised.crisis.decided_by_id = zone.one("zone_manager")
            first = raised.bookings[0]
            raised.bookings.append(
                Booking(
                    crisis_id=0,
                    person_id=first.person_id,
                    staff_id=first.staff_id,
                    discipline=first.discipline,
                    purpose="follow_up",
                    visit_at=_wall(clock.local(now).date() + timedelta(days=1), time(10)),
                    booked_at=raised_at + timedelta(hours=3),
                    booked_by_id=raised.crisis.decided_by_id,
                )
            )
        out.append(raised)
    return out


def closed_crises(
    zone: ZoneTeam, rng: random.Random, now: datetime, count: int = CLOSED_CRISES, every: timedelta = timedelta(days=4)
) -> list[RaisedCrisis]:
    """Crises handed over and closed, one ``every`` so often back from two days ago; a third seen late."""
    out = []
    for n in range(count):
        raised_at = now - timedelta(days=2, hours=rng.uniform(0, 8)) - n * every
        need = rng.choice(tuple(HAPPENINGS))
        raised = _crisis(zone, rng, raised_at, need)
        seen = raised_at + timedelta(minutes=150 if n % 3 == 2 else rng.uniform(40, 110))
        _arrive(raised, seen, seen + timedelta(minutes=50))
        decision = rng.choice(("close", "reduce_support", "admitted", "bed_based_stay"))
        decided = seen + timedelta(hours=20)
        raised.crisis.decision, raised.crisis.decided_at = decision, decided
        raised.crisis.decided_by_id = zone.one("zone_manager")
        raised.crisis.status, raised.crisis.closed_at = "closed", decided
        raised.referral.status, raised.referral.closed_at = "closed", decided
        raised.referral.services_at = seen + timedelta(hours=6)  # what followed was in place the same day
        _liaise(raised, rng, raised_at + timedelta(minutes=30), raised.crisis.raised_by_id)
        out.append(raised)
    return out


def _write(session: Session, raised: list[RaisedCrisis]) -> None:
    """Referrals, then crises, then what hangs off them, each batch flushed for the next one's ids."""
    session.add_all([r.referral for r in raised])
    session.flush()
    for r in raised:
        assert r.referral.id is not None
        r.crisis.referral_id = r.referral.id
    session.add_all([r.crisis for r in raised])
    session.flush()
    for r in raised:
        assert r.crisis.id is not None
        for b in r.bookings:
            b.crisis_id = r.crisis.id
        for e in r.liaison:
            e.crisis_id = r.crisis.id
    session.add_all([row for r in raised for row in (*r.bookings, *r.liaison)])
    session.flush()


def rapid_referrals(zone: ZoneTeam, rng: random.Random, now: datetime) -> list[Referral]:
    """Open Rapid referrals at different points of their 3-hour clocks."""
    return [
        _referral(zone.person(), now - timedelta(minutes=m), triage.RAPID, rng.choice(RAPID_REASONS))
        for m in OPEN_RAPID_MINUTES_AGO
    ]


def set_responses(session: Session) -> int:
    """Give the demo's own referrals the response their urgency stands for, so the board sees the Rapid ones."""
    result = session.execute(
        update(Referral)
        .where(col(Referral.response) == triage.NORMAL, col(Referral.urgency).in_((triage.RAPID, triage.FAST)))
        .values(response=Referral.urgency)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def schedule_reminders(session: Session) -> int:
    """The reminders of every open Crisis and Rapid referral; returns how many referrals have them."""
    open_clocks = session.exec(
        select(Referral).where(
            Referral.status == "open", col(Referral.response).in_(tuple(reminders.REMINDED_RESPONSES))
        )
    ).all()
    for referral in open_clocks:
        reminders.schedule(session, referral)
    return len(open_clocks)


def add_crisis_line(
    session: Session, zone_ids: Sequence[str] | None = None, *, now: datetime | None = None, seed: int = 20041
) -> dict[str, int]:
    """Put the crisis line into a seeded demo (every zone unless named); returns rows added per table."""
    at = now or clock.now()
    rng = random.Random(f"{seed}/crisis")
    if zone_ids is None:
        zone_ids = sorted({z for z in session.exec(select(Staff.zone_id).distinct())})
    set_responses(session)
    today = clock.local(at).date()
    zones = zone_teams(session, zone_ids, rng)
    for zone in zones:
        session.add_all(roster_rows(zone, today))
        raised = open_crises(zone, rng, at) + handover_crises(zone, rng, at) + closed_crises(zone, rng, at)
        raised += story_crises(session, zone, at)
        _write(session, raised)
        session.add_all(rapid_referrals(zone, rng, at))
        session.flush()
    schedule_reminders(session)
    return {
        str(model.__name__).lower(): session.exec(select(func.count()).select_from(model)).one()
        for model in (Shift, Absence, Crisis, Booking, LiaisonEntry, Reminder)
    }
