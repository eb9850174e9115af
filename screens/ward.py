"""The ward screen: the patients on a discharge co-ordinator's wards, what needs doing first at the top.

Opened with F9 (anywhere but a call). It lists the patients on the wards the signed-in
co-ordinator covers (desk.discharge.stays.wards_of), from any zone; A shows
every ward. Each row says how long they have been in, the package they had
before, their key worker in the zone, the discharge ready date and pathway,
the delayed days with the reason, and what still stands before the door;
the rows come sorted as desk.discharge.stays.ward_list sorts them (a missing
delay reason first, then going home today with things outstanding, the
longest delayed, new admissions not yet checked, those awaiting a DRD).

The frame is drawn before the rows are read (a worker reads them, and the
rows are drawn line by line, screens.line_table), and the screen follows
every desk: it reads the history's change mark each second (screens.live).
N records an admission, Enter opens the stay, D records the discharge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from rich.style import Style
from sqlalchemy import Engine
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static
from textual.worker import get_current_worker

from desk import clock, db
from desk.discharge import stays
from desk.discharge.stays import WardRow
from desk.plurals import counted
from desk.services import changes
from desk.services.caseload import short_ward
from desk.vocabulary import DISCHARGE_TASKS
from screens.base import DeskScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.line_table import GAP, PLAIN, Cell, LineTable
from screens.live import LiveWatch

STAGES = {
    "new": ("NEW", Style.parse("bold black on cyan")),
    "awaiting_drd": ("NO DRD", Style.parse("bold black on dark_orange")),
    "delayed": ("DELAYED", Style.parse("bold white on red")),
    "ready": ("READY", Style.parse("green")),
    "going_today": ("TODAY", Style.parse("bold black on green")),
}
"""Each stage of a stay in a word and a colour; the word says it for anyone who cannot see the colour."""
MISSING = Style.parse("bold red")

LABELS = {
    "stage": "Stage",
    "name": "Name",
    "ward": "Ward",
    "days": "Days",
    "before": "Package before",
    "worker": "Key worker",
    "drd": "DRD",
    "pathway": "Path",
    "delayed": "Delayed",
    "outstanding": "Outstanding",
}
FIXED = {"stage": 2 + max(len(word) for word, _ in STAGES.values()), "days": 4, "drd": 7, "pathway": 4}
"""Columns of a known width: the stage word with a space each side (' DELAYED '), days in, the DRD as
'30-Nov', the pathway as 'P1'."""
SHARED = {
    "name": (0.20, 12),
    "ward": (0.10, 6),
    "before": (0.14, 8),
    "worker": (0.11, 8),
    "delayed": (0.17, 8),
    "outstanding": (0.28, 10),
}
"""The rest of the width in shares, with a floor below which the screen scrolls sideways."""
SCROLLBAR = 2
KEYS = tuple(LABELS)


def column_widths(total: int) -> dict[str, int]:
    """Every column's width for a terminal ``total`` wide: the shared ones narrowed, to their floors, to fit."""
    room = total - (len(LABELS) + 1) * GAP - SCROLLBAR - sum(FIXED.values())
    widths = dict(FIXED)
    for key, (share, least) in SHARED.items():
        widths[key] = max(least, int(room * share))
    over = sum(widths[key] for key in SHARED) - room
    while over > 0:
        key = max(SHARED, key=lambda k: widths[k] - SHARED[k][1])
        if widths[key] <= SHARED[key][1]:
            break
        widths[key] -= 1
        over -= 1
    return {key: widths[key] for key in LABELS}


def day_text(day: date | None) -> str:
    """A day as the ward screen shows it: '30-Nov', or '-' when there is none."""
    return f"{day:%d-%b}" if day else "-"


def delayed_text(row: WardRow) -> str:
    """'2 d: Awaiting transport', 'none' before the DRD, '2 d: REASON MISSING'."""
    if not row.delayed_days:
        return "-"
    return f"{row.delayed_days} d: {row.delay_reason or 'REASON MISSING'}"


