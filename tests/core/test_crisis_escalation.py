"""Escalate a crisis: the same-day team proposed from the roster, booked, and followed to arrival."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db
from desk.crisis import escalation, roster
from desk.crisis.escalation import (
    BookingInput,
    BookingMove,
    DisciplineGap,
    Escalated,
    EscalationInput,
    TeamMember,
    TeamProposal,
)
from desk.crisis.roster import AbsenceInput
from desk.crisis_models import Booking, Crisis, CrisisGap
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import History, Person, Referral
from tests.helpers.crisis import day_team, local, put_on, team
from tests.helpers.fixtures import FrozenClock, Registrar


@pytest.fixture
def doris(register: Registrar) -> Person:
    return register(family_name="Pascoe", given_name="Doris")


def proposal(engine: Engine) -> TeamProposal:
    with db.reading(engine) as session:
        return escalation.propose_team(session, "BXM")


def form(person: Person, prop: TeamProposal, **over: object) -> EscalationInput:
    values: dict[str, object] = dict(
        zone_id="BXM",
        person_id=person.id,
        caller="Jean Pascoe (daughter)",
        what_happened="Fell in the kitchen, cannot get up, no injury she can see.",
        need="fall",
        whereabouts="home",
        team=tuple(TeamMember(v.discipline, v.staff_id, v.visit_at) for v in prop.visits),
    )
    values.update(over)
    return EscalationInput(**values)  # type: ignore[arg-type]


def escalate(engine: Engine, actor: Actor, data: EscalationInput) -> Escalated:
    with db.writing(engine) as session:
        return escalation.escalate(session, actor, data)


def counts(engine: Engine) -> tuple[int, int, int, int]:
    with db.reading(engine) as session:
        return tuple(  # type: ignore[return-value]
            len(session.exec(select(t)).all()) for t in (Crisis, Booking, CrisisGap, Referral)
        )


def test_a_fall_escalated_books_nurse_physio_and_ot_from_the_roster(
    engine: Engine, actor: Actor, clock: FrozenClock, doris: Person
) -> None:
    day_team(engine, actor, clock.today)
    prop = proposal(engine)
    assert [v.discipline for v in prop.visits] == ["nursing", "physiotherapy", "occupational_therapy"]
    assert prop.nobody_on_duty == ()
    assert all(v.visit_at == clock.now + timedelta(minutes=15) for v in prop.visits)  # 10:45: 10 minutes' margin
    nurses = team(engine)["nurse"]
    assert len(prop.visits[0].others) == len(nurses) - 1
    done = escalate(engine, actor, form(doris, prop))
    assert done.due_at == clock.now + timedelta(hours=2)
    assert [(b.discipline, b.state_word) for b in done.bookings] == [
        ("nursing", "Booked"),
        ("physiotherapy", "Booked"),
        ("occupational_therapy", "Booked"),
    ]
    with db.reading(engine) as session:
        crisis = session.get(Crisis, done.crisis_id)
        ref = session.get(Referral, done.referral_id)
        assert crisis is not None and ref is not None
        assert (crisis.need, crisis.whereabouts, crisis.status) == ("fall", "home", "open")
        assert (ref.response, ref.crisis, ref.ucr_need, ref.lead) == ("crisis", True, "fall", "therapist")
        whys = [h.why for h in session.exec(select(History).where(History.person_id == doris.id).order_by(History.id))]
        # the next proposal puts the nurse with no visit today first
        again = escalation.propose_team(session, "BXM")
    assert whys[-5:] == [
        "Crisis escalated",
        "Crisis escalated to a same-day assessment",
        "Crisis visit booked",
        "Crisis visit booked",
        "Crisis visit booked",
    ]
    assert len(nurses) == 2 and again.visits[0].staff_id != prop.visits[0].staff_id


def test_the_proposed_time_leaves_ten_minutes_and_stays_within_the_shift(
    engine: Engine, actor: Actor, clock: FrozenClock
) -> None:
    """At 19:29 the desk proposes 19:45, not 19:30 a minute away; near a shift's end, a time still on it."""
    day_team(engine, actor, clock.today)  # everyone 08:00-20:00
    clock.set(local(clock.today, 19, 29))
    assert {v.visit_at for v in proposal(engine).visits} == {local(clock.today, 19, 45)}
    clock.set(local(clock.today, 19, 35))  # 19:45 is exactly ten minutes away: kept
    assert {v.visit_at for v in proposal(engine).visits} == {local(clock.today, 19, 45)}
    clock.set(local(clock.today, 19, 35) + timedelta(seconds=30))
    assert {v.visit_at for v in proposal(engine).visits} == {local(clock.today, 19, 46)}  # 20:00 ends the shift
    clock.set(local(clock.today, 19, 55))
    assert {v.visit_at for v in proposal(engine).visits} == {local(clock.today, 19, 55)}  # 5 minutes of it left

    day = clock.today
    at = escalation.proposed_visit_at
    assert at(local(day, 14), local(day, 20), local(day, 10, 30)) == local(day, 14)  # not before the shift starts
    assert at(local(day, 8), local(day, 20), local(day, 10, 50)) == local(day, 11)
    assert at(local(day, 8), local(day, 20), local(day, 10, 51)) == local(day, 11, 15)


