"""The crisis line at the desk: calls that ask for help are triaged, a crisis escalated, at speed.

The key sequences pressed here are the counts the desk promises: from the
ring to a finished advice call from a known caller in at most 4 keys beyond
the words typed; from the ring to a crisis escalated with the default team
booked in at most 8.
"""

from __future__ import annotations

from datetime import timedelta

from screen_zone import Zone, desk_open, on_screen, until
from sqlmodel import select
from textual.widgets import Input, TextArea

from desk import clock, db
from desk.crisis import roster
from desk.crisis.roster import ShiftInput
from desk.crisis_models import Booking, Crisis
from desk.history import Actor
from desk.models import Call, Referral
from desk.services import reference, rings
from screens.app import DeskApp

ROLES = {"nurse": "nursing", "physiotherapist": "physiotherapy", "occupational_therapist": "occupational_therapy"}


def call_loaded(app: DeskApp):  # type: ignore[no-untyped-def]
    """A condition: the call screen is up with its call loaded."""
    return lambda: type(app.screen).__name__ == "CallScreen" and app.screen.call is not None  # type: ignore[attr-defined]


async def ring_and_wait(pilot, app: DeskApp, zone: Zone) -> None:  # type: ignore[no-untyped-def]
    """The carer's number rings on the zone line, as `desk ring` would, and the desk shows it."""
    with db.writing(zone.engine) as session:
        rings.ring(session, "BXM", zone.carer_number)
    await until(pilot, lambda: any("ringing" in n.title for n in app._notifications))


def team_on_duty(zone: Zone, roles: tuple[str, ...] = tuple(ROLES)) -> dict[str, int]:
    """One of each role on a shift from an hour ago to six hours on; their staff ids by discipline."""
    now = clock.now()
    out: dict[str, int] = {}
    with db.writing(zone.engine) as session:
        staff = reference.staff(session, "BXM")
        for role in roles:
            member = next(s for s in staff if s.role == role)
            roster.add_shift(
                session,
                Actor(zone.staff_id, "test"),
                ShiftInput("BXM", member.id, ROLES[role], now - timedelta(hours=1), now + timedelta(hours=6)),
            )
            out[ROLES[role]] = member.id
    return out


async def test_an_advice_call_from_a_known_caller_in_four_keys(zone: Zone) -> None:
    """F6 answers, 'a' is advice, Tab to the outcome, F10 finishes: no triage for advice."""
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")  # 1
        await until(pilot, call_loaded(app))
        await pilot.press("a")  # 2: the reason, and the notes come next
        await pilot.press(*"Asked about bathing aids")
        await pilot.press("tab")  # 3
        await pilot.press(*"Advice given")
        await pilot.press("f10")  # 4
        await until(pilot, on_screen(app, "CaseloadScreen"))
    with db.reading(zone.engine) as session:
        call = session.exec(select(Call)).one()
        assert (call.status, call.reason, call.notes, call.outcome) == (
            "finished",
            "advice",
            "Asked about bathing aids",
            "Advice given",
        )
        assert call.person_id == zone.doris_id
        assert session.exec(select(Referral)).all() == []


async def test_a_change_in_need_is_triaged_before_it_is_finished(zone: Zone) -> None:
    """F10 proposes Fast, nurse leading; Enter accepts: the call and its referral land together."""
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("n")  # change in need
        await pilot.press(*"Needs help getting up in the mornings", "tab", *"Referred to the nurses", "f10")
        await until(pilot, on_screen(app, "TriageScreen"))
        proposal = str(app.screen.query_one("#triage-proposal").render())
        assert "The desk proposes: Fast (within 1 day), nurse leading" in proposal
        await pilot.press("enter")
        await until(pilot, on_screen(app, "CaseloadScreen"))
        assert any("referral made: Fast, nurse leading" in n.message for n in app._notifications)
    with db.reading(zone.engine) as session:
        call = session.exec(select(Call)).one()
        referral = session.exec(select(Referral)).one()
        assert call.status == "finished" and referral.call_id == call.id
        assert (referral.response, referral.lead, referral.change_why) == ("fast", "nurse", "")


