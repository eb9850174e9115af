"""Registering and changing people: bad input is explained and nothing is lost or half-saved."""

from __future__ import annotations

from sqlmodel import func, select
from textual.widgets import Input, Select

from desk import db
from desk.history import Actor
from desk.models import History, Person
from desk.services import people
from screens.app import DeskApp
from tests.screens.screen_zone import Zone, desk_open, on_screen, open_record, shown_text, until


def _counts(zone: Zone) -> tuple[int, int]:
    with db.reading(zone.engine) as session:
        return (
            session.exec(select(func.count()).select_from(Person)).one(),
            session.exec(select(func.count()).select_from(History)).one(),
        )


async def _type_into(pilot, app: DeskApp, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    widget = app.screen.query_one(f"#{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


def _errors(app: DeskApp) -> dict[str, str]:
    return {(e.id or "").removesuffix("-error"): str(e.render()) for e in app.screen.query(".field-error") if e.display}


async def test_register_refuses_bad_input_then_saves_when_corrected(zone: Zone) -> None:
    before = _counts(zone)
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f4")
        await until(pilot, on_screen(app, "PersonForm"))
        typed = {
            "nhs_number": "999 000 0027",
            "family_name": "Widdicombe",
            "given_name": "Ethel",
            "date_of_birth": "12/03/2099",
            "postcode": "TQ5 9AB",
            "phone": "12345",
        }
        for field, text in typed.items():
            await _type_into(pilot, app, field, text)
        await pilot.press("f10")
        await until(pilot, lambda: bool(_errors(app)))
        errors = _errors(app)
        assert "fails its check digit" in errors["nhs_number"]
        assert "in the future" in errors["date_of_birth"]
        assert "area code" in errors["phone"]
        assert "GP practice is required" in errors["practice_id"]
        assert type(app.screen).__name__ == "PersonForm"
        for field, text in typed.items():  # nothing typed was thrown away
            assert app.screen.query_one(f"#{field}", Input).value == text
        assert _counts(zone) == before  # and nothing was half-saved

        await _type_into(pilot, app, "nhs_number", "999 000 0034")
        await _type_into(pilot, app, "date_of_birth", "12/03/1945")
        await _type_into(pilot, app, "phone", "01632 960777")
        app.screen.query_one("#practice_id", Select).value = "L99013"
        await pilot.press("f10")
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)
        assert type(app.screen).__name__ == "PersonScreen"
        assert "WIDDICOMBE" in str(app.screen.query_one("#banner").render())
        assert "Brixham" in str(app.screen.query_one("#banner").render())
        # 01632 960xxx is Ofcom's drama range: possible, not in use; kept, with a warning.
        assert any("possible number but not one in use" in n.message for n in app._notifications)
    assert _counts(zone) == (before[0] + 1, before[1] + 1)


async def test_edit_that_clashes_with_another_desk_is_refused_and_kept(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("e")
        await until(pilot, on_screen(app, "PersonForm"))
        # Meanwhile another desk changes her address.
        with db.writing(zone.engine) as session:
            people.update(
                session,
                Actor(zone.staff_id, "other-desk"),
                zone.doris_id,
                people.PersonChanges(address="Flat 2, Harbour Court"),
                expected_version=1,
                why="Moved, told by GP",
            )
        await _type_into(pilot, app, "postcode", "TQ5 8ZZ")
        await _type_into(pilot, app, "why", "Daughter says new postcode")
        await pilot.press("f10")
        await until(pilot, lambda: "another desk" in str(app.screen.query_one("#form-message").render()))
        assert type(app.screen).__name__ == "PersonForm"
        message = str(app.screen.query_one("#form-message").render())
        assert "changed at another desk" in message and "Nothing of yours was saved" in message
        assert app.screen.query_one("#postcode", Input).value == "TQ5 8ZZ"
    with db.reading(zone.engine) as session:
        doris = session.get(Person, zone.doris_id)
        assert doris.address == "Flat 2, Harbour Court" and doris.postcode == "TQ5 9AB"  # type: ignore[union-attr]
        assert doris.version == 2  # type: ignore[union-attr]


async def test_change_needs_a_reason(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("e")
        await until(pilot, on_screen(app, "PersonForm"))
        await _type_into(pilot, app, "postcode", "TQ5 8ZZ")
        await pilot.press("f10")
        await until(pilot, lambda: "why" in _errors(app))
        assert "Say why" in _errors(app)["why"]


async def test_add_a_carer_from_the_record(zone: Zone) -> None:
    """T on the record adds a contact; a bad number is explained; the carer then shows on the record."""
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("t")
        await until(pilot, on_screen(app, "ContactForm"))
        await _type_into(pilot, app, "name", "Bill Hext")
        await _type_into(pilot, app, "relationship", "neighbour")
        await _type_into(pilot, app, "phone", "0123")
        await pilot.press("f10")
        await until(pilot, lambda: "phone" in _errors(app))
        assert "cannot be a phone number" in _errors(app)["phone"]
        await _type_into(pilot, app, "phone", "020 7946 0555")
        await pilot.press("f10")
        await until(pilot, lambda: "Bill Hext" in shown_text(app.screen.query_one("#details")))
        assert "Bill Hext (neighbour)  020 7946 0555" in shown_text(app.screen.query_one("#details"))
