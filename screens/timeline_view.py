"""A timeline drawn from lines rendered off the main thread.

A person with 300 timeline entries makes a Rich table that takes 80-130 ms
to draw, and Textual draws a Static's content two or three times while laying
it out: the screen froze for a third of a second. Here the table is rendered
to lines in a worker thread (the newest entries first, then the rest), and
the widget only hands out ready-made lines as they scroll into view.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich.console import Console, RenderableType
from rich.segment import Segment
from textual.events import Resize
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

Lines = list[list[Segment]]


def render_lines(renderable: RenderableType, width: int) -> Lines:
    """Render to lines of segments at ``width``; safe in a worker thread (a private console)."""
    console = Console(width=width, color_system="truecolor", file=io.StringIO(), legacy_windows=False)
    return console.render_lines(renderable, console.options.update_width(width), pad=False)


class TimelineView(ScrollView, can_focus=True):
    """Scrolls through pre-rendered lines; asks for a new rendering when its width changes."""

    DEFAULT_CSS = """
    TimelineView { width: 1fr; height: 1fr; }
    """

    class WidthChanged(Message):
        """The view was resized: the lines must be rendered again at ``width``."""

        def __init__(self, width: int) -> None:
            super().__init__()
            self.width = width

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list[Strip] = []
        self._rendered_width = 0

    @property
    def line_width(self) -> int:
        """The width lines should be rendered at (the visible content width)."""
        return max(20, self.scrollable_content_region.width)

    def set_lines(self, lines: Sequence[list[Segment]], width: int) -> None:
        """Show lines rendered at ``width``."""
        self._lines = [Strip(line) for line in lines]
        self._rendered_width = width
        self.virtual_size = Size(width, len(self._lines))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        width = self.scrollable_content_region.width
        if index < len(self._lines):
            return self._lines[index].crop_extend(0, width, self.rich_style)
        return Strip.blank(width, self.rich_style)

    def on_resize(self, event: Resize) -> None:
        if self._rendered_width and self.line_width != self._rendered_width:
            self.post_message(self.WidthChanged(self.line_width))

    def on_unmount(self) -> None:
        # Drop the lines now: a closed screen is freed only by a full garbage collection
        # (its widgets refer to each other), and a long timeline is most of what it holds.
        self._lines = []

    def text(self) -> str:
        """The timeline as plain text, as it reads on screen."""
        return "\n".join(strip.text.rstrip() for strip in self._lines)
