"""Every place the desk reaches into Textual's private names, each with why and the upstream issue.

Private names change between Textual releases without notice, so each reach
lives here and nowhere else, and tests/screens/test_leak_fixes.py holds each
to account: a test fails if an upgrade breaks the fix, and another fails if an
upgrade makes it unnecessary (then delete the fix and its test).
"""

from __future__ import annotations

from typing import Any

from textual._styles_cache import StylesCache
from textual.app import App
from textual.dom import DOMNode
from textual.notifications import Notification


def release_closed_widgets() -> None:
    """Forget the style caches of widgets that may have closed (call when the screen changes).

    Textual 8's ``StylesCache.get_inner_outer`` is an instance method under
    ``functools.lru_cache(1024)``, so the cache keeps the last 1,024 widgets'
    style caches alive, each with every line that widget drew
    (https://github.com/Textualize/textual/issues/6665). A desk opens and
    closes a screen of ten or so widgets per record or call: after thirty
    records 190,000 objects were still alive, and every full collection swept
    them (120-155 ms pauses, measured on the bench). The cache only saves
    making two ``Style`` objects, so emptying it costs nothing a co-ordinator sees.
    """
    cache_clear = getattr(StylesCache.get_inner_outer, "cache_clear", None)
    if cache_clear is not None:  # a Textual that fixed #6665 may no longer cache here
        cache_clear()


def stop_watching_app(node: DOMNode) -> None:
    """Drop ``node``'s watchers of the app's reactives now (call when it unmounts), not when the value next changes.

    A Header watches the app's ``title`` and ``sub_title``; Textual drops a
    removed widget's watcher only when that value next changes
    (https://github.com/Textualize/textual/issues/6666). The desk's title
    changes only when the line rings or someone signs in, so until then every
    record or call opened and closed kept its header alive, with all it drew.
    Textual keeps the watchers in the watched object's ``__watchers`` dict
    (textual.reactive._watch).
    """
    watchers: dict[str, list[tuple[Any, Any]]] = getattr(node.app, "__watchers", {})
    for watching in watchers.values():
        watching[:] = [(owner, callback) for owner, callback in watching if owner is not node]


def withdraw_notification(app: App[Any], notification: Notification) -> None:
    """Take down one toast that is no longer true (a ring answered elsewhere), leaving the others.

    Textual 8's public API withdraws all notifications at once
    (``App.clear_notifications``), which would also take down messages the
    co-ordinator has not read; one goes only through ``App._unnotify``
    (https://github.com/Textualize/textual/blob/main/src/textual/app.py, beside
    ``clear_notifications``). No upstream issue asks for a public way yet; the
    test that this is still needed fails once Textual's notification API
    changes, so look again then. Used by the line's ring toasts, the outage
    message and the crisis reminders.
    """
    if notification in app._notifications:
        app._unnotify(notification)
