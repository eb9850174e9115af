"""The delays view: patients still in hospital after their discharge ready date, and the delayed days counted.

The patients come most days delayed first, each with the reason the delay
has now and who is acting on it. Under them, the delayed days of the last
twelve months counted per zone, per reason and per month (desk.discharge.delays
counts each day with the reason it had that day). E writes both as CSV into
the desk's data directory and says where. The list follows other desks
within two seconds (the history's change mark).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from desk import clock, db, settings
from desk.discharge import delays
from desk.discharge.delays import DelayCounts, DelayedRow
from desk.plurals import counted
from desk.services.caseload import short_ward
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.widgets import shorten
from screens.zone_list import ListTable, ZoneListScreen

LABELS = {"days": "Days", "person": "Person", "ward": "Ward", "zone": "Zone", "ready": "Ready", "reason": "Reason"}
FIXED = {"days": 4, "ward": 12, "zone": 5, "ready": 7}
CELL_PADDING = 2
SCROLLBAR = 2
MONTHS = 12
"""The delayed days counted are those of this many months, this one included."""


def column_widths(total: int) -> dict[str, int]:
    """Every column's width for a terminal ``total`` wide: the person and the reason (with who acts) share the rest."""
    room = total - len(LABELS) * CELL_PADDING - SCROLLBAR - sum(FIXED.values())
    person = max(14, int(room * 0.35))
    widths = {**FIXED, "person": person, "reason": max(16, room - person)}
    return {key: widths[key] for key in LABELS}


def counting_from(today: date, months: int = MONTHS) -> date:
    """The first day of the month ``months - 1`` before today's: the counts cover whole months to today."""
    index = today.year * 12 + today.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def export_path(zone_id: str | None, at: datetime) -> Path:
    """Where an export of the delays view is written: the desk's data directory, named by zone and time."""
    return settings.data_dir() / "delays" / f"delays-{zone_id or 'all'}-{clock.local(at):%Y%m%d-%H%M%S}.csv"


@dataclass(frozen=True)
class DelaysRead:
    """The delays view as read at a moment: who is delayed now and the days counted."""

    zone_id: str | None
    """None for every zone of the trust."""
    rows: list[DelayedRow]
    counts: DelayCounts


def read_view(session: Session, zone_id: str | None, today: date) -> DelaysRead:
    """Who is delayed now in the zone (or trust), and the delayed days of the last twelve months counted."""
    rows = delays.delayed_now(session, zone_id=zone_id, today=today)
    counted = delays.counts(session, since=counting_from(today), until=today, zone_id=zone_id)
    return DelaysRead(zone_id, rows, counted)


def reason_cell(row: DelayedRow, width: int) -> Text:
    """The reason and who is acting, in ``width``; a delay with no reason yet says so in colour and in words."""
    if not row.reason:
        return Text(shorten("No reason given yet", width), style="bold yellow")
    return Text(shorten(f"{row.reason} ({row.owner})" if row.owner else row.reason, width))


def counts_view(counted: DelayCounts) -> Columns:
    """Three small tables side by side (wrapping on a narrow screen): per zone, per reason, per month."""

    def table(title: str, rows: dict[str, int]) -> Table:
        t = Table(title=f"Per {title}", title_justify="left", title_style="bold", pad_edge=False, box=None)
        t.add_column(title.capitalize(), no_wrap=True)
        t.add_column("Days", justify="right", no_wrap=True)
        for key, n in rows.items():
            t.add_row(key, f"{n:,}")
        if not rows:
            t.add_row("none", "0")
        return t

    reasons = {delays.reason_words(k) or "No reason": n for k, n in counted.by_reason.items()}
    months = {f"{datetime.strptime(k, '%Y-%m'):%b %Y}": n for k, n in counted.by_month.items()}
    return Columns(
        [
            table("zone", counted.by_zone),
            table("reason", reasons),
            table("month", months),
        ],
        padding=(0, 4),
    )


