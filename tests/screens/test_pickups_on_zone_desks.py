"""A discharge recorded on one desk shows on every desk of the person's zone, to pick up, until acknowledged.

Two desks run on one database, each with its own engine, as two desk
processes would: the ward desk, where the co-ordinator records Doris's
discharge, and the zone desk. The zone desk is told without a key (a
notification, and the row on its pick-ups list), acknowledges it with K, and
the ward desk's open list follows. The desk's clock is frozen and moved by
hand; the desks look for new pick-ups every second.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from desk import db
from desk.discharge import leaving
from desk.discharge.leaving import DischargeInput
from desk.history import Actor
from desk.models import Admission
from desk.services import caseload
from screens.caseload_table import CaseloadTable
from screens.pickups import AcknowledgeForm, PickupListScreen
from screens.reminder_watch import ReminderWatch
from tests.helpers.fixtures import FrozenClock, frozen
from tests.helpers.in_hospital import in_hospital
from tests.screens.screen_zone import Zone, desk_open, engine_for, shown_text, until

NOW = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)  # a Wednesday, GMT
LIVE_WAIT_S = 6.0
"""Generous for a loaded test machine; the desk itself looks every second."""


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    with frozen(NOW) as stopped:
        yield stopped


@pytest.fixture
def ward_desk(zone: Zone) -> Iterator[Zone]:
    """The ward's desk: the same zone and co-ordinator, on an engine of its own."""
    engine = engine_for(zone.url, zone.search_path)
    yield dataclasses.replace(zone, engine=engine)
    engine.dispose()


def _in_hospital(zone: Zone) -> int:
    """Doris on Ward 3 since Monday, ready to go home today (pathway 0); her caseload row says HOSP."""
    actor = Actor(zone.staff_id, "ward-desk")
    admitted = datetime(2026, 11, 30, 9, tzinfo=UTC)
    stay = in_hospital(zone.engine, actor, zone.doris_id, admitted, ready_on=date(2026, 12, 2), pathway="0")
    with db.writing(zone.engine) as session:
        caseload.refresh(session, zone.doris_id)
    return stay


def _discharge(engine: Engine, zone: Zone, stay: int) -> leaving.Discharged:
    """The ward co-ordinator records the discharge through the desk's service, on the ward desk's engine."""
    with db.writing(engine) as session:
        adm = session.get(Admission, stay)
        assert adm is not None
        return leaving.discharge(
            session,
            Actor(zone.staff_id, "ward-desk"),
            DischargeInput(stay, adm.version, who_to_ring="Ward 3: 01803 654321, ask for Sam"),
        )


def _watch(app: Any) -> ReminderWatch:
    return app.screen_stack[0].query_one(ReminderWatch)


def _pickup_toasts(app: Any) -> list[str]:
    return [n.message for n in app._notifications if n.title == "Discharge to pick up"]


def _list_lines(app: Any) -> list[str]:
    table = app.screen.query_one("#pickups")
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def _open_list(app: Any, pilot: Any) -> PickupListScreen:
    await pilot.press("ctrl+y")
    await until(pilot, lambda: isinstance(app.screen, PickupListScreen) and app.screen.loaded >= 1)
    assert isinstance(app.screen, PickupListScreen)
    return app.screen


async def test_a_discharge_on_one_desk_is_shown_to_pick_up_on_the_zone_desk_and_acknowledged_there(
    zone: Zone, ward_desk: Zone, clock: FrozenClock
) -> None:
    stay = _in_hospital(zone)
    async with desk_open(ward_desk) as (ward, ward_pilot), desk_open(zone) as (app, pilot):
        ward_list = await _open_list(ward, ward_pilot)
        zone_list = await _open_list(app, pilot)
        assert _list_lines(app) == []
        assert "0 waiting" in str(zone_list.query_one("#pickup-status").render())
        await until(pilot, lambda: _watch(app).looks >= 1)

        done = _discharge(ward_desk.engine, zone, stay)
        recorded = time.monotonic()
        await until(pilot, lambda: _pickup_toasts(app) != [], timeout=LIVE_WAIT_S)  # no key pressed
        seen_after = time.monotonic() - recorded
        toast = _pickup_toasts(app)[0]
        assert toast.startswith("PASCOE, Doris discharged from Ward 3 (Care of the Elderly)")
        assert "Put in place: No new support (pathway 0)" in toast
        assert "Ring: Ward 3: 01803 654321, ask for Sam" in toast
        assert "Ctrl+Y" in toast
        assert seen_after < LIVE_WAIT_S

        await until(pilot, lambda: len(_list_lines(app)) == 1, timeout=LIVE_WAIT_S)
        line = _list_lines(app)[0]
        assert line.startswith("RAISED | 02-Dec 10:30 | PASCOE, Doris | Ward 3")
        assert "No new support (pathway 0)" in line
        detail = shown_text(zone_list.query_one("#pickup-detail"), width=160)
        assert "Who to ring: Ward 3: 01803 654321, ask for Sam" in detail
        assert "Not yet acknowledged" in detail
        await until(ward_pilot, lambda: len(_list_lines(ward)) == 1, timeout=LIVE_WAIT_S)

        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, AcknowledgeForm))
        await pilot.press(*"Rang Jean, visit booked", "enter")
        await until(pilot, lambda: isinstance(app.screen, PickupListScreen))
        await until(pilot, lambda: _list_lines(app) and _list_lines(app)[0].startswith("DONE"))
        detail = shown_text(zone_list.query_one("#pickup-detail"), width=160)
        coordinator = app.staff.name
        assert f"Acknowledged by {coordinator} Wed 02-Dec 10:30" in detail
        assert "0 waiting" in str(zone_list.query_one("#pickup-status").render())
        await until(pilot, lambda: _pickup_toasts(app) == [] or _watch(app).pickups == [])
        assert _watch(app).pickups == []

        # the ward desk's open list follows, without a key
        await until(ward_pilot, lambda: _list_lines(ward)[0].startswith("DONE"), timeout=LIVE_WAIT_S)
        ward_detail = shown_text(ward_list.query_one("#pickup-detail"), width=160)
        assert f"Acknowledged by {coordinator} Wed 02-Dec 10:30" in ward_detail
    assert done.pickup_id is not None


