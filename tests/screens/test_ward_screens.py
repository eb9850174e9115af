"""The ward screen, a stay and the discharge dialog, as the ward's discharge co-ordinator drives them.

The desk's clock is frozen (Monday 23 November 2026, 10:30 GMT) and moved by
hand; Textual's own time runs on. The key sequences pressed here are the
counts the desk promises: from the ward screen, a discharge with the package
confirmed, the zone told, in two keys (D, F10), no words typed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select
from textual.widgets import Input

from desk import clock as desk_clock
from desk import db
from desk.discharge import pickups, stays
from desk.discharge_models import ZonePickup
from desk.history import Actor
from desk.models import Admission
from desk.packages.arrange import providers_to_tell
from screens.admission import ward_keys
from screens.ward import WardScreen, WardTable
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, frozen
from tests.screens.screen_zone import Zone, engine_for, on_screen, shown_text, until
from tests.screens.ward_zone import (
    admit,
    home_care,
    open_stay,
    open_ward,
    package_state,
    plan,
    task_done,
    ward_desk,
    ward_id,
)


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """The desk's clock stopped at Monday 23 November 2026, 10:30 (GMT)."""
    with frozen(FROZEN_AT) as stopped:
        yield stopped


def ward_rows(app: object) -> list[str]:
    screen = app.screen  # type: ignore[attr-defined]
    assert isinstance(screen, WardScreen)
    return screen.query_one(WardTable).column("name")


def stay_of(zone: Zone, admission_id: int) -> Admission:
    with db.reading(zone.engine) as session:
        stay = session.get(Admission, admission_id)
        assert stay is not None
        return stay


def pickups_of(zone: Zone) -> list[ZonePickup]:
    with db.reading(zone.engine) as session:
        return list(session.exec(select(ZonePickup)))


def ready_to_go(zone: Zone, clock: FrozenClock, *, confirmed: bool = True) -> tuple[int, int]:
    """Doris: home care twice a day, admitted two days ago, ready today on pathway 0, the package confirmed."""
    package_id = home_care(zone, zone.doris_id)
    admission_id = admit(zone, zone.doris_id, clock.now - timedelta(days=2))
    plan(zone, admission_id, ready_on=clock.today, pathway="0")
    if confirmed:
        task_done(zone, admission_id)
    return admission_id, package_id


async def test_the_ward_screen_lists_the_coordinators_wards_by_what_needs_doing(zone: Zone, clock: FrozenClock) -> None:
    """F9: Doris on Ward 3 with her package before and what is outstanding; A shows every ward."""
    home_care(zone, zone.doris_id)
    admit(zone, zone.doris_id, clock.now - timedelta(days=1))
    async with ward_desk(zone) as (app, pilot):
        screen = await open_ward(pilot, app)
        assert ward_rows(app) == ["PASCOE, Doris"]
        status = str(screen.query_one("#ward-status").content)
        assert "your wards: " in status and "Ward 3" in status and "1 patient" in status
        table = screen.query_one(WardTable)
        assert table.column("stage") == [" NEW "]
        assert table.column("ward") == ["Ward 3"]
        assert table.column("days") == ["1"]
        assert "Home care" in table.column("before")[0]
        assert "No discharge ready date" in table.column("outstanding")[0]
        detail = str(screen.query_one("#ward-detail").content)
        assert "999 000 0026" in detail and "Jean Pascoe" in detail
        await pilot.press("a")
        await until(pilot, lambda: "every ward" in str(screen.query_one("#ward-status").content))
        await pilot.press("c")  # checked: no longer a new admission
        await until(pilot, lambda: table.column("stage") != [" NEW "])
    assert stay_of(zone, table_admission(screen)).checked_at is not None


def table_admission(screen: WardScreen) -> int:
    return screen.rows[0].admission_id


