"""A closed screen lets go of what it drew: the desk stays open all day, and what piles up costs pauses.

Two places in Textual 8 held closed screens: the app's title watchers (one
per Header) and ``StylesCache.get_inner_outer``'s lru_cache (textual#6665).
Measured on the 380,000-person bench before the fixes: 30 records opened
left 190,000 objects alive and full collections of 120-155 ms.
"""

from __future__ import annotations

import gc

from screen_zone import Zone, desk_open, on_screen, open_record, put_doris_on_caseload, until
from textual._styles_cache import StylesCache
from textual.widget import Widget

RECORDS = 6


def _on_screen_now(app: object) -> set[int]:
    """The widgets on the screens in the stack, the app included."""
    nodes: set[int] = {id(app)}
    for screen in app.screen_stack:  # type: ignore[attr-defined]
        nodes.add(id(screen))
        nodes.update(id(w) for w in screen.walk_children(Widget, with_self=False))
    return nodes


async def test_records_opened_and_closed_leave_nothing_behind(zone: Zone) -> None:
    put_doris_on_caseload(zone)
    async with desk_open(zone) as (app, pilot):
        for _ in range(RECORDS):
            await open_record(pilot, app, zone.doris_id)
            await pilot.press("escape")
            await until(pilot, on_screen(app, "CaseloadScreen"))
        await pilot.pause()
        live = _on_screen_now(app)
        watching = [node for watchers in getattr(app, "__watchers", {}).values() for node, _ in watchers]
        assert watching, "Textual no longer keeps title watchers where DeskHeader looks (screens/header.py)"
        assert [n for n in watching if id(n) not in live] == [], "a closed screen's header still watches the title"
        # The cache's keys can't be read (it is C), but each entry is one widget's (a colour pair each here).
        cached = StylesCache.get_inner_outer.cache_info().currsize
        assert cached <= len(live), f"{cached} style caches kept for {len(live)} widgets on screen"


async def test_a_closed_record_is_swept_while_the_desk_waits(zone: Zone) -> None:
    """Only a full collection frees a closed screen: the desk runs one shortly after, not Python at random."""
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: app._heap_frozen)  # the line is open and the startup heap frozen
        await open_record(pilot, app, zone.doris_id)
        await until(pilot, lambda: app._sweep is None)  # the sweep after opening it is done: only closing's is left
        full: list[int] = []

        def collected(phase: str, info: dict[str, int]) -> None:
            if phase == "stop" and info["generation"] == 2:
                full.append(1)

        gc.disable()  # from here, any full collection is one the desk asked for
        gc.callbacks.append(collected)
        try:
            await pilot.press("escape")
            await until(pilot, on_screen(app, "CaseloadScreen"))
            assert full == [], "swept at once, before the caseload was back"
            await until(pilot, lambda: full != [])
        finally:
            gc.callbacks.remove(collected)
            gc.enable()
