"""One timeline per person: health, social care, hospital, calls and record changes, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine

from desk import db
from desk.crisis import referrals
from desk.history import Actor
from desk.models import Admission, Alert, Assessment, CarePackageItem, Person, Referral, Visit
from desk.services import calls, people, reference, timeline
from tests.helpers import records, synthetic
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, Registrar, coordinator, frozen

WARD = "Brixham Community Hospital, Harbour Ward"


def utc(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


# What Doris's timeline must show, newest first: (title starts with, side, when).
EXPECTED = [
    ("Call: Crisis", "call", utc(11, 20)),
    ("CRISIS Referral to Physiotherapy (crisis)", "health", utc(11, 20)),  # triaged from that call
    ("Package: Home care ended", "social", utc(11, 18, 9)),  # a date-only event sits at 09:00 office time
    ("Alert raised", "record", utc(11, 13)),
    ("Referral to Occupational therapy closed", "health", utc(11, 12)),
    (f"Discharged from {WARD}", "hospital", utc(11, 11)),
    ("Medically fit for discharge", "hospital", utc(11, 10)),
    (f"Admitted to {WARD}", "hospital", utc(11, 8)),
    ("Visit: Physiotherapy", "health", utc(11, 7)),
    ("Assessment: Nursing", "health", utc(11, 6)),
    ("Referral to Occupational therapy (fast)", "health", utc(11, 5)),
    ("Package: Home care started", "social", utc(11, 4, 9)),
    ("Record changed", "record", utc(11, 3)),
    ("Contact added", "record", utc(11, 2)),
    ("Registered", "record", utc(11, 1)),
]


@dataclass
class Story:
    engine: Engine
    doris: Person
    other: Person
    coordinator: str
    nurse: str


def build_story(engine: Engine, clock: FrozenClock) -> Story:
    """A month of Doris's care, one event of every kind on its own day, and a neighbour's call."""
    actor = coordinator(engine)
    register = Registrar(engine, actor)
    with db.reading(engine) as session:
        staff = {s.role: s for s in reversed(reference.staff(session, "BXM"))}
    nurse, physio = staff["nurse"], staff["physiotherapist"]

    clock.set(utc(11, 1))
    doris = register(family_name="Pascoe", given_name="Doris")
    other = register(family_name="Lee", given_name="Alan")
    clock.set(utc(11, 2))
    with db.writing(engine) as session:
        people.add_contact(
            session,
            actor,
            doris.id,
            people.ContactDetails(
                name="Jean Pascoe",
                relationship="daughter",  # type: ignore[arg-type]
                phone=synthetic.mobile(123),
                is_carer=True,
            ),
        )
    clock.set(utc(11, 3))
    with db.writing(engine) as session:
        people.update(
            session,
            actor,
            doris.id,
            people.PersonChanges(address="7 Berry Head Road"),
            expected_version=doris.version,  # type: ignore[arg-type]
            why="Moved house",
        )
    pkg = records.package(engine, doris.id, started_on=date(2026, 11, 4))  # type: ignore[arg-type]
    ward = records.ward_id(engine)
    records.put(
        engine,
        doris.id,  # type: ignore[arg-type]
        CarePackageItem(
            package_id=pkg.id,
            service="Home care",
            detail="2 visits a day",
            provider="Bay Care",  # type: ignore[arg-type]
            start_date=date(2026, 11, 4),
            end_date=date(2026, 11, 18),
            weekly_cost_pence=25_000,
        ),
        Referral(
            person_id=doris.id,
            received_at=utc(11, 5),
            source="GP",
            discipline="occupational_therapy",  # type: ignore[arg-type]
            reason="Bath transfers",
            urgency="fast",
            status="closed",
            closed_at=utc(11, 12),
        ),
        Assessment(person_id=doris.id, staff_id=nurse.id, discipline="nursing", at=utc(11, 6), summary="Legs healing"),  # type: ignore[arg-type]
        Visit(
            person_id=doris.id, staff_id=physio.id, discipline="physiotherapy", at=utc(11, 7), note="Stairs practice"
        ),  # type: ignore[arg-type]
        Admission(
            person_id=doris.id,
            ward_id=ward,
            admitted_at=utc(11, 8),
            medically_fit_at=utc(11, 10),  # type: ignore[arg-type]
            discharged_at=utc(11, 11),
        ),
        Alert(person_id=doris.id, text="Key safe 1234", raised_at=utc(11, 13)),  # type: ignore[arg-type]
        Visit(person_id=other.id, staff_id=nurse.id, discipline="nursing", at=utc(11, 14)),  # type: ignore[arg-type]
    )
    clock.set(utc(11, 20))
    with db.writing(engine) as session:
        call = calls.start(session, actor, "BXM", number=synthetic.mobile(123))
    clock.set(utc(11, 20, 11))
    with db.writing(engine) as session:
        referrals.finish_and_refer(
            session,
            actor,
            referrals.CallFinish(
                call.id, doris.id, "crisis", "Fell in the night.", "Crisis team visiting.", call.version
            ),  # type: ignore[arg-type]
            referrals.TriageChoice(response="crisis", lead="therapist", need="fall"),
        )
    assert staff["coordinator"].id == actor.staff_id
    return Story(engine, doris, other, staff["coordinator"].name, nurse.name)


@pytest.fixture(scope="module")
def story(shared_engine: Engine) -> Story:
    """Built once per backend; the tests only read it."""
    with frozen(FROZEN_AT) as clock:
        return build_story(shared_engine, clock)


def entries(story: Story, person: Person | None = None, **kwargs: int) -> list[timeline.Entry]:
    with db.reading(story.engine) as session:
        return timeline.timeline(session, (person or story.doris).id, **kwargs)  # type: ignore[arg-type]


def test_every_kind_of_event_appears_newest_first(story: Story) -> None:
    found = entries(story)
    assert len(found) == len(EXPECTED)
    assert [(e.title[: len(t)], e.side, e.at) for e, (t, _, _) in zip(found, EXPECTED, strict=True)] == EXPECTED


def test_entries_say_who_and_what(story: Story) -> None:
    by_title = {e.title.split(" (")[0]: e for e in entries(story)}
    call = next(e for e in entries(story) if e.side == "call")
    assert "Fell in the night." in call.detail and "Crisis team visiting." in call.detail
    assert call.by == story.coordinator
    assert "Jean Pascoe" in call.title  # the carer who rang
    assert by_title["Assessment: Nursing"].by == story.nurse
    assert by_title["Assessment: Nursing"].detail == "Legs healing"
    assert by_title["Package: Home care started"].detail == "2 visits a day (Bay Care) £250.00/wk"
    assert by_title["Alert raised"].detail == "Key safe 1234"
    assert by_title["Record changed"].detail == "Moved house - address"
    assert by_title["Referral to Occupational therapy"].detail == "Bath transfers (from GP)"
    crisis = by_title["CRISIS Referral to Physiotherapy"]
    assert crisis.detail == (
        "Crisis: A fall with no serious injury (from carer); Therapist leading; due 20-Nov-2026 12:00"
    )  # the 2-hour clock from the call's start, in UK time (GMT in November)
    assert crisis.by == story.coordinator


@pytest.mark.parametrize("limit", [1, 3, len(EXPECTED), 100])
def test_the_limit_keeps_the_newest(story: Story, limit: int) -> None:
    found = entries(story, limit=limit)
    assert len(found) == min(limit, len(EXPECTED))
    newest = EXPECTED[: len(found)]
    assert [(e.title[: len(t)], e.side, e.at) for e, (t, _, _) in zip(found, newest, strict=True)] == newest


def test_nobody_elses_events(story: Story) -> None:
    assert [e.title for e in entries(story, story.other)] == ["Visit: Nursing", "Registered"]


def test_an_unfinished_call_says_so(engine: Engine, register: Registrar, actor: Actor, clock: FrozenClock) -> None:
    person = register(phone=synthetic.landline(9))
    with db.writing(engine) as session:
        calls.start(session, actor, "BXM", number=synthetic.landline(9))
    with db.reading(engine) as session:
        newest = timeline.timeline(session, person.id)[0]  # type: ignore[arg-type]
    assert newest.side == "call" and "(unfinished)" in newest.title


def test_a_referral_without_a_source_shows_no_empty_brackets(
    engine: Engine, register: Registrar, clock: FrozenClock
) -> None:
    person = register()
    records.put(
        engine,
        person.id,
        Referral(
            person_id=person.id,
            received_at=clock.now,
            discipline="nursing",  # type: ignore[arg-type]
            reason="Leg ulcer",
        ),
    )
    with db.reading(engine) as session:
        [referral] = [e for e in timeline.timeline(session, person.id) if e.title.startswith("Referral")]  # type: ignore[arg-type]
    assert referral.detail == "Leg ulcer"
