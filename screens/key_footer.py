"""The footer: every key that works here, on one line.

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
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self.call_after_refresh(self._bindings_changed, self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen:
            self.update(self.keys_text())

    def keys_text(self) -> Text:
        """Each shown binding once per action; disabled ones dimmed; the palette key last."""
        text = Text(no_wrap=True, overflow="ellipsis")
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            text.append(f" {self.app.get_key_display(binding)} ", style="bold reverse" if enabled else "dim reverse")
            text.append(f" {binding.description}  ", style="" if enabled else "dim")
        if self.app.ENABLE_COMMAND_PALETTE:
            text.append(" ^p ", style="bold reverse")
            text.append(" palette")
        return text