async def test_a_discharge_with_the_package_confirmed_is_two_keys_from_the_ward_screen(
    zone: Zone, clock: FrozenClock
) -> None:
    """D, F10: the discharge recorded, the package live today, the zone's pick-up made and said on screen."""
    admission_id, package_id = ready_to_go(zone, clock)
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        assert ward_rows(app) == ["PASCOE, Doris"]
        keys = ["d", "f10"]  # the whole sequence from the ward screen: no words to type
        assert len(keys) <= 6
        await pilot.press(keys[0])
        await until(pilot, on_screen(app, "DischargeScreen"))
        who = app.screen.query_one("#who_to_ring", Input).value
        assert "Kevin Heard" in who and "Ward 3" in who  # prefilled: the co-ordinator and the ward's number
        assert not app.screen.query_one("#unconfirmed-warning").display
        await pilot.press(keys[1])
        await until(pilot, lambda: on_screen(app, "WardScreen")() and ward_rows(app) == [])
        said = [n.message for n in app._notifications if n.title == "Discharged"]
        assert said and "PASCOE, Doris discharged; the zone is told" in said[0]
        assert "Home care" in said[0] and "Review due 21-Dec-2026" in said[0]
    stay = stay_of(zone, admission_id)
    assert stay.discharged_at == clock.now and stay.unconfirmed_why == ""
    assert package_state(zone, package_id) == "active"
    [pickup] = pickups_of(zone)
    assert pickup.person_id == zone.doris_id and pickup.zone_id == "BXM" and "Kevin Heard" in pickup.who_to_ring
    with db.reading(zone.engine) as session:
        assert [p.name for p in pickups.outstanding(session, "BXM")] == ["PASCOE, Doris"]


async def test_a_package_not_confirmed_is_warned_and_its_reason_asked_and_recorded(
    zone: Zone, clock: FrozenClock
) -> None:
    """The dialog warns at once; F10 with no reason is refused beside the question; the reason is recorded."""
    admission_id, _ = ready_to_go(zone, clock, confirmed=False)
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        await pilot.press("d")
        await until(pilot, on_screen(app, "DischargeScreen"))
        dialog = app.screen
        assert dialog.query_one("#unconfirmed-warning").display
        assert "has not confirmed the package" in shown_text(dialog.query_one("#unconfirmed-warning"))
        await pilot.press("f10")  # no reason given
        await until(pilot, lambda: dialog.query_one("#unconfirmed_why-error").display)
        assert "give a reason" in shown_text(dialog.query_one("#unconfirmed_why-error")).lower()
        assert stay_of(zone, admission_id).discharged_at is None and pickups_of(zone) == []
        await pilot.press(*"Daughter staying the first night")
        await pilot.press("f10")
        await until(pilot, lambda: on_screen(app, "WardScreen")() and ward_rows(app) == [])
    stay = stay_of(zone, admission_id)
    assert stay.discharged_at is not None and stay.unconfirmed_why == "Daughter staying the first night"
    assert len(pickups_of(zone)) == 1


async def test_a_discharge_before_the_admission_is_refused_beside_the_time_and_nothing_typed_lost(
    zone: Zone, clock: FrozenClock
) -> None:
    admission_id, _ = ready_to_go(zone, clock)
    before = desk_clock.local(clock.now - timedelta(days=3))
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        await pilot.press("d")
        await until(pilot, on_screen(app, "DischargeScreen"))
        dialog = app.screen
        at = dialog.query_one("#discharged_at", Input)
        at.value = f"{before:%d/%m/%Y %H:%M}"
        at.focus()
        await pilot.press("tab", "tab", *"Home by ambulance")  # to the note
        await pilot.press("f10")
        await until(pilot, lambda: dialog.query_one("#discharged_at-error").display)
        assert "before the admission" in shown_text(dialog.query_one("#discharged_at-error"))
        assert dialog.query_one("#note", Input).value == "Home by ambulance"
        assert at.value == f"{before:%d/%m/%Y %H:%M}"
        assert app.screen is dialog
    assert stay_of(zone, admission_id).discharged_at is None and pickups_of(zone) == []


