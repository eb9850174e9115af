"""The review list (Ctrl+N) and the waiting list (Ctrl+L), as a co-ordinator at the desk sees them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from rich.text import Text
from sqlmodel import select

from desk import db
from desk.history import Actor
from desk.models import CarePackage
from desk.package_models import PackageReview
from desk.packages.arrange import ServiceLine
from screens.app import DeskApp
from screens.caseload_table import CaseloadTable
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, frozen
from tests.helpers.packages import arrange_package, had_support_before, home_care, nurse_assessment
from tests.screens.screen_zone import Zone, desk_open, on_screen, open_record, until


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """The desk's clock stopped at Monday 23 November 2026, 10:30 (GMT)."""
    with frozen(FROZEN_AT) as stopped:
        yield stopped


def cells(app: DeskApp, table_id: str, column: str) -> list[str]:
    table = app.screen.query_one(f"#{table_id}")
    return [str(c.plain if isinstance(c, Text) else c) for c in table.get_column(column)]  # type: ignore[attr-defined]


def doris_package(zone: Zone, *services: ServiceLine) -> int:
    had_support_before(zone.engine, zone.doris_id)
    return arrange_package(zone.engine, Actor(zone.staff_id, "desk-2"), zone.doris_id, *services).package_id


def reviews_of(zone: Zone) -> list[tuple[str, str, str, str]]:
    with db.reading(zone.engine) as session:
        return [
            (r.kind, r.state, r.outcome, r.note)
            for r in session.exec(select(PackageReview).order_by(PackageReview.id)).all()
        ]


async def open_reviews(pilot: object, app: DeskApp) -> None:
    await pilot.press("ctrl+n")  # type: ignore[attr-defined]
    await until(pilot, lambda: on_screen(app, "ReviewListScreen")() and getattr(app.screen, "loaded", 0) > 0)


async def test_an_overdue_review_is_listed_and_ending_the_package_needs_a_reason_then_is_done(
    zone: Zone, clock: FrozenClock
) -> None:
    package_id = doris_package(zone)
    clock.advance(timedelta(days=30))  # two days past the four-week review
    async with desk_open(zone) as (app, pilot):
        await open_reviews(pilot, app)
        assert cells(app, "reviews", "state") == ["OVERDUE"]
        assert cells(app, "reviews", "person") == ["PASCOE, Doris"]
        assert cells(app, "reviews", "due") == ["Mon 21-Dec-2026"]
        status = str(app.screen.query_one("#review-status").render())
        assert "zone BXM: 1 overdue, 0 due" in status

        await pilot.press("r")
        await until(pilot, on_screen(app, "RecordReviewForm"))
        await pilot.press("e", "enter")  # end the package, no reason given
        await until(pilot, lambda: app.screen.query_one("#note-error").display)
        assert "Say why the package is ending." in str(app.screen.query_one("#note-error").render())
        assert reviews_of(zone)[0][1] == "raised"  # nothing written (the watch raised it as the desk opened)

        await pilot.press(*"Managing on her own")
        await pilot.press("enter")
        await until(pilot, lambda: on_screen(app, "ReviewListScreen")() and "DONE" in cells(app, "reviews", "state"))
        assert cells(app, "reviews", "what")[-1].endswith("Package ended")
        assert any("Review recorded: Package ended." in n.message for n in app._notifications)
    assert reviews_of(zone) == [("first", "done", "ended", "Managing on her own")]
    with db.reading(zone.engine) as session:
        pkg = session.get(CarePackage, package_id)
        assert pkg is not None and pkg.state == "ended"


async def test_no_change_sets_the_next_review_and_a_change_hands_over_to_the_change_form(
    zone: Zone, clock: FrozenClock
) -> None:
    doris_package(zone)
    clock.advance(timedelta(days=28))  # the review falls due today
    async with desk_open(zone) as (app, pilot):
        await open_reviews(pilot, app)
        assert cells(app, "reviews", "state") == ["DUE"]
        await pilot.press("r")
        await until(pilot, on_screen(app, "RecordReviewForm"))
        await pilot.press("c", "enter")  # changed on a new assessment: the change form, carrying the review
        await until(pilot, on_screen(app, "PackageChangeForm"))
        assert "at its review" in str(app.screen.query_one("#change-title").render())
        assert reviews_of(zone)[0][1] == "raised"  # still to do until the change is saved

        await pilot.press("escape")
        await until(pilot, on_screen(app, "ReviewListScreen"))
        assert reviews_of(zone)[0][1] == "raised"  # nothing written by closing the form
        await pilot.press("r")
        await until(pilot, on_screen(app, "RecordReviewForm"))
        await pilot.press("n", *"Settled", "enter")
        await until(pilot, lambda: on_screen(app, "ReviewListScreen")() and "DONE" in cells(app, "reviews", "state"))
        assert any("Next review 21-Dec-2027" in n.message for n in app._notifications)

        await pilot.press("enter")  # Enter opens the person
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)
    assert reviews_of(zone) == [("first", "done", "no_change", "Settled"), ("yearly", "pending", "", "")]


