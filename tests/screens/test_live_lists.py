"""Open lists and records stay live: what another desk saves shows without a key, and nobody loses their place.

The other desk is a second engine on the same database (its own connections,
as a second desk process has), writing through the same services a desk
uses. Each test waits for what the co-ordinator would see, in a bounded loop;
the desk looks for changes every second.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from textual.css.query import NoMatches
from textual.widgets import DataTable, OptionList

from desk import clock, db, history
from desk.history import Actor
from desk.models import Involvement, Referral
from desk.rows import PAGE_SIZE
from desk.services import calls, caseload, people, reference
from screens.app import DeskApp
from screens.caseload_table import CaseloadTable
from tests.helpers import synthetic
from tests.screens.screen_zone import Zone, desk_open, engine_for, on_screen, open_record, put_doris_on_caseload, until

ADA_NHS = synthetic.nhs_number(500_000)
LIVE_WAIT_S = 6.0
"""Generous for a loaded test machine; the desk itself looks every second."""


@pytest.fixture
def other_desk(zone: Zone) -> Iterator[Engine]:
    """A second desk's own engine on the zone's database."""
    engine = engine_for(zone.url, zone.search_path)
    yield engine
    engine.dispose()


def showing(condition: Callable[[], bool]) -> Callable[[], bool]:
    """``condition``, false while the screen it looks at is still being put together."""

    def check() -> bool:
        try:
            return condition()
        except NoMatches:
            return False

    return check


def _actor(zone: Zone) -> Actor:
    return Actor(zone.staff_id, "desk@reception:pts/2")


def _log_call(engine: Engine, zone: Zone, *, person_id: int | None, notes: str, outcome: str) -> int:
    """Another desk takes a call from Doris's daughter and finishes it."""
    with db.writing(engine) as session:
        call = calls.start(session, _actor(zone), "BXM", number=zone.carer_number)
    with db.writing(engine) as session:
        calls.finish(
            session,
            _actor(zone),
            call.id,
            calls.CallDetails(person_id=person_id, reason="advice", notes=notes, outcome=outcome),
            expected_version=call.version,
        )
    return call.id  # type: ignore[return-value]


def _log_status(app: DeskApp) -> str:
    return str(app.screen.query_one("#log-status").render())


def _log_ids(app: DeskApp) -> list[int]:
    table = app.screen.query_one(DataTable)
    return [int(str(key.value)) for key in table.rows]


def _highlighted_call(app: DeskApp) -> int:
    table = app.screen.query_one(DataTable)
    return _log_ids(app)[table.cursor_row]


async def test_a_call_logged_at_another_desk_shows_in_the_open_call_log(zone: Zone, other_desk: Engine) -> None:
    first = _log_call(other_desk, zone, person_id=zone.doris_id, notes="Mum is breathless", outcome="Nurse booked")
    second = _log_call(other_desk, zone, person_id=None, notes="Asked about parking", outcome="Told them")
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f5")
        await until(pilot, showing(lambda: on_screen(app, "CallLogScreen")() and len(_log_ids(app)) == 2))
        assert re.search(r"\b2 calls?\b", _log_status(app))
        await pilot.press("down")  # the co-ordinator is reading the older call
        assert _highlighted_call(app) == first

        third = _log_call(other_desk, zone, person_id=zone.doris_id, notes="Doing better", outcome="Advice given")
        await until(pilot, lambda: len(_log_ids(app)) == 3, timeout=LIVE_WAIT_S)  # no key pressed
        assert _log_ids(app) == [third, second, first]  # newest first
        assert re.search(r"\b3 calls?\b", _log_status(app))
        assert _highlighted_call(app) == first  # still on the call they were reading

        with db.writing(other_desk) as session:  # another desk starts a call and is still on it
            calls.start(session, _actor(zone), "BXM", number="0117 496 0123")
        await until(pilot, lambda: len(_log_ids(app)) == 4, timeout=LIVE_WAIT_S)
        assert "1 still open" in _log_status(app)


async def test_a_call_finished_about_a_person_shows_on_their_open_record(zone: Zone, other_desk: Engine) -> None:
    async with desk_open(zone) as (app, pilot):
        await open_record(pilot, app, zone.doris_id)
        view = app.screen.query_one("#timeline")
        await until(pilot, lambda: bool(view.text()))
        assert "Fell in the garden" not in view.text()
        entries_before = len(app.screen.entries)

        _log_call(other_desk, zone, person_id=zone.doris_id, notes="Fell in the garden", outcome="Physio visit booked")
        await until(pilot, lambda: "Fell in the garden" in view.text(), timeout=LIVE_WAIT_S)  # no key pressed
        lines = view.text().splitlines()
        assert "Call: Advice from carer Jean Pascoe (daughter)" in lines[0]  # newest first
        assert "Outcome: Physio visit booked" in view.text()
        assert len(app.screen.entries) == entries_before + 1
        assert f"{entries_before + 1} entries" in str(view.border_title)
        assert any("Physio visit booked" in line for line in app.screen.record.last_calls)  # the situation too


def _unfinished(app: DeskApp) -> list[str]:
    listing = app.screen.query_one(OptionList)
    return [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]


