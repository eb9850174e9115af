"""The duty roster and the crisis handover, driven by keys as the zone manager and the team use them."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from desk import clock, db
from desk.crisis import demo_stage, roster
from desk.crisis.roster import ShiftInput
from desk.crisis_models import Absence, Crisis, Shift
from desk.history import Actor
from desk.models import History, Staff
from screens.app import DeskApp
from tests.screens.screen_zone import Zone, desk_open, on_screen, until


async def _type_into(pilot, app: DeskApp, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    widget = app.screen.query_one(f"#{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


def _errors(app: DeskApp) -> dict[str, str]:
    return {(e.id or "").removesuffix("-error"): str(e.render()) for e in app.screen.query(".field-error") if e.display}


def _shifts(zone: Zone) -> list[Shift]:
    with db.reading(zone.engine) as session:
        return list(session.exec(select(Shift).order_by(Shift.id)))  # type: ignore[arg-type]


def _nurse(zone: Zone) -> Staff:
    with db.reading(zone.engine) as session:
        nurse = session.exec(select(Staff).where(Staff.zone_id == "BXM", Staff.role == "nurse")).first()
    assert nurse is not None
    return nurse


async def _open_roster(pilot, app: DeskApp) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("ctrl+o")
    await until(pilot, on_screen(app, "RosterScreen"))
    await until(pilot, lambda: app.screen.week is not None)


async def _fill_shift(pilot, app: DeskApp, who: str, day: str, starts: str, ends: str) -> None:  # type: ignore[no-untyped-def]
    await _type_into(pilot, app, "staff_id", who)
    await _type_into(pilot, app, "day", day)
    await _type_into(pilot, app, "starts_at", starts)
    await _type_into(pilot, app, "ends_at", ends)


async def test_a_night_shift_is_added_and_shows_ending_the_next_day(zone: Zone) -> None:
    nurse = _nurse(zone)
    tomorrow = clock.today() + timedelta(days=1)
    async with desk_open(zone) as (app, pilot):
        await _open_roster(pilot, app)
        await pilot.press("]")  # a week on and back: the keys move by weeks
        await until(pilot, lambda: app.screen.week.monday == roster_monday(tomorrow) + timedelta(days=7))
        await pilot.press("[")
        await until(pilot, lambda: app.screen.week.monday == roster_monday(tomorrow))
        await pilot.press("a")
        await until(pilot, on_screen(app, "ShiftForm"))
        await _fill_shift(pilot, app, nurse.name.split()[0], f"{tomorrow:%d/%m/%Y}", "20:00", "08:00")
        app.screen.query_one("#night").focus()
        await pilot.press("space")
        await pilot.press("f10")
        await until(pilot, on_screen(app, "RosterScreen"))
        await until(pilot, lambda: len(app.screen.rows) == 1)
        table = app.screen.query_one(DataTable)
        assert [str(c) for c in table.get_row_at(0)][1:4] == ["Nursing", nurse.name, "20:00-08:00 (next day)"]
    [shift] = _shifts(zone)
    assert (clock.local(shift.starts_at).date(), clock.local(shift.ends_at).date()) == (
        tomorrow,
        tomorrow + timedelta(days=1),
    )
    assert shift.discipline == "nursing" and shift.staff_id == nurse.id


def roster_monday(day: object) -> object:
    """The Monday of a day's week, as the roster counts weeks."""
    from screens.roster import monday_of

    return monday_of(day)  # type: ignore[arg-type]


async def test_bad_shifts_are_refused_beside_the_field_and_nothing_typed_is_lost(zone: Zone) -> None:
    nurse = _nurse(zone)
    tomorrow = clock.today() + timedelta(days=1)
    with db.writing(zone.engine) as session:
        roster.add_shift(
            session,
            Actor(zone.staff_id, "test"),
            ShiftInput(
                "BXM",
                nurse.id,  # type: ignore[arg-type]
                "nursing",
                roster.day_bounds(tomorrow)[0] + timedelta(hours=8),
                roster.day_bounds(tomorrow)[0] + timedelta(hours=16),
            ),
        )
    async with desk_open(zone) as (app, pilot):
        await _open_roster(pilot, app)
        await pilot.press("a")
        await until(pilot, on_screen(app, "ShiftForm"))
        await _fill_shift(pilot, app, "Nobody Known", f"{tomorrow:%d/%m/%Y}", "20:00", "08:00")
        await pilot.press("f10")
        await until(pilot, lambda: "staff_id" in _errors(app))
        assert "Nobody called 'Nobody Known'" in _errors(app)["staff_id"]
        await _type_into(pilot, app, "staff_id", nurse.name)
        await pilot.press("f10")  # 20:00 to 08:00 without saying it is a night: the end is before the start
        await until(pilot, lambda: "after the start" in _errors(app).get("ends_at", ""))
        await _type_into(pilot, app, "starts_at", "15:00")
        await _type_into(pilot, app, "ends_at", "21:00")
        await pilot.press("f10")  # overlaps the 08:00-16:00 shift
        await until(pilot, lambda: "already has a shift" in _errors(app).get("starts_at", ""))
        assert on_screen(app, "ShiftForm")()
        typed = {k: app.screen.query_one(f"#{k}", Input).value for k in ("staff_id", "day", "starts_at", "ends_at")}
        assert typed == {
            "staff_id": nurse.name,
            "day": f"{tomorrow:%d/%m/%Y}",
            "starts_at": "15:00",
            "ends_at": "21:00",
        }
    assert len(_shifts(zone)) == 1  # only the one put on before


