"""Today's calls on the zone line, newest first."""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from desk import clock
from desk.plurals import counted
from desk.services import calls
from desk.services.calls import LogRow
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.widgets import shorten
from screens.zone_list import ListTable, ZoneListScreen

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


class CallLogTable(ListTable):
    """The log's rows. Enter is the screen's Open here, so the footer shows it: DataTable's own
    Enter (select the row) is hidden, and being the focused widget's, it hid the screen's."""

    BINDINGS = [Binding("enter", "screen.open", "Open", tooltip="Open the person, or pick up an unfinished call")]


class CallLogScreen(ZoneListScreen[list[LogRow]]):
    """The zone's call log for today; Enter opens the person or picks up an open call."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("enter", "open", "Open", id="open", tooltip="Open the person, or pick up an unfinished call"),
        Binding("ctrl+r", "reload", "Refresh", id="reload"),
    ]
    LABELS = LABELS
    LOAD_GROUP = "call-log"

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[LogRow] = []
        self._shown = False

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="log-status")
        yield CallLogTable(id="call-log", cursor_type="row", zebra_stripes=True)
        yield self.live
        yield KeyFooter()

    def widths_for(self, total: int) -> dict[str, int]:
        return column_widths(total)

    def read(self, session: Session) -> list[LogRow]:
        return calls.log_for_day(session, self.desk.zone_id)

    def redraw(self) -> None:
        self._shown = False  # the columns were laid out anew and the table emptied: draw the same rows again
        self.show(self.rows)

    def show(self, rows: list[LogRow]) -> None:
        """Draw the day's calls; the highlighted call stays highlighted when the log is reloaded."""
        if self._shown and rows == self.rows:
            return  # nothing new: leave the table (and the co-ordinator's place in it) alone
        self._shown = True
        self.rows = rows
        self.loaded += 1
        w = self._widths
        self.fill(
            (
                str(r.id),
                [
                    f"{clock.local(r.started_at):%H:%M}",
                    Text("OPEN", style="bold yellow") if r.status == "open" else Text(r.minutes),
                    shorten(r.caller, w["caller"]),
                    shorten(r.person, w["about"]),
                    shorten(r.reason, w["why"]),
                    shorten(r.outcome, w["outcome"]),
                    shorten(r.taken_by, w["by"]),
                ],
            )
            for r in rows
        )
        open_count = sum(1 for r in rows if r.status == "open")
        self.query_one("#log-status", Static).update(
            f"Today, {clock.today():%A %d %B %Y}: {counted(len(rows), 'call')}"
            + (f", {open_count} still open" if open_count else "")
        )

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
