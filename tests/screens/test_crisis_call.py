"""The crisis line at the desk: calls that ask for help are triaged, a crisis escalated, at speed.

The key sequences pressed here are the counts the desk promises: from the
ring to a finished advice call from a known caller in at most 4 keys beyond
the words typed; from the ring to a crisis escalated with the default team
booked in at most 8.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select
from textual.widgets import Input, OptionList, Select, TextArea

from desk import clock, db
from desk.clock import LONDON
from desk.crisis import figures, roster
from desk.crisis.roster import ShiftInput
from desk.crisis_models import Booking, Crisis, CrisisGap, LiaisonEntry
from desk.history import Actor
from desk.models import Call, CaseloadEntry, History, Referral
from desk.services import reference, rings
from screens.app import DeskApp
from tests.helpers.fixtures import FrozenClock
from tests.screens.screen_zone import Zone, desk_open, on_screen, open_record, until

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
        referral = session.exec(select(Referral)).one()
        assert referral.call_id == call.id and referral.due_at == call.started_at + timedelta(hours=2)
        on_caseload = session.get(CaseloadEntry, zone.doris_id)
        assert on_caseload is not None  # "next due" has the time, as the clock is hours
        assert on_caseload.next_due_what == f"{clock.local(referral.due_at):%H:%M} Physio referral (crisis)"


async def escalate_the_fall(pilot, app: DeskApp, zone: Zone) -> None:  # type: ignore[no-untyped-def]
    """The carer rings; the co-ordinator answers and escalates with the default team (the six keys above)."""
    await ring_and_wait(pilot, app, zone)
    await pilot.press("f6")
    await until(pilot, call_loaded(app))
    await pilot.press("f11")
    await until(pilot, lambda: type(app.screen).__name__ == "EscalateScreen" and app.screen.proposal is not None)  # type: ignore[attr-defined]
    await pilot.press(*"Mum has fallen and cannot get up", "enter", "1", "h", "enter")
    await until(pilot, lambda: type(app.screen).__name__ == "CallScreen" and app.screen.referred)  # type: ignore[attr-defined]
    await pilot.press("f10")
    await until(pilot, on_screen(app, "CaseloadScreen"))


async def test_a_crisis_worker_follows_the_fall_to_the_nurse_arriving(zone: Zone) -> None:
    """Escalated; the ambulance is logged in the liaison log; the nurse's arrival stops the 2-hour clock."""
    team = team_on_duty(zone)
    async with desk_open(zone) as (app, pilot):
        await escalate_the_fall(pilot, app, zone)
        with db.reading(zone.engine) as session:
            assert figures.two_hour_figure(session, "BXM").today.waiting == 1

        await open_record(pilot, app, zone.doris_id)
        record = app.screen
        await until(pilot, lambda: record.crisis is not None)  # type: ignore[attr-defined]
        assert "OPEN CRISIS" in str(record.query_one("#crisis-view").render())
        visits = record.query_one("#bookings", OptionList)
        assert visits.option_count == 3

        await pilot.press("l")  # the liaison log: no party chosen yet, Enter through the fields
        await until(pilot, on_screen(app, "LiaisonForm"))
        form = app.screen
        form.query_one("#contact").focus()
        await pilot.press(*"Crew 412", "enter", *"Crew stays until the nurse arrives", "enter")
        await until(pilot, lambda: form.query_one("#party-error").display)
        assert "Choose the party" in str(form.query_one("#party-error").render())
        with db.reading(zone.engine) as session:
            assert session.exec(select(LiaisonEntry)).all() == []
        assert form.query_one("#agreed", Input).value == "Crew stays until the nurse arrives"  # nothing typed lost
        form.query_one("#party").focus()
        await pilot.press("a")  # ambulance service
        await pilot.press("f10")
        await until(pilot, on_screen(app, "PersonScreen"))
        await until(pilot, lambda: "Ambulance service" in str(record.query_one("#liaison-view").render()))
        assert "Ambulance service (Crew 412): Crew stays until the nurse arrives" in str(
            record.query_one("#liaison-view").render()
        )

        nurse_row = next(i for i, b in enumerate(record.crisis.bookings) if b.discipline == "nursing")  # type: ignore[attr-defined]
        visits.focus()
        await pilot.press("home", *["down"] * nurse_row)
        await pilot.press("v")  # the highlighted visit moves on
        await until(pilot, on_screen(app, "VisitMoveForm"))
        await pilot.press("a")  # arrived: saved at once
        await until(pilot, on_screen(app, "PersonScreen"))
        await until(pilot, lambda: "clock stopped" in str(record.query_one("#crisis-view").render()))
        assert "Arrived" in str(visits.get_option_at_index(nurse_row).prompt)

    with db.reading(zone.engine) as session:
        entry = session.exec(select(LiaisonEntry)).one()
        assert (entry.party, entry.contact, entry.agreed) == (
            "ambulance",
            "Crew 412",
            "Crew stays until the nurse arrives",
        )
        nurse = session.exec(select(Booking).where(Booking.discipline == "nursing")).one()
        assert nurse.state == "arrived" and nurse.staff_id == team["nursing"]
        referral = session.exec(select(Referral)).one()
        assert referral.first_contact_at == nurse.arrived_at
        figure = figures.two_hour_figure(session, "BXM")
        assert (figure.today.met, figure.today.missed, figure.today.waiting) == (1, 0, 0)


