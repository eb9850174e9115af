"""The header every desk screen wears: Textual's, without what it leaves behind when its screen closes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Header

if TYPE_CHECKING:  # the header is on the first frame, before the ORM loads
    from desk.services.rings import Incoming
from screens.leak_fixes import stop_watching_app


class DeskHeader(Header):
    """Textual's Header, which stops watching the app's title when its screen closes (see screens.leak_fixes)."""

    def on_unmount(self) -> None:
        stop_watching_app(self)


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
    return "\n\n".join(parts) + "\n\nF6 answers the newest."
