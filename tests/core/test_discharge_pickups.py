"""The zone's pick-ups: raised by exactly one desk at a time, again until acknowledged, seen on every desk.

Two engines on one database stand for two desks of the zone. The pick-ups here
are made straight from the model; test_discharge_leaving makes them by
recording discharges.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from threading import Barrier

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import clock as desk_clock
from desk import db, history
from desk.crisis import reminders
from desk.discharge import delays, pickups
from desk.discharge.pickups import PickupAck, PickupRow
from desk.discharge_models import DelayDay, ZonePickup
from desk.errors import InvalidForm, StaleRecord
from desk.history import Actor
from desk.models import Admission, History, Staff
from desk.services import changes
from tests.helpers.fixtures import FrozenClock, Registrar
from tests.helpers.in_hospital import in_hospital

DESK_A, DESK_B = "desk-1", "desk-2"


def made(engine: Engine, actor: Actor, register: Registrar, *, family_name: str = "Hext") -> int:
    """A discharge recorded an hour ago and its pick-up for Brixham, due to be raised now; the pick-up's id."""
    person = register(family_name=family_name, given_name="Reg")
    assert person.id is not None
    now = desk_clock.now()
    adm = in_hospital(engine, actor, person.id, now - timedelta(days=4), ready_on=desk_clock.today())
    with db.writing(engine) as session:
        stay = session.get(Admission, adm)
        assert stay is not None
        stay.discharged_at = now - timedelta(hours=1)
        p = ZonePickup(
            admission_id=adm,
            person_id=person.id,
            zone_id=person.zone_id,
            discharged_at=now - timedelta(hours=1),
            put_in_place="Home care: 3 visits a day (Bay Care)",
            who_to_ring="Ward 3 (Care of the Elderly): 0114 496 0102",
            made_at=now,
            made_by_id=actor.staff_id,
            next_raise_at=now,
        )
        history.create(session, actor, p, "Zone told of the discharge", person.id)
        assert p.id is not None
        return p.id


def poll(engine: Engine, actor: Actor, desk: str) -> list[PickupRow]:
    with db.writing(engine) as session:
        return pickups.poll(session, Actor(actor.staff_id, desk), "BXM")


def staff_name(engine: Engine, staff_id: int | None) -> str:
    with db.reading(engine) as session:
        s = session.get(Staff, staff_id)
        assert s is not None
        return s.name