def row_cells(row: WardRow, *, all_wards: bool) -> list[Cell]:
    """A ward row's cells, whole, in column order (each line crops them to its column)."""
    word, style = STAGES.get(row.stage, (row.stage.upper(), PLAIN))
    missing = bool(row.delayed_days) and not row.delay_reason
    return [
        (f" {word} ", style),
        (one_line(row.name) + (f" ({row.zone_id})" if all_wards and row.zone_id else ""), PLAIN),
        (short_ward(row.ward), PLAIN),
        (str(row.days_in), PLAIN),
        (one_line(row.package_before or "none"), PLAIN),
        (one_line(row.key_worker or "-"), PLAIN),
        (day_text(row.ready_on), PLAIN),
        (f"P{row.pathway}" if row.pathway else "-", PLAIN),
        (delayed_text(row), MISSING if missing else PLAIN),
        (one_line("; ".join(row.outstanding) or "nothing"), PLAIN),
    ]


def one_line(text: str) -> str:
    """Text as one line of a cell."""
    return " ".join(text.split())


def detail_text(row: WardRow) -> str:
    """The highlighted patient in full, below the list: everything a row had to cut."""
    admitted = clock.local(row.admitted_at)
    lines = [
        f"{row.name}  NHS {row.nhs_display}  zone {row.zone_id}",
        f"  {row.ward}, in since {admitted:%d-%b-%Y %H:%M} ({counted(row.days_in, 'day')})",
        f"  Package before: {row.package_before or 'none'}   Key worker: {row.key_worker or 'none'}",
        f"  Contacts: {row.contacts or 'none recorded'}",
        f"  DRD: {day_text(row.ready_on)}   Pathway: {row.pathway or 'not set'}   "
        f"Going home: {day_text(row.going_home_on)}   Delayed: {delayed_text(row)}",
        "  Outstanding: " + ("; ".join(row.outstanding) or "nothing"),
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class WardData:
    """The ward screen's rows, and which wards they are of."""

    rows: list[WardRow]
    mine: list[int]
    """The wards the signed-in co-ordinator covers (none: every ward is shown)."""
    ward_names: dict[int, str]
    ward_phones: dict[int, str]
    all_wards: bool


def read_ward(engine: Engine, staff_id: int | None, *, all_wards: bool, note: Callable[..., None]) -> WardData:
    """The patients on the co-ordinator's wards (or every ward), read in one go (from a worker).

    Four statements: the change mark, the wards (which are theirs, every ward's name and phone), then the
    ward list's two (desk.discharge.stays.ward_list); on PostgreSQL each is a round trip.
    """
    with db.reading(engine) as session:
        note(session)  # the mark first: a change made while reading shows on the next look
        wards = stays.ward_directory(session, staff_id)
        mine = [w.ward_id for w in wards if w.covered]
        every = all_wards or not mine
        rows = stays.ward_list(session, ward_ids=None if every else mine, today=clock.today())
    names = {w.ward_id: w.name for w in wards}
    phones = {w.ward_id: w.phone for w in wards}
    return WardData(rows, mine, names, phones, every)


def who_to_ring(coordinator: str, ward: str, phone: str) -> str:
    """'Kevin Heard, Ward 3 0114 496 0102': who the zone rings about a discharge."""
    return ", ".join(filter(None, [coordinator, f"{short_ward(ward)} {phone}".strip()]))


def package_unconfirmed(outstanding: tuple[str, ...] | list[str]) -> bool:
    """Whether what stands before the door still includes the provider's confirmation of the package."""
    return DISCHARGE_TASKS["package"] in outstanding


class WardTable(LineTable):
    """The ward's patients, a line each. Enter is the screen's Open stay."""

    BINDINGS = [Binding("enter", "screen.open_stay", "Open stay", tooltip="Open the highlighted patient's stay")]
    CELL_COLOURS_UNDER_CURSOR = True
    CLICK_ON_CURSOR_CHOOSES = True

    @dataclass
    class Highlighted(Message):
        """The cursor moved to ``row``."""

        row: int

    def __init__(self, widths: dict[str, int], cells: Callable[[int], list[Cell]], *, id: str | None = None) -> None:
        super().__init__(self.columns_for(widths), id=id)
        self._row_cells = cells

    @staticmethod
    def columns_for(widths: dict[str, int]) -> list[tuple[str, int]]:
        return [(LABELS[key], widths[key]) for key in KEYS]

    def make_cells(self, index: int) -> list[Cell]:
        return self._row_cells(index)

    def column(self, key: str) -> list[str]:
        """One column's whole texts, top to bottom (for tests and the detail)."""
        at = KEYS.index(key)
        return [cells[at] for cells in self.row_texts()]

    @dataclass
    class Chosen(Message):
        """Enter or a click on the highlighted row: open the stay."""

        row: int

    def cursor_moved(self, row: int) -> None:
        self.post_message(self.Highlighted(row))

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self.cursor_row))