async def test_marking_someone_off_sick_shows_on_their_shift_with_history(zone: Zone) -> None:
    nurse = _nurse(zone)
    today = clock.today()
    with db.writing(zone.engine) as session:
        start, _ = roster.day_bounds(today)
        roster.add_shift(
            session,
            Actor(zone.staff_id, "test"),
            ShiftInput("BXM", nurse.id, "nursing", start + timedelta(hours=8), start + timedelta(hours=16)),  # type: ignore[arg-type]
        )
    async with desk_open(zone) as (app, pilot):
        await _open_roster(pilot, app)
        await until(pilot, lambda: len(app.screen.rows) == 1)
        await pilot.press("s")
        await until(pilot, on_screen(app, "AbsenceForm"))
        assert app.screen.query_one("#staff_id", Input).value == nurse.name  # the highlighted shift's person
        await _type_into(pilot, app, "note", "Rang in at 07:10")
        await pilot.press("f10")
        await until(pilot, on_screen(app, "RosterScreen"))
        await until(pilot, lambda: app.screen.rows and app.screen.rows[0].absence == "sick")
        assert str(app.screen.query_one(DataTable).get_row_at(0)[4]) == "OFF SICK"
        await pilot.press("h")
        await until(pilot, on_screen(app, "FullText"))
        assert "Shift added to the roster" in str(app.screen.query_one("#full-text", Static).render())
    with db.reading(zone.engine) as session:
        [away] = session.exec(select(Absence)).all()
        whys = [h.why for h in session.exec(select(History).where(History.entity == "absence"))]
    assert (away.staff_id, away.kind, away.note) == (nurse.id, "sick", "Rang in at 07:10")
    assert whys == ["Marked away: off sick"]


# --- handover ---------------------------------------------------------------------------


def _crises(zone: Zone) -> dict[int, Crisis]:
    with db.reading(zone.engine) as session:
        return {c.id: c for c in session.exec(select(Crisis)) if c.id is not None}


async def test_handover_decides_refuses_close_without_decision_and_exports(zone: Zone) -> None:
    with db.writing(zone.engine) as session:
        demo_stage.add_crisis_line(session, ["BXM"])
    async with desk_open(zone) as (app, pilot):
        await pilot.press("ctrl+t")
        await until(pilot, on_screen(app, "HandoverScreen"))
        await until(pilot, lambda: len(app.screen.items) == 3)
        items = app.screen.items
        assert [i.decision_label for i in items] == ["Further support", "No decision yet", "No decision yet"]
        await pilot.press("down")
        undecided = items[1]
        await pilot.press("x")
        message = app.screen.query_one("#handover-message", Static)
        await until(pilot, lambda: "Not closed" in str(message.render()))
        assert "Record the team's decision before closing the crisis." in str(message.render())
        assert _crises(zone)[undecided.crisis_id].status == "open"
        await pilot.press("d")
        await until(pilot, on_screen(app, "DecisionForm"))
        await pilot.press("enter", "down", "enter")  # the first decision: further support
        await _type_into(pilot, app, "note", "Nurse daily for three days")
        await pilot.press("f10")
        await until(pilot, on_screen(app, "HandoverScreen"))
        await until(pilot, lambda: app.screen.items[1].decision == "further_support")
        await pilot.press("x")
        await until(pilot, lambda: app.screen.items[1].status == "closed")
        await pilot.press("e")
        await until(pilot, lambda: "Handover written to" in str(message.render()))
        shown = str(message.render())
    decided = _crises(zone)[undecided.crisis_id]
    assert (decided.status, decided.decision, decided.decision_note) == (
        "closed",
        "further_support",
        "Nurse daily for three days",
    )
    path = Path(shown.split("written to ")[1].split(" (V")[0])
    assert path.is_relative_to(Path(os.environ["DESK_DATA_DIR"]))
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[1] == "3 crises assessed in the last day"
    assert "   Decision: Further support - Nurse daily for three days" in text
    assert text.count("Decision: No decision yet") == 1
