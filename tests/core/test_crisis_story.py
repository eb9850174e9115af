"""The crisis on the person's timeline: raised, booked, liaison, arrival, the decision and what followed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from desk import db
from desk.crisis import escalation, handover, liaison
from desk.crisis.escalation import BookingMove
from desk.crisis.handover import DecisionInput
from desk.crisis.liaison import LiaisonInput
from desk.history import Actor
from desk.models import Admission, Person
from desk.services import timeline
from tests.core.test_crisis_moments import escalated
from tests.helpers import records
from tests.helpers.crisis import day_team
from tests.helpers.fixtures import FrozenClock, Registrar


@pytest.fixture
def doris(register: Registrar) -> Person:
    return register(family_name="Pascoe", given_name="Doris")


def test_the_timeline_tells_the_crisis_in_order_and_names_what_followed(
    engine: Engine, actor: Actor, clock: FrozenClock, doris: Person
) -> None:
    day_team(engine, actor, clock.today)
    done = escalated(engine, actor, doris)
    nurse = next(b for b in done.bookings if b.discipline == "nursing")
    clock.advance(timedelta(minutes=5))
    with db.writing(engine) as session:
        liaison.add_entry(session, actor, LiaisonInput(done.crisis_id, "ambulance", "Crew stays", contact="Crew 412"))
    clock.advance(timedelta(minutes=40))
    with db.writing(engine) as session:
        escalation.move_booking(session, actor, BookingMove(nurse.id, nurse.version, "arrived"))
    clock.advance(timedelta(hours=1))
    with db.writing(engine) as session:
        session.add(Admission(person_id=doris.id, ward_id=records.ward_id(engine), admitted_at=clock.now))  # type: ignore[arg-type]
    clock.advance(timedelta(hours=3))
    with db.writing(engine) as session:
        version = handover.item(session, done.crisis_id).version
        handover.decide(session, actor, DecisionInput(done.crisis_id, "admitted", "Admitted from the visit", version))
    with db.reading(engine) as session:
        entries = timeline.timeline(session, doris.id)  # type: ignore[arg-type]
    titles = [e.title for e in reversed(entries)]  # oldest first
    story = [
        t
        for t in titles
        if t.startswith(
            ("Crisis raised", "Crisis visit", "Liaison", "Admitted", "Handover", "Referral to Nursing: first")
        )
    ]
    assert story[0] == "Crisis raised: A fall with no serious injury"
    assert story.index("Liaison: Ambulance service (Crew 412)") < story.index(
        next(t for t in story if t.startswith("Crisis visit:") and t.endswith("arrived"))
    )
    assert story[-1] == "Handover decision: Admitted to hospital"
    assert sum(t.startswith("Crisis visit booked") for t in story) == 3
    assert any(t.startswith("Admitted to Brixham Community Hospital") for t in story)
    decision = next(e for e in entries if e.title.startswith("Handover decision"))
    assert "what followed: admitted to Brixham Community Hospital" in decision.detail
