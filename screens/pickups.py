"""The zone's pick-ups: people discharged from hospital that the zone must pick up, and acknowledging one.

A discharge recorded on a ward (desk.discharge.leaving) makes a pick-up for
the person's zone: what was put in place and who to ring. The list shows the
zone's pick-ups not yet acknowledged, oldest first, then the recently
acknowledged with who acknowledged them and when. Enter opens the person; K
acknowledges the highlighted one (a note if wanted, Enter records it). The
reminder watch (screens.reminder_watch) raises each unacknowledged pick-up
on every desk of the zone until someone does. The list follows other desks
within two seconds (the history's change mark).
"""

from __future__ import annotations

from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Static

from desk import clock
from desk.discharge import pickups
from desk.discharge.pickups import PickupAck, PickupRow
from desk.services.caseload import short_ward
from screens.base import DeskModalScreen
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.widgets import shorten
from screens.zone_list import ListTable, ZoneListScreen

STATE_STYLES = {"NEW": "bold white on red", "RAISED": "bold black on dark_orange", "DONE": "dim"}
"""A colour for each state; the word says the same for anyone who cannot see the colour."""
LABELS = {"state": "State", "left": "Discharged", "person": "Person", "ward": "Ward", "what": "Put in place"}
FIXED = {"state": 10, "left": 12, "ward": 12}
CELL_PADDING = 2
SCROLLBAR = 2
RECENT = 50
"""How many acknowledged pick-ups the list shows under the outstanding ones."""


def column_widths(total: int) -> dict[str, int]:
    """Every column's width for a terminal ``total`` wide: the person and what was put in place share the rest."""
    room = total - len(LABELS) * CELL_PADDING - SCROLLBAR - sum(FIXED.values())
    person = max(14, int(room * 0.3))
    widths = {**FIXED, "person": person, "what": max(14, room - person)}
    return {key: widths[key] for key in LABELS}


def state_of(row: PickupRow) -> str:
    """The pick-up in a word: NEW (not yet raised), RAISED (raised, waiting for someone) or DONE (acknowledged)."""
    if row.acknowledged_at is not None:
        return "DONE"
    return "RAISED" if row.raised_count else "NEW"


def state_text(row: PickupRow) -> Text:
    """The state word, with how many times an unacknowledged pick-up has been raised."""
    state = state_of(row)
    word = f"RAISED x{row.raised_count}" if state == "RAISED" and row.raised_count > 1 else state
    return Text(word, style=STATE_STYLES[state])


def acknowledged_words(row: PickupRow) -> str:
    """Who acknowledged the pick-up and when, or that nobody has yet."""
    if row.acknowledged_at is None:
        raised = f", raised {row.raised_count} times" if row.raised_count > 1 else ""
        return f"Not yet acknowledged{raised}"
    by = f" by {row.acknowledged_by}" if row.acknowledged_by else ""
    return f"Acknowledged{by} {clock.local(row.acknowledged_at):%a %d-%b %H:%M}"


def detail_text(row: PickupRow) -> Text:
    """The highlighted pick-up in full: what was put in place, who to ring, who acknowledged it."""
    t = Text()
    t.append(f"{row.name}", style="bold")
    t.append(f"  discharged from {row.ward} {clock.local(row.discharged_at):%a %d-%b-%Y %H:%M}")
    if row.made_by:
        t.append(f" (recorded by {row.made_by})")
    t.append("\nPut in place: ", style="bold")
    t.append(row.put_in_place or "Nothing recorded")
    t.append("\nWho to ring: ", style="bold")
    t.append(row.who_to_ring or "Not recorded")
    t.append("\n")
    t.append(acknowledged_words(row), style="" if row.acknowledged_at else "bold yellow")
    if row.acknowledged_note:
        t.append(f": {row.acknowledged_note}")
    return t


def read_list(session: Session, zone_ids: list[str] | None) -> list[PickupRow]:
    """The zones' pick-ups not yet acknowledged (oldest first), then the recently acknowledged (newest first)."""
    waiting: list[PickupRow] = []
    done: list[PickupRow] = []
    for zone_id in zone_ids or [None]:  # type: ignore[list-item]
        waiting += pickups.outstanding(session, zone_id)
        done += [r for r in pickups.recent(session, zone_id, limit=RECENT) if r.acknowledged_at is not None]
    waiting.sort(key=lambda r: (r.discharged_at, r.pickup_id))
    done.sort(key=lambda r: (r.acknowledged_at, r.pickup_id), reverse=True)
    return waiting + done[:RECENT]


