"""Today's calls on the zone line, newest first."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from desk import clock, db
from desk.plurals import counted
from desk.services import calls, changes
from desk.services.calls import LogRow
from screens.base import DeskScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.live import LiveWatch
from screens.widgets import shorten

FIXED = {"time": 5, "len": 6, "why": 22, "by": 18}
"""Columns of a known width: the time, the length, the reason (the longest cut short), a staff name."""
SHARED = {"caller": (0.5, 16), "about": (0.22, 14), "outcome": (0.28, 14)}
"""The rest of the width, in shares, with a floor below which the table scrolls sideways instead."""
LABELS = {
    "time": "Time",
    "len": "Length",
    "caller": "Caller",
    "about": "About",
    "why": "Why",
    "outcome": "Outcome",
    "by": "Taken by",
}
CELL_PADDING = 2  # DataTable pads each cell by one either side
SCROLLBAR = 2


def column_widths(total: int) -> dict[str, int]:
    """Every column's width for a terminal ``total`` wide: all of them fit 160, the taker's name whole."""
    room = total - len(LABELS) * CELL_PADDING - SCROLLBAR - sum(FIXED.values())
    widths = dict(FIXED)
    for key, (share, least) in SHARED.items():
        widths[key] = max(least, int(room * share))
    return {key: widths[key] for key in LABELS}


class CallLogTable(DataTable[str | Text]):
    """The log's rows. Enter is the screen's Open here, so the footer shows it: DataTable's own
    Enter (select the row) is hidden, and being the focused widget's, it hid the screen's."""

    BINDINGS = [Binding("enter", "screen.open", "Open", tooltip="Open the person, or pick up an unfinished call")]


class CallLogScreen(DeskScreen[None]):
    """The zone's call log for today; Enter opens the person or picks up an open call."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("enter", "open", "Open", id="open", tooltip="Open the person, or pick up an unfinished call"),
        Binding("ctrl+r", "reload", "Refresh", id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[LogRow] = []
        self.live = LiveWatch(changes.mark)
        self._shown = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="log-status")
        yield CallLogTable(id="call-log", cursor_type="row", zebra_stripes=True)
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:
        self._widths: dict[str, int] = {}
        self._lay_out_columns()
        self.query_one(DataTable).focus()
        self.load()

    def _lay_out_columns(self) -> bool:
        """Columns sized to the terminal; True if they changed."""
        widths = column_widths(self.app.size.width)
        if widths == self._widths:
            return False
        self._widths = widths
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, width in widths.items():
            table.add_column(LABELS[key], key=key, width=width)
        return True

    def on_resize(self) -> None:
        if self._widths and self._lay_out_columns():
            self.show(self.rows)

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="call-log", exit_on_error=False)
    def load(self) -> None:
        app = self.desk
        with db.reading(app.engine) as session:
            self.live.note(session)
            rows = calls.log_for_day(session, app.zone_id)
        app.call_from_thread(self.show, rows)

    def show(self, rows: list[LogRow]) -> None:
        """Draw the day's calls; the highlighted call stays highlighted when the log is reloaded."""
        if self._shown and rows == self.rows:
            return  # nothing new: leave the table (and the co-ordinator's place in it) alone
        self._shown = True
        table = self.query_one(DataTable)
        was_on = self.rows[table.cursor_row].id if self.rows and table.row_count else None
        self.rows = rows
        table.clear()
        w = self._widths
        for r in rows:
            length = Text("OPEN", style="bold yellow") if r.status == "open" else Text(r.minutes)
            table.add_row(
                f"{clock.local(r.started_at):%H:%M}",
                length,
                shorten(r.caller, w["caller"]),
                shorten(r.person, w["about"]),
                shorten(r.reason, w["why"]),
                shorten(r.outcome, w["outcome"]),
                shorten(r.taken_by, w["by"]),
                key=str(r.id),
            )
        ids = [r.id for r in rows]
        if was_on in ids:
            table.move_cursor(row=ids.index(was_on), animate=False)
        open_count = sum(1 for r in rows if r.status == "open")
        self.query_one("#log-status", Static).update(
            f"Today, {clock.today():%A %d %B %Y}: {counted(len(rows), 'call')}"
            + (f", {open_count} still open" if open_count else "")
        )

    @on(DataTable.RowSelected)
    def _selected(self) -> None:  # a click on a row
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if not self.rows:
            return
        row = self.rows[table.cursor_row]
        if row.status == "open":
            self.desk.open_call(row.id)
        elif row.person_id is not None:
            self.desk.open_person(row.person_id)
        else:
            self.notify("That call was not about anyone on the register.")
