"""A worker's failure reaches the co-ordinator in plain words, once; the raw text goes to the desk's log."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from desk.errors import MESSAGES, Trouble
from tests.screens.screen_zone import Zone, desk_open, until


def _locked(tmp_path: Path) -> None:
    """What SQLite raises when another desk holds the write lock."""
    path = tmp_path / "busy.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        sqlite3.connect(path, timeout=0, isolation_level=None).execute("BEGIN IMMEDIATE")
    finally:
        holder.execute("ROLLBACK")


async def test_the_same_trouble_twice_is_said_once_in_plain_words(
    zone: Zone, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="zone-desk")
    async with desk_open(zone) as (app, pilot):
        for _ in range(2):
            app.run_worker(lambda: _locked(tmp_path), thread=True, exit_on_error=False, name="save")
            await pilot.pause(0.2)
        said = [n.message for n in app._notifications]
        assert said.count(MESSAGES[Trouble.LOCKED]) == 1, said
        assert not [m for m in said if "sqlite3" in m or "OperationalError" in m]
    assert "database is locked" in caplog.text  # the raw text, for whoever reads the log


async def test_a_fault_in_the_desk_is_said_plainly_and_logged_with_its_trace(
    zone: Zone, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> None:
        raise KeyError("caller_kind")

    async with desk_open(zone) as (app, pilot):
        app.run_worker(broken, thread=True, exit_on_error=False, name="broken")
        await until(pilot, lambda: MESSAGES[Trouble.UNKNOWN] in [n.message for n in app._notifications])
        assert not [n for n in app._notifications if "caller_kind" in n.message]
    assert "caller_kind" in caplog.text and "Traceback" in caplog.text
