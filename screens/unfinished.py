"""Calls that were started and never finished: pick one up again."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from desk import clock, db
from desk.services import calls
from desk.services.calls import CallState
from screens.base import DeskModalScreen
from screens.key_footer import KeyFooter
from screens.widgets import FullText, shorten

PREVIEW_WIDTH = 60


class UnfinishedScreen(DeskModalScreen[int | None]):
    """The zone's open calls, with how far each had got."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="cancel"),
        Binding("v", "view", "Whole notes", id="view", tooltip="Read the highlighted call's notes in full"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[CallState] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Unfinished calls", classes="dialog-title")
            yield Label("", id="unfinished-hint", classes="hint")
            yield OptionList(id="unfinished-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exit_on_error=False)
    def load(self) -> None:
        app = self.desk
        with db.reading(app.engine) as session:
            found = calls.unfinished(session, app.zone_id)
        app.call_from_thread(self.show, found)

    def show(self, found: list[CallState]) -> None:
        self.calls = found
        listing = self.query_one(OptionList)
        for c in found:
            notes = shorten(c.notes, PREVIEW_WIDTH) if c.notes.strip() else "(no notes yet)"
            listing.add_option(
                Option(
                    f"{clock.local(c.started_at):%d-%b %H:%M}  {c.caller_name or c.caller_raw or 'withheld'}: {notes}",
                    id=str(c.id),
                )
            )
        hint = (
            "Enter picks the call up with everything typed so far; v shows its notes in full."
            if found
            else "No unfinished calls."
        )
        self.query_one("#unfinished-hint", Label).update(hint)
        listing.focus()
        if found:
            listing.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.calls[event.option_index].id)

    def action_view(self) -> None:
        """The highlighted call's notes, whole: the list shows only their start."""
        index = self.query_one(OptionList).highlighted
        if index is None or not self.calls:
            return
        c = self.calls[index]
        who = c.caller_name or c.caller_raw or "withheld number"
        title = f"Notes of the call at {clock.local(c.started_at):%d-%b %H:%M} from {who}"
        self.app.push_screen(FullText(title, c.notes.strip() or "(no notes yet)"))

    def action_cancel(self) -> None:
        self.dismiss(None)
