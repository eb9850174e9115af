"""The header every desk screen wears: Textual's, without what it leaves behind when its screen closes."""

from __future__ import annotations

from textual.widgets import Header


class DeskHeader(Header):
    """Textual's Header, which stops watching the app's title when its screen closes.

    A Header watches the app's ``title`` and ``sub_title``, and Textual drops a
    closed widget's watcher only when that value next changes. The desk's title
    changes only when the line rings or someone else signs in, so until then
    every record or call opened and closed kept its header alive, with all it
    had drawn, for every full garbage collection to sweep.
    """

    def on_unmount(self) -> None:
        # Textual keeps these in the watched object's "__watchers" dict (textual.reactive._watch).
        watchers: dict[str, list[tuple[object, object]]] = getattr(self.app, "__watchers", {})
        for watching in watchers.values():
            watching[:] = [(node, callback) for node, callback in watching if node is not self]
