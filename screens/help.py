"""Every key that works on the screen you came from, and what it does."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from screens.key_footer import KeyFooter

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

    def keys_text(self) -> Text:
        """The keys of the screen below, then the ones that work everywhere."""
        text = Text()

        def section(title: str, rows: list[tuple[str, str]]) -> None:
            text.append(f"{title}\n", style="bold underline")
            for key, does in rows:
                text.append(f"  {key:<18}", style="bold cyan")
                text.append(f"{does}\n")
            text.append("\n")

        def rows(bindings: Iterable[BindingType]) -> list[tuple[str, str]]:
            return [(_key(b), b.tooltip or b.description) for b in bindings if isinstance(b, Binding)]

        name = self.for_screen.__class__.__name__.replace("Screen", "") or "Desk"
        section(f"On this screen ({name})", rows(self.for_screen.BINDINGS))
        section("Everywhere", rows(self.app.BINDINGS) + GENERAL)
        return text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(self.keys_text(), id="help-keys")
        yield KeyFooter()
