"""A read-only table drawn line by line: each row made into a Strip once, a frame only picks the visible ones.

Textual's DataTable measures every cell as rows are added and, once any cell
changes, renders every visible cell through Rich again. Here the columns
have fixed widths, so a row is turned into a Strip once, the first time it
is drawn; a frame copies the strips in view (styled with the cursor and
zebra stripes, cached until they change), and changing one row makes just
its strip again and repaints just its line. The caseload and the crisis
board are both drawn this way.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = tuple[str, Style]
"""A cell's whole text and its own style (colours stay on top of the row's look)."""
Column = tuple[str, int]
"""A column's header and its width in cells."""
PLAIN = Style()
GAP = 1
"""Cells of space before each column, so neighbouring columns never touch."""
NARROWEST = 8
"""Cells a column needs to be worth showing narrowed: "Next due" or "30-Nov …" still reads."""


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cropped cell-aware with an ellipsis to show it was cut."""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    return set_cell_size(text, width - 1) + "…"


def spans_of(columns: Sequence[Column]) -> tuple[tuple[int, int], ...]:
    """Where each column starts and ends on a line, in cells."""
    spans: list[tuple[int, int]] = []
    x = GAP
    for _, width in columns:
        spans.append((x, x + width))
        x += width + GAP
    return tuple(spans)


def line_width(columns: Sequence[Column]) -> int:
    """Cells of a whole line: every column, a gap before each and one after the last."""
    return sum(width + GAP for _, width in columns) + GAP


def line_segments(cells: Sequence[Cell], columns: Sequence[Column]) -> list[Segment]:
    """One table line: every cell fitted to its column, a gap before each."""
    gap = Segment(" " * GAP)
    segments: list[Segment] = []
    for (text, style), (_, width) in zip(cells, columns, strict=True):
        segments.append(gap)
        segments.append(Segment(fit(text, width), style or None))
    segments.append(gap)
    return segments


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


def view_of(spans: Sequence[tuple[int, int]], scroll_x: int, width: int) -> View:
    """The :class:`View` of a line with these column ``spans`` for this scroll position and width."""
    right = scroll_x + width
    inside = [i for i, (start, end) in enumerate(spans) if start >= scroll_x and end <= right]
    if not inside:
        return View(scroll_x, right)
    start = max(scroll_x, spans[inside[0]][0] - GAP)
    end = spans[inside[-1]][1]
    after = inside[-1] + 1
    room = right - end - GAP
    if after < len(spans) and room >= NARROWEST:
        return View(start, end, after, room)
    return View(start, end)


class LineTable(ScrollView, can_focus=True):
    """Rows of fixed-width cells under a header line, with a row cursor; subclasses say what a row is."""

    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("home", "cursor_first", "First", show=False),
        Binding("end", "cursor_last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
    ]

    COMPONENT_CLASSES = {"line-table--header", "line-table--even-row", "line-table--cursor"}

    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
            & > .line-table--header { background-tint: $foreground 5%; }
        }
        &:dark > .line-table--even-row { background: $surface-darken-1 40%; }
        & > .line-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .line-table--even-row { background: $surface-lighten-1 50%; }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    CELL_COLOURS_UNDER_CURSOR = False
    """True: a cell's own colours show through the cursor (a board's red stays red when highlighted)."""
    CLICK_ON_CURSOR_CHOOSES = False
    """True: a click on the highlighted row chooses it, as Enter does (a double click always does)."""

    def __init__(self, columns: Sequence[Column], *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cells: list[list[Cell] | None] = []  # None: made by make_cells when first needed
        self._lines: list[Strip | None] = []  # unstyled, made once per row, when first drawn
        self._styled: dict[int, dict[tuple[int, int], Strip]] = {}  # row (-1 the header) -> (scroll x, width) -> strip
        self._cursor = 0
        self._looks: dict[str, Style] = {}  # the header's, a row's, a stripe's and the cursor's, until styles change
        self.set_columns(columns)

    def set_columns(self, columns: Sequence[Column]) -> None:
        """The columns (headers and widths) every line is made to; rows already held are made again."""
        self.columns = tuple(columns)
        self.spans = spans_of(self.columns)
        self.line_width = line_width(self.columns)
        self._header = Strip(line_segments([(label, PLAIN) for label, _ in self.columns], self.columns))
        self._lines = [None] * len(self._cells)
        self._styled.clear()
        self.virtual_size = Size(self.line_width, len(self._cells) + 1)
        self.refresh()

    # --- what tests and screens read ---------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._cells)

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @cursor_row.setter
    def cursor_row(self, row: int) -> None:
        row = max(0, min(row, len(self._cells) - 1))
        old, self._cursor = self._cursor, row
        if old != row:
            self._forget(old)
            self._forget(row)
            self._refresh_row(old)
            self._refresh_row(row)
        self._scroll_to_cursor()
        if old != row:
            self.cursor_moved(row)

    def row_texts(self) -> list[list[str]]:
        """The plain text of every cell, row by row, in column order, before cropping."""
        return [[text for text, _ in self.cells(index)] for index in range(len(self._cells))]

    def cells(self, index: int) -> list[Cell]:
        """Row ``index``'s cells, whole (made now if they were left to be made when needed)."""
        cells = self._cells[index]
        if cells is None:
            cells = self._cells[index] = self.make_cells(index)
        return cells

    def make_cells(self, index: int) -> list[Cell]:
        """The cells of row ``index``, for a table given its rows as None (to be made when first drawn)."""
        raise NotImplementedError(f"{type(self).__name__} was given row {index} to make but cannot make rows")

    def rendered_line(self, y: int) -> str:
        """Line ``y`` of the table as it is drawn now (0 is the header)."""
        return "".join(segment.text for segment in self.render_line(y))

    # --- rows ---------------------------------------------------------------------------

    def set_lines(self, cells: list[list[Cell] | None], cursor: int, top: int | None = None) -> None:
        """Hold these rows, the cursor on ``cursor``, ``top`` the first in view (None: the top).

        Each row is made into its line once, the first time it is drawn, so
        holding many rows costs only the few in view; a row given as None has
        its cells made then too (:meth:`make_cells`). The cursor is kept in view.
        """
        self._cells = cells
        self._lines = [None] * len(cells)
        self._styled.clear()
        self._cursor = max(0, min(cursor, len(cells) - 1))
        self.virtual_size = Size(self.line_width, len(cells) + 1)
        self.scroll_to(y=max(0, top or 0), animate=False, immediate=True)
        self._scroll_to_cursor()
        self.refresh()

    def rows_changed(self, changed: Iterable[int], columns: range | None = None) -> None:
        """These rows changed: each is made again (:meth:`make_cells`) when next drawn; only those in view repaint.

        ``columns``, when only those columns of the rows changed: only their
        cells are repainted (the rest of each line is drawn as it was).
        """
        scroll_x, top = self.scroll_offset
        height, width = self.size.height, self.size.width
        x, cells = 0, width
        if columns is not None:
            x = max(0, self.spans[columns.start][0] - GAP - scroll_x)
            cells = min(width, self.spans[columns.stop - 1][1] - scroll_x) - x
        for index in changed:
            self._cells[index] = None
            self._lines[index] = None
            self._styled.pop(index, None)
            y = index - top + 1
            if 1 <= y < height and cells > 0:
                self.refresh(Region(x, y, cells, 1))

    def made(self, index: int) -> bool:
        """True once row ``index``'s cells have been made (a row given as None is made when first drawn)."""
        return self._cells[index] is not None

    def cells_changed(self, changed: dict[int, dict[int, Cell]]) -> None:
        """Some cells of some rows changed (row -> column -> its new cell): only those cells are made again.

        The rest of each row's cells and line are kept: a changed cell's text
        is fitted to its column and put in its place on the line, and only
        the changed cells in view repaint.
        """
        scroll_x, top = self.scroll_offset
        height, width = self.size.height, self.size.width
        for index, cells in changed.items():
            held = self._cells[index]
            if held is None:
                continue  # not made yet: it is made whole, as it is now, when first drawn
            held = self._cells[index] = list(held)
            line = self._lines[index]
            segments = list(line) if line is not None else None
            for column, cell in cells.items():
                held[column] = cell
                if segments is not None:  # a line is a gap before each cell: the cell is segment 2 * column + 1
                    text, style = cell
                    segments[2 * column + 1] = Segment(fit(text, self.columns[column][1]), style or None)
            self._lines[index] = Strip(segments, self.line_width) if segments is not None else None
            self._styled.pop(index, None)
            y = index - top + 1
            if 1 <= y < height:
                x = max(0, self.spans[min(cells)][0] - GAP - scroll_x)
                end = min(width, self.spans[max(cells)][1] - scroll_x)
                if end > x:
                    self.refresh(Region(x, y, end - x, 1))

    def cursor_moved(self, row: int) -> None:
        """The cursor moved to ``row`` (by a key or a click); a subclass may tell its screen."""

    def action_choose(self) -> None:
        """Enter, or a double click, on the highlighted row; what choosing means is the subclass's."""

    # --- drawing -------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = -1 if y == 0 else scroll_y + y - 1
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        styled = self._styled.setdefault(index, {})
        strip = styled.get((scroll_x, width))
        if strip is None:
            shown = view_of(self.spans, scroll_x, width)
            strip = styled[scroll_x, width] = self._view_line(index, shown, scroll_x, width)
        return strip

    def _view_line(self, index: int, shown: View, scroll_x: int, width: int) -> Strip:
        """One line as this view shows it: whole columns, a narrowed last one, blank beyond."""
        if shown.start == scroll_x == 0 and shown.column is None and shown.end == self.line_width - GAP:
            line = Strip(self._dress(index, list(self._source(index))), self.line_width)  # the whole line fits
            rest = width - self.line_width
            return Strip.join([line, Strip(self._dress(index, [Segment(" " * rest)]))]) if rest > 0 else line
        line = Strip(self._dress(index, list(self._source(index))), self.line_width).crop(shown.start, shown.end)
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

    def _source(self, index: int) -> Strip:
        """The header's or a row's unstyled line (made now if it has not been yet)."""
        if index == -1:
            return self._header
        line = self._lines[index]
        if line is None:
            line = self._lines[index] = Strip(line_segments(self.cells(index), self.columns), self.line_width)
        return line

    def _cell(self, index: int, column: int) -> Cell:
        return (self.columns[column][0], PLAIN) if index == -1 else self.cells(index)[column]

    def _dress(self, index: int, segments: list[Segment]) -> list[Segment]:
        """Segments of a line with its look: the header, the cursor, a zebra stripe; cell colours stay on top."""
        looks = self._looks or self._make_looks()
        if index == -1:
            return list(Segment.apply_style(segments, looks["header"]))
        if index == self._cursor:
            if self.CELL_COLOURS_UNDER_CURSOR:
                return list(Segment.apply_style(segments, looks["base+cursor"]))
            return list(Segment.apply_style(segments, looks["base"], looks["cursor"]))
        return list(Segment.apply_style(segments, looks["even" if index % 2 else "base"]))

    def _make_looks(self) -> dict[str, Style]:
        base, part = self.rich_style, self.get_component_rich_style
        cursor = part("line-table--cursor")
        self._looks = {
            "base": base,
            "header": base + part("line-table--header"),
            "even": base + part("line-table--even-row"),
            "cursor": cursor,
            "base+cursor": base + cursor,
        }
        return self._looks

    def _forget(self, index: int) -> None:
        """Drop the styled strips of one row (the cursor moved on or off it)."""
        self._styled.pop(index, None)

    def _refresh_row(self, index: int) -> None:
        y = index - self.scroll_offset.y + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def notify_style_update(self) -> None:
        """Theme, focus or size changed: styled strips must be made again."""
        self._styled.clear()
        self._looks = {}
        super().notify_style_update()

    def on_focus(self, event: events.Focus) -> None:
        self._styled.clear()
        self._looks = {}
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self._styled.clear()
        self._looks = {}
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
        self.cursor_row = self._cursor - 1

    def action_cursor_down(self) -> None:
        self.cursor_row = self._cursor + 1

    def action_cursor_first(self) -> None:
        self.cursor_row = 0

    def action_cursor_last(self) -> None:
        self.cursor_row = len(self._cells) - 1

    def action_page_up(self) -> None:
        self.cursor_row = self._cursor - self._visible_rows

    def action_page_down(self) -> None:
        self.cursor_row = self._cursor + self._visible_rows

    def on_click(self, event: events.Click) -> None:
        """A click moves the cursor; a double click opens the row, as Enter does."""
        index = self.scroll_offset.y + event.y - 1
        if event.y >= 1 and 0 <= index < len(self._cells):
            on_cursor = index == self._cursor
            self.cursor_row = index
            if event.chain >= 2 or (on_cursor and self.CLICK_ON_CURSOR_CHOOSES):
                self.action_choose()
