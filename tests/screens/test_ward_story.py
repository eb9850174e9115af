"""Reg's story, at the ward co-ordinator's desk and then at the zone's.

Reg Westaway, 77, lives alone with home care twice a day. Admitted to Ward 3
on Monday (day 1), his package is suspended and Bay Care told. On Wednesday
(day 3) the ward's meeting finds him ready to go: discharge ready that day,
pathway 1. The ward physiotherapist assesses him on the ward and his package
goes up to three visits a day. He goes home on Thursday (day 4), the package
live that day; the delay of Wednesday and Thursday is counted with its
reason. A second desk of his zone, open on the same database, is told of
the discharge without a key (a notification, his row on its pick-ups list)
and acknowledges it there with K, who and when recorded; the review falls due
28 days after he went home.

The desk's clock is frozen and moved a day at a time; Textual's runs on.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select
from textual.widgets import DataTable, Input, Select

from desk import clock as desk_clock
from desk import db
from desk.discharge import delays, pickups
from desk.discharge_models import DelayDay, ZonePickup
from desk.models import Admission, Assessment, CarePackage, Staff
from desk.package_models import PackageReview
from desk.packages import arrange
from screens.admission import ward_keys
from screens.app import DeskApp
from screens.assessment import AREA_IDS
from screens.reminder_watch import ReminderWatch
from screens.stay import StayScreen
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, frozen
from tests.screens.screen_zone import SIZE, Zone, engine_for, on_screen, shown_text, until
from tests.screens.ward_zone import home_care, open_stay, open_ward, package_state, register_reg, ward_desk

DAY_1 = date(2026, 11, 23)  # Monday: admitted
DAY_3 = date(2026, 11, 25)  # Wednesday: discharge ready
DAY_4 = date(2026, 11, 26)  # Thursday: home
REVIEW_DAY = date(2026, 12, 24)  # 28 days after he went home
LIVE_WAIT_S = 6.0
"""Generous for a loaded test machine; a desk looks for new pick-ups every second."""


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """The desk's clock stopped at Monday 23 November 2026, 10:30 (GMT)."""
    with frozen(FROZEN_AT) as stopped:
        yield stopped


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A moment on the office clock (November and December are GMT)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def watch(app: DeskApp) -> ReminderWatch:
    """The desk's reminder watch: it tells the desk of pick-ups for its zone."""
    return app.screen_stack[0].query_one(ReminderWatch)


def pickup_toasts(app: DeskApp) -> list[str]:
    """The pick-up notifications showing on a desk."""
    return [n.message for n in app._notifications if n.title == "Discharge to pick up"]


def pickup_lines(app: DeskApp) -> list[str]:
    """The pick-ups list as shown, a line per row, its cells joined by ' | '."""
    table = app.screen.query_one("#pickups", DataTable)
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


def stay_screen(app: DeskApp) -> StayScreen:
    screen = app.screen
    assert isinstance(screen, StayScreen)
    return screen


async def reread(pilot: object, app: DeskApp) -> StayScreen:
    """Ctrl+R on the stay, and wait for it to be read again (the clock moved on)."""
    screen = stay_screen(app)
    seen = screen.loaded
    await pilot.press("ctrl+r")  # type: ignore[attr-defined]
    await until(pilot, lambda: screen.loaded > seen)
    return screen


def physiotherapist(zone: Zone) -> int:
    with db.reading(zone.engine) as session:
        staff = session.exec(select(Staff).where(Staff.name == "Fiona Chudleigh")).one()
        assert staff.id is not None
        return staff.id


