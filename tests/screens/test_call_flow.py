"""A co-ordinator takes calls on the zone line, as they would at the desk."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import Select, TextArea

from desk import db
from desk.models import Call, CallDraft, History
from desk.services import rings
from screens.app import DeskApp
from tests.screens.screen_zone import Zone, desk_open, on_screen, open_record, until


def _draft_notes(zone: Zone) -> str:
    with db.reading(zone.engine) as session:
        draft = session.exec(select(CallDraft)).first()
        return draft.notes if draft else ""


def call_loaded(app: DeskApp):  # type: ignore[no-untyped-def]
    """A condition: the call screen is up with its call loaded."""
    return lambda: type(app.screen).__name__ == "CallScreen" and app.screen.call is not None  # type: ignore[attr-defined]


async def _choose_reason(pilot, app: DeskApp, key: str) -> None:  # type: ignore[no-untyped-def]
    """Open the reason list and move down to the wanted reason, as a user would."""
    select = app.screen.query_one("#reason", Select)
    select.focus()
    await pilot.press("enter")
    options = [value for _, value in select._options]  # type: ignore[attr-defined]
    current = select.value
    start = options.index(current) if current in options else -1
    for _ in range(options.index(key) - start):
        await pilot.press("down")
    await pilot.press("enter")
    await pilot.pause()
    assert select.value == key


async def test_carer_rings_and_call_lands_on_the_timeline(zone: Zone) -> None:
    """A carer rings from a known number: the desk names whom she cares for; the call is logged on Doris's timeline."""
    async with desk_open(zone) as (app, pilot):
        with db.writing(zone.engine) as session:
            rings.ring(session, "BXM", zone.carer_number)
        await until(pilot, lambda: any("ringing" in n.title for n in app._notifications))  # polled every second
        assert "Carer of Doris PASCOE" in app.sub_title

        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        screen = app.screen
        assert "Carer of Doris PASCOE: Jean Pascoe (daughter)" in str(screen.query_one("#caller").render())
        about = str(screen.query_one("#about").render())
        assert "PASCOE, Doris" in about and "999 000 0026" in about
        assert "Lives alone." in about  # the situation, on the first screen of the call
        assert "Jean Pascoe (daughter, carer) 07700 900123" in about

        await _choose_reason(pilot, app, "change_in_need")
        screen.query_one("#notes", TextArea).focus()
        await pilot.press(*"Mum fell in the kitchen, not hurt, very shaky.")
        screen.query_one("#outcome").focus()
        await pilot.press(*"Nurse visit booked for today")
        await pilot.press("f10")  # a change in need asks for help: triaged first
        await until(pilot, on_screen(app, "TriageScreen"))
        await pilot.press("enter")  # the desk's proposal accepted
        await until(pilot, on_screen(app, "CaseloadScreen"))

        await open_record(pilot, app, zone.doris_id)
        await until(pilot, lambda: bool(app.screen.query_one("#timeline").text()))
        timeline = app.screen.query_one("#timeline").text().splitlines()
        assert "Call: Change in need from carer Jean Pascoe (daughter)" in timeline[0]  # newest first
        assert "Mum fell in the kitchen, not hurt, very shaky." in timeline[1]
        assert "Outcome: Nurse visit booked for today" in timeline[2]
        assert any("Referral to Nursing (fast)" in line for line in timeline[3:])  # the referral it became

    with db.reading(zone.engine) as session:
        call = session.exec(select(Call)).one()
        assert call.status == "finished" and call.person_id == zone.doris_id
        assert call.caller_kind == "carer" and call.ended_at is not None
        assert session.get(CallDraft, call.id) is None
        entries = session.exec(select(History).where(History.entity == "call")).all()
        assert [h.action for h in entries] == ["create", "update"]
        assert entries[1].after["outcome"] == "Nurse visit booked for today"  # type: ignore[index]


