"""A fast, read-only table for one page of the caseload.

Textual's DataTable measures every cell and renders each visible cell through
Rich on every change, which costs 70-200 ms a page. Here each row is turned
into a Strip once, when its page arrives, with fixed column widths; a frame
only picks out the strips that are visible, so paging costs a few ms and
leaves little garbage behind for the collector (the drawing is
:class:`screens.line_table.LineTable`'s, shared with the crisis board).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rich.style import Style
from textual.binding import Binding
from textual.message import Message

from desk import clock
from desk.rows import CaseloadRow
from screens.line_table import PLAIN, Cell, LineTable, View, fit, line_width, spans_of, view_of

__all__ = ["COLUMNS", "LINE_WIDTH", "SPANS", "CaseloadTable", "fit", "row_cells", "view"]

COLUMNS: tuple[tuple[str, int], ...] = (  # (header, width in cells); what a co-ordinator scans first comes first
    ("Name", 23),
    ("NHS number", 12),
    ("Age", 3),
    ("Flags", 24),
    ("Next due", 25),
    ("Health", 20),
    ("Social care", 27),
    ("Key worker", 16),
    ("GP practice", 32),
)
"""Sized so all but the GP practice fit 160 cells, flags uncut ("CRISIS PICKUP ALONE WAIT": HOSP gives way to
PICKUP at the discharge, so the two never stand together but on a readmission); the practice scrolls."""
LINE_WIDTH = line_width(COLUMNS)
SPANS = spans_of(COLUMNS)


def view(scroll_x: int, width: int) -> View:
    """The :class:`View` of a caseload line for this scroll position and width."""
    return view_of(SPANS, scroll_x, width)


CRISIS = Style(bold=True, color="red")
FLAGS = Style(color="yellow")
OVERDUE = Style(bold=True, color="red")
DUE_TODAY = Style(bold=True, color="yellow")


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


class CaseloadTable(LineTable):
    """One page of caseload rows, formatted once, with a row cursor."""

    BINDINGS = [Binding("enter", "choose", "Open", show=False)]

    @dataclass
    class RowChosen(Message):
        """Enter (or a double click) on a row: the screen decides what opening a person means."""

        person_id: int

    @dataclass
    class PastEdge(Message):
        """Down on the last row (step 1) or Up on the first (step -1): the screen may load the next page."""

        step: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(COLUMNS, id=id, classes=classes)
        self.rows: list[CaseloadRow] = []

    @property
    def selected_person_id(self) -> int | None:
        return self.rows[self.cursor_row].person_id if self.rows else None

    # --- a new page ----------------------------------------------------------------------

    def show_rows(self, rows: list[CaseloadRow], cursor: int = 0) -> None:
        """Replace the page: every row is formatted here, once, so frames only copy strips."""
        today = clock.today()
        self.rows = list(rows)
        self.set_lines([row_cells(row, today) for row in self.rows], cursor)

    def replace_rows(self, rows: list[CaseloadRow]) -> None:
        """The same page read again (a change saved somewhere): keep the co-ordinator's place.

        The highlighted person stays highlighted, on the same line of the
        screen, if they are still on the page; otherwise the cursor stays on
        the same row number. Nothing is redrawn when nothing changed.
        """
        if rows == self.rows:
            return
        chosen = self.selected_person_id
        line = self.cursor_row - self.scroll_offset.y  # where the cursor sits in the window
        ids = [row.person_id for row in rows]
        cursor = ids.index(chosen) if chosen in ids else self.cursor_row
        cursor = max(0, min(cursor, len(rows) - 1))
        today = clock.today()
        self.rows = list(rows)
        self.set_lines([row_cells(row, today) for row in self.rows], cursor, top=cursor - line)

    # --- moving past the page ------------------------------------------------------------

    def action_cursor_up(self) -> None:
        if self.rows and self.cursor_row == 0:
            self.post_message(self.PastEdge(-1))
        super().action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.rows and self.cursor_row == len(self.rows) - 1:
            self.post_message(self.PastEdge(1))
        super().action_cursor_down()

    def action_choose(self) -> None:
        if (person_id := self.selected_person_id) is not None:
            self.post_message(self.RowChosen(person_id))
