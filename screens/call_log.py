"""Today's calls on the zone line, newest first."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from desk import clock, db
from desk.services import calls, changes
from desk.services.calls import LogRow
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.live import LiveWatch


class CallLogTable(DataTable[str | Text]):
    """The log's rows. Enter is the screen's Open here, so the footer shows it: DataTable's own
    Enter (select the row) is hidden, and being the focused widget's, it hid the screen's."""

    BINDINGS = [Binding("enter", "screen.open", "Open", tooltip="Open the person, or pick up an unfinished call")]


class CallLogScreen(Screen[None]):
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
        table = self.query_one(DataTable)
        for label, key in (
            ("Time", "time"),
            ("Length", "len"),
            ("Caller", "caller"),
            ("About", "about"),
            ("Why", "why"),
            ("Outcome", "outcome"),
            ("Taken by", "by"),
        ):
            table.add_column(label, key=key)
        table.focus()
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def action_reload(self) -> None:
        self.load()

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="call-log", exit_on_error=False)
    def load(self) -> None:
        app = self.app
        with db.reading(app.engine) as session:  # type: ignore[attr-defined]
            self.live.note(session)
            rows = calls.log_for_day(session, app.zone_id)  # type: ignore[attr-defined]
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
        for r in rows:
            length = Text("OPEN", style="bold yellow") if r.status == "open" else Text(r.minutes)
            table.add_row(
                f"{clock.local(r.started_at):%H:%M}",
                length,
                r.caller,
                r.person,
                r.reason,
                r.outcome,
                r.taken_by,
                key=str(r.id),
            )
        ids = [r.id for r in rows]
        if was_on in ids:
            table.move_cursor(row=ids.index(was_on), animate=False)
        open_count = sum(1 for r in rows if r.status == "open")
        self.query_one("#log-status", Static).update(
            f"Today, {clock.today():%A %d %B %Y}: {len(rows)} call(s)"
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
            self.app.open_call(row.id)  # type: ignore[attr-defined]
        elif row.person_id is not None:
            self.app.open_person(row.person_id)  # type: ignore[attr-defined]
        else:
            self.notify("That call was not about anyone on the register.")