async def test_call_cannot_be_finished_without_outcome_and_nothing_typed_is_lost(zone: Zone) -> None:
    """F10 without an outcome says what is missing; the notes stay on screen and in the draft."""
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press(*"0113 496 0113", "enter")  # the practice's number
        await until(pilot, call_loaded(app))
        screen = app.screen
        assert "Quayside Medical Practice" in str(screen.query_one("#caller").render())
        screen.query_one("#notes", TextArea).focus()
        await pilot.press(*"GP asks for a physio review")
        await pilot.press("f10")
        await until(pilot, lambda: any(e.display for e in screen.query(".field-error")))
        assert type(app.screen).__name__ == "CallScreen"
        shown = {e.id: str(e.render()) for e in screen.query(".field-error") if e.display}
        assert "Choose why they rang" in shown["reason-error"]
        assert "outcome" in shown["outcome-error"]
        assert screen.query_one("#notes", TextArea).text == "GP asks for a physio review"
        await until(pilot, lambda: _draft_notes(zone) == "GP asks for a physio review")  # saved as typed
    with db.reading(zone.engine) as session:
        call = session.exec(select(Call)).one()
        assert call.status == "open"
        assert session.get(CallDraft, call.id).notes == "GP asks for a physio review"  # type: ignore[union-attr]


async def test_unknown_and_impossible_numbers(zone: Zone) -> None:
    """An unknown number is said to be unknown; an impossible one is refused and left to correct."""
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press(*"020 7946 0999")
        await until(pilot, lambda: "Unknown number 020 7946 0999" in str(app.screen.query_one("#recognition").render()))
        for typed, message in (("12345", "has no area code"), ("0123", "cannot be a phone number")):
            number = app.screen.query_one("#number")
            number.value = ""
            await pilot.press(*typed, "enter")
            await until(pilot, lambda message=message: message in str(app.screen.query_one("#recognition").render()))
            assert type(app.screen).__name__ == "StartCallScreen"
            assert number.value == typed  # nothing typed is thrown away
    with db.reading(zone.engine) as session:
        assert session.exec(select(Call)).first() is None


async def test_a_call_answered_at_another_desk_stops_ringing_here(zone: Zone) -> None:
    """Two desks on one line: when the other answers, this one stops saying it is ringing."""
    async with desk_open(zone) as (app, pilot):
        app.notify("An unrelated message the co-ordinator has not read yet.", timeout=60)
        with db.writing(zone.engine) as session:
            ring_id = rings.ring(session, "BXM", zone.carer_number).id
        await until(pilot, lambda: any("ringing" in n.title for n in app._notifications))

        with db.writing(zone.engine) as session:
            assert rings.claim(session, ring_id, "the-other-desk")  # type: ignore[arg-type]
        await until(pilot, lambda: not app.rings.waiting)
        assert not any("ringing" in n.title for n in app._notifications)
        assert "RINGING" not in app.sub_title
        assert any("unrelated message" in n.message for n in app._notifications)
        await pilot.press("f6")
        await pilot.pause()
        assert any("not ringing" in n.message for n in app._notifications)


async def test_escape_does_what_the_footer_help_and_palette_say(zone: Zone) -> None:
    """With the finder open Escape closes it, and the footer says so; then Escape leaves the call, as it then says."""
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press(*"020 7946 0999", "enter")  # an unknown number: the finder opens at once
        await until(pilot, lambda: call_loaded(app)() and app.screen.query_one("#finder").display)
        call = app.screen
        footer = call.query_one("KeyFooter")

        def says() -> str:
            return footer.keys_text().plain  # type: ignore[attr-defined]

        await until(pilot, lambda: "esc Close finder" in says())
        assert "Leave open" not in says()
        titles = [c.title for c in app.get_system_commands(call)]
        assert "Call: Close finder" in titles and "Call: Leave open" not in titles
        await pilot.press("escape")
        await until(pilot, lambda: not call.query_one("#finder").display)
        assert app.screen is call  # the call is still in front
        await until(pilot, lambda: "esc Leave open" in says())
        assert "Close finder" not in says()
        titles = [c.title for c in app.get_system_commands(call)]
        assert "Call: Leave open" in titles and "Call: Close finder" not in titles
        await pilot.press("f3")  # the finder again, from the key the footer shows
        await until(pilot, lambda: "esc Close finder" in says())

        await pilot.press("f1")
        await until(pilot, on_screen(app, "HelpScreen"))
        keys = app.screen.keys_text().plain  # type: ignore[attr-defined]
        assert "While the person finder is open: close it" in keys
        assert "Back; the call stays open with its notes" in keys
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is call)
        await pilot.press("escape", "escape")  # the finder closes, then the call is left open
        await until(pilot, on_screen(app, "CaseloadScreen"))
    with db.reading(zone.engine) as session:
        assert session.exec(select(Call)).one().status == "open"
