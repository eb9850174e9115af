"""The crisis board: every open crisis and Rapid referral of the zone, the least time left first.

Each row's clock is live to the minute: every second the new states are
worked out from the rows already held (no query), and only the rows whose
minute or state turned over are made again and repainted. The rows are drawn
line by line (screens.line_table): each row becomes one line once, when the
board is read, so 300 rows cost a few milliseconds to show. A change made at any desk (a crisis
raised, a visit arriving, a liaison entry, a reminder raised or acknowledged)
moves a cheap mark the board polls twice a second; only then is the board
read again. The rows are read and shown first, on their own; the reminders
and the 2-hour figure are read once the frame with the rows is drawn (the
status line says so until they come), so they never hold the rows up.
The board is put together once a session: F11 again opens the same
screen, emptied and read afresh (:func:`opened`), so opening it costs the
read and a frame, not building and styling its widgets each time.
Raised reminders that nobody has acknowledged sit above the rows,
with a key to acknowledge the highlighted one; the header carries the 2-hour
figure against the 70% standard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from sqlalchemy import Engine
from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import get_current_worker

from desk import clock, db
from desk.crisis import board, figures, reminders
from desk.crisis.board import BoardRow, ClockState, retick, time_left
from desk.crisis.figures import TwoHourFigure
from desk.crisis.reminders import Acknowledgement, ReminderRow
from desk.plurals import counted
from screens.base import DeskScreen, ReadsFirst
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.line_table import GAP, PLAIN, Cell, LineTable

if TYPE_CHECKING:
    from screens.app import DeskApp

TICK_S = 1.0
"""How often the clocks are looked at. Deadlines fall at any second, so each row's minute turns over at its
own moment: a tick each wall-clock minute showed a clock up to 59 seconds stale. A tick asks nothing of the
database and changes only the cells whose minute (or state) turned over, a handful a second."""
MARK_POLL_S = 0.5
BOARD_SCREEN = "crisis-board"
"""The name the board is installed under: one board a session, opened again by F11 (see :func:`opened`)."""
"""How often the board asks whether anything changed: a change at another desk shows within 2 seconds."""

LEVEL_STYLES = {
    "ok": Style.parse("green"),
    "amber": Style.parse("bold black on dark_orange"),
    "red": Style.parse("bold white on red"),
    "met": Style.parse("dim"),
}
"""A colour for each clock state; the word beside it says the same for anyone who cannot see the colour."""

SHORT_DISCIPLINES = {
    "nursing": "Nurse",
    "physiotherapy": "Physio",
    "occupational_therapy": "OT",
    "social_work": "Social worker",
    "support": "Support",
}
VISIT_STATES = {"booked": "booked", "on_the_way": "on the way", "arrived": "ARRIVED", "assessed": "assessed"}

LABELS = {
    "state": "State",
    "left": "Left",
    "due": "Due",
    "kind": "Kind",
    "person": "Person",
    "what": "What happened",
    "booked": "Booked",
    "liaison": "Newest liaison",
}
FIXED = {"state": 10, "left": 15, "due": 12, "kind": 6}
"""Columns of a known width: the word, the time left ("23 h 59 min over" at most), the deadline
("30-Nov 23:28" when it is not today), the kind."""
SHARED = {"person": (0.18, 14), "what": (0.22, 12), "booked": (0.38, 18), "liaison": (0.22, 12)}
"""The rest of the width, in shares, with a floor below which the board scrolls sideways instead
(at about 117 columns: 120 still fits every column)."""
SCROLLBAR = 2
KEYS = tuple(LABELS)
STATE, LEFT = KEYS.index("state"), KEYS.index("left")
"""The columns a clock tick changes: the word and the time left."""


def column_widths(total: int) -> dict[str, int]:
    """Every column's width for a terminal ``total`` wide: the shared ones narrowed, to their floors, to fit."""
    room = total - (len(LABELS) + 1) * GAP - SCROLLBAR - sum(FIXED.values())
    widths = dict(FIXED)
    for key, (share, least) in SHARED.items():
        widths[key] = max(least, int(room * share))
    over = sum(widths[key] for key in SHARED) - room
    while over > 0:  # a floor lifted a column past its share: take the cells back from the one most above its floor
        key = max(SHARED, key=lambda k: widths[k] - SHARED[k][1])
        if widths[key] <= SHARED[key][1]:
            break  # every column at its floor: the board scrolls sideways
        widths[key] -= 1
        over -= 1
    return {key: widths[key] for key in LABELS}


