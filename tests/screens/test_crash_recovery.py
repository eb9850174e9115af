"""A call's notes survive the desk being killed mid-call."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import select
from textual.widgets import TextArea

from desk import db
from desk.models import Call, CallDraft
from screens.app import DeskApp
from tests.screens.crash_driver import NOTES
from tests.screens.screen_zone import SIZE, Zone, on_screen, until

ROOT = Path(__file__).resolve().parents[2]  # where ``tests`` is importable from


def _draft_notes(zone: Zone) -> str:
    with db.reading(zone.engine) as session:
        draft = session.exec(select(CallDraft)).first()
        return draft.notes if draft else ""


async def test_call_killed_mid_call_is_recovered_with_its_notes(zone: Zone) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.screens.crash_driver", zone.url, str(zone.staff_id), zone.search_path],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "TEXTUAL": ""},
    )
    try:
        deadline = time.monotonic() + 60
        while _draft_notes(zone) != NOTES:  # the desk saves as it types; wait for the last keystroke to land
            assert proc.poll() is None, "the desk exited before it could be killed"
            assert time.monotonic() < deadline, f"notes never saved; draft holds {_draft_notes(zone)!r}"
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL

    with db.reading(zone.engine) as session:
        call = session.exec(select(Call)).one()
        assert call.status == "open" and call.ended_at is None

    app = DeskApp(engine=zone.engine, staff_id=zone.staff_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: any("not finished" in n.message for n in app._notifications))
        await pilot.press("f7")
        await until(pilot, lambda: on_screen(app, "UnfinishedScreen")() and len(app.screen.calls) == 1)
        assert "Daughter rang" in str(app.screen.query_one("#unfinished-list").get_option_at_index(0).prompt)
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "CallScreen" and app.screen.call is not None)
        screen = app.screen
        assert screen.query_one("#notes", TextArea).text == NOTES
        assert "Carer of Doris PASCOE" in str(screen.query_one("#caller").render())
        assert "PASCOE" in str(screen.query_one("#about").render())