class PickupListScreen(ZoneListScreen[list[PickupRow]]):
    """The zone's discharges to pick up; A for every zone of the trust."""

    DEFAULT_CSS = """
    PickupListScreen #pickups { height: 1fr; }
    PickupListScreen #pickup-detail { height: auto; border-top: solid $accent; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("enter", "open", "Open", id="open", tooltip="Open the person's record"),
        Binding("k", "acknowledge", "Acknowledge", id="acknowledge", tooltip="Acknowledge the highlighted pick-up"),
        Binding("a", "all_zones", "All zones", id="all_zones", tooltip="This zone's pick-ups, or every zone's"),
        Binding("ctrl+r", "reload", "Refresh", id="reload"),
    ]
    LABELS = LABELS
    LOAD_GROUP = "pickup-list"

    def __init__(self, *, all_zones: bool = False) -> None:
        super().__init__(all_zones=all_zones)
        self.rows: list[PickupRow] = []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("Reading the pick-ups...", id="pickup-status")
        yield ListTable(id="pickups", cursor_type="row", zebra_stripes=True)
        yield Static("", id="pickup-detail", classes="detail")
        yield Static("", id="pickup-message", classes="form-message")
        yield self.live
        yield KeyFooter()

    def widths_for(self, total: int) -> dict[str, int]:
        return column_widths(total)

    def read(self, session: Session) -> list[PickupRow]:
        return read_list(session, self.zone_ids(session))

    def redraw(self) -> None:
        self.show(self.rows)

    def show(self, rows: list[PickupRow]) -> None:
        """Draw the list; the highlighted pick-up stays highlighted when it is read again."""
        self.rows = rows
        self.loaded += 1
        w = self._widths
        self.fill(
            (
                str(r.pickup_id),
                [
                    state_text(r),
                    f"{clock.local(r.discharged_at):%d-%b %H:%M}",
                    shorten(r.name, w["person"]),
                    shorten(short_ward(r.ward), w["ward"]),
                    shorten(r.put_in_place, w["what"]),
                ],
            )
            for r in rows
        )
        waiting = sum(1 for r in rows if r.acknowledged_at is None)
        self.query_one("#pickup-status", Static).update(
            f"Discharges to pick up, {self.where()}: {waiting} waiting for someone to acknowledge"
            + ("" if rows else ". None yet.")
        )
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        row = self.highlighted()
        self.query_one("#pickup-detail", Static).update(detail_text(row) if row else "")

    def highlighted(self) -> PickupRow | None:
        """The pick-up under the cursor, if any."""
        table = self.query_one(DataTable)
        if not self.rows or not 0 <= table.cursor_row < len(self.rows):
            return None
        return self.rows[table.cursor_row]

    def say(self, message: str) -> None:
        """A line under the list: what was refused, or what was recorded."""
        self.query_one("#pickup-message", Static).update(message)

    def action_open(self) -> None:
        row = self.highlighted()
        if row is not None:
            self.desk.open_person(row.person_id)

    def action_acknowledge(self) -> None:
        row = self.highlighted()
        if row is None:
            self.say("No pick-up highlighted.")
            return
        if row.acknowledged_at is not None:
            self.say(f"{row.name}: {acknowledged_words(row)} already.")
            return
        self.say("")
        self.app.push_screen(AcknowledgeForm(row), self._acknowledged)

    def _acknowledged(self, row: PickupRow | None) -> None:
        if row is not None:
            self.say(f"{row.name}: {acknowledged_words(row)}. No more reminders about it.")
            self.notify(f"{row.name}: {acknowledged_words(row)}.", title="Pick-up")
            from screens.reminder_watch import look_again

            look_again(self.app)  # the toast about it comes down here at once
            self.load()


class AcknowledgeForm(DeskModalScreen[PickupRow | None]):
    """Acknowledge one pick-up: the zone has it in hand (who and when are recorded)."""

    BINDINGS = [
        Binding("f10", "save", "Acknowledge", id="save", tooltip="Record that the zone has picked the person up"),
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without acknowledging"),
    ]

    DEFAULT_CSS = """
    AcknowledgeForm { align: center middle; }
    #acknowledge { width: 90; max-width: 95%; height: auto; border: thick $accent; background: $surface; padding: 1 2; }
    """

    def __init__(self, row: PickupRow) -> None:
        super().__init__()
        self.row = row

    def compose(self) -> ComposeResult:
        with Vertical(id="acknowledge"):
            yield Label(f"Acknowledge the pick-up of {self.row.name}", classes="dialog-title")
            yield Static(detail_text(self.row))
            with Horizontal(classes="field"):
                yield Label("Note", classes="field-label")
                yield Input(placeholder="optional: what the zone is doing (Enter records)", id="note")
            yield Static("", id="form-message", classes="form-message")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#note").focus()

    @on(Input.Submitted, "#note")
    def _note_done(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        self.save(PickupAck(self.row.pickup_id, self.row.version, self.query_one("#note", Input).value.strip()))

    @work(thread=True, exclusive=True, group="acknowledge-pickup", exit_on_error=False)
    def save(self, data: PickupAck) -> None:
        actor = self.desk.actor
        self.write_then_close(lambda session: pickups.acknowledge(session, actor, data))

    def show_problems(self, problems: dict[str, str]) -> None:
        """What was refused, in the dialog; the note typed stays."""
        self.query_one("#form-message", Static).update("Not acknowledged: " + " ".join(problems.values()))

    def action_cancel(self) -> None:
        self.dismiss(None)
