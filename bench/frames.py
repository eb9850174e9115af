"""Seeing frames: when an app writes one, what it shows, and how long the event loop froze.

Timing ``pilot.press()`` measures Textual's idle wait, not the desk. Instead
:class:`FrameWatch` wraps ``App._display`` (where Textual 8 hands a finished
frame to the driver) to timestamp every frame, and wakes whoever waits for
the first frame that satisfies a condition. Keys are posted as the driver
posts them (:func:`post_key`), so the time from a key to its frame is the
desk's own work plus Textual's 60 fps refresh, nothing else.

Used both in-process (headless, under ``App.run_test``) and in the pty child
(:mod:`bench.screen_child`), so it imports nothing heavy beyond Textual.
"""

from __future__ import annotations

import asyncio
import gc
import re
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App
from textual.keys import _character_to_key

Predicate = Callable[[str], bool]
"""A test of a frame: gets the frame's text (headless only; "" otherwise) and the app's state via closure."""
Clock = Callable[[], int]

_ANSI = re.compile(r"\x1b\[[0-9;?<=>]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]")


def strip_ansi(sequence: str) -> str:
    """The characters a terminal would show, without colours and cursor moves."""
    return _ANSI.sub("", sequence)


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process in MB (VmRSS), from /proc."""
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc status")


class FrameWatch:
    """Timestamps each frame an app writes and resolves waiters on the first frame that shows what they want.

    In headless mode Textual builds the frame but does not turn it into
    terminal text; with ``headless_text`` the watch does that itself, so the
    cost is still paid (as a terminal would make the app pay it) and
    predicates can look for text in what was drawn.
    """

    def __init__(
        self,
        app: App[Any],
        *,
        clock: Clock = time.perf_counter_ns,
        headless_text: bool = True,
        display: Callable[[Any, Any], None] | None = None,
    ) -> None:
        self.app = app
        self.clock = clock
        self.headless_text = headless_text
        self.frames: list[int] = []
        self.text = ""
        self._original = display or app._display
        self._waiting: list[tuple[Predicate, asyncio.Future[int]]] = []
        app._display = self.display  # type: ignore[method-assign]  # the instance attribute shadows the method

    def display(self, screen: Any, renderable: Any) -> None:
        """The wrapper: let Textual write the frame, then timestamp it and check the waiters."""
        written = renderable is not None and not self.app._batch_count
        self._original(screen, renderable)
        if not written:
            return
        if self.headless_text and self.app.is_headless and isinstance(renderable, CompositorUpdate):
            self.text = strip_ansi(renderable.render_segments(self.app.console))
        else:
            self.text = ""
        now = self.clock()
        self.frames.append(now)
        self._wake(now)

    def _wake(self, now: int) -> None:
        still: list[tuple[Predicate, asyncio.Future[int]]] = []
        for predicate, future in self._waiting:
            if future.done():
                continue
            if predicate(self.text):
                future.set_result(now)
            else:
                still.append((predicate, future))
        self._waiting = still

    def when(self, predicate: Predicate) -> asyncio.Future[int]:
        """A future resolved with the clock time of the first frame, from now on, that satisfies ``predicate``."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((predicate, future))
        return future

    async def until(self, predicate: Predicate, timeout: float = 10.0) -> int:
        """Wait for the first frame that satisfies ``predicate``; its clock time."""
        try:
            return await asyncio.wait_for(self.when(predicate), timeout)
        except TimeoutError:
            raise TimeoutError(f"no frame showed what was awaited within {timeout:.0f} s; {self.describe()}") from None

    def describe(self) -> str:
        """Where the app is, for a measure that failed: its screen and the last frame's text (headless)."""
        last = " ".join(self.text.split())[-300:]
        return f"{len(self.frames)} frames, screen {type(self.app.screen).__name__}" + (
            f", last frame ends: {last!r}" if last else ""
        )

    async def quiet(self, gap_s: float = 0.05, timeout: float = 5.0) -> None:
        """Wait until no frame has been written for ``gap_s`` (the screen has settled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            seen = len(self.frames)
            await asyncio.sleep(gap_s)
            if len(self.frames) == seen:
                return


def attach_on_first_frame(app_class: type[App[Any]], on_attach: Callable[[FrameWatch], None], *, clock: Clock) -> None:
    """Watch the frames of the first instance of ``app_class`` that draws, from its very first frame.

    For the pty child, where the app is created inside code we do not control
    (``screens.launcher.main``): the class-level shim runs once, then the watch's
    instance attribute takes over.
    """
    original = app_class._display

    def first(self: App[Any], screen: Any, renderable: Any) -> None:
        watch = FrameWatch(self, clock=clock, headless_text=False, display=original.__get__(self))
        on_attach(watch)
        watch.display(screen, renderable)

    app_class._display = first  # type: ignore[method-assign]  # a class-level shim: replacing the method is the point


def key_event(key: str) -> events.Key:
    """The event a terminal's driver would post for ``key`` (a character such as "]" or a name such as "down")."""
    if len(key) == 1:
        return events.Key(_character_to_key(key), key)
    return events.Key(key, " " if key == "space" else None)