class WardScreen(DeskScreen[None]):
    """The patients on the co-ordinator's wards (A: every ward), by what needs doing first, live."""

    DEFAULT_CSS = """
    #ward-status { height: 1; padding: 0 1; color: $text-muted; }
    #ward { height: 1fr; }
    #ward-detail { height: 7; padding: 0 1; border-top: solid $primary; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to where you were"),
        Binding("enter", "open_stay", "Open stay", id="open_stay", tooltip="Open the highlighted patient's stay"),
        Binding("n", "admit", "Record admission", id="admit", tooltip="Record an admission to a ward"),
        Binding("d", "discharge", "Discharge", id="discharge", tooltip="Record the highlighted patient's discharge"),
        Binding("c", "check", "Checked", id="check", tooltip="Mark the highlighted new admission as checked"),
        Binding("a", "toggle_scope", "All wards", id="scope", tooltip="Switch between your wards and every ward"),
        Binding("ctrl+r", "reload", "Refresh", id="reload", tooltip="Read the ward again"),
    ]

    def __init__(self, *, all_wards: bool = False) -> None:
        super().__init__()
        self.all_wards = all_wards
        self.data: WardData | None = None
        self.rows: list[WardRow] = []
        self.loaded = 0
        """How many times the rows have been read and shown (tests wait on it)."""
        self.widths: dict[str, int] = {}
        self.live = LiveWatch(changes.mark)
        self._mounted = False
        self._early: WardData | None = None
        self._go_to: int | None = None
        """A stay to highlight once it is read (an admission just recorded)."""
        self.load()  # read while the screen is put together: its frame never waits for the rows

    def compose(self) -> ComposeResult:
        self.widths = column_widths(self.app.size.width)
        yield DeskHeader()
        yield Static("Reading the ward...", id="ward-status")
        yield WardTable(self.widths, self._cells_of, id="ward")
        yield Static("", id="ward-detail")
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(WardTable).focus()
        self._mounted = True
        if self._early is not None:
            self.show(self._early)
            self._early = None

    # --- reading ------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="ward", exit_on_error=False)
    def load(self) -> None:
        """Read the ward again (a change somewhere, the scope switched, back from a stay)."""
        app = self.desk
        staff_id = app.staff.id if app.staff else None
        data = read_ward(app.engine, staff_id, all_wards=self.all_wards, note=self.live.note)
        if not get_current_worker().is_cancelled:
            app.call_from_thread(self._read, data)

    def _read(self, data: WardData) -> None:
        if not self._mounted:
            self._early = data
            return
        self.show(data)

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        if self.loaded:
            self.load()

    def action_reload(self) -> None:
        self.load()

    def on_resize(self, event: events.Resize) -> None:
        widths = column_widths(self.app.size.width)
        if widths != self.widths:
            self.widths = widths
            self.query_one(WardTable).set_columns(WardTable.columns_for(widths))

    def show(self, data: WardData) -> None:
        """Draw the rows, the highlight kept on the same patient."""
        table = self.query_one(WardTable)
        at = table.cursor_row
        keep = self.rows[at].admission_id if 0 <= at < len(self.rows) else None
        line = at - table.scroll_offset.y
        self.data, self.rows = data, data.rows
        ids = [r.admission_id for r in data.rows]
        if self._go_to in ids:
            keep, self._go_to = self._go_to, None
        cursor = ids.index(keep) if keep in ids else at
        cursor = max(0, min(cursor, len(ids) - 1))
        table.set_lines([None] * len(data.rows), cursor, top=cursor - line)
        self._show_detail(table.cursor_row)
        self._show_status()
        self.loaded += 1

    def _show_status(self) -> None:
        data = self.data
        if data is None:
            return
        if data.all_wards:
            where = "every ward" + ("" if data.mine else " (no wards are recorded as yours)")
        else:
            where = "your wards: " + ", ".join(short_ward(data.ward_names.get(w, "?")) for w in data.mine)
        delayed = sum(1 for r in self.rows if r.delayed_days)
        today = sum(1 for r in self.rows if r.stage == "going_today")
        self.query_one("#ward-status", Static).update(
            f"Ward screen, {where}: {counted(len(self.rows), 'patient')}, {delayed} delayed, {today} going home today.",
            layout=False,
        )

    def _show_detail(self, at: int) -> None:
        self.query_one("#ward-detail", Static).update(
            detail_text(self.rows[at]) if 0 <= at < len(self.rows) else "Nobody in hospital on these wards.",
            layout=False,
        )

    def _cells_of(self, index: int) -> list[Cell]:
        return row_cells(self.rows[index], all_wards=bool(self.data and self.data.all_wards))

    @on(WardTable.Chosen)
    def _chosen(self) -> None:
        self.action_open_stay()

    @on(WardTable.Highlighted)
    def _highlighted(self, event: WardTable.Highlighted) -> None:
        self._show_detail(event.row)

    def highlighted(self) -> WardRow | None:
        """The patient under the cursor, if any."""
        at = self.query_one(WardTable).cursor_row
        return self.rows[at] if 0 <= at < len(self.rows) else None

    # --- keys -----------------------------------------------------------------------

    def action_toggle_scope(self) -> None:
        """Your wards, or every ward of the trust."""
        self.all_wards = not self.all_wards
        self.load()

    def action_open_stay(self) -> None:
        """The highlighted patient's stay: the plan, the tasks, the providers to tell, the delays."""
        from screens.stay import StayScreen

        row = self.highlighted()
        if row is None:
            self.notify("Nobody on the ward to open. N records an admission.")
            return
        self.app.push_screen(StayScreen(row.admission_id))

    def action_admit(self) -> None:
        """Record an admission: who, which ward, when, why."""
        from screens.admission import AdmissionForm

        if self.data is None:
            self.notify("The ward is still being read: try again in a moment.")
            return
        mine = self.data.mine
        wards = sorted(self.data.ward_names.items(), key=lambda w: (w[0] not in mine, w[1]))
        self.app.push_screen(AdmissionForm(wards, ward_id=mine[0] if mine else None), self._admitted)

    def _admitted(self, admission_id: object) -> None:
        if isinstance(admission_id, int):
            self.notify(
                "Admission recorded and highlighted. A package they had is suspended; its providers to tell "
                "are on the stay (Enter).",
                timeout=8,
            )
            self._go_to = admission_id
            self.load()

    def action_discharge(self) -> None:
        """The discharge dialog for the highlighted patient, prefilled."""
        from screens.discharge import DischargeScreen, DischargeStart

        row = self.highlighted()
        if row is None or self.data is None:
            self.notify("Nobody on the ward to discharge.")
            return
        me = self.desk.staff.name if self.desk.staff else ""
        start = DischargeStart(
            row.admission_id,
            row.version,
            row.name,
            row.ward,
            who_to_ring(me, row.ward, self.data.ward_phones.get(row.ward_id, "")),
            package_unconfirmed(row.outstanding),
        )
        self.app.push_screen(DischargeScreen(start), self._discharged)

    def _discharged(self, said: str | None) -> None:
        if said:
            self.notify(said, title="Discharged", timeout=10)
            self.load()

    def action_check(self) -> None:
        """The co-ordinator has checked the new admission (history, package before)."""
        row = self.highlighted()
        if row is None:
            return
        self.check(row)

    @work(thread=True, exclusive=True, group="ward-write", exit_on_error=False)
    def check(self, row: WardRow) -> None:
        from desk.errors import DeskError

        app = self.desk
        try:
            with db.writing(app.engine) as session:
                stays.check(session, app.actor, row.admission_id, row.version)
        except DeskError as exc:
            app.call_from_thread(self.notify, stale_words(exc), severity="error", timeout=10)
        else:
            app.call_from_thread(self.notify, f"{row.name}: checked.", timeout=4)
        app.call_from_thread(self.load)


def stale_words(exc: Exception) -> str:
    """What a refused save says: another desk's change in plain words, or desk/'s own message."""
    from desk.errors import DeskError, StaleRecord

    if isinstance(exc, StaleRecord):
        return "Another desk changed this stay after you opened it: nothing was saved. It is shown again as it is now."
    return exc.message if isinstance(exc, DeskError) else str(exc)
