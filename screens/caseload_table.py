"""A fast, read-only table for one page of the caseload.

Textual's DataTable measures every cell and renders each visible cell through
Rich on every change, which costs 70-200 ms a page. Here each row is turned
into a Strip once, when its page arrives, with fixed column widths; a frame
only picks out the strips that are visible, so paging costs a few ms and
leaves little garbage behind for the collector.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from desk import clock
from desk.rows import CaseloadRow

COLUMNS: tuple[tuple[str, int], ...] = (  # (header, width in cells); what a co-ordinator scans first comes first
    ("Name", 23),
    ("NHS number", 12),
    ("Age", 3),
    ("Flags", 22),
    ("Next due", 27),
    ("Health", 20),
    ("Social care", 27),
    ("Key worker", 16),
    ("GP practice", 32),
)
"""Sized so all but the GP practice fit 160 cells, flags uncut ("CRISIS HOSP ALONE WAIT"); the practice scrolls."""
GAP = 1
"""Cells of space before each column, so neighbouring columns never touch."""
LINE_WIDTH = sum(width + GAP for _, width in COLUMNS) + GAP


def _spans() -> tuple[tuple[int, int], ...]:
    """Where each column starts and ends on a line, in cells."""
    spans: list[tuple[int, int]] = []
    x = GAP
    for _, width in COLUMNS:
        spans.append((x, x + width))
        x += width + GAP
    return tuple(spans)


SPANS = _spans()
NARROWEST = 8
"""Cells a column needs to be worth showing narrowed: "Next due" or "30-Nov …" still reads."""


@dataclass(frozen=True)
class View:
    """What of a line a view ``width`` cells wide, scrolled ``scroll_x`` across, shows.

    The columns wholly inside it (cells ``start`` to ``end`` of the line), and
    then the column the right edge would cut through, narrowed to ``narrowed``
    cells with its text ending in an ellipsis (``column`` None when there is
    none, or it would be narrower than :data:`NARROWEST`). A column is never
    cut through, so a terminal of any width shows no stray sliver of one (a
    header cut to "Social ca").
    """

    start: int
    end: int
    column: int | None = None
    narrowed: int = 0


def view(scroll_x: int, width: int) -> View:
    """The :class:`View` of a line for this scroll position and width."""
    right = scroll_x + width
    inside = [i for i, (start, end) in enumerate(SPANS) if start >= scroll_x and end <= right]
    if not inside:
        return View(scroll_x, right)
    start = max(scroll_x, SPANS[inside[0]][0] - GAP)
    end = SPANS[inside[-1]][1]
    after = inside[-1] + 1
    room = right - end - GAP
    if after < len(SPANS) and room >= NARROWEST:
        return View(start, end, after, room)
    return View(start, end)


CRISIS = Style(bold=True, color="red")
FLAGS = Style(color="yellow")
OVERDUE = Style(bold=True, color="red")
DUE_TODAY = Style(bold=True, color="yellow")
PLAIN = Style()

Cell = tuple[str, Style]


def row_cells(row: CaseloadRow, today: date) -> list[Cell]:
    """A row's cells as shown, uncropped, each with its own style (red for a crisis or overdue)."""
    due: Cell = ("", PLAIN)
    if row.next_due_on:
        style = OVERDUE if row.next_due_on < today else (DUE_TODAY if row.next_due_on == today else PLAIN)
        due = (f"{row.next_due_on:%d-%b} {row.next_due_what}", style)
    flags = (row.flags, CRISIS if row.crisis else FLAGS)
    return [
        (row.name, PLAIN),
        (row.nhs_display, PLAIN),
        (str(row.age), PLAIN),
        flags,
        due,
        (row.health, PLAIN),
        (row.social, PLAIN),
        (row.key_worker, PLAIN),
        (row.practice, PLAIN),
    ]


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cropped cell-aware with an ellipsis to show it was cut."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def line_segments(cells: list[Cell]) -> list[Segment]:
    """One table line: every cell fitted to its column, a gap before each."""
    gap = Segment(" " * GAP)
    segments: list[Segment] = []
    for (text, style), (_, width) in zip(cells, COLUMNS, strict=True):
        segments.append(gap)
        segments.append(Segment(fit(text, width), style or None))
    segments.append(gap)
    return segments