async def test_a_changed_response_needs_a_reason_and_nothing_is_written_without_one(zone: Zone) -> None:
    """Choosing Rapid over the proposed Fast asks why, beside the field; the call stays open until it is said."""
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("n", *"Much worse since Sunday", "tab", *"Nurse to visit", "f10")
        await until(pilot, on_screen(app, "TriageScreen"))
        screen = app.screen
        screen.query_one("#response").focus()
        await pilot.press("r")  # Rapid: the reason field takes the focus
        await pilot.press("enter")  # no reason given
        await until(pilot, lambda: screen.query_one("#change_why-error").display)
        assert "The desk proposed Fast, nurse leading; you chose Rapid, nurse: say briefly why." in str(
            screen.query_one("#change_why-error").render()
        )
        with db.reading(zone.engine) as session:
            assert session.exec(select(Referral)).all() == []
            assert session.exec(select(Call)).one().status == "open"
        await pilot.press(*"Not eating, daughter worried", "enter")
        await until(pilot, on_screen(app, "CaseloadScreen"))
    with db.reading(zone.engine) as session:
        referral = session.exec(select(Referral)).one()
        assert (referral.response, referral.proposed_response, referral.change_why) == (
            "rapid",
            "fast",
            "Not eating, daughter worried",
        )


async def test_a_crisis_call_asks_the_need_and_reminds_of_999(zone: Zone) -> None:
    """Finishing a crisis call asks which need it is, with the 999 reminder; a digit picks it, Enter accepts."""
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("c", *"Confused since this morning", "tab", *"Crisis referral", "f10")
        await until(pilot, on_screen(app, "TriageScreen"))
        assert "ring 999" in str(app.screen.query_one("#triage-emergency").render())
        await pilot.press("6")  # confusion or delirium
        assert "nurse leading" in str(app.screen.query_one("#triage-proposal").render())
        await pilot.press("enter")
        await until(pilot, on_screen(app, "CaseloadScreen"))
    with db.reading(zone.engine) as session:
        referral = session.exec(select(Referral)).one()
        assert (referral.response, referral.lead, referral.ucr_need, referral.crisis) == (
            "crisis",
            "nurse",
            "confusion",
            True,
        )


async def test_a_fall_escalated_with_the_default_team_in_six_keys(zone: Zone) -> None:
    """The daughter rings: mum has fallen and cannot get up. F6, F11, Enter, 1, h, Enter: nurse, physio, OT booked."""
    team = team_on_duty(zone)
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")  # 1
        await until(pilot, call_loaded(app))
        await pilot.press("f11")  # 2
        await until(pilot, on_screen(app, "EscalateScreen"))
        escalate = app.screen
        await until(pilot, lambda: escalate.proposal is not None)  # type: ignore[attr-defined]
        plan = str(escalate.query_one("#escalate-plan").render())
        assert "PASCOE, Doris" in plan and "Crisis plan" in plan and "Current package" in plan
        await pilot.press(*"Mum has fallen and cannot get up")
        await pilot.press("enter")  # 3: on to the need
        await pilot.press("1")  # 4: a fall with no serious injury
        await pilot.press("h")  # 5: at home
        await pilot.press("enter")  # 6: escalate and book
        await until(pilot, lambda: type(app.screen).__name__ == "CallScreen" and app.screen.referred)  # type: ignore[attr-defined]
        assert "Crisis escalated:" in app.screen.query_one("#outcome", Input).value
        assert app.screen.query_one("#notes", TextArea).text == ""
        await pilot.press("f10")  # the call finishes without another triage: the crisis is its referral
        await until(pilot, on_screen(app, "CaseloadScreen"))
    with db.reading(zone.engine) as session:
        crisis = session.exec(select(Crisis)).one()
        assert (crisis.what_happened, crisis.need, crisis.whereabouts) == (
            "Mum has fallen and cannot get up",
            "fall",
            "home",
        )
        assert "Jean Pascoe" in crisis.caller
        booked = {b.discipline: b.staff_id for b in session.exec(select(Booking))}
        assert booked == team
        call = session.exec(select(Call)).one()
        assert (call.status, call.reason) == ("finished", "crisis")
        assert session.exec(select(Referral)).one().call_id == call.id