async def test_a_discharge_ready_date_in_the_future_is_refused_beside_it(zone: Zone, clock: FrozenClock) -> None:
    admission_id = admit(zone, zone.doris_id, clock.now - timedelta(days=2))
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        await open_stay(pilot, app)
        await pilot.press("p")
        await until(pilot, on_screen(app, "PlanForm"))
        form = app.screen
        tomorrow = f"{clock.today + timedelta(days=1):%d/%m/%Y}"
        await pilot.press(*tomorrow, "enter", "1", "f10")
        await until(pilot, lambda: form.query_one("#ready_on-error").display)
        assert "cannot be after today" in shown_text(form.query_one("#ready_on-error"))
        assert form.query_one("#ready_on", Input).value == tomorrow
        assert app.screen is form
    stay = stay_of(zone, admission_id)
    assert stay.ready_on is None and stay.pathway == ""


async def test_pathway_3_with_no_care_home_is_refused_beside_the_placement(zone: Zone, clock: FrozenClock) -> None:
    admission_id = admit(zone, zone.doris_id, clock.now - timedelta(days=2))
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        await open_stay(pilot, app)
        await pilot.press("p")
        await until(pilot, on_screen(app, "PlanForm"))
        form = app.screen
        await pilot.press(*f"{clock.today:%d/%m/%Y}", "enter", "3", "f10")
        await until(pilot, lambda: form.query_one("#placement_id-error").display)
        assert "care home" in shown_text(form.query_one("#placement_id-error")).lower()
        assert app.screen is form
    stay = stay_of(zone, admission_id)
    assert stay.ready_on is None and stay.pathway == ""


async def test_an_admission_recorded_on_the_ward_suspends_the_package_and_lists_whom_to_tell(
    zone: Zone, clock: FrozenClock
) -> None:
    """N: find Doris, the ward's key, why, Enter: suspended; on her stay O ticks Bay Care off as told."""
    package_id = home_care(zone, zone.doris_id)
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        await pilot.press("n")
        await until(pilot, on_screen(app, "AdmissionForm"))
        form = app.screen
        await pilot.press(*"999 000 0026")
        await until(pilot, lambda: len(form.query_one("PersonFinder").hits) == 1)
        await pilot.press("enter")  # the one found: on to the ward
        await until(pilot, lambda: form.person_id == zone.doris_id)
        [ward_key] = [key for key, _, name in ward_keys(form.wards) if name.startswith("Ward 3")]
        await pilot.press(ward_key, *"Fall at home, hip pain", "enter")
        await until(pilot, lambda: on_screen(app, "WardScreen")() and ward_rows(app) == ["PASCOE, Doris"])
        assert package_state(zone, package_id) == "suspended"
        stay = await open_stay(pilot, app)
        notices = stay.query_one("#stay-notices")
        assert "Suspended: in hospital on Ward 3" in str(notices.get_option_at_index(0).prompt)
        await pilot.press("o")
        await until(pilot, lambda: "[told" in str(notices.get_option_at_index(0).prompt))
        banner = shown_text(stay.query_one("#stay-banner"), 160)
        assert "Fall at home, hip pain" in banner and "Jean Pascoe" in banner
    with db.reading(zone.engine) as session:
        assert providers_to_tell(session, package_id, untold_only=True) == []  # the suspension told too


async def test_a_stale_plan_is_said_in_plain_words_and_nothing_saved(zone: Zone, clock: FrozenClock) -> None:
    """Another desk plans the stay while this one has the plan open: told so, the other desk's plan stands."""
    admission_id = admit(zone, zone.doris_id, clock.now - timedelta(days=2))
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        await open_stay(pilot, app)
        await pilot.press("p")
        await until(pilot, on_screen(app, "PlanForm"))
        form = app.screen
        plan(zone, admission_id, ready_on=clock.today - timedelta(days=1), pathway="1")  # another desk, first
        await pilot.press(*f"{clock.today:%d/%m/%Y}", "enter", "0", "f10")
        await until(pilot, lambda: form.query_one("#form-message").display)
        said = shown_text(form.query_one("#form-message"), 200)
        assert "Another desk changed this stay" in said and "nothing was saved" in said
    stay = stay_of(zone, admission_id)
    assert stay.pathway == "1" and stay.ready_on == clock.today - timedelta(days=1)


