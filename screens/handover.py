"""The daily handover: every crisis assessed in the last day, with the team's decision for each.

At the meeting the team goes down the list: D records the decision (further
support, reduce support, close, admitted to hospital, a bed-based stay of 24 to
48 hours), X closes a crisis once decided (never before), and E writes the list
as plain text to the desk's data directory for the meeting, saying where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.text import Text
from sqlmodel import Session
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from desk import clock, db, settings, triage
from desk.crisis import handover
from desk.crisis.handover import DECISIONS, CloseInput, DecisionInput, HandoverItem
from desk.errors import DeskError, InvalidForm
from screens.base import DeskScreen
from screens.form import FormDialog, text_field
from screens.header import DeskHeader
from screens.key_footer import KeyFooter
from screens.widgets import FieldError, FullText, shorten


def export_path(zone_id: str, at: datetime) -> Path:
    """Where the handover text goes: the desk's data directory, one file per zone and minute."""
    return settings.data_dir() / "handover" / f"handover-{zone_id}-{clock.local(at):%Y%m%d-%H%M}.txt"


def item_detail(it: HandoverItem) -> str:
    """One crisis in full, for the panel under the list."""
    assessed = f"{clock.local(it.assessed_at):%a %H:%M}" if it.assessed_at else "by the visiting team"
    lines = [
        f"{it.person}: {triage.UCR_NEEDS.get(it.need, it.need)}. {it.what_happened}",
        f"Raised {clock.local(it.raised_at):%a %d-%b %H:%M}, assessed {assessed}. "
        f"Decision: {it.decision_label}" + (f" ({it.decision_note})" if it.decision_note else ""),
    ]
    follow = "; ".join(
        f"{b.staff_name} ({b.discipline.replace('_', ' ')}) {clock.local(b.visit_at):%a %H:%M}, {b.state_word.lower()}"
        for b in it.follow_ups
    )
    lines.append(f"Follow-up: {follow or 'none booked'}")
    lines.append(f"Reported back: {it.latest_liaison or 'nothing yet'}")
    return "\n".join(lines)


class DecisionForm(FormDialog):
    """The team's decision on one crisis, with a note of what follows."""

    def __init__(self, item: HandoverItem) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield from self.form_header(f"Decision for {self.item.person}")
            yield Static(shorten(self.item.what_happened, 70), classes="field-note")
            with Horizontal(classes="field"):
                yield Label("Decision", classes="field-label")
                yield Select(
                    [(label, key) for key, label in DECISIONS.items()],
                    id="decision",
                    prompt="Choose the team's decision",
                    value=self.item.decision or Select.NULL,
                )
            yield FieldError(id="decision-error")
            yield from text_field("note", "What follows", "e.g. nurse daily for 3 days")
            yield Label("F10 saves; Escape closes without saving.", classes="hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#note", Input).value = self.item.decision_note
        self.query_one("#decision", Select).focus()

    def action_save(self) -> None:
        choice = self.query_one("#decision", Select).value
        self.save(choice if isinstance(choice, str) else "", self.query_one("#note", Input).value)

    @work(thread=True, exclusive=True, exit_on_error=False)
    def save(self, decision: str, note: str) -> None:
        actor = self.desk.actor
        it = self.item
        saved = self.attempt_save(
            lambda session: handover.decide(session, actor, DecisionInput(it.crisis_id, decision, note, it.version))
        )
        if saved is not None:
            self.app.call_from_thread(self.dismiss, saved.crisis_id)


@dataclass(frozen=True)
class HandoverList:
    """The zone's handover list as read at a moment."""

    zone_id: str
    at: datetime
    items: list[HandoverItem]


