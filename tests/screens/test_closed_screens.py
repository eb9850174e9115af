"""A closed screen lets go of what it drew: the desk stays open all day, and what piles up costs pauses.

Two places in Textual 8 held closed screens: the app's title watchers (one
per Header) and ``StylesCache.get_inner_outer``'s lru_cache (textual#6665).
Measured on the 380,000-person bench before the fixes: 30 records opened
left 190,000 objects alive and full collections of 120-155 ms.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache
from textual.widget import Widget

from screen_zone import Zone, desk_open, on_screen, open_record, put_doris_on_caseload, until

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
