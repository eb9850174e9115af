"""Find anyone on the register and open their record."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label

from screens.base import DeskModalScreen
from screens.key_footer import KeyFooter
from screens.widgets import PersonFinder


class FindScreen(DeskModalScreen[None]):
    """Search by name, NHS number, date of birth, postcode or phone."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Close", id="close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Find a person", classes="dialog-title")
            yield PersonFinder(id="finder")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(PersonFinder).focus_input()

    @on(PersonFinder.Chosen)
    def _chosen(self, event: PersonFinder.Chosen) -> None:
        self.dismiss()
        self.desk.open_person(event.person_id)
