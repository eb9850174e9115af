"""Reminders that are never lost: raised once by one desk, cleared everywhere by one acknowledgement.

Two engines on one database stand for two desks (an SQLite file shared on one
machine, or one PostgreSQL database); a third, opened later, is a desk restarted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db
from desk.crisis import escalation, referrals, reminders
from desk.crisis.escalation import BookingMove
from desk.crisis.referrals import CallFinish, TriageChoice
from desk.crisis.reminders import Acknowledgement, ReminderRow
from desk.crisis_models import Reminder
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import History
from desk.services import calls
from tests.helpers.crisis import day_team, raise_crisis
from tests.helpers.fixtures import FrozenClock, Registrar

DESK_A, DESK_B = "desk-1", "desk-2"


def poll(engine: Engine, actor: Actor, desk: str) -> list[ReminderRow]:
    with db.writing(engine) as session:
        return reminders.poll(session, Actor(actor.staff_id, desk), zone_id="BXM")


def outstanding(engine: Engine) -> list[ReminderRow]:
    with db.reading(engine) as session:
        return reminders.outstanding(session, zone_id="BXM")


def rapid_referral(engine: Engine, actor: Actor, person_id: int) -> int:
    """A call about a change in need, triaged Rapid (3 hours)."""
    with db.writing(engine) as session:
        call = calls.start(session, actor, "BXM")
        assert call.id is not None
        made = referrals.finish_and_refer(
            session,
            actor,
            CallFinish(call.id, person_id, "change_in_need", "Not walking since yesterday.", "Rapid", call.version),
            TriageChoice("rapid", "therapist", need="reduced_mobility"),
        )
    return made.referral_id


def test_one_function_gives_the_times_30_minutes_before_and_at_the_deadline() -> None:
    deadline = datetime(2026, 3, 29, 2, 30, tzinfo=UTC)
    assert reminders.reminder_times("crisis", deadline) == [
        reminders.ReminderTime("before", datetime(2026, 3, 29, 2, 0, tzinfo=UTC)),
        reminders.ReminderTime("deadline", deadline),
    ]
    assert reminders.reminder_times("fast", deadline) == []


def test_raised_once_seen_on_both_desks_and_cleared_on_both_by_one_acknowledgement(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    other = reopen()  # the second desk
    doris = register(family_name="Pascoe", given_name="Doris")
    received = clock.now
    rid = rapid_referral(engine, actor, doris.id)  # type: ignore[arg-type]
    with db.reading(other) as session:
        rows = session.exec(select(Reminder).where(Reminder.referral_id == rid).order_by(Reminder.due_at)).all()
        assert [(r.kind, r.due_at, r.state) for r in rows] == [
            ("before", received + timedelta(hours=2, minutes=30), "pending"),
            ("deadline", received + timedelta(hours=3), "pending"),
        ]
        assert reminders.next_wake_at(session, zone_id="BXM") == received + timedelta(hours=2, minutes=30)
    assert poll(engine, actor, DESK_A) == [] and poll(other, actor, DESK_B) == []  # not yet
    clock.advance(timedelta(hours=2, minutes=30))
    raised = poll(engine, actor, DESK_A)
    assert [(r.kind, r.raised_by_desk) for r in raised] == [("before", DESK_A)]
    assert raised[0].message == "30 minutes left: Rapid for PASCOE, Doris, due 13:30"
    assert poll(other, actor, DESK_B) == []  # the other desk does not raise it again
    assert poll(engine, actor, DESK_A) == []  # nor does the same desk
    assert [r.id for r in outstanding(other)] == [raised[0].id]  # but it shows there
    with db.reading(engine) as session:
        assert reminders.next_wake_at(session, zone_id="BXM") == received + timedelta(hours=3)
    # acknowledged on the second desk: gone from both
    with db.writing(other) as session:
        acked = reminders.acknowledge(
            session, Actor(actor.staff_id, DESK_B), Acknowledgement(raised[0].id, raised[0].version)
        )
    assert (acked.state, acked.acknowledged_by_id, acked.acknowledged_at) == ("acknowledged", actor.staff_id, clock.now)
    assert outstanding(engine) == [] and outstanding(other) == []
    with pytest.raises(InvalidForm) as twice, db.writing(engine) as session:
        reminders.acknowledge(session, actor, Acknowledgement(raised[0].id, acked.version))
    assert twice.value.problems["reminder"] == "Already acknowledged at 13:00."
    with db.reading(engine) as session:
        whys = [h.why for h in session.exec(select(History).where(History.entity == "reminder").order_by(History.id))]
    assert whys == ["Reminder raised", "Reminder acknowledged"]


def test_a_reminder_due_while_no_desk_was_open_is_raised_on_the_next_poll_exactly_once(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris = register(family_name="Pascoe")
    rid = rapid_referral(engine, actor, doris.id)  # type: ignore[arg-type]
    engine.dispose()  # every desk closed
    clock.advance(timedelta(hours=4))  # both reminders fell due meanwhile
    first = reopen()
    caught_up = poll(first, actor, DESK_A)
    assert [(r.referral_id, r.kind) for r in caught_up] == [(rid, "before"), (rid, "deadline")]
    first.dispose()  # the desk restarts
    again, second = reopen(), reopen()
    assert poll(again, actor, DESK_A) == [] and poll(second, actor, DESK_B) == []
    assert len(outstanding(second)) == 2


def test_desks_polling_at_once_raise_each_reminder_once(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    people = [register(family_name=f"Crowd{n}") for n in range(4)]
    for p in people:
        rapid_referral(engine, actor, p.id)  # type: ignore[arg-type]
    clock.advance(timedelta(hours=3))
    engines = [reopen() for _ in range(3)]
    start = threading.Barrier(len(engines))

    def desk(n: int) -> list[ReminderRow]:
        start.wait()
        return poll(engines[n], actor, f"desk-{n}")

    with ThreadPoolExecutor(len(engines)) as pool:
        results = list(pool.map(desk, range(len(engines))))
    raised = [r.id for rows in results for r in rows]
    assert len(raised) == 8 and len(set(raised)) == 8  # 4 referrals x 2 reminders, each raised by one desk
    with db.reading(engine) as session:
        states = {r.state for r in session.exec(select(Reminder))}
    assert states == {"raised"}


def test_a_reminder_is_not_due_once_its_condition_is_met(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    rapid_person, crisis_person = register(family_name="Rapid"), register(family_name="Crisis")
    day_team(engine, actor, clock.today)
    rapid = rapid_referral(engine, actor, rapid_person.id)  # type: ignore[arg-type]
    crisis = raise_crisis(engine, actor, crisis_person.id)  # type: ignore[arg-type]
    with db.reading(engine) as session:
        ids = session.exec(select(Reminder.referral_id)).all()
    assert sorted(ids) == sorted([rapid, rapid, crisis.referral_id, crisis.referral_id])
    clock.advance(timedelta(minutes=30))
    with db.writing(engine) as session:  # the Rapid referral gets its first contact
        version = referrals.intervals(session, rapid).version
        referrals.record_first_contact(session, actor, referrals.IntervalInput(rapid, clock.now, version))
    nurse = crisis.bookings[0]
    with db.writing(engine) as session:  # the crisis nurse arrives: contact, but no assessment yet
        arrived = escalation.move_booking(session, actor, BookingMove(nurse.id, nurse.version, "arrived"))
    clock.advance(timedelta(hours=1))  # the crisis's "30 minutes left" falls
    raised = poll(engine, actor, DESK_A)
    assert [(r.referral_id, r.kind) for r in raised] == [(crisis.referral_id, "before")]
    with db.writing(engine) as session:
        escalation.move_booking(session, actor, BookingMove(nurse.id, arrived.version, "assessed"))
    assert outstanding(engine) == []  # met: it leaves the board without an acknowledgement
    clock.advance(timedelta(hours=3))
    assert poll(engine, actor, DESK_A) == []
    with db.reading(engine) as session:
        assert reminders.next_wake_at(session) is None


def test_a_stale_acknowledgement_is_refused(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    doris = register(family_name="Pascoe")
    rapid_referral(engine, actor, doris.id)  # type: ignore[arg-type]
    clock.advance(timedelta(hours=2, minutes=30))
    [row] = poll(engine, actor, DESK_A)
    with pytest.raises(StaleRecord), db.writing(engine) as session:
        reminders.acknowledge(session, actor, Acknowledgement(row.id, row.version - 1))
    assert len(outstanding(engine)) == 1


def test_the_next_wake_passes_over_pending_reminders_whose_condition_is_met(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    seen, waiting = register(family_name="Seen"), register(family_name="Waiting")
    first = rapid_referral(engine, actor, seen.id)  # type: ignore[arg-type]
    clock.advance(timedelta(minutes=10))
    received = clock.now
    rapid_referral(engine, actor, waiting.id)  # type: ignore[arg-type]
    with db.writing(engine) as session:  # the first gets its contact: its reminders stay pending, but are met
        version = referrals.intervals(session, first).version
        referrals.record_first_contact(session, actor, referrals.IntervalInput(first, clock.now, version))
    with db.reading(engine) as session:
        pending = session.exec(select(Reminder.referral_id).where(Reminder.state == "pending")).all()
        assert sorted(pending).count(first) == 2  # the met reminders come first in due order
        assert reminders.next_wake_at(session) == received + timedelta(hours=2, minutes=30)
        assert reminders.next_wake_at(session, zone_id="BXM") == received + timedelta(hours=2, minutes=30)
        assert reminders.due(session, now=received + timedelta(hours=2, minutes=29)) == []
    clock.advance(timedelta(hours=2, minutes=30))
    assert [r.person for r in poll(engine, actor, DESK_A)] == ["WAITING, " + waiting.given_name]
