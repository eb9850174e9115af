"""The database goes away during a call: one plain message, notes kept on the desk, saved when it is back.

Runs against the real PostgreSQL server through a relay the test can cut
(tests/screens/db_outage.py), so the shared server is never stopped.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import TextArea

from desk import db
from desk.errors import BACK_MESSAGE, MESSAGES, Trouble
from desk.history import Actor
from desk.kept_notes import Draft, KeptNotes
from desk.models import CallDraft
from desk.opening import DeskDatabase
from desk.services import calls
from screens.app import DeskApp
from tests.screens.db_outage import Relay, engine_through
from tests.screens.screen_zone import SIZE, Zone, until

pytestmark = pytest.mark.postgres

AWAY = MESSAGES[Trouble.UNREACHABLE]
RAW_WORDS = ("psycopg", "OperationalError", "connection failed", "Is the server running", "Traceback")


def _draft_notes(zone: Zone, call_id: int) -> str:
    with db.reading(zone.engine) as session:
        draft = session.exec(select(CallDraft).where(CallDraft.call_id == call_id)).first()
        return draft.notes if draft else ""


def _messages(app: DeskApp) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.fixture
def pg_zone(zone: Zone) -> Zone:
    if not zone.search_path:
        pytest.skip("the outage is of the shared PostgreSQL server")
    return zone


async def test_the_database_going_away_mid_call_is_said_once_and_the_notes_are_saved_when_it_is_back(
    pg_zone: Zone, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    zone = pg_zone
    caplog.set_level(logging.INFO, logger="zone-desk")
    url = os.environ["DESK_TEST_DATABASE_URL"]
    target = zone.engine.url
    relay = Relay(target.host or "127.0.0.1", target.port or 5432)
    relay.restore()
    engine = engine_through(relay, url, zone.search_path)
    kept = KeptNotes(tmp_path / "kept")
    with db.writing(zone.engine) as session:
        call_id = calls.start(session, Actor(zone.staff_id, "test"), "BXM", number=zone.carer_number).id
    assert call_id is not None
    app = DeskApp(DeskDatabase(engine, kept=kept), staff_id=zone.staff_id)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: type(app.screen).__name__ == "CaseloadScreen")
            app.open_call(call_id)
            await until(pilot, lambda: type(app.screen).__name__ == "CallScreen" and app.screen.call is not None)
            notes = app.screen.query_one("#notes", TextArea)
            notes.focus()
            await pilot.press(*"Daughter rang.")
            await until(pilot, lambda: _draft_notes(zone, call_id) == "Daughter rang.")

            relay.cut()  # the server goes away mid-call
            await pilot.press(*" Mum fell")
            await until(pilot, lambda: AWAY in _messages(app))
            assert "DATABASE AWAY" in app.sub_title
            await until(pilot, lambda: [d.notes for d in kept.pending()] == ["Daughter rang. Mum fell"])
            for key in " at 3, is up now.":  # typing on through several autosaves and ring polls
                await pilot.press(key if key != " " else "space")
                await pilot.pause(0.1)
            everything = "Daughter rang. Mum fell at 3, is up now."
            await until(pilot, lambda: [d.notes for d in kept.pending()] == [everything])
            assert _messages(app).count(AWAY) == 1, _messages(app)
            assert not [m for m in _messages(app) if any(w in m for w in RAW_WORDS)], _messages(app)
            assert notes.text == everything  # nothing typed lost on screen
            assert _draft_notes(zone, call_id) == "Daughter rang."  # the database has not seen it yet

            relay.restore()  # the server is back
            await until(pilot, lambda: BACK_MESSAGE in _messages(app), timeout=20)
            assert _draft_notes(zone, call_id) == everything
            assert kept.pending() == []
            assert AWAY not in _messages(app)  # the outage message comes down with it
            assert "DATABASE AWAY" not in app.sub_title
            await pilot.pause(1.5)  # a ring poll or two later: still said once
            assert _messages(app).count(BACK_MESSAGE) == 1
    finally:
        relay.cut()
        engine.dispose()
    raw = caplog.text
    assert "unreachable" in raw and ("psycopg" in raw or "OperationalError" in raw), "the raw text goes to the log"


async def test_notes_kept_when_the_desk_closed_during_an_outage_are_saved_when_it_next_opens(
    pg_zone: Zone, tmp_path: Path
) -> None:
    zone = pg_zone
    with db.writing(zone.engine) as session:
        call_id = calls.start(session, Actor(zone.staff_id, "test"), "BXM", number=zone.carer_number).id
    assert call_id is not None
    kept = KeptNotes(tmp_path / "kept")
    kept.keep(Draft(call_id, zone.doris_id, "", "Rang while the server was down.", ""))  # left by the desk that closed
    app = DeskApp(DeskDatabase(zone.engine, kept=kept), staff_id=zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: _draft_notes(zone, call_id) == "Rang while the server was down.")
        await until(pilot, lambda: any("kept on this desk" in m for m in _messages(app)))
        assert kept.pending() == []
