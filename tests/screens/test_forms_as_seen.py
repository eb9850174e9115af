"""Forms and lists as a co-ordinator reads them: examples that look like examples, a tick that reads without
colour, errors that go once put right, text cut with an ellipsis and whole one key away."""

from __future__ import annotations

from textual.widgets import Input, OptionList

from desk import db
from desk.history import Actor
from desk.models import saved_id
from desk.services import calls
from screens.app import DeskApp
from screens.call_log import CallLogScreen
from tests.screens.screen_zone import Zone, desk_open, on_screen, open_record, shown_text, until

LONG_NOTES = (
    "Daughter rang: Mum had a fall on the stairs last night, no injury seen but she is very shaky this morning "
    "and has not eaten since yesterday lunchtime."
)


def _errors(app: DeskApp) -> dict[str, str]:
    return {(e.id or "").removesuffix("-error"): str(e.render()) for e in app.screen.query(".field-error") if e.display}


async def _type_into(pilot, app: DeskApp, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    widget = app.screen.query_one(f"#{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


async def test_register_form_reads_plainly_and_errors_go_once_put_right(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f4")
        await until(pilot, on_screen(app, "PersonForm"))
        form = app.screen
        placeholders = {i.id: i.placeholder for i in form.query(Input)}
        assert placeholders["date_of_birth"] == "e.g. 23/11/1944"
        assert all(p.startswith("e.g. ") for p in placeholders.values()), placeholders
        tick = form.query_one("#lives_alone")
        assert str(tick.render()).startswith("[ ] Lives alone")
        tick.focus()
        await pilot.press("space")
        assert str(tick.render()).startswith("[x] Lives alone")

        await _type_into(pilot, app, "date_of_birth", "31/02/1944")
        await _type_into(pilot, app, "phone", "999")
        await pilot.press("f10")
        await until(pilot, lambda: "date_of_birth" in _errors(app))
        errors = _errors(app)
        assert errors["date_of_birth"] == "'31/02/1944' is impossible: February 1944 has 29 days. Check the day."
        assert "short service number" in errors["phone"] and "area code" not in errors["phone"]
        summary = str(form.query_one("#form-message").render())
        assert summary == f"Not saved: {len(errors)} things to put right below."

        await _type_into(pilot, app, "date_of_birth", "29/02/1944")  # corrected: its error goes, unsaved
        await until(pilot, lambda: "date_of_birth" not in _errors(app))
        assert "phone" in _errors(app)  # the others stay until they are right
        assert (
            str(form.query_one("#form-message").render())
            == f"Not saved: {len(_errors(app))} things to put right below."
        )
        await _type_into(pilot, app, "phone", "0117 496 0999")
        await until(pilot, lambda: "phone" not in _errors(app))


async def test_an_edit_shows_no_example_conditions_for_someone_with_none(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("e")
        await until(pilot, on_screen(app, "PersonForm"))
        conditions = app.screen.query_one("#conditions", Input)
        assert conditions.value == ""  # Doris has none recorded
        assert conditions.placeholder == "none recorded"
        assert str(app.screen.query_one("#lives_alone").render()).startswith("[x]")  # she lives alone


async def test_adding_a_contact_on_someone_elses_number_says_whose_and_saves(zone: Zone) -> None:
    """Jean's mobile is already on Doris's record; adding it to Doris's own neighbour's entry names Jean."""
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("t")
        await until(pilot, on_screen(app, "ContactForm"))
        assert str(app.screen.query_one("#is_carer").render()).startswith("[ ]")
        await _type_into(pilot, app, "name", "Jean's husband")
        await _type_into(pilot, app, "relationship", "son-in-law")
        await _type_into(pilot, app, "phone", zone.carer_number)
        note = app.screen.query_one("#phone-shared")
        await until(pilot, lambda: note.display)
        assert "Also the number of: Carer of Doris PASCOE: Jean Pascoe (daughter)" in str(note.render())
        await pilot.press("f10")
        await until(pilot, on_screen(app, "PersonScreen"))
        await until(pilot, lambda: "Jean's husband" in shown_text(app.screen.query_one("#details")))
        assert any(
            "also on record for: Carer of Doris PASCOE: Jean Pascoe (daughter)" in n.message for n in app._notifications
        )


async def test_unfinished_previews_end_with_an_ellipsis_and_v_shows_the_whole(zone: Zone) -> None:
    with db.writing(zone.engine) as session:
        call = calls.start(session, Actor(zone.staff_id, "test"), "BXM", number=zone.carer_number)
        calls.save_draft(session, saved_id(call.id), calls.CallDetails(person_id=zone.doris_id, notes=LONG_NOTES))
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f7")
        await until(pilot, on_screen(app, "UnfinishedScreen"))
        listing = app.screen.query_one(OptionList)
        await until(pilot, lambda: listing.option_count == 1)
        preview = str(listing.get_option_at_index(0).prompt)
        assert preview.endswith("…") and LONG_NOTES not in preview
        assert "Jean Pascoe" in preview and "Daughter rang: Mum" in preview  # who rang, then the notes' start
        await pilot.pause()
        assert listing.virtual_size.height == 1  # one line, not wrapped onto a second with the ellipsis
        await pilot.press("v")
        await until(pilot, on_screen(app, "FullText"))
        assert str(app.screen.query_one("#full-text").render()) == LONG_NOTES


async def test_the_call_log_fits_160_columns_with_the_takers_name(zone: Zone) -> None:
    with db.writing(zone.engine) as session:
        calls.start(session, Actor(zone.staff_id, "test"), "BXM", number="0113 496 0113")  # a GP practice
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f5")
        await until(pilot, lambda: isinstance(app.screen, CallLogScreen) and bool(app.screen.rows))
        screen = app.screen
        assert isinstance(screen, CallLogScreen)
        table = screen.query_one("#call-log")
        taker = screen.rows[0].taken_by
        assert taker and str(table.get_cell_at((0, 6))) == taker  # type: ignore[attr-defined]
        assert table.virtual_size.width <= 160  # every column on screen, none off the right edge