def due_text(due_at: datetime, now: datetime) -> str:
    """The deadline as the board shows it: 'HH:MM' today (UK time), '30-Nov 23:28' on any other day."""
    due = clock.local(due_at)
    return f"{due:%H:%M}" if due.date() == clock.local(now).date() else f"{due:%d-%b %H:%M}"


FIGURE_COMING = "2-hour response: reading the figure..."
REMINDERS_COMING = "reading the reminders to acknowledge..."
"""Said until the reminders and the 2-hour figure, read after the rows, are on screen."""

REMINDER_COLUMNS = {"when": ("Raised", 6), "what": ("Reminder to acknowledge", 90), "by": ("By desk", 20)}


@dataclass(frozen=True)
class BoardData:
    """The board's rows, read first on their own so they show at once."""

    rows: list[BoardRow]
    mark: tuple[int, int]
    read_at: datetime


@dataclass(frozen=True)
class BoardExtras:
    """What the board shows beside its rows, read once the rows are on screen: reminders and the 2-hour figure."""

    reminders: list[ReminderRow]
    figure: TwoHourFigure


def read_board(engine: Engine, zone_id: str | None) -> BoardData:
    """The board of a zone (or every zone), and the mark it was read at (from a worker)."""
    now = clock.now()
    with db.reading(engine) as session:
        mark = board.changed_mark(session)  # first: a change made while reading shows on the next poll
        return BoardData(rows=board.board(session, zone_id, now=now), mark=mark, read_at=now)


def read_extras(engine: Engine, zone_id: str | None, now: datetime) -> BoardExtras:
    """The zone's outstanding reminders and its 2-hour figure (from a worker, after the rows are shown)."""
    with db.reading(engine) as session:
        return BoardExtras(
            reminders=reminders.outstanding(session, zone_id=zone_id),
            figure=figures.two_hour_figure(session, zone_id, now=now),
        )


def state_cell(state: ClockState) -> Text:
    """The clock's word, in its colour."""
    return Text(f" {state.word} ", style=LEVEL_STYLES[state.level])


def left_cell(state: ClockState) -> Text:
    """Time left to the minute, in the clock's colour."""
    return Text(time_left(state), style=LEVEL_STYLES[state.level] if state.level != "ok" else PLAIN)


def clock_cells(state: ClockState) -> tuple[Cell, Cell]:
    """The word and the time left as cells, made straight from the clock (a tick makes hundreds)."""
    style = LEVEL_STYLES[state.level]
    return (f" {state.word} ", style), (time_left(state), style if state.level != "ok" else PLAIN)


def as_cell(text: Text) -> Cell:
    """A styled text as one cell of a line."""
    return (text.plain, text.style if isinstance(text.style, Style) else Style.parse(text.style))


def one_line(text: str) -> str:
    """Text as one line of a cell: newlines and runs of spaces become single spaces."""
    return " ".join(text.split())


def row_cells(row: BoardRow, state: ClockState, read_at: datetime, *, all_zones: bool) -> list[Cell]:
    """A board row's cells, whole, in column order (each line crops them to its column's width)."""
    return [
        *clock_cells(state),
        (due_text(row.due_at, read_at), PLAIN),
        ("Crisis" if row.kind == "crisis" else "Rapid", PLAIN),
        (one_line(row.person) + (f" ({row.zone_id})" if all_zones else ""), PLAIN),
        (one_line(row.what), PLAIN),
        (one_line(booked_text(row)), PLAIN),
        (one_line(row.latest_liaison or "-"), PLAIN),
    ]


def booked_text(row: BoardRow) -> str:
    """Who is booked, when, and whether they have arrived."""
    if row.kind == "rapid":
        return "-"
    if not row.visits:
        return "nobody booked"
    return ", ".join(
        f"{SHORT_DISCIPLINES.get(v.discipline, v.discipline)} {v.name.split()[-1]} {clock.local(v.visit_at):%H:%M}"
        + ("" if v.state == "booked" else f" {VISIT_STATES.get(v.state, v.state)}")
        for v in row.visits
    )