def test_a_new_pickup_is_raised_by_exactly_one_of_two_desks_and_listed_on_both(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    other = reopen()
    pid = made(engine, actor, register)
    raised_a = poll(engine, actor, DESK_A)
    raised_b = poll(other, actor, DESK_B)
    assert [r.pickup_id for r in raised_a] == [pid] and raised_b == []
    row = raised_a[0]
    assert (row.name, row.raised_count, row.put_in_place, row.who_to_ring) == (
        "HEXT, Reg",
        1,
        "Home care: 3 visits a day (Bay Care)",
        "Ward 3 (Care of the Elderly): 0114 496 0102",
    )
    assert row.ward.startswith("Ward 3") and row.made_by == staff_name(engine, actor.staff_id)
    assert "Discharge to pick up: HEXT, Reg, home from Ward 3 (Care of the Elderly)" in row.message
    for eng in (engine, other):
        with db.reading(eng) as session:
            assert [r.pickup_id for r in pickups.outstanding(session, "BXM")] == [pid]
            assert pickups.outstanding(session, "PGN") == []
    with db.reading(other) as session:
        saved = session.get(ZonePickup, pid)
        assert saved is not None and (saved.raised_by_desk, saved.next_raise_at) == (
            DESK_A,
            clock.now + pickups.RAISE_AGAIN,
        )


def test_two_desks_polling_at_once_raise_it_once(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    pid = made(engine, actor, register)
    desks = [(engine, DESK_A), (reopen(), DESK_B)]
    start = Barrier(2)

    def one(pair: tuple[Engine, str]) -> list[int]:
        start.wait()
        return [r.pickup_id for r in poll(pair[0], actor, pair[1])]

    with ThreadPoolExecutor(2) as pool:
        got = sorted(pool.map(one, desks))
    assert got == [[], [pid]]
    with db.reading(engine) as session:
        saved = session.get(ZonePickup, pid)
        assert saved is not None and saved.raised_count == 1
        raises = session.exec(select(History).where(History.entity == "zonepickup", History.why == "Pick-up raised"))
        assert len(raises.all()) == 1


def test_raised_again_after_the_interval_until_acknowledged(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    other = reopen()
    pid = made(engine, actor, register)
    assert len(poll(engine, actor, DESK_A)) == 1
    clock.advance(pickups.RAISE_AGAIN - timedelta(seconds=1))
    assert poll(engine, actor, DESK_A) == [] and poll(other, actor, DESK_B) == []
    clock.advance(timedelta(seconds=1))
    again = poll(other, actor, DESK_B)
    assert [(r.pickup_id, r.raised_count) for r in again] == [(pid, 2)]
    assert poll(engine, actor, DESK_A) == []
    with db.writing(engine) as session:
        done = pickups.acknowledge(session, actor, PickupAck(pid, again[0].version, "  Rang Reg's daughter  "))
    clock.advance(pickups.RAISE_AGAIN * 3)
    assert poll(engine, actor, DESK_A) == [] and poll(other, actor, DESK_B) == []
    assert done.raised_count == 2 and done.acknowledged_note == "Rang Reg's daughter"


def test_an_acknowledgement_records_who_and_when_and_takes_it_off_every_desk(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    other = reopen()
    pid = made(engine, actor, register)
    poll(engine, actor, DESK_A)
    with db.reading(other) as session:
        seen = pickups.outstanding(session, "BXM")[0]
    clock.advance(timedelta(minutes=7))
    with db.writing(other) as session:
        done = pickups.acknowledge(session, Actor(actor.staff_id, DESK_B), PickupAck(pid, seen.version))
    assert (done.acknowledged_at, done.acknowledged_by) == (clock.now, staff_name(engine, actor.staff_id))
    for eng in (engine, other):
        with db.reading(eng) as session:
            assert pickups.outstanding(session, "BXM") == []
            assert [(r.pickup_id, r.acknowledged_at) for r in pickups.recent(session, "BXM")] == [(pid, clock.now)]
            saved = session.get(ZonePickup, pid)
            assert saved is not None
            assert (saved.acknowledged_by_id, saved.next_raise_at, saved.version) == (actor.staff_id, None, 2)
            entry = session.exec(
                select(History).where(History.entity == "zonepickup", History.why == "Discharge picked up by the zone")
            ).one()
            assert (entry.staff_id, entry.desk, entry.at, entry.person_id) == (
                actor.staff_id,
                DESK_B,
                clock.now,
                seen.person_id,
            )


def test_a_stale_acknowledgement_is_refused(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    other = reopen()
    pid = made(engine, actor, register)
    poll(engine, actor, DESK_A)
    with db.reading(engine) as session:
        seen = pickups.outstanding(session, "BXM")[0]
    with pytest.raises(StaleRecord):
        with db.writing(engine) as session:
            pickups.acknowledge(session, actor, PickupAck(pid, seen.version + 1))
    with db.writing(engine) as session:
        pickups.acknowledge(session, actor, PickupAck(pid, seen.version))
    with pytest.raises(InvalidForm) as twice:
        with db.writing(other) as session:
            pickups.acknowledge(session, Actor(actor.staff_id, DESK_B), PickupAck(pid, seen.version))
    assert twice.value.problems["pickup"].startswith(f"Already acknowledged by {staff_name(engine, actor.staff_id)}")
    with db.reading(engine) as session:
        saved = session.get(ZonePickup, pid)
        assert saved is not None and (saved.version, saved.acknowledged_note) == (2, "")


def test_a_pickup_raised_again_meanwhile_is_still_acknowledged(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    other = reopen()
    pid = made(engine, actor, register)
    poll(engine, actor, DESK_A)
    with db.reading(engine) as session:
        seen = pickups.outstanding(session, "BXM")[0]
    clock.advance(pickups.RAISE_AGAIN)
    assert len(poll(other, actor, DESK_B)) == 1  # raised again while desk 1 had it open
    with db.writing(engine) as session:
        assert pickups.acknowledge(session, actor, PickupAck(pid, seen.version)).acknowledged_at == clock.now


def test_the_marks_move_when_a_pickup_is_made_and_when_it_is_acknowledged(
    engine: Engine, reopen: Callable[[], Engine], actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    other = reopen()
    with db.reading(other) as session:
        before, history_before = pickups.mark(session, "BXM"), changes.mark(session)
    pid = made(engine, actor, register)
    with db.reading(other) as session:
        assert pickups.mark(session, "BXM") == (pid, 1) != before
        assert changes.mark(session) > history_before
        assert pickups.mark(session, "PGN") == (0, 0)
        seen = pickups.pickup(session, pid)
    with db.writing(engine) as session:
        pickups.acknowledge(session, actor, PickupAck(pid, seen.version))
    with db.reading(other) as session:
        assert pickups.mark(session, "BXM") == (pid, 0)


def test_the_caseload_flag_names_only_people_with_a_pickup_waiting(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    pid = made(engine, actor, register)
    with db.reading(engine) as session:
        row = pickups.pickup(session, pid)
        assert pickups.flagged(session, [row.person_id, row.person_id + 1000]) == {row.person_id}
        assert pickups.flagged(session, []) == set()


def test_the_reminder_poll_raises_pickups_and_carries_delays_forward(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    clock.set(datetime(2026, 11, 30, 10, tzinfo=UTC))
    still_in = register(family_name="Still")
    assert still_in.id is not None
    adm = in_hospital(engine, actor, still_in.id, clock.now - timedelta(days=3), ready_on=date(2026, 11, 30))
    with db.writing(engine) as session:
        delays.set_reason(session, actor, delays.DelayInput(adm, "transport", "Porters"))
    clock.set(datetime(2026, 12, 1, 10, tzinfo=UTC))
    pid = made(engine, actor, register)
    with db.writing(engine) as session:
        raised = reminders.poll_pickups(session, actor, zone_id="BXM")
        assert reminders.next_pickup_wake_at(session, zone_id="BXM") == clock.now + pickups.RAISE_AGAIN
    assert [r.pickup_id for r in raised] == [pid]
    with db.reading(engine) as session:
        days = session.exec(select(DelayDay.day, DelayDay.carried).where(DelayDay.admission_id == adm)).all()
    assert sorted(days) == [(date(2026, 11, 30), False), (date(2026, 12, 1), True)]
