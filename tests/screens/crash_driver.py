"""Run the desk in this process, start a call, type notes, then wait to be killed.

Used by test_crash_recovery: the test SIGKILLs this process mid-call, the way a
power cut or a closed terminal would end the desk.
"""

from __future__ import annotations

import asyncio
import sys

from textual.widgets import TextArea

from screens.app import DeskApp
from tests.screens.screen_zone import engine_for

NOTES = "Daughter rang: Mum not eating, confused since yesterday. GP visiting at 3."


async def main(url: str, staff_id: int, search_path: str) -> None:
    app = DeskApp(engine=engine_for(url, search_path), staff_id=staff_id)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause(0.3)
        await pilot.press("f2")
        await pilot.pause(0.2)
        await pilot.press(*"07700 900123", "enter")
        await pilot.pause(0.5)
        app.screen.query_one("#notes", TextArea).focus()
        await pilot.press(*NOTES)
        print("typed", flush=True)
        while True:  # mid-call, until killed
            await pilot.pause(0.1)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else ""))
