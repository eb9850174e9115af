"""The header every desk screen wears: Textual's, without what it leaves behind when its screen closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Header

if TYPE_CHECKING:  # the header is on the first frame, before the ORM loads
    from desk.services.rings import Incoming


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


def ringing_text(waiting: list[Incoming]) -> str:
    """Every ring waiting on the line, newest first, with all the desk knows of each caller.

    The header can show only the start of it (cut with an ellipsis); F12 shows this.
    """
    from desk import clock

    if not waiting:
        return "The zone line is not ringing now."
    parts = []
    for incoming in reversed(waiting):
        seen = incoming.recognition
        lines = [f"{clock.local(incoming.rung_at):%H:%M:%S}  from {incoming.number or 'a withheld number'}"]
        lines.append(seen.headline)
        if seen.shared:
            lines += [f"  - {match.summary}" for match in seen.matches]
        if seen.warning:
            lines.append(seen.warning)
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n\nEscape, then F6, answers the newest."