def test_an_untouched_proposal_is_moved_on_once_it_is_too_close(
    engine: Engine, actor: Actor, clock: FrozenClock
) -> None:
    """Proposed 10:45 at 10:30; still kept at 10:40, moved on to 11:00 at 10:41, in the chosen person's shift."""
    day_team(engine, actor, clock.today)
    [nurse, *_] = proposal(engine).visits
    assert nurse.visit_at == local(clock.today, 10, 45)
    assert not escalation.proposal_gone_stale(nurse.visit_at, local(clock.today, 10, 40))
    assert escalation.proposal_gone_stale(nurse.visit_at, local(clock.today, 10, 40) + timedelta(seconds=1))
    assert escalation.proposal_gone_stale(nurse.visit_at, local(clock.today, 10, 50))  # passed
    assert nurse.again_at(nurse.staff_id, local(clock.today, 10, 41)) == local(clock.today, 11)
    other = replace(nurse.others[0], ends_at=local(clock.today, 10, 55))  # the other nurse leaves at 10:55
    chosen = replace(nurse, others=(other,))
    assert chosen.again_at(other.staff_id, local(clock.today, 10, 41)) == local(clock.today, 10, 51)


def test_a_discipline_nobody_is_on_duty_for_is_said_and_needs_a_decision(
    engine: Engine, actor: Actor, clock: FrozenClock, doris: Person
) -> None:
    day_team(engine, actor, clock.today, roles=("nurse", "physiotherapist"))
    prop = proposal(engine)
    assert prop.nobody_on_duty == ("occupational_therapy",)
    with pytest.raises(InvalidForm) as silent:
        escalate(engine, actor, form(doris, prop))
    assert "Nobody is chosen for occupational therapy" in silent.value.problems["team.occupational_therapy"]
    empty = DisciplineGap("occupational_therapy", "nobody_on_duty", " ")
    with pytest.raises(InvalidForm) as undecided:
        escalate(engine, actor, form(doris, prop, gaps=(empty,)))
    assert "zone manager's decision" in undecided.value.problems["gap.occupational_therapy"]
    assert counts(engine) == (0, 0, 0, 0)
    decided = DisciplineGap("occupational_therapy", "nobody_on_duty", "OT from Paignton tomorrow 09:00 (manager)")
    done = escalate(engine, actor, form(doris, prop, gaps=(decided,)))
    assert len(done.bookings) == 2
    with db.reading(engine) as session:
        assert escalation.gaps(session, done.crisis_id) == [decided]


def test_escalating_with_nobody_chosen_is_refused_and_nothing_written(
    engine: Engine, actor: Actor, clock: FrozenClock, doris: Person
) -> None:
    with pytest.raises(InvalidForm) as refused:
        escalate(engine, actor, form(doris, proposal(engine), team=(), need="", whereabouts="moon"))
    problems = refused.value.problems
    assert problems["team"] == "Choose at least one person to go: a crisis is never escalated with nobody booked."
    assert "999" in problems["need"] and "A&E" in problems["whereabouts"]
    with pytest.raises(InvalidForm) as elsewhere:
        escalate(engine, actor, form(doris, proposal(engine), zone_id="PGN"))
    assert elsewhere.value.problems["zone_id"].startswith("They are in zone BXM")
    assert counts(engine) == (0, 0, 0, 0)


