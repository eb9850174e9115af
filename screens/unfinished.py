"""Calls that were started and never finished: pick one up again."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from desk import clock, db
from desk.services import calls, changes
from desk.services.calls import CallState
from screens.base import DeskModalScreen
from screens.key_footer import KeyFooter
from screens.live import LiveWatch

if TYPE_CHECKING:
    from sqlmodel import Session
from screens.widgets import FullText, shorten

LINE_WIDTH = 80
"""Cells of one line of the list: the dialog's 90 less its border and padding, the list's own and a scrollbar."""
CALLER_WIDTH = 44
"""The most of a line the caller takes ("Carer of Doris PASCOE: Jean Pascoe (daughter)"), leaving the notes room."""


def preview(started: str, caller: str, notes: str) -> str:
    """One call on one line: when, who rang, and the start of the notes, ending in an ellipsis if cut."""
    head = f"{started}  {shorten(caller, CALLER_WIDTH)}: "
    said = shorten(notes, LINE_WIDTH - len(head)) if notes.strip() else "(no notes yet)"
    return head + said


class UnfinishedScreen(DeskModalScreen[int | None]):
    """The zone's open calls, with how far each had got."""

    BINDINGS = [
        Binding("escape", "cancel", "Close", id="cancel"),
        Binding("v", "view", "Whole notes", id="view", tooltip="Read the highlighted call's notes in full"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[CallState] = []
        self.live = LiveWatch(self._mark)
        self._shown = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("Unfinished calls", classes="dialog-title")
            yield Label("", id="unfinished-hint", classes="hint")
            yield OptionList(id="unfinished-list")
        yield self.live
        yield KeyFooter()

    def on_mount(self) -> None:
        self.load()

    def _mark(self, session: Session) -> tuple[int, tuple[int, datetime | None]]:
        """Calls started or finished anywhere, and notes typed on open calls."""
        return changes.mark(session), changes.drafts_mark(session)

    @on(LiveWatch.Moved)
    def _changed_elsewhere(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="unfinished", exit_on_error=False)
    def load(self) -> None:
        app = self.desk
        with db.reading(app.engine) as session:
            self.live.note(session)
            found = calls.unfinished(session, app.zone_id)
        app.call_from_thread(self.show, found)

    def show(self, found: list[CallState]) -> None:
        """List the open calls; the highlighted one stays highlighted when the list is reloaded."""
        if self._shown and found == self.calls:
            return
        first = not self._shown
        self._shown = True
        listing = self.query_one(OptionList)
        was_on = (
            self.calls[listing.highlighted].id
            if listing.highlighted is not None and listing.highlighted < len(self.calls)
            else None
        )
        self.calls = found
        listing.clear_options()
        for c in found:
            started = f"{clock.local(c.started_at):%d-%b %H:%M}"
            caller = c.caller_name or c.caller_raw or "withheld"
            listing.add_option(Option(preview(started, caller, c.notes), id=str(c.id)))
        hint = (
            "Enter picks the call up with everything typed so far; v shows its notes in full."
            if found
            else "No unfinished calls."
        )
        self.query_one("#unfinished-hint", Label).update(hint)
        ids = [c.id for c in found]
        if first:
            listing.focus()
        if found:
            listing.highlighted = ids.index(was_on) if was_on in ids else 0

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
