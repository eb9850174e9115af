"""Every key that works on the screen you came from, and what it does."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Label, Static

GENERAL = [
    ("Ctrl+P", "Command palette: type to find any action"),
    ("Tab / Shift+Tab", "Move between fields"),
    ("Escape", "Back, or close a dialog"),
    ("Ctrl+Q", "Quit the desk (an open call keeps its notes)"),
]


def _key(binding: Binding) -> str:
    return binding.key_display or binding.key.replace("_", " ").title()


class HelpScreen(ModalScreen[None]):
    """The keys for this screen and for the whole desk."""

    BINDINGS = [Binding("escape,f1", "app.pop_screen", "Close", id="close")]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        table = Table(show_header=True, header_style="bold", expand=True, box=None)
        table.add_column("Key", style="bold cyan", no_wrap=True)
        table.add_column("Does")
        name = self.for_screen.__class__.__name__.replace("Screen", "")
        table.add_row(f"[b]{name}[/b]", "")
        for binding in self.for_screen.BINDINGS:
            if isinstance(binding, Binding):
                table.add_row(_key(binding), binding.tooltip or binding.description)
        table.add_row("", "")
        table.add_row("[b]Everywhere[/b]", "")
        for binding in self.app.BINDINGS:
            if isinstance(binding, Binding):
                table.add_row(_key(binding), binding.tooltip or binding.description)
        for key, does in GENERAL:
            table.add_row(key, does)
        with Vertical(classes="dialog wide"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(table, id="help-keys")
        yield Footer()