def test_booking_someone_off_duty_or_in_the_past_is_refused(
    engine: Engine, actor: Actor, clock: FrozenClock, doris: Person
) -> None:
    members = team(engine)
    nurse, physio, ot = members["nurse"][0], members["physiotherapist"][0], members["occupational_therapist"][0]
    today = clock.today
    put_on(engine, actor, nurse, local(today, 8), local(today, 12))
    put_on(engine, actor, physio, local(today, 8), local(today, 20))
    put_on(engine, actor, ot, local(today, 8), local(today, 20))
    with db.writing(engine) as session:
        roster.mark_absent(session, actor, AbsenceInput(ot.id, "sick", local(today, 10), local(today, 20)))
    chosen = (
        TeamMember("nursing", nurse.id, local(today, 13)),  # after her shift
        TeamMember("physiotherapy", physio.id, clock.now - timedelta(minutes=30)),  # in the past
        TeamMember("occupational_therapy", ot.id, local(today, 11)),  # off sick
    )
    with pytest.raises(InvalidForm) as refused:
        escalate(engine, actor, form(doris, proposal(engine), team=chosen))
    problems = refused.value.problems
    assert problems["team.nursing"] == f"{nurse.name} is not on a nursing shift at 13:00: choose someone on duty then."
    assert problems["team.physiotherapy"] == "The visit time 10:00 has passed: choose a time from now on."
    assert problems["team.occupational_therapy"] == f"{ot.name} is away then (off sick): choose someone on duty."
    assert counts(engine) == (0, 0, 0, 0)


def test_the_first_arrival_is_the_first_contact_and_the_assessment_the_assessment(
    engine: Engine, actor: Actor, clock: FrozenClock, doris: Person
) -> None:
    day_team(engine, actor, clock.today)
    done = escalate(engine, actor, form(doris, proposal(engine)))
    nurse_visit, physio_visit, ot_visit = done.bookings
    crisis_worker = Actor(actor.staff_id, "desk-2")
    clock.advance(timedelta(minutes=20))

    def move(row_id: int, version: int, to: str, reason: str = "") -> escalation.BookingRow:
        with db.writing(engine) as session:
            return escalation.move_booking(session, crisis_worker, BookingMove(row_id, version, to, reason=reason))

    on_way = move(nurse_visit.id, nurse_visit.version, "on_the_way")
    assert on_way.state_word == "On the way"
    with pytest.raises(StaleRecord):
        move(nurse_visit.id, nurse_visit.version, "arrived")
    clock.advance(timedelta(minutes=50))
    arrived = move(nurse_visit.id, on_way.version, "arrived")
    assert arrived.arrived_at == clock.now
    clock.advance(timedelta(minutes=10))
    move(physio_visit.id, physio_visit.version, "arrived")  # a later arrival does not move the first contact
    with pytest.raises(InvalidForm) as no_reason:
        move(ot_visit.id, ot_visit.version, "cancelled")
    assert no_reason.value.problems["reason"] == "Say why the visit is cancelled."
    move(ot_visit.id, ot_visit.version, "cancelled", "Physio covers the equipment")
    with pytest.raises(InvalidForm) as backwards:
        move(ot_visit.id, ot_visit.version + 1, "arrived")
    assert backwards.value.problems["state"] == "A visit that is cancelled cannot become arrived."
    clock.advance(timedelta(minutes=40))
    move(nurse_visit.id, arrived.version, "assessed")
    with db.reading(engine) as session:
        ref = session.get(Referral, done.referral_id)
        assert ref is not None
        assert ref.first_contact_at == ref.received_at + timedelta(minutes=70)
        assert ref.assessed_at == ref.received_at + timedelta(minutes=120)
        assert ref.first_contact_by_id == crisis_worker.staff_id
        states = [b.state for b in escalation.bookings(session, done.crisis_id)]
    assert states == ["assessed", "arrived", "cancelled"]


def test_a_follow_up_is_booked_against_the_roster(
    engine: Engine, actor: Actor, clock: FrozenClock, doris: Person
) -> None:
    day_team(engine, actor, clock.today)
    done = escalate(engine, actor, form(doris, proposal(engine)))
    nurse = done.bookings[0]
    with db.writing(engine) as session:
        follow = escalation.book_visit(
            session, actor, BookingInput(done.crisis_id, nurse.staff_id, "nursing", local(clock.today, 18), "follow_up")
        )
    assert (follow.purpose, follow.state) == ("follow_up", "booked")
    with pytest.raises(InvalidForm) as late, db.writing(engine) as session:
        escalation.book_visit(
            session, actor, BookingInput(done.crisis_id, nurse.staff_id, "nursing", local(clock.today, 21), "follow_up")
        )
    assert "is not on a nursing shift at 21:00" in late.value.problems["staff_id"]