async def test_the_crisis_plan_is_written_on_the_record_and_shown_while_escalating(zone: Zone) -> None:
    """P writes the plan with a reason (kept in the history); F11 on the next call shows it beside the form."""
    team_on_duty(zone)
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        await until(pilot, lambda: app.screen.plan is not None)  # the crisis section is read after the record
        await pilot.press("p")
        await until(pilot, on_screen(app, "CrisisPlanForm"))
        form = app.screen
        await pilot.press(*"Jean (daughter) 07700 900123", "enter", *"Her own chair, tea", "enter")
        await pilot.press(*"To stay at home", "enter", "enter")  # no reason given
        await until(pilot, lambda: form.query_one("#why-error").display)
        assert "Say why the plan is changing" in str(form.query_one("#why-error").render())
        await pilot.press(*"Agreed with Doris and Jean", "enter")
        await until(pilot, on_screen(app, "PersonScreen"))
        await until(pilot, lambda: "Her own chair, tea" in str(app.screen.query_one("#crisis-plan-view").render()))

        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("f11")
        await until(pilot, lambda: type(app.screen).__name__ == "EscalateScreen" and app.screen.proposal is not None)  # type: ignore[attr-defined]
        plan = str(app.screen.query_one("#escalate-plan").render())
        assert "Who to ring: Jean (daughter) 07700 900123" in plan and "What they want: To stay at home" in plan
    with db.reading(zone.engine) as session:
        saved = session.exec(select(History).where(History.entity == "crisisplan")).all()
        assert [h.why for h in saved] == ["Agreed with Doris and Jean"]


async def test_bad_team_choices_are_refused_beside_the_row_and_nothing_is_booked(zone: Zone) -> None:
    """A time in the past, and nobody at all: each said beside its field; nothing written, nothing typed lost."""
    team_on_duty(zone, roles=("nurse", "physiotherapist"))  # no OT on duty today
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("f11")
        await until(pilot, lambda: type(app.screen).__name__ == "EscalateScreen" and app.screen.proposal is not None)  # type: ignore[attr-defined]
        screen = app.screen
        ot = str(screen.query_one("#team-occupational_therapy-error").render())
        assert "Nobody is on duty for occupational therapy today" in ot  # said at once
        await pilot.press(*"Mum has fallen and cannot get up", "enter", "1", "h")
        past = clock.local(clock.now() - timedelta(minutes=10))
        screen.query_one("#time-nurse", Input).value = f"{past:%H:%M}"
        await pilot.press("enter")
        await until(pilot, lambda: screen.query_one("#team-nursing-error").display)
        assert "has passed: choose a time from now on" in str(screen.query_one("#team-nursing-error").render())
        assert "the zone manager's decision" in str(screen.query_one("#team-occupational_therapy-error").render())
        assert screen.query_one("#what_happened", Input).value == "Mum has fallen and cannot get up"

        screen.query_one("#who-nurse", Select).value = "drop"
        screen.query_one("#who-physio", Select).value = "drop"
        await pilot.pause()
        await pilot.press("f10")  # escalate, with nobody chosen to go
        await until(pilot, lambda: screen.query_one("#team-error").display)
        assert "never escalated with nobody booked" in str(screen.query_one("#team-error").render())
        assert type(app.screen).__name__ == "EscalateScreen"
    with db.reading(zone.engine) as session:
        assert session.exec(select(Crisis)).all() == [] and session.exec(select(Booking)).all() == []


