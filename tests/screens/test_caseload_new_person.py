"""Someone registered on F4 is on the zone's caseload, marked as newly registered, with no key to refresh it."""

from __future__ import annotations

from textual.css.query import NoMatches
from textual.widgets import Input, Select

from desk import clock
from screens.app import DeskApp
from screens.caseload_table import CaseloadTable
from tests.screens.screen_zone import Zone, desk_open, on_screen, until


def _rows(app: DeskApp) -> list[list[str]]:
    return app.screen.query_one("#caseload", CaseloadTable).row_texts()


def _names(app: DeskApp) -> list[str]:
    try:
        return [row[0] for row in _rows(app)]
    except NoMatches:  # the caseload screen is not the one showing yet
        return []


async def _type_into(pilot, app: DeskApp, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    widget = app.screen.query_one(f"#{field}", Input)
    widget.focus()
    widget.value = ""
    await pilot.press(*text)


async def test_registered_on_f4_shows_on_the_caseload_as_new(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: _names(app) == ["PASCOE, Doris"])  # registered at the desk when the zone was set up
        await pilot.press("f4")
        await until(pilot, on_screen(app, "PersonForm"))
        for field, text in {
            "nhs_number": "999 000 0034",
            "family_name": "Widdicombe",
            "given_name": "Ethel",
            "date_of_birth": "12/03/1945",
            "postcode": "TQ5 9AB",
        }.items():
            await _type_into(pilot, app, field, text)
        app.screen.query_one("#practice_id", Select).value = "L99013"
        await pilot.press("f10")
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)
        await pilot.press("escape")  # back to the caseload: no refresh key pressed
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await until(pilot, lambda: _names(app) == ["PASCOE, Doris", "WIDDICOMBE, Ethel"])
        name, _nhs, _age, flags, due, health, social, _kw, _practice = _rows(app)[1]
        assert (flags, due, health, social) == ("", "", f"Registered {clock.today():%d-%b}", "")