async def test_every_ward_action_is_in_the_footer_help_and_palette(zone: Zone, clock: FrozenClock) -> None:
    """F9 in help and the palette ("Ward: open"); each screen's keys in its footer and the palette."""
    ready_to_go(zone, clock)
    async with ward_desk(zone) as (app, pilot):
        await pilot.press("f1")
        await until(pilot, on_screen(app, "HelpScreen"))
        text = str(app.screen.query_one("#help-keys").render())
        assert "F9" in text and "The patients on your wards, for discharge" in text
        await pilot.press("escape")
        assert "Ward: open" in [c.title for c in app.get_system_commands(app.screen)]
        ward = await open_ward(pilot, app)
        titles = [c.title for c in app.get_system_commands(ward)]
        for title in ("Ward: Record admission", "Ward: Open stay", "Ward: Discharge", "Ward: All wards"):
            assert title in titles
        footer = str(ward.query_one("KeyFooter").render())
        assert "Record admission" in footer and "Discharge" in footer
        stay = await open_stay(pilot, app)
        titles = [c.title for c in app.get_system_commands(stay)]
        for title in (
            "Stay: Plan / ready date",
            "Stay: Task",
            "Stay: Told",
            "Stay: Delay reason",
            "Stay: Ward assessment",
        ):
            assert title in titles
        await pilot.press("d")
        await until(pilot, on_screen(app, "DischargeScreen"))
        assert "Discharge: Record" in [c.title for c in app.get_system_commands(app.screen)]


async def test_a_discharge_after_another_desk_changed_the_stay_is_refused_in_plain_words(
    zone: Zone, clock: FrozenClock
) -> None:
    """The plan changed at another desk while the dialog was open: nothing recorded, the note typed kept."""
    admission_id, _ = ready_to_go(zone, clock)
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        await pilot.press("d")
        await until(pilot, on_screen(app, "DischargeScreen"))
        dialog = app.screen
        plan(zone, admission_id, ready_on=clock.today, pathway="1")  # another desk, first
        await pilot.press(*"Home with his daughter", "f10")
        await until(pilot, lambda: dialog.query_one("#general-error").display)
        said = shown_text(dialog.query_one("#general-error"), 200)
        assert "Another desk changed this stay" in said and "nothing was saved" in said
        assert dialog.query_one("#note", Input).value == "Home with his daughter"
    assert stay_of(zone, admission_id).discharged_at is None and pickups_of(zone) == []


async def test_an_admission_at_another_desk_shows_on_the_open_ward_screen_without_a_key(
    zone: Zone, clock: FrozenClock
) -> None:
    """The ward screen follows every desk: a patient admitted elsewhere is on it within two seconds."""
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        assert ward_rows(app) == []
        other = engine_for(zone.url, zone.search_path)
        try:
            with db.writing(other) as session:
                stays.admit(
                    session,
                    Actor(zone.staff_id, "another-desk"),
                    stays.AdmissionInput(zone.doris_id, ward_id(zone), clock.now, "Short of breath"),
                )
        finally:
            other.dispose()
        started = time.monotonic()
        await until(pilot, lambda: ward_rows(app) == ["PASCOE, Doris"], timeout=5)
        assert time.monotonic() - started <= 2.5


async def test_a_discharge_with_a_delayed_day_given_no_reason_is_refused_naming_the_day(
    zone: Zone, clock: FrozenClock
) -> None:
    """Ready two days ago, no reason given for the delay: the dialog names the days; R on the stay gives it."""
    package_id = home_care(zone, zone.doris_id)
    admission_id = admit(zone, zone.doris_id, clock.now - timedelta(days=4))
    plan(zone, admission_id, ready_on=clock.today - timedelta(days=2), pathway="0")
    task_done(zone, admission_id)
    async with ward_desk(zone) as (app, pilot):
        await open_ward(pilot, app)
        assert "REASON MISSING" in app.screen.query_one(WardTable).column("delayed")[0]
        await pilot.press("d")
        await until(pilot, on_screen(app, "DischargeScreen"))
        dialog = app.screen
        await pilot.press("f10")
        await until(pilot, lambda: dialog.query_one("#general-error").display)
        said = shown_text(dialog.query_one("#general-error"), 200)
        assert "Give the delay reason for" in said and "21-Nov-2026" in said
    assert stay_of(zone, admission_id).discharged_at is None and pickups_of(zone) == []
    assert package_state(zone, package_id) == "suspended"