async def test_after_a_refusal_the_decision_asked_for_has_the_focus_and_enter_escalates(zone: Zone) -> None:
    """No OT on duty: Enter is refused with the decision asked for; typed next, it lands there; Enter escalates."""
    team = team_on_duty(zone, roles=("nurse", "physiotherapist"))
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("f11")
        await until(pilot, lambda: type(app.screen).__name__ == "EscalateScreen" and app.screen.proposal is not None)  # type: ignore[attr-defined]
        screen = app.screen
        await pilot.press(*"Mum has fallen and cannot get up", "enter", "1", "h", "enter")
        await until(pilot, lambda: screen.query_one("#form-message").display)
        assert "Record the zone manager's decision for occupational therapy" in str(
            screen.query_one("#team-occupational_therapy-error").render()
        )
        assert screen.focused is screen.query_one("#why-ot")
        await pilot.press(*"Jess: OT visits tomorrow at 9", "enter")
        await until(pilot, lambda: type(app.screen).__name__ == "CallScreen" and app.screen.referred)  # type: ignore[attr-defined]
    with db.reading(zone.engine) as session:
        booked = {b.discipline: b.staff_id for b in session.exec(select(Booking))}
        assert booked == team
        crisis = session.exec(select(Crisis)).one()
        gap = session.exec(select(CrisisGap).where(CrisisGap.crisis_id == crisis.id)).one()
        assert (gap.discipline, gap.kind, gap.decision) == (
            "occupational_therapy",
            "nobody_on_duty",
            "Jess: OT visits tomorrow at 9",
        )


async def test_a_proposed_time_gone_by_while_the_form_is_open_is_moved_on_not_refused(
    zone: Zone, clock: FrozenClock
) -> None:
    """Opened at 10:30, the team is proposed for 10:45 (a 10-minute margin); at 10:50 it moves on to 11:00."""
    team_on_duty(zone)
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("f11")
        await until(pilot, lambda: type(app.screen).__name__ == "EscalateScreen" and app.screen.proposal is not None)  # type: ignore[attr-defined]
        screen = app.screen
        times = ("#time-nurse", "#time-physio", "#time-ot")
        assert [screen.query_one(t, Input).value for t in times] == ["10:45", "10:45", "10:45"]
        await pilot.press(*"Mum has fallen and cannot get up", "enter", "1", "h")
        screen.query_one("#time-ot", Input).value = "10:40"  # the OT's time typed by the worker
        clock.advance(timedelta(minutes=8))  # 10:38: the proposal is seven minutes off, kept
        assert screen.freshen() == []  # type: ignore[attr-defined]
        clock.advance(timedelta(minutes=12))  # 10:50: the proposed 10:45 has gone by
        await pilot.press("enter")
        await until(pilot, lambda: screen.query_one("#team-occupational_therapy-error").display)
        assert [screen.query_one(t, Input).value for t in times] == ["11:00", "11:00", "10:40"]
        assert "has passed: choose a time from now on" in str(
            screen.query_one("#team-occupational_therapy-error").render()
        )  # a time typed in the past is still refused, with its message
        assert not screen.query_one("#team-nursing-error").display
        assert "moved on" in str(screen.query_one("#team-status").render())
        screen.query_one("#time-ot", Input).value = "11:15"
        await pilot.press("f10")
        await until(pilot, lambda: type(app.screen).__name__ == "CallScreen" and app.screen.referred)  # type: ignore[attr-defined]
    with db.reading(zone.engine) as session:
        booked = {b.discipline: f"{b.visit_at.astimezone(LONDON):%H:%M}" for b in session.exec(select(Booking))}
    assert booked == {"nursing": "11:00", "physiotherapy": "11:00", "occupational_therapy": "11:15"}
