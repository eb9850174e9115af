"""The three moments of a referral recorded by a key on the person record, and the story on its timeline."""

from __future__ import annotations

from sqlmodel import select

from desk import clock, db
from desk.models import Referral
from tests.screens.screen_zone import Zone, desk_open, on_screen, open_record, shown_text, until
from tests.screens.test_crisis_call import call_loaded, escalate_the_fall, ring_and_wait, team_on_duty


async def test_first_contact_on_a_fast_referral_is_recorded_with_three_keys_on_the_record(zone: Zone) -> None:
    """A change in need triaged Fast; on the record, I, f, Enter: first contact now, by whoever is at the desk."""
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("n", *"Needs help getting up", "tab", *"Referred to the nurses", "f10")
        await until(pilot, on_screen(app, "TriageScreen"))
        await pilot.press("enter")
        await until(pilot, on_screen(app, "CaseloadScreen"))

        await open_record(pilot, app, zone.doris_id)
        record = app.screen
        await pilot.press("i")
        await until(pilot, on_screen(app, "IntervalsForm"))
        form = app.screen
        hint = str(form.query_one(".hint").render())
        assert hint == "F10 saves (Enter on the time too); Escape closes without saving."  # as the desk's other forms
        footer = form.query_one("KeyFooter").keys_text().plain  # type: ignore[attr-defined]
        assert "f10 Save" in footer and "esc Cancel" in footer
        assert "Nursing referral (fast)" in str(form.query_one("#referral").get_option_at_index(0).prompt)  # type: ignore[attr-defined]
        await pilot.press("f10")  # saved with nothing chosen yet: said beside the field, nothing written
        await until(pilot, lambda: form.query_one("#moment-error").display)
        assert "f first contact, a assessment, s services in place" in str(form.query_one("#moment-error").render())
        with db.reading(zone.engine) as session:
            assert session.exec(select(Referral)).one().first_contact_at is None
        await pilot.press("f", "enter")
        await until(pilot, lambda: app.screen is record)
        await until(pilot, lambda: any("Recorded on the referral" in n.message for n in app._notifications))
        timeline = record.query_one("#timeline")
        await until(pilot, lambda: "Referral to Nursing: first contact" in timeline.text())  # type: ignore[attr-defined]
    with db.reading(zone.engine) as session:
        referral = session.exec(select(Referral)).one()
        assert referral.first_contact_at is not None and referral.first_contact_by_id == zone.staff_id
        assert referral.first_contact_recorded_at is not None


async def test_a_bad_time_is_refused_beside_the_field_and_nothing_is_recorded(zone: Zone) -> None:
    """A time that is not a time of day: said beside it, the form stays with what was typed."""
    async with desk_open(zone) as (app, pilot):
        await ring_and_wait(pilot, app, zone)
        await pilot.press("f6")
        await until(pilot, call_loaded(app))
        await pilot.press("n", *"Worse since Sunday", "tab", *"Nurse to visit", "f10")
        await until(pilot, on_screen(app, "TriageScreen"))
        await pilot.press("enter")
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await open_record(pilot, app, zone.doris_id)
        await pilot.press("i")
        await until(pilot, on_screen(app, "IntervalsForm"))
        form = app.screen
        await pilot.press("a")  # assessment: the time has the focus, prefilled with now
        await pilot.press("ctrl+u", *"half past", "enter")
        await until(pilot, lambda: form.query_one("#at-error").display)
        assert "Give the time as HH:MM" in str(form.query_one("#at-error").render())
        assert form.query_one("#at").value == "half past"  # type: ignore[attr-defined]
        assert app.screen is form
    with db.reading(zone.engine) as session:
        assert session.exec(select(Referral)).one().assessed_at is None


async def test_the_crisis_shows_on_the_timeline_from_the_call_to_the_team_booked(zone: Zone) -> None:
    """Escalated from the call: the record's timeline says the crisis was raised and who was booked."""
    team_on_duty(zone)
    async with desk_open(zone) as (app, pilot):
        await escalate_the_fall(pilot, app, zone)
        await open_record(pilot, app, zone.doris_id)
        view = app.screen.query_one("#timeline")
        await until(pilot, lambda: "Crisis raised: A fall with no serious injury" in view.text())  # type: ignore[attr-defined]
        text = view.text()  # type: ignore[attr-defined]
        assert text.count("Crisis visit booked") == 3
        with db.reading(zone.engine) as session:
            referral = session.exec(select(Referral)).one()
        received, due = clock.local(referral.received_at), referral.due_at
        assert due is not None
        details = " ".join(shown_text(app.screen.query_one("#details"), 200).split())
        # the open referral reads as the crisis it is, due at a time as well as a date
        assert f"Physiotherapy (crisis) received {received:%d-%b-%Y}, due {clock.local(due):%d-%b-%Y %H:%M}" in details
