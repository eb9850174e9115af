"""The waiting list: every package and equipment item not yet available, by days left to its target.

A package should be available within 28 days of being asked for, equipment
within 7 (desk.packages.targets). The list reads only the rows it shows, the
fewest days left first, from one index per table (``available_on,
target_on``), in a worker, so the whole trust's list opens as fast as one
zone's. A target missed or at risk says so in a word as well as a colour.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from desk import db
from desk.packages import targets
from desk.packages.targets import Waiting
from desk.plurals import counted
from desk.services import changes
from screens.base import DeskScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.live import LiveWatch
from screens.widgets import shorten

SHOWN = 200
"""Rows read and shown at once: the ones with the fewest days left (a DataTable lays out every row it holds)."""
FLAG_STYLES = {"missed": "bold white on red", "at risk": "bold black on dark_orange", "": ""}
"""A colour for each flag; the word says the same for anyone who cannot see the colour."""
LABELS = {
    "flag": "Target",
    "left": "Days left",
    "kind": "Kind",
    "person": "Person",
    "what": "What",
    "requested": "Asked for",
    "target": "Due by",
    "zone": "Zone",
}
FIXED = {"flag": 8, "left": 16, "kind": 9, "requested": 11, "target": 11, "zone": 5}
CELL_PADDING = 2
SCROLLBAR = 2


def column_widths(total: int) -> dict[str, int]:
    """Every column's width for a terminal ``total`` wide: the person and the service share what is left."""
    room = total - len(LABELS) * CELL_PADDING - SCROLLBAR - sum(FIXED.values())
    person = max(16, int(room * 0.55))
    widths = {**FIXED, "person": person, "what": max(12, room - person)}
    return {key: widths[key] for key in LABELS}


def days_left_words(w: Waiting) -> str:
    """``5 days left`` or ``2 days over`` (of the target in the Kind column)."""
    if w.days_left < 0:
        return f"{counted(-w.days_left, 'day')} over"
    return f"{counted(w.days_left, 'day')} left"


def _key_of(w: Waiting) -> tuple[int, int | None]:
    return (w.package_id, w.item_id)


class WaitingTable(DataTable[str | Text]):
    """The list's rows; Enter is the screen's Open (DataTable's own Enter hidden behind it)."""

    BINDINGS = [Binding("enter", "screen.open", "Open", tooltip="Open the person's record")]


class WaitingListScreen(DeskScreen[None]):
    """Packages and equipment waiting against their 28- and 7-day targets; A for the whole trust."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("enter", "open", "Open", id="open", tooltip="Open the person's record"),
        Binding("a", "all_zones", "All zones", id="all_zones", tooltip="This zone's waiting list, or the trust's"),
        Binding("ctrl+r", "reload", "Refresh", id="reload"),
    ]

    def __init__(self, *, all_zones: bool = False) -> None:
        super().__init__()
        self.all_zones = all_zones
        self.rows: list[Waiting] = []
        self.loaded = 0
        """How many times the list has been read and shown (for tests and the bench)."""
        self.live = LiveWatch(changes.mark)
        self._widths: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Reading the waiting list...", id="waiting-status")
        yield WaitingTable(id="waiting", cursor_type="row", zebra_stripes=True)
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:
        self._lay_out_columns()
        self.query_one(DataTable).focus()
        self.load()

    def _lay_out_columns(self) -> bool:
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

    def action_all_zones(self) -> None:
        self.all_zones = not self.all_zones
        self.load()

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="waiting-list", exit_on_error=False)
    def load(self) -> None:
        app = self.desk
        with db.reading(app.engine) as session:
            self.live.note(session)
            rows = targets.waiting_list(session, zone_id=None if self.all_zones else app.zone_id, limit=SHOWN)
        app.call_from_thread(self.show, rows)

    def show(self, rows: list[Waiting]) -> None:
        """Draw the rows; the highlighted one stays highlighted when the list is read again."""
        table = self.query_one(DataTable)
        was_on = _key_of(self.rows[table.cursor_row]) if self.rows and table.row_count else None
        self.rows = rows
        self.loaded += 1
        table.clear()
        w = self._widths
        for row in rows:
            style = FLAG_STYLES[row.flag]
            table.add_row(
                Text(row.flag.upper() or "on time", style=style or "green"),
                Text(days_left_words(row), style=style),
                "Equipment" if row.kind == "equipment" else "Package",
                shorten(row.person, w["person"]),
                shorten(row.what, w["what"]),
                f"{row.requested_on:%d-%b-%Y}",
                f"{row.target_on:%d-%b-%Y}",
                row.zone_id,
                key=f"{row.package_id}-{row.item_id or 0}",
            )
        keys = [_key_of(r) for r in rows]
        if was_on in keys:
            table.move_cursor(row=keys.index(was_on), animate=False)
        missed = sum(1 for r in rows if r.flag == "missed")
        at_risk = sum(1 for r in rows if r.flag == "at risk")
        where = "the whole trust" if self.all_zones else f"zone {self.desk.zone_id}"
        more = f" (the {SHOWN} with fewest days left)" if len(rows) >= SHOWN else ""
        self.query_one("#waiting-status", Static).update(
            f"Waiting, {where}: {counted(len(rows), 'package or item', 'packages or items')}{more}; "
            f"{missed} missed, {at_risk} at risk. Targets: packages 28 days, equipment 7."
        )

    @on(DataTable.RowSelected)
    def _selected(self) -> None:  # a click on a row
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if self.rows and table.cursor_row < len(self.rows):
            self.desk.open_person(self.rows[table.cursor_row].person_id)
