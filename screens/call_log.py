"""Today's calls on the zone line, newest first."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from desk import clock, db
from desk.services import calls
from desk.services.calls import LogRow
from screens.base import DeskScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter


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

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="log-status")
        yield CallLogTable(id="call-log", cursor_type="row", zebra_stripes=True)
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

    @work(thread=True, exclusive=True, group="call-log", exit_on_error=False)
    def load(self) -> None:
        app = self.desk
        with db.reading(app.engine) as session:
            rows = calls.log_for_day(session, app.zone_id)
        app.call_from_thread(self.show, rows)

    def show(self, rows: list[LogRow]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
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
            self.desk.open_call(row.id)
        elif row.person_id is not None:
            self.desk.open_person(row.person_id)
        else:
            self.notify("That call was not about anyone on the register.")
