"""The footer: every key that works here, wrapping to a second line if it must.

Textual's own Footer rebuilds a widget per key whenever the bindings change
(every screen switch and every change of focus), and each rebuild restyles
the screen: about 135 ms each time a record opened. This footer shows the
same keys, from the same active bindings, as one line of text.
"""

from __future__ import annotations

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static


class KeyFooter(Static):
    """The active keys of the screen (focused widget's first), as ``key Description`` pairs."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: auto;
        max-height: 4;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    _shown: str | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._bindings_changed, self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self._show(self.keys_text())

    def on_resize(self) -> None:
        self._show(self.keys_text())

    def _show(self, text: Text) -> None:
        """Update only when the keys shown change: every update lays the whole screen out again (height auto)."""
        markup = text.markup
        if markup != self._shown:
            self._shown = markup
            self.update(text)

    def _items(self) -> list[Text]:
        """Each shown binding once per action, as 'key Description'; disabled ones dimmed; the palette last."""
        items: list[Text] = []
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            item = Text(self.app.get_key_display(binding), style="bold reverse" if enabled else "dim reverse")
            item.append(f" {binding.description}", style="" if enabled else "dim")
            items.append(item)
        if self.app.ENABLE_COMMAND_PALETTE:
            items.append(Text.assemble(("^p", "bold reverse"), " Palette"))
        return items

    def keys_text(self) -> Text:
        """The items packed into as many lines as the width needs, never splitting one."""
        width = self.size.width or self.app.size.width
        text, line = Text(no_wrap=True), 0
        for item in self._items():
            if line and line + 2 + item.cell_len > width:
                text.append("\n")
                line = 0
            elif line:
                text.append("  ")
                line += 2
            text.append(item)
            line += item.cell_len
        return text