async def test_the_unfinished_list_follows_calls_started_typed_and_finished_elsewhere(
    zone: Zone, other_desk: Engine
) -> None:
    async with desk_open(zone) as (app, pilot):
        await pilot.press("f7")
        await until(
            pilot,
            showing(
                lambda: (
                    on_screen(app, "UnfinishedScreen")()
                    and "No unfinished calls" in str(app.screen.query_one("#unfinished-hint").render())
                )
            ),
        )
        hint = app.screen.query_one("#unfinished-hint")

        with db.writing(other_desk) as session:
            call = calls.start(session, _actor(zone), "BXM", number=zone.carer_number)
        await until(pilot, lambda: len(_unfinished(app)) == 1, timeout=LIVE_WAIT_S)
        assert "(no notes yet)" in _unfinished(app)[0]

        with db.writing(other_desk) as session:  # typed at the other desk: a draft, not yet history
            calls.save_draft(
                session, call.id, calls.CallDetails(person_id=None, reason="", notes="Mum has a fever", outcome="")
            )  # type: ignore[arg-type]
        await until(pilot, lambda: "Mum has a fever" in _unfinished(app)[0], timeout=LIVE_WAIT_S)

        with db.writing(other_desk) as session:
            calls.finish(
                session,
                _actor(zone),
                call.id,
                calls.CallDetails(person_id=zone.doris_id, reason="advice", notes="Mum has a fever", outcome="GP told"),
                expected_version=call.version,
            )
        await until(pilot, lambda: _unfinished(app) == [], timeout=LIVE_WAIT_S)
        assert "No unfinished calls" in str(hint.render())


def _caseload(app: DeskApp) -> CaseloadTable:
    return app.screen.query_one("#caseload", CaseloadTable)


def _caseload_rows(app: DeskApp) -> int:
    """How many rows the caseload shows; -1 while its screen is still being put together."""
    try:
        return _caseload(app).row_count
    except NoMatches:
        return -1


def _status(app: DeskApp) -> str:
    return str(app.screen.query_one("#caseload-status").render())


def _register_with_referral(session, zone: Zone, family_name: str, nhs_number: str) -> int:  # type: ignore[no-untyped-def]
    """A person registered on a call and given a referral, as one transaction at another desk."""
    actor = _actor(zone)
    person = people.register(
        session,
        actor,
        people.PersonDetails(
            nhs_number=nhs_number,
            family_name=family_name,
            given_name="Ada",
            date_of_birth="01/02/1938",
            postcode="TQ5 9AB",
            practice_id="L99013",
        ),
    )
    history.create(
        session,
        actor,
        Referral(
            person_id=person.id,  # type: ignore[arg-type]
            received_at=clock.now(),
            discipline="physiotherapy",
            urgency="fast",
            reason="Falls at home",
            source="Daughter",
            due_at=clock.now() + timedelta(days=1),
        ),
        "Referred by the zone line",
        person_id=person.id,
    )
    caseload.refresh(session, person.id)  # type: ignore[arg-type]
    return person.id  # type: ignore[return-value]


async def test_a_person_given_a_referral_at_another_desk_appears_on_the_open_caseload_in_place(
    zone: Zone, other_desk: Engine
) -> None:
    put_doris_on_caseload(zone)
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: _caseload_rows(app) == 1)
        assert _caseload(app).selected_person_id == zone.doris_id

        with db.writing(other_desk) as session:
            ada = _register_with_referral(session, zone, "Abbott", ADA_NHS)
        await until(pilot, lambda: _caseload_rows(app) == 2, timeout=LIVE_WAIT_S)  # no key pressed
        table = _caseload(app)
        assert [r.person_id for r in table.rows] == [ada, zone.doris_id]  # ABBOTT sorts first
        assert table.selected_person_id == zone.doris_id  # the highlight stayed on Doris
        assert "ref Physio" in table.row_texts()[0][5]
        assert "1-2 of 2" in _status(app)


async def test_a_change_elsewhere_keeps_the_caseload_page_cursor_and_scroll(zone: Zone, other_desk: Engine) -> None:
    """A co-ordinator mid-way down the second page is not thrown to the top when another desk adds someone."""
    with db.writing(zone.engine) as session:
        nurse = next(s for s in reference.staff(session, "BXM") if s.role == "nurse")
        for n in range(PAGE_SIZE + 50):
            person = people.register(
                session,
                _actor(zone),
                people.PersonDetails(
                    nhs_number=synthetic.nhs_number(10_000 + n * 11),
                    family_name=f"Moss{n:03d}",
                    given_name="Ann",
                    date_of_birth="01/01/1940",
                    postcode="TQ5 9AB",
                    practice_id="L99013",
                ),
            )
            session.add(
                Involvement(person_id=person.id, staff_id=nurse.id, discipline="nursing", started_on=clock.today())
            )
            caseload.refresh(session, person.id)  # type: ignore[arg-type]
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: _caseload_rows(app) == PAGE_SIZE)
        await pilot.press("right_square_bracket")
        await until(pilot, lambda: app.screen.page is not None and app.screen.page.offset == PAGE_SIZE)
        for _ in range(30):
            await pilot.press("down")
        table = _caseload(app)
        chosen = table.selected_person_id
        line_on_screen = table.cursor_row - table.scroll_offset.y
        assert table.cursor_row == 30 and line_on_screen > 0  # scrolled: the cursor is not at the top

        with db.writing(other_desk) as session:  # sorts onto the first page, pushing this page on by one
            _register_with_referral(session, zone, "Abbott", ADA_NHS)
        # 150 Mosses, Doris (newly registered at the desk), and now Ada
        await until(pilot, lambda: "of 152" in _status(app), timeout=LIVE_WAIT_S)
        assert app.screen.row_offset == PAGE_SIZE  # still the second page
        assert "101-152 of 152" in _status(app)
        assert table.selected_person_id == chosen  # the same person highlighted...
        assert table.cursor_row == 31  # ...who moved down one row...
        assert table.cursor_row - table.scroll_offset.y == line_on_screen  # ...on the same line of the screen