def detail_text(row: BoardRow) -> str:
    """The highlighted row in full, below the board: what happened, every visit, the newest liaison."""
    lines = [f"{row.person}: {row.what}"]
    for v in row.visits:
        lines.append(
            f"  {SHORT_DISCIPLINES.get(v.discipline, v.discipline)} {v.name}, "
            f"{clock.local(v.visit_at):%H:%M}: {VISIT_STATES.get(v.state, v.state)}"
        )
    if row.kind == "crisis" and not row.visits:
        lines.append("  Nobody booked.")
    lines.append(f"  Liaison: {row.latest_liaison}" if row.latest_liaison else "  No liaison logged yet.")
    return "\n".join(lines)


class BoardTable(LineTable):
    """The board's rows, a line each. Enter is the screen's Open, so the footer shows it."""

    BINDINGS = [Binding("enter", "screen.open_person", "Open", tooltip="Open the highlighted person's record")]
    CELL_COLOURS_UNDER_CURSOR = True  # the highlighted row keeps its amber or red
    CLICK_ON_CURSOR_CHOOSES = True

    @dataclass
    class Highlighted(Message):
        """The cursor moved to ``row``."""

        row: int

    @dataclass
    class Chosen(Message):
        """A click on the highlighted row (or a double click): open it."""

        row: int

    def __init__(
        self, widths: dict[str, int], row_cells: Callable[[int], list[Cell]], *, id: str | None = None
    ) -> None:
        super().__init__(self.columns_for(widths), id=id)
        self._row_cells = row_cells

    def make_cells(self, index: int) -> list[Cell]:
        """A row's cells from the board as read and its clock as it stands now (only rows drawn are made)."""
        return self._row_cells(index)

    @staticmethod
    def columns_for(widths: dict[str, int]) -> list[tuple[str, int]]:
        return [(LABELS[key], widths[key]) for key in KEYS]

    def column(self, key: str) -> list[str]:
        """One column's whole texts, top to bottom, as held (each line crops them to the column)."""
        at = KEYS.index(key)
        return [cells[at] for cells in self.row_texts()]

    def cursor_moved(self, row: int) -> None:
        self.post_message(self.Highlighted(row))

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self.cursor_row))


class ReminderTable(DataTable[str | Text]):
    """Raised reminders nobody has acknowledged yet."""

    BINDINGS = [Binding("enter", "screen.acknowledge", "Acknowledge", tooltip="Acknowledge the highlighted reminder")]