class CaseloadTable(ScrollView, can_focus=True):
    """One page of caseload rows, formatted once, with a row cursor."""

    BINDINGS = [
        Binding("enter", "choose", "Open", show=False),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("home", "cursor_first", "First", show=False),
        Binding("end", "cursor_last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    COMPONENT_CLASSES = {
        "caseload-table--header",
        "caseload-table--even-row",
        "caseload-table--cursor",
    }

    DEFAULT_CSS = """
    CaseloadTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .caseload-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .caseload-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .caseload-table--even-row { background: $surface-darken-1 40%; }
        & > .caseload-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .caseload-table--even-row { background: $surface-lighten-1 50%; }
        & > .caseload-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    @dataclass
    class RowChosen(Message):
        """Enter (or a double click) on a row: the screen decides what opening a person means."""

        person_id: int

    @dataclass
    class PastEdge(Message):
        """Down on the last row (step 1) or Up on the first (step -1): the screen may load the next page."""

        step: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[CaseloadRow] = []
        self._cells: list[list[Cell]] = []
        self._lines: list[Strip] = []  # unstyled, formatted once per page
        self._styled: dict[tuple[int, int, int], Strip] = {}  # (row or -1 for header, scroll x, width) -> strip
        self._cursor = 0
        self.virtual_size = Size(LINE_WIDTH, 1)

    # --- what tests and the screen read ------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @cursor_row.setter
    def cursor_row(self, row: int) -> None:
        row = max(0, min(row, len(self.rows) - 1))
        old, self._cursor = self._cursor, row
        if old != row:
            self._forget(old)
            self._forget(row)
            self._refresh_row(old)
            self._refresh_row(row)
        self._scroll_to_cursor()

    @property
    def selected_person_id(self) -> int | None:
        return self.rows[self._cursor].person_id if self.rows else None

    def row_texts(self) -> list[list[str]]:
        """The plain text of every cell, row by row, in column order, before cropping."""
        return [[text for text, _ in cells] for cells in self._cells]

    # --- a new page ----------------------------------------------------------------------

    def show_rows(self, rows: list[CaseloadRow], cursor: int = 0) -> None:
        """Replace the page: every row is formatted here, once, so frames only copy strips."""
        today = clock.today()
        self.rows = list(rows)
        self._cells = [row_cells(row, today) for row in self.rows]
        self._lines = [Strip(line_segments(cells), LINE_WIDTH) for cells in self._cells]
        self._styled.clear()
        self._cursor = max(0, min(cursor, len(self.rows) - 1))
        self.virtual_size = Size(LINE_WIDTH, len(self.rows) + 1)
        self.scroll_to(y=0, animate=False, immediate=True)
        self._scroll_to_cursor()
        self.refresh()

    def replace_rows(self, rows: list[CaseloadRow]) -> None:
        """The same page read again (a change saved somewhere): keep the co-ordinator's place.

        The highlighted person stays highlighted, on the same line of the
        screen, if they are still on the page; otherwise the cursor stays on
        the same row number. Nothing is redrawn when nothing changed.
        """
        if rows == self.rows:
            return
        chosen = self.selected_person_id
        line = self._cursor - self.scroll_offset.y  # where the cursor sits in the window
        ids = [row.person_id for row in rows]
        cursor = ids.index(chosen) if chosen in ids else self._cursor
        today = clock.today()
        self.rows = list(rows)
        self._cells = [row_cells(row, today) for row in self.rows]
        self._lines = [Strip(line_segments(cells), LINE_WIDTH) for cells in self._cells]
        self._styled.clear()
        self._cursor = max(0, min(cursor, len(self.rows) - 1))
        self.virtual_size = Size(LINE_WIDTH, len(self.rows) + 1)
        self.scroll_to(y=max(0, self._cursor - line), animate=False, immediate=True)
        self._scroll_to_cursor()
        self.refresh()

    # --- drawing -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = -1 if y == 0 else scroll_y + y - 1
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        key = (index, scroll_x, width)
        strip = self._styled.get(key)
        if strip is None:
            strip = self._styled[key] = self._view_line(index, view(scroll_x, width), scroll_x, width)
        return strip

    def _view_line(self, index: int, shown: View, scroll_x: int, width: int) -> Strip:
        """One line as this view shows it: whole columns, a narrowed last one, blank beyond."""
        line = Strip(self._dress(index, list(self._source(index))), LINE_WIDTH).crop(shown.start, shown.end)
        parts = [line]
        if shown.start > scroll_x:
            parts.insert(0, Strip(self._dress(index, [Segment(" " * (shown.start - scroll_x))])))
        if shown.column is not None:
            text, style = self._cell(index, shown.column)
            narrowed = [Segment(" " * GAP), Segment(fit(text, shown.narrowed), style or None)]
            parts.append(Strip(self._dress(index, narrowed)))
        joined = Strip.join(parts)
        rest = width - joined.cell_length
        if rest > 0:
            joined = Strip.join([joined, Strip(self._dress(index, [Segment(" " * rest)]))])
        return joined

    def _source(self, index: int) -> list[Segment]:
        """The header's or a row's unstyled segments."""
        if index == -1:
            return line_segments([(label, PLAIN) for label, _ in COLUMNS])
        return list(self._lines[index])

    def _cell(self, index: int, column: int) -> Cell:
        return (COLUMNS[column][0], PLAIN) if index == -1 else self._cells[index][column]

    def _dress(self, index: int, segments: list[Segment]) -> list[Segment]:
        """Segments of a line with its look: the header, the cursor, a zebra stripe; cell colours stay on top."""
        base = self.rich_style
        if index == -1:
            return list(Segment.apply_style(segments, base + self.get_component_rich_style("caseload-table--header")))
        if index == self._cursor:
            cursor = self.get_component_rich_style("caseload-table--cursor")
            return list(Segment.apply_style(segments, base, cursor))
        if index % 2:
            return list(Segment.apply_style(segments, base + self.get_component_rich_style("caseload-table--even-row")))
        return list(Segment.apply_style(segments, base))

    def _forget(self, index: int) -> None:
        """Drop the styled strips of one row (the cursor moved on or off it)."""
        for key in [k for k in self._styled if k[0] == index]:
            del self._styled[key]

    def _refresh_row(self, index: int) -> None:
        y = index - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def notify_style_update(self) -> None:
        """Theme, focus or size changed: styled strips must be made again."""
        self._styled.clear()
        super().notify_style_update()

    def on_focus(self, event: events.Focus) -> None:
        self._styled.clear()
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self._styled.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._styled.clear()

    # --- moving ----------------------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        """Keep the cursor row in view below the header."""
        top = self.scroll_offset.y
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif self._cursor >= top + self._visible_rows:
            self.scroll_to(y=self._cursor - self._visible_rows + 1, animate=False, immediate=True)

    def action_cursor_up(self) -> None:
        if self.rows and self._cursor == 0:
            self.post_message(self.PastEdge(-1))
        self.cursor_row = self._cursor - 1

    def action_cursor_down(self) -> None:
        if self.rows and self._cursor == len(self.rows) - 1:
            self.post_message(self.PastEdge(1))
        self.cursor_row = self._cursor + 1

    def action_cursor_first(self) -> None:
        self.cursor_row = 0

    def action_cursor_last(self) -> None:
        self.cursor_row = len(self.rows) - 1

    def action_page_up(self) -> None:
        self.cursor_row = self._cursor - self._visible_rows

    def action_page_down(self) -> None:
        self.cursor_row = self._cursor + self._visible_rows

    def action_choose(self) -> None:
        if (person_id := self.selected_person_id) is not None:
            self.post_message(self.RowChosen(person_id))

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a double click opens the row, as Enter does."""
        index = self.scroll_offset.y + event.y - 1
        if event.y >= 1 and 0 <= index < len(self.rows):
            self.cursor_row = index
            if event.chain >= 2:
                self.action_choose()