async def test_regs_story(zone: Zone, clock: FrozenClock) -> None:
    reg_id = register_reg(zone)
    package_id = home_care(zone, reg_id)  # two visits a day, live since last week
    async with ward_desk(zone) as (app, pilot):
        # Day 1: admitted to Ward 3; the package suspended, Bay Care told.
        await open_ward(pilot, app)
        await pilot.press("n")
        await until(pilot, on_screen(app, "AdmissionForm"))
        form = app.screen
        await pilot.press(*"Westaway")
        await until(pilot, lambda: len(form.query_one("PersonFinder").hits) == 1)
        await pilot.press("enter")
        await until(pilot, lambda: form.person_id == reg_id)
        [ward_3] = [key for key, _, name in ward_keys(form.wards) if name.startswith("Ward 3")]
        await pilot.press(ward_3, *"Fall at home, could not get up", "enter")
        await until(pilot, lambda: on_screen(app, "WardScreen")() and app.screen.rows != [])
        assert [r.name for r in app.screen.rows] == ["WESTAWAY, Reg"]
        assert package_state(zone, package_id) == "suspended"
        stay = await open_stay(pilot, app)
        notices = stay.query_one("#stay-notices")
        assert "Suspended: in hospital on Ward 3" in str(notices.get_option_at_index(0).prompt)
        await pilot.press("o")
        await until(pilot, lambda: "[told" in str(notices.get_option_at_index(0).prompt))

        # Day 3: the ward's meeting: discharge ready today, pathway 1, Reg and his daughter involved.
        clock.set(at(DAY_3, 11))
        stay = await reread(pilot, app)
        await pilot.press("p")
        await until(pilot, on_screen(app, "PlanForm"))
        await pilot.press(*"25/11/2026", "enter", "1", "space", "f10")  # the date, pathway 1, involved: ticked
        await until(pilot, lambda: app.screen is stay and "Wed 25-Nov-2026" in shown_text(stay.query_one("#stay-plan")))
        plan = shown_text(stay.query_one("#stay-plan"))
        assert "Pathway 1: home with new or more support" in plan and "involved: yes" in plan

        # The ward physiotherapist's assessment, made on the ward: he needs a visit at lunchtime too.
        await pilot.press("w")
        await until(pilot, on_screen(app, "WardAssessmentForm"))
        assess = app.screen
        assert assess.query_one("#place").value == "ward"
        assess.query_one("#assessor", Select).value = f"{physiotherapist(zone)}:physiotherapist"
        assess.query_one(f"#{AREA_IDS['personal_care']}", Input).focus()
        await pilot.press("h", "f10")
        await until(pilot, lambda: app.screen is stay)
        await pilot.press("m")
        await until(pilot, on_screen(app, "PackageChangeForm"))
        change = app.screen
        await until(pilot, lambda: bool(change.query("#s1-times")))
        change.query_one("#s1-times", Input).value = "08:00, 12:30, 17:00"
        change.query_one("#why", Input).focus()
        await pilot.press(*"Ward physio: needs help at lunchtime", "f10")
        await until(
            pilot, lambda: app.screen is stay and "3 visits a day" in shown_text(stay.query_one("#stay-package"))
        )

        # Day 4: still on the ward since yesterday; the delay's reason, the package confirmed, home.
        clock.set(at(DAY_4, 9, 30))
        stay = await reread(pilot, app)
        assert "REASON MISSING" in shown_text(stay.query_one("#stay-delays"))
        await pilot.press("r")
        await until(pilot, on_screen(app, "DelayForm"))
        delay = app.screen
        await pilot.press("1", *"Bay Care Homecare", "tab", "ctrl+u", *"25/11/2026", "enter", "enter")
        await until(
            pilot, lambda: app.screen is stay and "REASON MISSING" not in shown_text(stay.query_one("#stay-delays"))
        )
        assert delay.is_attached is False
        delayed = shown_text(stay.query_one("#stay-delays"), 120)
        assert delayed.count("Awaiting assessment or care at home, Bay Care Homecare") == 2

        tasks = stay.query_one("#stay-tasks")
        assert "Package confirmed by the provider" in str(tasks.get_option_at_index(0).prompt)
        await pilot.press("t")
        await until(pilot, on_screen(app, "TaskForm"))
        await pilot.press("d", *"Bay Care Homecare", "enter", *"Three visits from today", "enter")
        await until(pilot, lambda: app.screen is stay and "[Done]" in str(tasks.get_option_at_index(0).prompt))

        clock.set(at(DAY_4, 14, 15))
        # The zone's desk: another desk of Brixham, on the same database with an engine of its own, is open at
        # its caseload while the ward records the discharge.
        other = engine_for(zone.url, zone.search_path)
        try:
            zone_desk = DeskApp(engine=other, staff_id=zone.staff_id)
            async with zone_desk.run_test(size=SIZE) as zone_pilot:
                await until(zone_pilot, lambda: on_screen(zone_desk, "CaseloadScreen")() and watch(zone_desk).looks)
                await pilot.press("d")
                await until(pilot, on_screen(app, "DischargeScreen"))
                assert not app.screen.query_one("#unconfirmed-warning").display
                await pilot.press("f10")
                await until(pilot, lambda: on_screen(app, "WardScreen")() and app.screen.rows == [])

                # Told without a key: the notification, then his row on the pick-ups list.
                await until(zone_pilot, lambda: pickup_toasts(zone_desk) != [], timeout=LIVE_WAIT_S)
                [toast] = pickup_toasts(zone_desk)
                assert toast.startswith("WESTAWAY, Reg discharged from Ward 3")
                assert "3 visits a day" in toast and "Kevin Heard" in toast and "Ctrl+Y" in toast
                await zone_pilot.press("ctrl+y")
                await until(zone_pilot, lambda: on_screen(zone_desk, "PickupListScreen")() and pickup_lines(zone_desk))
                pickup_list = zone_desk.screen
                [line] = pickup_lines(zone_desk)
                assert line.startswith("RAISED | 26-Nov 14:15 | WESTAWAY, Reg | Ward 3") and "3 visits a day" in line
                detail = shown_text(pickup_list.query_one("#pickup-detail"), width=160)
                assert "Kevin Heard" in detail and "Not yet acknowledged" in detail

                # Acknowledged there with K: who and when are recorded, and the notification comes down.
                clock.set(at(DAY_4, 14, 40))
                await zone_pilot.press("k")
                await until(zone_pilot, on_screen(zone_desk, "AcknowledgeForm"))
                await zone_pilot.press(*"Rang Reg, first visit 17:00", "enter")
                await until(zone_pilot, lambda: zone_desk.screen is pickup_list)
                await until(zone_pilot, lambda: pickup_lines(zone_desk)[0].startswith("DONE"))
                assert zone_desk.staff is not None
                detail = shown_text(pickup_list.query_one("#pickup-detail"), width=160)
                assert f"Acknowledged by {zone_desk.staff.name} Thu 26-Nov 14:40" in detail
                await until(zone_pilot, lambda: watch(zone_desk).pickups == [])
                await zone_pilot.press("escape")
                await until(zone_pilot, on_screen(zone_desk, "CaseloadScreen"))

                # Four weeks on, the review is due on the zone's review list.
                clock.set(at(REVIEW_DAY, 9))
                await zone_pilot.press("ctrl+n")
                await until(
                    zone_pilot, lambda: on_screen(zone_desk, "ReviewListScreen")() and zone_desk.screen.loaded > 0
                )
                listed = [(i.state, i.row.person) for i in zone_desk.screen.items]
                assert ("DUE", "WESTAWAY, Reg") in listed or ("OVERDUE", "WESTAWAY, Reg") in listed
        finally:
            other.dispose()

    with db.reading(zone.engine) as session:
        stay_row = session.exec(select(Admission).where(Admission.person_id == reg_id)).one()
        assert stay_row.discharged_at == at(DAY_4, 14, 15) and stay_row.ready_on == DAY_3
        ward_assessment = session.exec(select(Assessment).where(col(Assessment.place) == "ward")).one()
        assert ward_assessment.assessor_role == "physiotherapist"
        pkg = session.get(CarePackage, package_id)
        assert pkg is not None and pkg.state == "active"
        current = arrange.current(session, package_id)
        assert current is not None and "3 visits a day" in current.lines[0].detail
        assert [s.on for s in arrange.steps(session, package_id) if s.state == "active"][-1] == DAY_4
        days = session.exec(select(DelayDay).where(DelayDay.admission_id == stay_row.id).order_by(DelayDay.day)).all()
        assert [(d.day, d.reason) for d in days] == [(DAY_3, "care_at_home"), (DAY_4, "care_at_home")]
        counted = delays.counts(session, since=DAY_1, until=DAY_4, zone_id="BXM")
        assert counted.total == 2 and counted.by_reason == {"care_at_home": 2}
        review = session.exec(select(PackageReview).where(PackageReview.admission_id == stay_row.id)).one()
        assert review.kind == "discharge" and desk_clock.local(review.due_at).date() == REVIEW_DAY
        picked_up = session.exec(select(ZonePickup).where(ZonePickup.person_id == reg_id)).one()
        assert picked_up.admission_id == stay_row.id and picked_up.zone_id == "BXM"
        assert (picked_up.acknowledged_by_id, picked_up.acknowledged_at) == (zone.staff_id, at(DAY_4, 14, 40))
        assert picked_up.acknowledged_note == "Rang Reg, first visit 17:00"
        assert pickups.outstanding(session, "BXM") == []
