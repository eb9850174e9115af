"""The waiting list: every package and equipment item not yet available, by days left to its target.

A package should be available within 28 days of being asked for, equipment
within 7 (desk.packages.targets). The list reads only the rows it shows, the
fewest days left first, from one index per table (``available_on,
target_on``), in a worker, so the whole trust's list opens as fast as one
zone's. A target missed or at risk says so in a word as well as a colour.

The rows are drawn line by line (screens.line_table), as the caseload's and
the crisis board's are: no cell is measured, and a row becomes a line only
when it first comes into view, so 200 rows cost the forty or so on screen.
The list is read from the moment the screen is made (Ctrl+L), and the screen
opened once it is in (screens.base.open_when_read): its first frame shows it.
The screen is made once a session; Ctrl+L again opens it emptied and read
afresh (:func:`opened`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.style import Style
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from desk import db
from desk.packages import targets
from desk.packages.targets import Waiting
from desk.plurals import counted
from desk.services import changes
from screens.base import DeskScreen, ReadsFirst
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.line_table import GAP, PLAIN, Cell, LineTable
from screens.live import LiveWatch

if TYPE_CHECKING:
    from screens.app import DeskApp

SHOWN = 200
"""Rows read and shown at once: the ones with the fewest days left (a DataTable lays out every row it holds)."""
FLAG_STYLES = {
    "missed": Style.parse("bold white on red"),
    "at risk": Style.parse("bold black on dark_orange"),
    "": PLAIN,
}
ON_TIME = Style.parse("green")
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
SCROLLBAR = 2
KEYS = tuple(LABELS)


def column_widths(total: int) -> dict[str, int]:
    """Every column's width for a terminal ``total`` wide: the person and the service share what is left."""
    room = total - (len(LABELS) + 1) * GAP - SCROLLBAR - sum(FIXED.values())
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


def row_cells(row: Waiting) -> list[Cell]:
    """A waiting row's cells, whole, in column order (each line crops them to its column's width)."""
    style = FLAG_STYLES[row.flag]
    return [
        (row.flag.upper() or "on time", style if row.flag else ON_TIME),
        (days_left_words(row), style),
        ("Equipment" if row.kind == "equipment" else "Package", PLAIN),
        (" ".join(row.person.split()), PLAIN),
        (" ".join(row.what.split()), PLAIN),
        (f"{row.requested_on:%d-%b-%Y}", PLAIN),
        (f"{row.target_on:%d-%b-%Y}", PLAIN),
        (row.zone_id, PLAIN),
    ]


class WaitingTable(LineTable):
    """The list's rows, a line each; Enter (or a double click) is the screen's Open, so the footer shows it."""

    BINDINGS = [Binding("enter", "screen.open", "Open", tooltip="Open the person's record")]
    CELL_COLOURS_UNDER_CURSOR = True  # a missed target stays red when highlighted

    @dataclass
    class Chosen(Message):
        """A double click on a row: open it."""

        row: int

    def __init__(self, widths: dict[str, int], *, id: str | None = None) -> None:
        super().__init__(self.columns_for(widths), id=id)
        self.rows: list[Waiting] = []

    @staticmethod
    def columns_for(widths: dict[str, int]) -> list[tuple[str, int]]:
        return [(LABELS[key], widths[key]) for key in KEYS]

    def show_rows(self, rows: list[Waiting], cursor: int) -> None:
        """Hold these rows, each made into its line when first drawn; the cursor on ``cursor``."""
        self.rows = rows
        self.set_lines([None] * len(rows), cursor)

    def make_cells(self, index: int) -> list[Cell]:
        return row_cells(self.rows[index])

    def get_column(self, key: str) -> list[str]:
        """One column's whole texts, top to bottom (each line crops them to the column)."""
        at = KEYS.index(key)
        return [cells[at] for cells in self.row_texts()]

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self.cursor_row))


