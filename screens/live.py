"""Lists and records that stay live: a watch a screen opts into with the change mark it cares about.

A screen composes a :class:`LiveWatch` with a function that reads a cheap
mark from the database (desk.services.changes: the newest history entry,
perhaps for one person). About once a second, while its screen is the one on
top, the watch reads the mark in a thread worker; when the mark has moved
since the screen last loaded, it posts :class:`LiveWatch.Moved` and the
screen reloads, keeping its place. So a call logged at another desk sharing
the database shows in an open call log within two seconds, without a key.

The screen's own load worker calls :meth:`LiveWatch.note` with the session
it reads through, before reading, so the mark always says what the data on
screen is as of. A screen that cannot (its first page came from the desk's
opening) leaves the mark unknown, and the first look reloads once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget

from screens.base import desk_of

if TYPE_CHECKING:
    from sqlmodel import Session

POLL_S = 1.0
"""How often an open screen asks whether anything has changed: a change shows within two of these."""

log = logging.getLogger("zone-desk")

MarkReader = Callable[["Session"], Hashable]
"""Reads a screen's change mark through a session (in a worker thread); equal marks mean nothing changed."""


class LiveWatch(Widget):
    """Invisible: polls a change mark for its screen and says when it moves."""

    DEFAULT_CSS = """
    LiveWatch { display: none; }
    """

    class Moved(Message):
        """Something the screen shows was saved, here or at another desk: reload, keeping your place."""

    def __init__(self, read_mark: MarkReader, *, every: float = POLL_S, id: str | None = None) -> None:
        """``read_mark`` reads the mark; ``every`` is the polling interval in seconds."""
        super().__init__(id=id)
        self._read_mark = read_mark
        self._every = every
        self._seen: Hashable | None = None
        self._lock = threading.Lock()
        self._polling = threading.Event()  # set on the main thread, cleared by the poll's worker

    def on_mount(self) -> None:
        self.set_interval(self._every, self._tick, name="live-watch")

    # --- what screens call --------------------------------------------------------

    def note(self, session: Session) -> None:
        """From a load worker, before it reads: the data about to be shown is as of this mark."""
        self.seen_as(self._read_mark(session))

    def seen_as(self, value: Hashable) -> None:
        """The data on screen is as of ``value`` (a mark read before it was); from any thread."""
        with self._lock:
            self._seen = value

    def forget(self) -> None:
        """The data on screen is of unknown age: the next look reloads."""
        with self._lock:
            self._seen = None

    # --- polling ------------------------------------------------------------------

    def _tick(self) -> None:
        if self._polling.is_set() or not self.screen.is_current or not desk_of(self).database.ready:
            return  # a screen underneath reloads when it comes back; behind a first look the engine may not be made
        self._polling.set()
        self._poll()

    @work(thread=True, exit_on_error=False, group="live-watch")
    def _poll(self) -> None:
        from desk import db

        try:
            with db.reading(desk_of(self).engine) as session:
                value = self._read_mark(session)
        except Exception:  # a busy or unreachable database: try again next tick, never a message each second
            log.warning("live watch could not read its change mark", exc_info=True)
            value = None
        finally:
            self._polling.clear()
        if value is None:
            return
        with self._lock:
            moved = value != self._seen
            self._seen = value
        if moved:
            self.post_message(self.Moved())