class CrisisBoardScreen(ReadsFirst, DeskScreen[None]):
    """Open crises and Rapid referrals by time left, live; reminders to acknowledge; the 2-hour figure."""

    CSS_PATH = "crisis_board.tcss"

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to where you were"),
        Binding("enter", "open_person", "Open", id="open_person", tooltip="Open the highlighted person's record"),
        Binding("k", "acknowledge", "Acknowledge", id="acknowledge", tooltip="Acknowledge the highlighted reminder"),
        Binding("a", "toggle_scope", "All zones", id="scope", tooltip="Switch between this zone and every zone"),
        Binding("tab", "switch_list", "Reminders/board", id="switch_list", tooltip="Move between reminders and board"),
    ]

    def __init__(self, *, all_zones: bool = False) -> None:
        super().__init__()
        self.all_zones = all_zones
        self.rows: list[BoardRow] = []
        self.reminders: list[ReminderRow] = []
        self.states: list[ClockState] = []
        self.mark: tuple[int, int] | None = None
        self.loaded = 0
        """How many times the board's rows have been read and shown (its first frame waits on it)."""
        self.settled = 0
        """How many times the reminders and the 2-hour figure have been read and shown after the rows."""
        self.widths: dict[str, int] = {}
        self.read_at: datetime | None = None
        self._mounted = False
        self._early: tuple[BoardData, str | None, int] | None = None
        """Rows read before the screen was mounted, shown as it mounts."""
        self._opening = 0
        """Which opening of the board this is: what was read for an earlier one is not shown."""
        self._reopened = True  # just made: the first resume is its opening, its rows read for it
        self.reading()
        self.load()  # the rows are read before the screen opens (screens.base.open_when_read), not after

    def reopen(self, *, all_zones: bool) -> None:
        """Open the board again (it was closed): empty, as a new board is, with its rows being read at once.

        Nothing read for the opening before is shown: its workers are
        cancelled and anything of theirs still on its way is dropped.
        """
        self._opening += 1
        self.app.workers.cancel_node(self)
        self.all_zones = all_zones
        self.rows, self.states, self.mark, self.read_at = [], [], None, None
        self.loaded = self.settled = 0
        self._early = None
        self._reopened = True
        if self._mounted:
            self.query_one(BoardTable).set_lines([], 0)
            self.query_one("#board-figure", Static).update(FIGURE_COMING, layout=False)
            self.query_one("#board-status", Static).update("", layout=False)
            self.query_one("#board-detail", Static).update("", layout=False)
            self._show_reminders([])
        self.reading()
        self.load()  # read before the screen comes back, as when it was made

    def compose(self) -> ComposeResult:
        self.widths = column_widths(self.app.size.width)
        yield DeskHeader()
        yield Static(FIGURE_COMING, id="board-figure")
        yield Static("", id="board-status")
        yield ReminderTable(id="board-reminders", cursor_type="row")
        yield BoardTable(self.widths, self._cells_of, id="board")
        yield Static("", id="board-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        reminders = self.query_one(ReminderTable)
        for key, (label, width) in REMINDER_COLUMNS.items():
            reminders.add_column(label, key=key, width=width)
        reminders.display = False
        self.query_one(BoardTable).focus()
        self.set_interval(MARK_POLL_S, self._check_mark, name="board-mark")
        self.set_interval(TICK_S, self.tick, name="board-clock")
        self._mounted = True
        if self._early is not None:  # the rows came before the screen was ready: shown in its first frame
            early, self._early = self._early, None
            self._rows_read(*early)

    @property
    def zone_id(self) -> str | None:
        """The zone shown, or None for every zone."""
        return None if self.all_zones else str(getattr(self.app, "zone_id", "") or "") or None

    # --- reading ------------------------------------------------------------

    def load(self) -> None:
        """Read the board's rows again (a change somewhere, or the scope switched); the rest follows them."""
        self._read_rows(self.desk, self.zone_id, self._opening)  # the desk found here: not yet mounted, a thread can't

    @work(thread=True, exclusive=True, group="crisis-board", exit_on_error=False)
    def _read_rows(self, desk: DeskApp, zone_id: str | None, opening: int) -> None:
        data = read_board(desk.engine, zone_id)
        if not get_current_worker().is_cancelled:
            desk.call_from_thread(self._rows_read, data, zone_id, opening)

    def _rows_read(self, data: BoardData, zone_id: str | None, opening: int) -> None:
        """Show the rows now; read the reminders and the figure once the frame with the rows is drawn."""
        if opening != self._opening:
            return  # read for an opening of the board since closed
        if not self._mounted:
            self._early = (data, zone_id, opening)
            self.read_in()  # opened now, its rows shown as it mounts
            return
        self.show(data)
        self.call_after_refresh(self.load_extras, zone_id, data.read_at, opening)
        self.read_in()

    @work(thread=True, exclusive=True, group="crisis-board-extras", exit_on_error=False)
    def load_extras(self, zone_id: str | None, read_at: datetime, opening: int) -> None:
        """The outstanding reminders and the 2-hour figure, read after the rows so they never hold the rows up."""
        extras = read_extras(self.desk.engine, zone_id, read_at)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_extras, extras, opening)

    def _check_mark(self) -> None:
        """Twice a second while the board is in front: look for a change made anywhere."""
        if self.is_current and self.mark is not None:
            self.poll_mark(self.mark)

    @work(thread=True, exclusive=True, group="crisis-board-mark", exit_on_error=False)
    def poll_mark(self, seen: tuple[int, int]) -> None:
        """Has anything the board shows changed, at any desk? One primary-key lookup and a short count."""
        with db.reading(self.desk.engine) as session:
            mark = board.changed_mark(session)
        if mark != seen:
            self.app.call_from_thread(self.load)

    def on_screen_resume(self) -> None:
        if self._reopened:  # just opened (made or opened again): its rows were read for it
            self._reopened = False
            return
        if self.mark is not None:  # back from a record opened on it: what it held, each clock to now, and read again
            self.tick()
            self.load()

    def on_resize(self, event: events.Resize) -> None:
        """The terminal's width changed: fit the columns to it again (the rows' texts are kept whole)."""
        widths = column_widths(self.app.size.width)
        if widths != self.widths:
            self.widths = widths
            self.query_one(BoardTable).set_columns(BoardTable.columns_for(widths))

    def show(self, data: BoardData) -> None:
        """Draw the rows, keeping the highlight on the same row, where it was (the reminders and figure follow)."""
        self.mark = data.mark
        table = self.query_one(BoardTable)
        at = table.cursor_row
        keep = self.rows[at].referral_id if 0 <= at < len(self.rows) else None
        line = at - table.scroll_offset.y  # where the highlight sits in the window
        self.rows = data.rows
        self.states = [r.clock for r in data.rows]
        ids = [r.referral_id for r in data.rows]
        cursor = ids.index(keep) if keep in ids else at
        cursor = max(0, min(cursor, len(ids) - 1))
        self.read_at = data.read_at
        table.set_lines([None] * len(data.rows), cursor, top=cursor - line)  # each row made as it is first drawn
        self._show_detail(table.cursor_row)
        self._show_status()
        self.loaded += 1

    def show_extras(self, extras: BoardExtras, opening: int | None = None) -> None:
        """Draw the reminders and the 2-hour figure read after the rows (for this opening of the board)."""
        if opening is not None and opening != self._opening:
            return
        self._show_reminders(extras.reminders)
        self.query_one("#board-figure", Static).update(extras.figure.header, layout=False)  # one line each
        self.settled += 1
        self._show_status()

    def _show_status(self) -> None:
        """What the board holds; until the reminders are first read, that they are coming."""
        crises = sum(1 for r in self.rows if r.kind == "crisis")
        where = "every zone" if self.all_zones else f"zone {self.zone_id}"
        waiting = f"{counted(len(self.reminders), 'reminder')} to acknowledge." if self.settled else REMINDERS_COMING
        self.query_one("#board-status", Static).update(
            f"Crisis board, {where}: {counted(crises, 'open crisis', 'open crises')}, "
            f"{counted(len(self.rows) - crises, 'open Rapid referral')}; {waiting}",
            layout=False,  # one line
        )

    def _show_reminders(self, rows: list[ReminderRow]) -> None:
        table = self.query_one(ReminderTable)
        if rows == self.reminders and table.row_count == len(rows):
            return  # as they were: the table is left alone
        keep = self._key_at(table, [str(r.id) for r in self.reminders])
        self.reminders = rows
        table.clear()
        for r in rows:
            table.add_row(
                f"{_local(r.raised_at or r.due_at):%H:%M}",
                Text(r.message, style="bold" if r.kind == "deadline" else ""),
                r.raised_by_desk,
                key=str(r.id),
            )
        if keep is not None and keep in table.rows:
            table.move_cursor(row=table.get_row_index(keep))
        table.display = bool(rows)
        if not rows and table.has_focus:
            self.query_one(BoardTable).focus()

    def _show_detail(self, at: int) -> None:
        self.query_one("#board-detail", Static).update(
            detail_text(self.rows[at]) if 0 <= at < len(self.rows) else "No open crisis or Rapid referral.",
            layout=False,  # a fixed height (crisis_board.tcss): nothing else moves
        )

    @staticmethod
    def _key_at(table: DataTable[str | Text], keys: list[str]) -> str | None:
        return keys[table.cursor_row] if 0 <= table.cursor_row < len(keys) else None

    # --- the clock tick -----------------------------------------------------

    def tick(self) -> int:
        """Move every clock on to now from the rows held, no query; returns how many cells changed.

        Each clock shows whole minutes left (or over), so a row changes once a
        minute, when its own minute turns over; its state word changes at 30
        minutes before the deadline and at it, to the second. Only the rows
        that changed are made again, and only their lines repainted.
        """
        if not self.is_current:
            return 0  # covered or closed: its clocks are moved on when it is in front again
        now = clock.now()
        table = self.query_one(BoardTable)
        changed: dict[int, dict[int, Cell]] = {}
        count = 0
        for i, row in enumerate(self.rows):
            state = retick(row, now)
            before = self.states[i]
            if state == before:
                continue
            self.states[i] = state
            word = state.level != before.level or state.word != before.word
            count += 2 if word else 1  # the time left, and the word when it changed
            if table.made(i):  # a row not drawn yet is made as it stands when it is
                word_cell, left = clock_cells(state)
                changed[i] = {STATE: word_cell, LEFT: left} if word else {LEFT: left}
        table.cells_changed(changed)  # the rest of each row, and its line, is as it was
        return count

    def _cells_of(self, index: int) -> list[Cell]:
        """Row ``index`` of the board as read, its clock as the last tick left it."""
        return row_cells(self.rows[index], self.states[index], self.read_at or clock.now(), all_zones=self.all_zones)

    # --- keys ---------------------------------------------------------------

    def action_open_person(self) -> None:
        """Open the highlighted person's record."""
        if not self.rows:
            self.notify("No open crisis or Rapid referral to open.")
            return
        row = self.rows[self.query_one(BoardTable).cursor_row]
        self.desk.open_person(row.person_id)

    @on(BoardTable.Highlighted)
    def _highlighted(self, event: BoardTable.Highlighted) -> None:
        self._show_detail(event.row)

    @on(BoardTable.Chosen)
    def _board_clicked(self) -> None:
        self.action_open_person()

    def action_switch_list(self) -> None:
        """Move between the reminders and the board."""
        reminders, table = self.query_one(ReminderTable), self.query_one(BoardTable)
        if table.has_focus and reminders.display:
            reminders.focus()
        else:
            table.focus()

    def action_toggle_scope(self) -> None:
        """This zone, or every zone in the trust."""
        self.all_zones = not self.all_zones
        self.load()

    def action_acknowledge(self) -> None:
        """Acknowledge the highlighted reminder (on the board: the highlighted row's oldest reminder)."""
        chosen = self._reminder_to_acknowledge()
        if chosen is None:
            if not self.reminders:
                self.notify("No reminder is waiting to be acknowledged.")
            else:
                self.notify("That row has no reminder waiting. Tab moves to the reminders.")
            return
        self.acknowledge(chosen)

    def _reminder_to_acknowledge(self) -> ReminderRow | None:
        if not self.reminders:
            return None
        reminders = self.query_one(ReminderTable)
        if reminders.has_focus:
            return self.reminders[min(reminders.cursor_row, len(self.reminders) - 1)]
        if not self.rows:
            return None
        row = self.rows[self.query_one(BoardTable).cursor_row]
        return next((r for r in self.reminders if r.referral_id == row.referral_id), None)

    @work(thread=True, exit_on_error=False)
    def acknowledge(self, reminder: ReminderRow) -> None:
        """Record who acknowledged it and when; every desk takes it down."""
        app = self.desk
        with db.writing(app.engine) as session:
            reminders.acknowledge(session, app.actor, Acknowledgement(reminder.id, reminder.version))
        app.call_from_thread(self._acknowledged, reminder)

    def _acknowledged(self, reminder: ReminderRow) -> None:
        from screens import reminder_watch

        self.notify(f"Acknowledged: {reminder.message}", timeout=4)
        reminder_watch.look_again(self.app)  # its notification comes down here at once
        self.load()


def opened(app: App[Any], *, all_zones: bool) -> CrisisBoardScreen:
    """The board to open: the session's one board, emptied and reading afresh, or a new one.

    The board is made and installed on the first F11, and opened again after
    that, so each opening costs its read and its frame only. A board already
    in the stack (under a record opened from it) stays as it is: a new one
    opens on top, not installed.
    """
    if not app.is_screen_installed(BOARD_SCREEN):
        board = CrisisBoardScreen(all_zones=all_zones)
        app.install_screen(board, BOARD_SCREEN)
        return board
    board = app.get_screen(BOARD_SCREEN, CrisisBoardScreen)
    if board in app.screen_stack:
        return CrisisBoardScreen(all_zones=all_zones)
    board.reopen(all_zones=all_zones)
    return board


def _local(at: datetime) -> datetime:
    return clock.local(at)