def post_key(app: App[Any], key: str, clock: Clock = time.perf_counter_ns) -> int:
    """Post a key as the driver does (not ``pilot.press``, which waits for idle); the clock time just before."""
    event = key_event(key)
    event.set_sender(app)
    t = clock()
    app.post_message(event)
    return t


class Typist(threading.Thread):
    """Keys arriving from outside the event loop at a steady pace, as a terminal delivers them.

    Posting from inside the loop would hide a freeze (the key could not be
    posted until the loop was free); from this thread each key's time is
    taken when it arrives, and the app gets it when the loop next runs.
    """

    def __init__(
        self, app: App[Any], keys: Sequence[str], interval_s: float, clock: Clock = time.perf_counter_ns
    ) -> None:
        super().__init__(daemon=True, name="bench-typist")
        self.app = app
        self.keys = list(keys)
        self.interval_s = interval_s
        self.clock = clock
        self.loop = asyncio.get_running_loop()
        self.sent: list[int] = []

    def run(self) -> None:
        start = time.perf_counter()
        for i, key in enumerate(self.keys):
            time.sleep(max(0.0, start + i * self.interval_s - time.perf_counter()))
            event = key_event(key)
            event.set_sender(self.app)
            self.sent.append(self.clock())
            self.loop.call_soon_threadsafe(self.app.post_message, event)


class Heartbeat:
    """An asyncio task that wakes every ``period_s``: a late wake-up is the event loop frozen for that long."""

    def __init__(self, period_s: float = 0.005, clock: Clock = time.perf_counter_ns) -> None:
        self.period_ns = int(period_s * 1e9)
        self.clock = clock
        self.beats: list[tuple[int, int]] = []
        self._task: asyncio.Task[None] | None = None

    async def _beat(self) -> None:
        last = self.clock()
        while True:
            await asyncio.sleep(self.period_ns / 1e9)
            now = self.clock()
            self.beats.append((last, now))
            last = now

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._beat())

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def longest_freeze(self, t0: int, t1: int) -> int:
        """Nanoseconds of the longest stall overlapping [t0, t1]: the longest gap between beats, less the period."""
        gaps = [b - a for a, b in self.beats if b > t0 and a < t1]
        return max(0, max(gaps, default=0) - self.period_ns)


class GcPauses:
    """Times every garbage collection, so a freeze can be told apart from a collector pause.

    A collection stops every thread while it runs, whichever thread set it
    off, so each one is a freeze of the event loop too.
    """

    def __init__(self, clock: Clock = time.perf_counter_ns) -> None:
        self.clock = clock
        self.pauses: list[tuple[int, int, int]] = []  # start, end, generation
        self._started = 0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = self.clock()
        else:
            self.pauses.append((self._started, self.clock(), info["generation"]))

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def describe(self) -> str:
        """The longest pause and how many collections ran, for a row's note."""
        if not self.pauses:
            return "no garbage collections"
        start, end, generation = max(self.pauses, key=lambda p: p[1] - p[0])
        return f"{len(self.pauses)} collections, longest {(end - start) / 1e6:.0f} ms (gen {generation})"