async def test_a_review_that_changes_the_package_reads_changed_and_names_the_version_it_made(
    zone: Zone, clock: FrozenClock
) -> None:
    """R, C, the note, Enter: the change form; a morning visit saved there records the review as changed."""
    package_id = doris_package(zone)
    clock.advance(timedelta(days=28))
    nurse_assessment(zone.engine, Actor(zone.staff_id, "desk-2"), zone.doris_id)  # today's: it can authorise
    async with desk_open(zone) as (app, pilot):
        await open_reviews(pilot, app)
        await pilot.press("r")
        await until(pilot, on_screen(app, "RecordReviewForm"))
        await pilot.press("c", *"Struggling in the mornings", "enter")
        await until(pilot, on_screen(app, "PackageChangeForm"))
        form = app.screen
        await pilot.press("f8")
        await until(pilot, on_screen(app, "ServicePicker"))
        await pilot.press("h")  # a morning visit
        await until(pilot, lambda: app.screen is form and len(form.query("LineEditor")) == 2)
        await pilot.press("enter", *"Cannot get up alone", "f10")
        await until(pilot, on_screen(app, "PackageScreen"))
        assert any("Review recorded: Changed on a new assessment (version 2)." in n.message for n in app._notifications)
        await pilot.press("escape")
        await until(pilot, lambda: on_screen(app, "ReviewListScreen")() and "DONE" in cells(app, "reviews", "state"))
        what = cells(app, "reviews", "what")[cells(app, "reviews", "state").index("DONE")]
        assert what.endswith("Changed on a new assessment (version 2)") and "Replaced" not in what
        assert cells(app, "reviews", "state") == ["DONE"]  # the change's new first review is still to come
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)
        view = app.screen.query_one("#timeline")
        await until(pilot, lambda: "Package review recorded" in view.text())  # type: ignore[attr-defined]
        timeline = view.text()  # type: ignore[attr-defined]
        assert "Package review recorded: Changed on a new assessment (version 2)" in timeline
        assert "Replaced by a change" not in timeline
    with db.reading(zone.engine) as session:
        done, new = session.exec(select(PackageReview).order_by(PackageReview.id)).all()
        assert (done.state, done.outcome, done.package_version, done.note) == (
            "done",
            "changed",
            2,
            "Struggling in the mornings",
        )
        assert (new.kind, new.state) == ("first", "pending")
        pkg = session.get(CarePackage, package_id)
        assert pkg is not None and pkg.current_version == 2


async def test_the_waiting_list_sorts_by_days_left_and_says_missed_in_a_word(zone: Zone, clock: FrozenClock) -> None:
    doris_package(zone, home_care(FROZEN_AT.date()), ServiceLine("key_safe", "community_equipment", FROZEN_AT.date()))
    clock.advance(timedelta(days=9))  # the key safe is two days past its 7; the package has 19 of its 28 left
    async with desk_open(zone) as (app, pilot):
        table = app.screen.query_one("#caseload", CaseloadTable)
        await until(pilot, lambda: len(table.row_texts()) == 1)
        assert "WAIT" in table.row_texts()[0][3].split()  # the Flags column: a target missed
        await open_record(pilot, app, zone.doris_id)
        details = str(app.screen.query_one("#details").render())
        assert "MISSED Waiting: Key safe, fitted, asked for 23-Nov: Equipment: 2 days over its 7" in details
        assert "Waiting: Care package, asked for 23-Nov: Package: 19 days left of 28" in details
        await pilot.press("escape")
        await until(pilot, on_screen(app, "CaseloadScreen"))
        await pilot.press("ctrl+l")
        await until(pilot, lambda: on_screen(app, "WaitingListScreen")() and getattr(app.screen, "loaded", 0) > 0)
        assert cells(app, "waiting", "flag") == ["MISSED", "on time"]
        assert cells(app, "waiting", "left") == ["2 days over", "19 days left"]
        assert cells(app, "waiting", "kind") == ["Equipment", "Package"]
        assert cells(app, "waiting", "what") == ["Key safe, fitted", "Care package"]
        status = str(app.screen.query_one("#waiting-status").render())
        assert "zone BXM: 2 packages or items; 1 missed, 0 at risk" in status
        await pilot.press("a")  # the whole trust
        await until(pilot, lambda: "the whole trust" in str(app.screen.query_one("#waiting-status").render()))
        await pilot.press("enter")
        await until(pilot, lambda: getattr(app.screen, "record", None) is not None)


async def test_both_lists_are_in_the_footer_the_help_and_the_palette(zone: Zone) -> None:
    async with desk_open(zone) as (app, pilot):
        footer = app.screen.query_one("KeyFooter")
        await until(pilot, lambda: "^n Reviews" in str(footer.render()) and "^l Waiting" in str(footer.render()))
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Reviews: open list" in titles and "Packages: waiting list" in titles
        await pilot.press("f1")
        await until(pilot, on_screen(app, "HelpScreen"))
        text = str(app.screen.query_one("#help-keys").render())
        assert "Package reviews overdue, due and done" in text and "Packages and equipment waiting" in text
