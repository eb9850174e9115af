"""The frame the zone's lists share: a status line over a table that follows the database, Enter opening a row.

The pick-ups, the reviews, the delays and the call log are each one of
these. Each lays its columns out to the terminal's width (again when it is
resized), reads its rows in a thread worker through one session, and reads
them again when it comes back to the top, on Ctrl+R, when another desk saves
something it shows (screens.live) and, where it has the key, when A switches
between the zone and every zone. What a list reads, how it draws its rows,
its status line and its own keys stay in its own module, and so do its
bindings: their order is the footer's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on
from textual.binding import Binding
from textual.widgets import DataTable
from textual.worker import Worker

from desk import db
from desk.services import changes, reference
from screens.base import DeskScreen
from screens.live import LiveWatch

if TYPE_CHECKING:
    from sqlmodel import Session

ReadT = TypeVar("ReadT")
"""What one read of a list gives its :meth:`ZoneListScreen.show`."""

Line = tuple[str, Sequence[str | Text]]
"""One row of a list's table: its key (the row's id, as text) and its cells in column order."""


class ListTable(DataTable[str | Text]):
    """A list's rows; Enter is the screen's Open (DataTable's own Enter hidden behind it)."""

    BINDINGS = [Binding("enter", "screen.open", "Open", tooltip="Open the person's record")]


class ZoneListScreen(DeskScreen[None], Generic[ReadT]):
    """A list of the zone's rows, or every zone's, kept as the database has them."""

    LABELS: ClassVar[dict[str, str]] = {}
    """Each column's key and heading, in order."""
    LOAD_GROUP: ClassVar[str] = "zone-list"
    """The read's worker group: a read started cancels the one still running."""

    def __init__(self, *, all_zones: bool = False) -> None:
        super().__init__()
        self.all_zones = all_zones
        """Every zone of the trust, not only the desk's (A switches, where the list has it)."""
        self.loaded = 0
        """How many times the list has been read and shown (for tests)."""
        self.live = LiveWatch(changes.mark)
        self._widths: dict[str, int] = {}

    # --- what each list says for itself ----------------------------------------------

    def widths_for(self, total: int) -> dict[str, int]:
        """Every column's width for a terminal ``total`` wide."""
        raise NotImplementedError

    def read(self, session: Session) -> ReadT:
        """In the worker: what the list shows, read through ``session``."""
        raise NotImplementedError

    def show(self, read: ReadT) -> None:
        """Draw what was read, on the event loop."""
        raise NotImplementedError

    def redraw(self) -> None:
        """Draw again what was last read: the columns were laid out anew."""
        raise NotImplementedError

    def action_open(self) -> None:
        """Open what the highlighted row is about."""
        raise NotImplementedError

    # --- the frame -------------------------------------------------------------------

    def on_mount(self) -> None:
        self._lay_out_columns()
        self.query_one(DataTable).focus()
        self.load()

    def _lay_out_columns(self) -> bool:
        """Columns sized to the terminal; True if they changed (the table is emptied)."""
        widths = self.widths_for(self.app.size.width)
        if widths == self._widths:
            return False
        self._widths = widths
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, width in widths.items():
            table.add_column(self.LABELS[key], key=key, width=width)
        return True

    def on_resize(self) -> None:
        if self._widths and self._lay_out_columns():
            self.redraw()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_all_zones(self) -> None:
        self.all_zones = not self.all_zones
        self.load()

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.load()

    @on(DataTable.RowSelected)
    def _selected(self) -> None:  # a click on a row
        self.action_open()

    def load(self) -> Worker[None]:
        """Read the list again in a thread worker, one session, noted by the live watch before it reads."""
        return self.run_worker(
            self._read_then_show, name="load", group=self.LOAD_GROUP, exclusive=True, thread=True, exit_on_error=False
        )

    def _read_then_show(self) -> None:
        app = self.desk
        with db.reading(app.engine) as session:
            self.live.note(session)
            read = self.read(session)
        app.call_from_thread(self.show, read)

    # --- for the lists' reads and draws ----------------------------------------------

    def zone_ids(self, session: Session) -> list[str]:
        """In the worker: the zones the list covers, the desk's or every zone of the trust."""
        return [z.id for z in reference.zones(session)] if self.all_zones else [self.desk.zone_id]

    def where(self) -> str:
        """What the list covers, for its status line."""
        return "every zone" if self.all_zones else f"zone {self.desk.zone_id}"

    def fill(self, lines: Iterable[Line]) -> None:
        """The table's rows replaced by ``lines``; the highlighted row stays highlighted if it is still there."""
        table = self.query_one(DataTable)
        was_on = table.coordinate_to_cell_key(table.cursor_coordinate).row_key if table.row_count else None
        table.clear()
        for key, cells in lines:
            table.add_row(*cells, key=key)
        if was_on is not None and was_on in table.rows:
            table.move_cursor(row=table.get_row_index(was_on), animate=False)