class HandoverScreen(DeskScreen[None]):
    """The handover list of the zone, the decision for each crisis, and the export for the meeting."""

    CSS_PATH = "crisis.tcss"

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="back"),
        Binding("d", "decide", "Decide", id="decide", tooltip="Record the team's decision on the highlighted crisis"),
        Binding("x", "close_crisis", "Close crisis", id="close_crisis", tooltip="Close the crisis (once decided)"),
        Binding("e", "export", "Export text", id="export", tooltip="Write the list as plain text for the meeting"),
        Binding("v", "view_text", "View text", id="view_text", tooltip="Show the list as the exported text"),
        Binding("ctrl+r", "reload", "Refresh", id="reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.listing: HandoverList | None = None

    @property
    def items(self) -> list[HandoverItem]:
        """The crises on the list now."""
        return self.listing.items if self.listing else []

    def compose(self) -> ComposeResult:
        yield DeskHeader()
        yield Static("", id="handover-title", classes="screen-title")
        yield DataTable(id="handover", cursor_type="row", zebra_stripes=True)
        yield Static("", id="handover-detail", classes="detail")
        yield Static("", id="handover-message", classes="form-message")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in (
            ("raised", "Raised", 12),
            ("person", "Person", 24),
            ("need", "Need", 30),
            ("decision", "Decision", 30),
            ("follow", "Follow-ups", 10),
            ("status", "Status", 8),
        ):
            table.add_column(label, key=key, width=width)
        table.focus()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="handover", exit_on_error=False)
    def load(self) -> None:
        """The last day's assessed crises of the zone."""
        app = self.desk
        zone_id: str = app.zone_id
        with db.reading(app.engine) as session:
            listing = HandoverList(zone_id, clock.now(), handover.handover_list(session, zone_id))
        app.call_from_thread(self.show, listing)

    def show(self, listing: HandoverList) -> None:
        """Draw the list, keeping the cursor where it was."""
        self.listing = listing
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for it in listing.items:
            decided = Text(it.decision_label, style="" if it.decision else "bold yellow")
            table.add_row(
                f"{clock.local(it.raised_at):%a %H:%M}",
                shorten(it.person, 24),
                shorten(triage.UCR_NEEDS.get(it.need, it.need), 30),
                decided,
                str(len(it.follow_ups)),
                Text("Closed", style="dim") if it.status == "closed" else "Open",
                key=str(it.crisis_id),
            )
        if listing.items:
            table.move_cursor(row=min(keep, len(listing.items) - 1))
        undecided = sum(1 for it in listing.items if not it.decision)
        self.query_one("#handover-title", Static).update(
            f"Crisis handover, zone {listing.zone_id}, {clock.local(listing.at):%a %d-%b-%Y %H:%M}: "
            f"{len(listing.items)} crises assessed in the last day"
            + (f", {undecided} without a decision" if undecided else "")
        )
        self._show_detail()

    @on(DataTable.RowHighlighted)
    def _moved(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        it = self.highlighted()
        self.query_one("#handover-detail", Static).update(
            item_detail(it) if it else "No crisis was assessed in the last day."
        )

    def highlighted(self) -> HandoverItem | None:
        """The crisis under the cursor, if any."""
        row = self.query_one(DataTable).cursor_row
        return self.items[row] if 0 <= row < len(self.items) else None

    def say(self, message: str) -> None:
        """A line under the list: what was refused, or where the export went."""
        self.query_one("#handover-message", Static).update(message)

    def action_decide(self) -> None:
        it = self.highlighted()
        if it is None:
            self.say("No crisis highlighted.")
            return
        if it.status == "closed":
            self.say("This crisis is already closed.")
            return
        self.app.push_screen(DecisionForm(it), self._decided)

    def _decided(self, crisis_id: int | None) -> None:
        if crisis_id is not None:
            self.say("Decision recorded.")
            self.load()

    def action_close_crisis(self) -> None:
        it = self.highlighted()
        if it is None:
            self.say("No crisis highlighted.")
            return
        self.close_crisis(it)

    @work(thread=True, exclusive=True, group="handover-close", exit_on_error=False)
    def close_crisis(self, it: HandoverItem) -> None:
        """Close the crisis; without the team's decision it is refused and nothing changes."""
        app = self.desk
        actor = app.actor
        try:
            with db.writing(app.engine) as session:
                handover.close(session, actor, CloseInput(it.crisis_id, it.version))
        except InvalidForm as exc:
            app.call_from_thread(self.say, "Not closed: " + " ".join(exc.problems.values()))
            return
        except DeskError as exc:
            app.call_from_thread(self.say, "Not closed: " + exc.message)
            return
        app.call_from_thread(self.say, f"{it.person}: crisis closed.")
        app.call_from_thread(self.load)

    def action_export(self) -> None:
        self.export()

    @work(thread=True, exclusive=True, group="handover-export", exit_on_error=False)
    def export(self) -> None:
        """Write the list, read afresh, as plain text in the data directory."""
        app = self.desk
        zone_id: str = app.zone_id
        now = clock.now()
        with db.reading(app.engine) as session:
            text = export_text(session, zone_id, now)
        path = export_path(zone_id, now)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        app.call_from_thread(self.say, f"Handover written to {path} (V shows it).")

    def action_view_text(self) -> None:
        if self.listing is None:
            return
        text = handover.export_text(self.items, zone_id=self.listing.zone_id, at=self.listing.at)
        self.app.push_screen(FullText("Crisis handover", text))


def export_text(session: Session, zone_id: str, at: datetime) -> str:
    """The zone's handover list at ``at`` as the meeting's plain text."""
    return handover.export_text(handover.handover_list(session, zone_id, now=at), zone_id=zone_id, at=at)
