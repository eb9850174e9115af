"""Who is at the desk? Asked when the desk opens, until sign-in arrives."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from desk.rows import StaffRow
from desk.seating import seating_order
from screens.key_footer import KeyFooter


class StaffPicker(ModalScreen[StaffRow | None]):
    """Choose which of the zone's staff is sitting at this desk."""

    BINDINGS = [Binding("ctrl+q", "quit_desk", "Quit", id="quit", tooltip="Close the desk")]

    def __init__(self, staff: list[StaffRow]) -> None:
        super().__init__()
        self.staff = seating_order(staff)

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog"):
            yield Label("Who is at the desk?", classes="dialog-title")
            yield Label(
                "Up/Down to move, Enter to choose. Every change you make is recorded under your name.", classes="hint"
            )
            yield OptionList(
                *[Option(f"{s.name:<22} {s.role_label:<36} {s.zone_id}", id=str(s.id)) for s in self.staff],
                id="staff-list",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.focus()
        listing.highlighted = 0

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.staff[event.option_index])

    def action_quit_desk(self) -> None:
        self.dismiss(None)
