"""The three moments recorded on an open referral by a key on the person record."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import Engine

from desk import db
from desk.crisis import escalation, referrals
from desk.crisis.escalation import EscalationInput, TeamMember
from desk.crisis.referrals import IntervalInput
from desk.errors import InvalidForm
from desk.history import Actor
from desk.models import Person
from tests.helpers.crisis import day_team
from tests.helpers.fixtures import FrozenClock, Registrar


@pytest.fixture
def doris(register: Registrar) -> Person:
    return register(family_name="Pascoe", given_name="Doris")


def test_a_time_of_day_is_the_last_time_the_office_clock_read_it() -> None:
    noon = datetime(2026, 11, 23, 12, 0, 40, tzinfo=UTC)
    assert referrals.last_time_it_was(time(12, 0), now=noon) == noon  # this very minute is now
    assert referrals.last_time_it_was(time(11, 40), now=noon) == datetime(2026, 11, 23, 11, 40, tzinfo=UTC)
    # 23:40 typed at ten past midnight is last night
    just_after = datetime(2026, 11, 24, 0, 10, tzinfo=UTC)
    assert referrals.last_time_it_was(time(23, 40), now=just_after) == datetime(2026, 11, 23, 23, 40, tzinfo=UTC)
    # summer: 14:30 BST is 13:30 UTC
    summer = datetime(2026, 7, 1, 15, 0, tzinfo=UTC)
    assert referrals.last_time_it_was(time(14, 30), now=summer) == datetime(2026, 7, 1, 13, 30, tzinfo=UTC)
    # 01:30 on 25-Oct-2026 happens twice: the first (BST) is taken, never asked
    autumn = datetime(2026, 10, 25, 3, 0, tzinfo=UTC)
    assert referrals.last_time_it_was(time(1, 30), now=autumn) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    # 01:30 on 29-Mar-2026 never happens: read as the clock before the change (01:30 GMT)
    spring = datetime(2026, 3, 29, 3, 0, tzinfo=UTC)
    assert referrals.last_time_it_was(time(1, 30), now=spring) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def escalated(engine: Engine, actor: Actor, person: Person) -> escalation.Escalated:
    with db.reading(engine) as session:
        prop = escalation.propose_team(session, "BXM")
    data = EscalationInput(
        zone_id="BXM",
        person_id=person.id,  # type: ignore[arg-type]
        caller="Jean Pascoe (daughter)",
        what_happened="Fell in the kitchen, cannot get up",
        need="fall",
        whereabouts="home",
        team=tuple(TeamMember(v.discipline, v.staff_id, v.visit_at) for v in prop.visits),
    )
    with db.writing(engine) as session:
        return escalation.escalate(session, actor, data)


def test_the_open_referrals_are_offered_soonest_due_first_and_a_moment_is_recorded_by_its_key(
    engine: Engine, actor: Actor, clock: FrozenClock, doris: Person
) -> None:
    day_team(engine, actor, clock.today)
    done = escalated(engine, actor, doris)
    with db.reading(engine) as session:
        [offered] = referrals.open_referrals(session, doris.id)  # type: ignore[arg-type]
    assert offered.intervals.referral_id == done.referral_id and offered.response == "crisis"
    assert offered.recorded("first_contact") is None
    data = IntervalInput(done.referral_id, clock.now, offered.intervals.version)
    with pytest.raises(InvalidForm) as unknown, db.writing(engine) as session:
        referrals.record_moment(session, actor, data, "lunch")
    assert "first contact, assessment or services" in unknown.value.problems["moment"]
    clock.advance(timedelta(minutes=30))
    with db.writing(engine) as session:
        got = referrals.record_moment(session, actor, data, "first_contact")
    assert got.first_contact_at == data.at and got.first_contact_by_id == actor.staff_id
    with db.reading(engine) as session:
        [offered] = referrals.open_referrals(session, doris.id)  # type: ignore[arg-type]
    assert offered.recorded("first_contact") == data.at