async def test_an_unacknowledged_pickup_is_raised_again_and_flags_the_caseload_until_acknowledged(
    zone: Zone, clock: FrozenClock
) -> None:
    stay = _in_hospital(zone)
    async with desk_open(zone) as (app, pilot):
        table = app.screen.query_one(CaseloadTable)
        await until(pilot, lambda: bool(table.rows) and "HOSP" in table.rows[0].flags)
        _discharge(zone.engine, zone, stay)
        await until(pilot, lambda: len(_pickup_toasts(app)) == 1, timeout=LIVE_WAIT_S)
        await until(pilot, lambda: "PICKUP" in table.rows[0].flags, timeout=LIVE_WAIT_S)  # the caseload follows
        assert "HOSP" not in table.rows[0].flags

        watch = _watch(app)
        clock.advance(timedelta(minutes=31))  # nobody has acknowledged it: the reminders raise it again
        watch.look()
        await until(pilot, lambda: len(_pickup_toasts(app)) == 2)
        assert "(raised 2 times)" in _pickup_toasts(app)[-1]

        screen = await _open_list(app, pilot)
        assert _list_lines(app)[0].startswith("RAISED x2")
        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, AcknowledgeForm))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PickupListScreen) and _list_lines(app)[0].startswith("DONE"))
        await pilot.press("k")  # again: already done, nothing changes
        assert "already" in str(screen.query_one("#pickup-message").render())
        assert isinstance(app.screen, PickupListScreen)

        await pilot.press("escape")
        await until(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
        table = app.screen.query_one(CaseloadTable)
        await until(pilot, lambda: bool(table.rows) and "PICKUP" not in table.rows[0].flags, timeout=LIVE_WAIT_S)

        clock.advance(timedelta(minutes=31))  # acknowledged: never raised again
        looks = watch.looks
        watch.look()
        await until(pilot, lambda: watch.looks > looks)
        assert watch.pickups == []


async def test_acknowledged_at_another_desk_meanwhile_is_said_plainly_and_changes_nothing(
    zone: Zone, ward_desk: Zone, clock: FrozenClock
) -> None:
    from desk.discharge import pickups
    from desk.discharge.pickups import PickupAck

    stay = _in_hospital(zone)
    done = _discharge(ward_desk.engine, zone, stay)
    async with desk_open(zone) as (app, pilot):
        await _open_list(app, pilot)
        await until(pilot, lambda: len(_list_lines(app)) == 1)
        await pilot.press("enter")  # Enter opens the person
        await until(pilot, lambda: type(app.screen).__name__ == "PersonScreen")
        assert app.screen.person_id == zone.doris_id
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, PickupListScreen))

        await pilot.press("k")
        await until(pilot, lambda: isinstance(app.screen, AcknowledgeForm))
        form = app.screen
        with db.writing(ward_desk.engine) as session:  # someone at another desk got there first
            row = pickups.pickup(session, done.pickup_id)
            other = Actor(zone.staff_id, "ward-desk")
            pickups.acknowledge(session, other, PickupAck(row.pickup_id, row.version, "Mine"))
        await pilot.press(*"Rang Jean", "enter")
        await until(pilot, lambda: "Not acknowledged" in str(form.query_one("#form-message").render()))
        assert "Already acknowledged by" in str(form.query_one("#form-message").render())
        assert app.screen is form  # the dialog stays, with what was typed
        assert form.query_one("#note").value == "Rang Jean"  # type: ignore[attr-defined]
    with db.reading(zone.engine) as session:
        assert pickups.pickup(session, done.pickup_id).acknowledged_note == "Mine"  # theirs stands