class WaitingListScreen(ReadsFirst, DeskScreen[None]):
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
        self._mounted = False
        self._early: list[Waiting] | None = None
        """Rows read before the screen was mounted, shown as it mounts."""
        self._opening = 0
        """Which opening of the list this is: rows read for an earlier one are not shown."""
        self._opened = True
        self.reading()
        self.load()  # the list is read before the screen opens (screens.base.open_when_read), not after

    def reopen(self, *, all_zones: bool) -> None:
        """Open the list again (it was closed): empty, as a new one is, with its rows being read at once."""
        self._opening += 1
        self.app.workers.cancel_node(self)
        self.all_zones, self.rows, self.loaded, self._early = all_zones, [], 0, None
        if self._mounted:
            self.query_one(WaitingTable).show_rows([], 0)
            self.query_one("#waiting-status", Static).update("Reading the waiting list...")
            self.query_one(WaitingTable).focus()
        self.live.forget()
        self._opened = True
        self.reading()
        self.load()

    def compose(self) -> ComposeResult:
        self._widths = column_widths(self.app.size.width)
        yield DeskHeader()
        yield Static("Reading the waiting list...", id="waiting-status")
        yield WaitingTable(self._widths, id="waiting")
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(WaitingTable).focus()
        self._mounted = True
        if self._early is not None:  # read before the screen was ready: shown in its first frame
            early, self._early = self._early, None
            self.show(early)

    def on_resize(self) -> None:
        """The terminal's width changed: fit the columns to it again (the rows' texts are kept whole)."""
        widths = column_widths(self.app.size.width)
        if self._widths and widths != self._widths:
            self._widths = widths
            self.query_one(WaitingTable).set_columns(WaitingTable.columns_for(widths))

    def on_screen_resume(self) -> None:
        if self._opened:  # just opened: its rows were read for it
            self._opened = False
        elif self.loaded:  # back from a record opened on it
            self.load()

    def action_reload(self) -> None:
        self.load()

    def action_all_zones(self) -> None:
        self.all_zones = not self.all_zones
        self.load()

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.load()

    def load(self) -> None:
        """Read the list (again): the zone's, or the whole trust's."""
        desk = self.desk  # found here: before the screen is mounted, a thread can't
        self._read_list(desk, None if self.all_zones else desk.zone_id, self._opening)

    @work(thread=True, exclusive=True, group="waiting-list", exit_on_error=False)
    def _read_list(self, desk: DeskApp, zone_id: str | None, opening: int) -> None:
        with db.reading(desk.engine) as session:
            self.live.note(session)
            rows = targets.waiting_list(session, zone_id=zone_id, limit=SHOWN)
        if not get_current_worker().is_cancelled:
            desk.call_from_thread(self._read, rows, opening)

    def _read(self, rows: list[Waiting], opening: int) -> None:
        if opening != self._opening:
            return  # read for an opening of the list since closed
        if not self._mounted:
            self._early = rows
        else:
            self.show(rows)
        self.read_in()

    def show(self, rows: list[Waiting]) -> None:
        """Draw the rows; the highlighted one stays highlighted when the list is read again."""
        table = self.query_one(WaitingTable)
        was_on = _key_of(self.rows[table.cursor_row]) if self.rows and table.row_count else None
        keys = [_key_of(r) for r in rows]
        self.rows = rows
        self.loaded += 1
        table.show_rows(rows, keys.index(was_on) if was_on in keys else 0)
        missed = sum(1 for r in rows if r.flag == "missed")
        at_risk = sum(1 for r in rows if r.flag == "at risk")
        where = "the whole trust" if self.all_zones else f"zone {self.desk.zone_id}"
        more = f" (the {SHOWN} with fewest days left)" if len(rows) >= SHOWN else ""
        self.query_one("#waiting-status", Static).update(
            f"Waiting, {where}: {counted(len(rows), 'package or item', 'packages or items')}{more}; "
            f"{missed} missed, {at_risk} at risk. Targets: packages 28 days, equipment 7."
        )

    @on(WaitingTable.Chosen)
    def _chosen(self) -> None:  # a double click on a row
        self.action_open()

    def action_open(self) -> None:
        table = self.query_one(WaitingTable)
        if self.rows and table.cursor_row < len(self.rows):
            self.desk.open_person(self.rows[table.cursor_row].person_id)


WAITING_SCREEN = "waiting-list"
"""The name the list is installed under: one a session, opened again by Ctrl+L (see :func:`opened`)."""


def opened(app: App[Any], *, all_zones: bool) -> WaitingListScreen:
    """The list to open: the session's one, emptied and reading afresh, or a new one (made and installed).

    One already in the stack (under a record opened from it) stays as it is: a new one opens on top.
    """
    if not app.is_screen_installed(WAITING_SCREEN):
        screen = WaitingListScreen(all_zones=all_zones)
        app.install_screen(screen, WAITING_SCREEN)
        return screen
    screen = app.get_screen(WAITING_SCREEN, WaitingListScreen)
    if screen in app.screen_stack:
        return WaitingListScreen(all_zones=all_zones)
    screen.reopen(all_zones=all_zones)
    return screen
