"""The desk's garbage-collector policy, all in one place.

Why, and what it measured (bench/README.md has the runs): the desk's heap is
mostly things that live all session (Textual, the ORM, the first screen), and
each of Python's collections stops every thread, so a collection at the wrong
moment shows as a stutter under the co-ordinator's keys.

- Off while the desk opens (``paused`` from the ``desk`` command until the ORM
  has loaded): a collection then only delays the first frame (12-15 ms of 170 ms).
- Once the desk listens to the line (``settle``): what is alive is frozen out of
  every sweep (at 40,000 caseload rows those sweeps were long enough to see); the
  first generation is larger (10,000), so a screen switch's tens of thousands of
  short-lived objects die young instead of piling into full collections (longest
  pause opening a busy record 155 ms -> about 50 ms); and the middle generation is
  swept every third young sweep, not every tenth (at ten it grew to 100,000
  objects and one sweep took 80-110 ms).
- After each screen change (``sweep_soon``): a closed screen's widgets refer to
  one another, so only a full collection frees them; left to Python, one after
  forty records swept 125,000 objects (180 ms mid-key). Swept half a second after
  each change it finds about one screen's worth (longest 24-32 ms over forty records).
  The half second runs from the latest change, and the sweep waits (a second at
  most) while the screen in front is still reading what it shows and drawing it:
  counted from an earlier change, or fired while a slow first frame was on its
  way, it landed inside the crisis board's first frame (3 of 20 boards opened
  just after closing one, 54-107 ms each).
- Python never sweeps the oldest generation by itself (``OLD_THRESHOLD``): left
  to count young sweeps, it ran one every few screens opened in quick
  succession, whenever the count came round: 87-158 ms inside the package
  screen's and the board's first frames, where no quiet moment had come for
  the desk's own sweep. The desk sweeps it: after each screen change, as
  above, and once a minute (``SWEEP_EVERY_S``, waiting likewise), so a desk
  left on one screen all afternoon still frees what it let go.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported by the launcher before Textual, which must load side by side with the first look
    from textual.app import App
    from textual.timer import Timer

YOUNG_THRESHOLD = 10_000
MIDDLE_THRESHOLD = 3
OLD_THRESHOLD = 1_000_000
"""Middle sweeps before Python would sweep the oldest generation itself: never, in a desk's day (see above)."""
SWEEP_EVERY_S = 60.0
"""How often the oldest generation is swept when no screen change has had it swept."""
SWEEP_AFTER_S = 0.5
LOOK_AGAIN_S = 0.1
"""How long a sweep waits while the screen in front is still reading what it shows."""
MOST_WAITS = 10
"""A sweep waits at most this many times (a second): a screen always reading is swept all the same."""


def pause() -> None:
    """Stop collecting while the desk opens: nearly everything made now lives all session."""
    gc.disable()


def resume() -> None:
    """Collect again (the ordinary way in, which migrates or seeds, makes garbage)."""
    gc.enable()


@contextmanager
def paused() -> Iterator[None]:
    """No collection while loading what lives all session (the ORM, behind the first frame); on again after."""
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Collector:
    """The collector's settings once the desk is open, and the sweep after each screen change."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.settled = False
        """True once the startup heap is frozen and the thresholds set (see :meth:`settle`)."""
        self._sweep: Timer | None = None
        self._waits = 0
        self._was_reading = False

    def settle(self) -> None:
        """The desk is open and listening: freeze what is alive, set the thresholds, collect again."""
        gc.freeze()
        gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, OLD_THRESHOLD)
        gc.enable()  # off while the desk opened (screens.launcher), whichever way it opened
        if not self.settled:  # signing in again settles again: one minute's sweep is enough
            self.app.set_interval(SWEEP_EVERY_S, self._sweep_now, name="sweep every minute")
        self.settled = True

    def _sweep_now(self) -> None:
        """The minute's sweep, unless one is already due: like a screen change's, half a second on.

        A screen change meanwhile puts it off as it puts off its own, so it
        never lands in the first frame of a screen the co-ordinator just opened.
        """
        if self._sweep is None:
            self._waits, self._was_reading = 0, False
            self._sweep = self.app.set_timer(SWEEP_AFTER_S, self._collect, name="sweep closed screens")

    def sweep_soon(self) -> None:
        """A full collection shortly after the screen changed: only once settled, or it would sweep the loading ORM.

        Half a second after the latest change: a sweep still due from the one
        before would land in the first frame of the screen just opened.
        """
        if not self.settled:
            return
        if self._sweep is not None:
            self._sweep.stop()
        self._waits, self._was_reading = 0, False
        self._sweep = self.app.set_timer(SWEEP_AFTER_S, self._collect, name="sweep closed screens")

    @property
    def sweep_pending(self) -> bool:
        """True while a sweep is due (a screen changed less than SWEEP_AFTER_S ago)."""
        return self._sweep is not None

    def _collect(self) -> None:
        """Sweep, unless the screen in front is still reading (or has just read) what its first frame shows."""
        reading = self._front_is_reading()
        if (reading or self._was_reading) and self._waits < MOST_WAITS:
            self._waits += 1
            self._was_reading = reading  # read just now: its frame is still being drawn, so once more
            self._sweep = self.app.set_timer(LOOK_AGAIN_S, self._collect, name="sweep closed screens")
            return
        self._sweep = None
        gc.collect()

    def _front_is_reading(self) -> bool:
        if not self.app.screen_stack:  # the desk is closing: nothing in front
            return False
        screen = self.app.screen
        return any(w.node is screen and not w.is_finished for w in self.app.workers)
