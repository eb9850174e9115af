"""The header every desk screen wears: Textual's, without what it leaves behind when its screen closes."""

from __future__ import annotations

from textual.widgets import Header

from screens.leak_fixes import stop_watching_app


class DeskHeader(Header):
    """Textual's Header, which stops watching the app's title when its screen closes (see screens.leak_fixes)."""

    def on_unmount(self) -> None:
        stop_watching_app(self)
