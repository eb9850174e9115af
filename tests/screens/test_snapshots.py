"""What the caseload, a person's record and a call look like, kept as SVG files so a layout change shows in review.

Each snapshot is the real desk at 160x48 on the small known zone (Doris, her
daughter, a co-ordinator), with the desk's clock stopped at 2026-11-23 10:30
UTC, on SQLite: the same picture on every machine and every run.

When a screen is meant to change, look at the failing comparison (pytest
writes ``snapshot_report.html``), then store the new pictures with::

    .venv/bin/pytest tests/screens/test_snapshots.py --snapshot-update

and commit the changed files under ``tests/screens/__snapshots__/``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from screens.app import DeskApp
from tests.helpers.fixtures import FrozenClock
from tests.screens.screen_zone import SIZE, Zone, make_zone, on_screen, open_record, put_doris_on_caseload, until

SnapCompare = Callable[..., bool]


@pytest.fixture
def known_zone(clock: FrozenClock, tmp_path: Path) -> Iterator[Zone]:
    """The small zone with Doris on the caseload, written while the clock is stopped."""
    zone = make_zone(f"sqlite:///{tmp_path}/desk.db")
    put_doris_on_caseload(zone)
    yield zone
    zone.engine.dispose()


def _desk(zone: Zone) -> DeskApp:
    return DeskApp(engine=zone.engine, staff_id=zone.staff_id)


async def _settled(pilot: Any) -> None:
    """Let every worker finish and every pending refresh land, so the picture is the screen at rest."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def _at_caseload(app: DeskApp) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        await until(pilot, lambda: on_screen(app, "CaseloadScreen")() and app.screen.page is not None)  # type: ignore[attr-defined]
        await _settled(pilot)

    return run_before


def test_caseload(snap_compare: SnapCompare, known_zone: Zone) -> None:
    app = _desk(known_zone)
    assert snap_compare(app, terminal_size=SIZE, run_before=_at_caseload(app))


def test_person_record(snap_compare: SnapCompare, known_zone: Zone) -> None:
    app = _desk(known_zone)

    async def run_before(pilot: Any) -> None:
        await _at_caseload(app)(pilot)
        await open_record(pilot, app, known_zone.doris_id)
        await _settled(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_call_screen(snap_compare: SnapCompare, known_zone: Zone) -> None:
    app = _desk(known_zone)

    async def run_before(pilot: Any) -> None:
        await _at_caseload(app)(pilot)
        await pilot.press("f2")  # take a call
        await until(pilot, on_screen(app, "StartCallScreen"))
        await pilot.press(*known_zone.carer_number, "enter")  # Doris's daughter rings
        await until(pilot, lambda: on_screen(app, "CallScreen")() and app.screen.call is not None)  # type: ignore[attr-defined]
        # the caller's person is set as the call opens, and the autosave follows: the picture waits for it
        await until(pilot, lambda: "Notes saved" in str(app.screen.query_one("#call-saved").render()))
        await _settled(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