class DelaysScreen(ZoneListScreen[DelaysRead]):
    """Delayed patients of the zone by days delayed, and the delayed days counted; A for every zone."""

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("enter", "open", "Open", id="open", tooltip="Open the person's record"),
        Binding("e", "export", "Export CSV", id="export", tooltip="Write the delays and the counts as CSV"),
        Binding("a", "all_zones", "All zones", id="all_zones", tooltip="This zone's delays, or every zone's"),
        Binding("ctrl+r", "reload", "Refresh", id="reload"),
    ]
    LABELS = LABELS
    LOAD_GROUP = "delays"

    DEFAULT_CSS = """
    DelaysScreen #delays { height: 1fr; }
    DelaysScreen #delay-counts-box { height: auto; max-height: 50%; border-top: solid $accent; }
    DelaysScreen #delay-counts { width: 1fr; }
    """

    def __init__(self, *, all_zones: bool = False, export: bool = False) -> None:
        """``export``: write the CSV as the view opens (the palette's "Delays: export")."""
        super().__init__(all_zones=all_zones)
        self._export_on_open = export
        self.view: DelaysRead | None = None
        self.last_export: Path | None = None
        """Where the last export was written."""

    @property
    def rows(self) -> list[DelayedRow]:
        """The delayed patients on the list now."""
        return self.view.rows if self.view else []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Reading the delays...", id="delay-status")
        yield ListTable(id="delays", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="delay-counts-box"):
            yield Static("", id="delay-counts")
        yield Static("", id="delay-message", classes="form-message")
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:  # ZoneListScreen's mount, run after this one, lays the list out and reads it
        if self._export_on_open:
            self.action_export()

    def widths_for(self, total: int) -> dict[str, int]:
        return column_widths(total)

    def _zone(self) -> str | None:
        return None if self.all_zones else self.desk.zone_id

    def read(self, session: Session) -> DelaysRead:
        return read_view(session, self._zone(), clock.today())

    def redraw(self) -> None:
        if self.view is not None:
            self.show(self.view)

    def show(self, view: DelaysRead) -> None:
        """Draw the list and the counts; the highlighted patient stays highlighted when read again."""
        self.view = view
        self.loaded += 1
        w = self._widths
        self.fill(
            (
                str(r.admission_id),
                [
                    Text(str(r.days), style="bold" if r.days > 1 else ""),
                    shorten(r.name, w["person"]),
                    shorten(short_ward(r.ward), w["ward"]),
                    r.zone_id,
                    f"{r.ready_on:%d-%b}",
                    reason_cell(r, w["reason"]),
                ],
            )
            for r in view.rows
        )
        where = "every zone" if view.zone_id is None else f"zone {view.zone_id}"
        days = sum(r.days for r in view.rows)
        no_reason = sum(1 for r in view.rows if not r.reason)
        self.query_one("#delay-status", Static).update(
            f"Delayed in hospital, {where}: {counted(len(view.rows), 'patient')}, {counted(days, 'day')} so far"
            + (f", {no_reason} with no reason given" if no_reason else "")
            + ("" if view.rows else ". Nobody is delayed.")
        )
        c = view.counts
        summary = Text(f"Delayed days from {c.since:%d-%b-%Y} to {c.until:%d-%b-%Y}: {c.total:,}\n", style="bold")
        self.query_one("#delay-counts", Static).update(Group(summary, counts_view(c)) if c.total else summary)

    def highlighted(self) -> DelayedRow | None:
        """The delayed patient under the cursor, if any."""
        table = self.query_one(DataTable)
        rows = self.rows
        return rows[table.cursor_row] if rows and 0 <= table.cursor_row < len(rows) else None

    def say(self, message: str) -> None:
        """A line under the counts: where the export went."""
        self.query_one("#delay-message", Static).update(message)

    def action_open(self) -> None:
        row = self.highlighted()
        if row is not None:
            self.desk.open_person(row.person_id)

    def action_export(self) -> None:
        self.export(self._zone())

    @work(thread=True, exclusive=True, group="delays-export", exit_on_error=False)
    def export(self, zone_id: str | None) -> None:
        """Write the view, read afresh, as CSV in the data directory, and say where."""
        app = self.desk
        now = clock.now()
        with db.reading(app.engine) as session:
            view = read_view(session, zone_id, clock.local(now).date())
        path = export_path(zone_id, now)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(delays.export_csv(view.rows, view.counts), encoding="utf-8")
        app.call_from_thread(self.exported, path, view)

    def exported(self, path: Path, view: DelaysRead) -> None:
        """Say where the CSV went, on the screen and as a notification."""
        self.last_export = path
        what = f"{counted(len(view.rows), 'delayed patient')} and {counted(view.counts.total, 'delayed day')}"
        self.say(f"Delays written to {path}")
        self.notify(f"{what} written to {path}", title="Delays: export", timeout=12)
