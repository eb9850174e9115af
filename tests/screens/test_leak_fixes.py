"""Each reach into Textual's private names (screens/leak_fixes.py) still works, and is still needed.

A "still needed" test failing after a Textual upgrade means upstream fixed it:
delete the fix and its tests. A "works" test failing means the private name
moved: mend the fix.
"""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import Header, Static

from screens.header import DeskHeader
from screens.leak_fixes import release_closed_widgets, withdraw_notification


class _Page(Screen[None]):
    def __init__(self, header: type[Header]) -> None:
        super().__init__()
        self.header = header

    def compose(self) -> ComposeResult:
        yield self.header()
        yield Static("a page")


def _watching(app: App[Any]) -> list[object]:
    return [node for watchers in getattr(app, "__watchers", {}).values() for node, _ in watchers]


async def _open_and_close(header: type[Header]) -> list[object]:
    """Push a page wearing ``header``, pop it, and say which closed headers still watch the app."""
    app: App[None] = App()
    async with app.run_test() as pilot:
        page = _Page(header)
        await app.push_screen(page)
        await pilot.pause()
        closed = page.query_one(Header)
        app.pop_screen()
        await pilot.pause()
        return [n for n in _watching(app) if n is closed]


# --- the app's title watchers (Textualize/textual#6666) --------------------------------


async def test_still_needed_textual_keeps_a_closed_headers_watchers() -> None:
    assert await _open_and_close(Header), "Textual now drops a closed Header's watchers: DeskHeader's fix can go"


async def test_desk_header_leaves_no_watchers_behind() -> None:
    assert await _open_and_close(DeskHeader) == []


# --- the style cache (Textualize/textual#6665) -----------------------------------------


def test_still_needed_the_style_cache_is_an_lru_cache() -> None:
    from textual._styles_cache import StylesCache

    assert hasattr(StylesCache.get_inner_outer, "cache_info"), "Textual no longer caches here (#6665): the fix can go"


async def test_the_style_cache_is_emptied() -> None:
    from textual._styles_cache import StylesCache

    app: App[None] = App()
    async with app.run_test() as pilot:
        await app.push_screen(_Page(Header))
        await pilot.pause()
        assert StylesCache.get_inner_outer.cache_info().currsize > 0
        release_closed_widgets()
        assert StylesCache.get_inner_outer.cache_info().currsize == 0


# --- withdrawing one notification --------------------------------------------------------


def test_still_needed_textual_has_no_public_way_to_withdraw_one_notification() -> None:
    public = {name for name in dir(App) if "notif" in name and not name.startswith("_")}
    assert public == {"notify", "clear_notifications", "action_notify", "notify_style_update"}, (
        f"Textual's notification API changed ({sorted(public)}): see whether it withdraws one; if so use it"
    )


async def test_one_notification_is_withdrawn_and_the_others_stay() -> None:
    from textual.notifications import Notification, Notify

    app: App[None] = App()
    async with app.run_test() as pilot:
        ring = Notification("Zone line ringing", timeout=60)
        app.post_message(Notify(ring))
        app.notify("Saved.", timeout=60)
        await pilot.pause()
        assert len(app._notifications) == 2
        withdraw_notification(app, ring)
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["Saved."]
        withdraw_notification(app, ring)  # twice is harmless (it may have timed out already)
