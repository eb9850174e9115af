"""Who is ringing, as the co-ordinator sees it: ambulance control on 999, NHS 111, a number shared by two
records, a number that is possible but not in use."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import OptionList, Select, TextArea

from desk import db
from desk.history import Actor
from desk.models import Call
from desk.services import calls, people, rings
from screens.app import DeskApp
from tests.screens.screen_zone import Zone, desk_open, on_screen, until

EMERGENCY = "Emergency services (ambulance control) on 999"
SON = "07700 900300"  # Rob Brimble, who cares for both his parents


def _text(app: DeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def call_loaded(app: DeskApp):  # type: ignore[no-untyped-def]
    return lambda: type(app.screen).__name__ == "CallScreen" and app.screen.call is not None  # type: ignore[attr-defined]


def _only_call(zone: Zone) -> Call:
    with db.reading(zone.engine) as session:
        return session.exec(select(Call)).one()


def _brimbles(zone: Zone) -> tuple[int, int]:
    """Bill and Betty Brimble, each with their son Rob as carer on one mobile."""
    with db.writing(zone.engine) as session:
        actor = Actor(zone.staff_id, "test")
        ids = []
        for given, nhs_number in (("Bill", "999 000 0034"), ("Betty", "999 000 0042")):
            person = people.register(
                session,
                actor,
                people.PersonDetails(
                    nhs_number=nhs_number,
                    family_name="Brimble",
                    given_name=given,
                    date_of_birth="02/05/1940",
                    postcode="TQ5 8AA",
                    practice_id="L99013",
                ),
            )
            people.add_contact(
                session,
                actor,
                person.id,
                people.ContactDetails(name="Rob Brimble", relationship="son", phone=SON, is_carer=True),
            )  # type: ignore[arg-type]
            ids.append(person.id)
    return ids[0], ids[1]  # type: ignore[return-value]


async def test_ambulance_control_rings_from_999(zone: Zone) -> None:
    """desk ring 999: the header names the emergency services, F12 shows it all, F6 answers, the log says so."""
    async with desk_open(zone) as (app, pilot):
        with db.writing(zone.engine) as session:
            rings.ring(session, "BXM", "999")
        await until(pilot, lambda: "RINGING" in app.sub_title)
        assert app.sub_title.startswith(f"RINGING: {EMERGENCY} (F6 answers)")
        assert "no area code" not in app.sub_title

        await pilot.press("f12")
        await until(pilot, on_screen(app, "FullText"))
        assert EMERGENCY in _text(app, "#full-text") and "from 999" in _text(app, "#full-text")
        await pilot.press("escape")

        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        assert _text(app, "#caller") == f"Caller: {EMERGENCY}"
        assert "nobody chosen yet" in _text(app, "#about")  # never matched to a person
        assert app.screen.query_one("#finder").display  # they say whom they ring about: find them

        await pilot.press("escape", "escape")  # close the finder, then leave the call open
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await pilot.press("f5")
        await until(pilot, lambda: type(app.screen).__name__ == "CallLogScreen" and bool(app.screen.rows))  # type: ignore[attr-defined]
        table = app.screen.query_one("#call-log")
        assert str(table.get_cell_at((0, 2))) == EMERGENCY  # type: ignore[attr-defined]
        assert "1 call, 1 still open" in _text(app, "#log-status")
        await pilot.resize_terminal(100, 40)  # the columns laid out anew: the same call is drawn again
        await until(pilot, lambda: table.row_count == 1)  # type: ignore[attr-defined]
        assert str(table.get_cell_at((0, 2))).startswith("Emergency servi")  # type: ignore[attr-defined]
    call = _only_call(zone)
    assert (call.caller_kind, call.caller_name, call.person_id) == ("emergency", EMERGENCY, None)


async def test_111_typed_on_the_take_call_dialog(zone: Zone) -> None:
    """The hint and the call agree: 111 typed with spaces is NHS 111, accepted, not a number without an area code."""
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press(*"1 1 1")
        await until(pilot, lambda: _text(app, "#recognition") == "NHS 111")
        await pilot.press("enter")
        await until(pilot, call_loaded(app))
        assert _text(app, "#caller") == "Caller: NHS 111"
    assert _only_call(zone).caller_kind == "nhs_111"


async def test_a_shared_number_asks_who_is_calling(zone: Zone) -> None:
    """Rob cares for both parents: the desk lists both and waits; the co-ordinator chooses Betty."""
    bill, betty = _brimbles(zone)
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press(*SON)
        await until(pilot, lambda: "Shared number, 2 on record" in _text(app, "#recognition"))
        await pilot.press("enter")
        await until(pilot, call_loaded(app))
        await until(pilot, lambda: app.screen.query_one("#caller-choice").display)
        assert "nobody chosen yet" in _text(app, "#about")  # nothing picked for them
        options = app.screen.query_one("#caller-options", OptionList)
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert shown == [
            "Carer of Bill BRIMBLE: Rob Brimble (son)",
            "Carer of Betty BRIMBLE: Rob Brimble (son)",
            "Someone else: none of these",
        ]
        assert options.has_focus
        await pilot.press("down", "enter")
        await until(pilot, lambda: "BRIMBLE, Betty" in _text(app, "#about"))
        assert "Carer of Betty BRIMBLE: Rob Brimble (son)" in _text(app, "#caller")
        assert not app.screen.query_one("#caller-choice").display
    call = _only_call(zone)
    assert (call.caller_kind, call.person_id) == ("carer", betty)
    assert call.person_id != bill


async def test_a_possible_but_unused_number_keeps_its_warning_on_the_call(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press(*"07700 900899")
        await until(pilot, lambda: "check it with the caller" in _text(app, "#recognition"))
        await pilot.press("enter")
        await until(pilot, call_loaded(app))
        await until(pilot, lambda: app.screen.query_one("#caller-warning").display)
        assert "07700 900899 is a possible number but not one in use" in _text(app, "#caller-warning")


async def test_f6_and_f7_work_from_the_notes(zone: Zone) -> None:
    """The notes take F6 and F7 for themselves in Textual; on the desk they answer and list, and the footer says so."""
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press("enter")  # withheld
        await until(pilot, call_loaded(app))
        app.screen.query_one("#notes", TextArea).focus()
        await pilot.pause()
        footer = app.screen.query_one("KeyFooter").keys_text().plain  # type: ignore[attr-defined]
        assert "f6 Answer" in footer and "f7 Unfinished" in footer
        await pilot.press("f6")
        await until(pilot, lambda: any("not ringing" in n.message for n in app._notifications))
        await pilot.press("f7")
        await until(pilot, on_screen(app, "UnfinishedScreen"))


async def test_finishing_too_soon_says_so_above_the_fields_and_clears_as_they_are_put_right(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press("enter")
        await until(pilot, call_loaded(app))
        screen = app.screen
        await pilot.press("escape")  # close the finder
        await pilot.press("f10")
        await until(pilot, lambda: screen.query_one("#call-message").display)
        assert _text(app, "#call-message") == "Not logged yet: 2 things to put right below."
        assert not app._notifications  # nothing floats over the Outcome field
        screen.query_one("#reason", Select).value = "advice"
        await until(pilot, lambda: not screen.query_one("#reason-error").display)
        assert _text(app, "#call-message") == "Not logged yet: 1 thing to put right below."
        screen.query_one("#outcome").focus()
        await pilot.press(*"Advice given")
        await until(pilot, lambda: not screen.query_one("#outcome-error").display)
        assert not screen.query_one("#call-message").display


async def test_picking_up_the_call_on_screen_goes_back_to_it_and_keeps_what_was_typed(zone: Zone) -> None:
    """F7 or the call log's Enter on the call already open returns to its screen: a second screen on one call
    would save its own, older copy of the notes over what was typed when it was left."""
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f2")
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press("enter")  # withheld
        await until(pilot, call_loaded(app))
        first = app.screen
        await pilot.press("escape")  # close the finder: nobody to find yet
        await pilot.press("f7")
        await until(pilot, on_screen(app, "UnfinishedScreen"))
        await until(pilot, lambda: app.screen.query_one(OptionList).option_count == 1)
        await pilot.press("enter")
        await until(pilot, on_screen(app, "CallScreen"))
        await pilot.pause()
        assert app.screen is first
        assert sum(type(s).__name__ == "CallScreen" for s in app.screen_stack) == 1
        first.query_one("#notes", TextArea).focus()
        await pilot.press(*"Neighbour not seen since Friday")
        await pilot.press("f5")
        await until(pilot, on_screen(app, "CallLogScreen"))
        await until(pilot, lambda: app.screen.query_one("DataTable").row_count == 1)
        await pilot.press("enter")  # the open call, from the log
        await until(pilot, lambda: app.screen is first)
        assert sum(type(s).__name__ == "CallScreen" for s in app.screen_stack) == 1
        await pilot.press("escape")  # leave it open
        await until(pilot, lambda: app.screen is not first)
        await until(pilot, lambda: _only_call_notes(zone) == "Neighbour not seen since Friday")


def _only_call_notes(zone: Zone) -> str:
    """The open call's notes as saved: the draft typed so far, else the call's own."""
    with db.reading(zone.engine) as session:
        return calls.state(session, _only_call(zone).id).notes


async def test_f6_answers_from_a_dialog_which_waits_under_the_call_with_what_was_typed(zone: Zone) -> None:
    """Half way through registering someone the line rings: F6 in the form answers; leaving the call is the form."""
    from textual.widgets import Input

    from screens.widgets import KeyFooter

    async with desk_open(zone) as (app, pilot):
        await pilot.press("f4")
        await until(pilot, on_screen(app, "PersonForm"))
        await pilot.press(*"999 000 0034")
        assert "Answer" not in str(app.screen.query_one(KeyFooter).render())  # F6 is offered only while it rings
        with db.writing(zone.engine) as session:
            rings.ring(session, "BXM", "999")
        await until(pilot, lambda: "RINGING" in app.sub_title)
        await until(pilot, lambda: "Answer" in str(app.screen.query_one(KeyFooter).render()))

        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        assert _text(app, "#caller") == f"Caller: {EMERGENCY}"
        await pilot.press("escape", "escape")  # close the finder, then leave the call open
        await until(pilot, on_screen(app, "PersonForm"))
        assert app.screen.query_one("#nhs_number", Input).value == "999 000 0034"  # nothing typed was lost

        await pilot.press("escape")
        await until(pilot, on_screen(app, "CaseloadScreen"))
        with db.writing(zone.engine) as session:
            rings.ring(session, "BXM", "111")
        await until(pilot, lambda: "NHS 111" in app.sub_title)
        await pilot.press("f12")  # the ringing caller in full, and F6 answers from there too
        await until(pilot, on_screen(app, "FullText"))
        assert "F6 answers the newest." in _text(app, "#full-text")
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        assert _text(app, "#caller") == "Caller: NHS 111"
