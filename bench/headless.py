"""Keystroke to frame: the desk headless (``App.run_test`` at 160x45) in a fresh process of its own.

Keys are posted as the terminal driver posts them (never ``pilot.press``,
which waits for idle); each sample runs from the key to the first frame
``App._display`` writes that shows its result (:class:`bench.frames.FrameWatch`;
headless, the frame is still turned into terminal text, so that cost is
paid). A 5 ms heartbeat in the app's own event loop gives the longest freeze
around each key, and every garbage collection is timed.

Each script runs in a new process (``spawn``): the bench's own heap (the
service measures load hundreds of thousands of objects) would otherwise
lengthen the desk's garbage collections and count against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import time
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from bench.core import Result, Target
from bench.frames import FrameWatch, GcPauses, Heartbeat, Predicate, Typist, post_key

FRAME_MS = Target("max", 100.0)  # "no single frame takes more than 100 ms"
SIZE = (160, 45)


@dataclass(frozen=True)
class DeskUnderTest:
    """Who sits at the desk and what they look at: the busiest zone's co-ordinator."""

    staff_id: int
    zone_id: str
    zone_people: int
    trust_people: int
    person_id: int
    child_url: str  # the URL another process opens (on PostgreSQL it carries the bench schema)


@dataclass
class Step:
    """One key, how to recognise the frame that shows its result, and the row it counts towards.

    Steps without a label only set the scene and are not counted.
    """

    key: str
    shows: Predicate
    label: str = ""


@dataclass
class Timings:
    """Key-to-frame latencies and the longest freeze around each key, in nanoseconds."""

    latency: list[int] = field(default_factory=list)
    freeze: list[int] = field(default_factory=list)


@dataclass
class Sample:
    """One key: when it was posted, when the frame showing its result was written, the longest freeze."""

    posted: int
    shown: int
    freeze: int

    @property
    def latency(self) -> int:
        return self.shown - self.posted


class Harness:
    """A headless desk with its frames watched, a heartbeat in its event loop and its collections timed."""

    def __init__(self, app: Any, desk: DeskUnderTest, watch: FrameWatch, beat: Heartbeat, gc: GcPauses) -> None:
        self.app, self.desk, self.watch, self.beat, self.gc = app, desk, watch, beat, gc

    async def key(self, key: str, shows: Predicate, timeout: float = 15.0) -> Sample:
        """Post ``key``, wait for the frame that ``shows`` its result, then for the screen to settle."""
        shown = self.watch.when(shows)
        posted = post_key(self.app, key)
        try:
            frame = await asyncio.wait_for(shown, timeout)
        except TimeoutError:
            raise TimeoutError(
                f"no frame showed the result of {key!r} within {timeout:.0f} s; {self.watch.describe()}"
            ) from None
        await self.watch.quiet()
        return Sample(posted, frame, self.beat.longest_freeze(posted, self.watch.clock()))

    async def steps(self, steps: Iterator[Step]) -> dict[str, Timings]:
        """Run steps one after another (each generated after the last has settled), grouped by label."""
        out: dict[str, Timings] = {}
        for step in steps:
            sample = await self.key(step.key, step.shows)
            if step.label:
                t = out.setdefault(step.label, Timings())
                t.latency.append(sample.latency)
                t.freeze.append(sample.freeze)
        return out


Script = Callable[..., Awaitable[list[Result]]]


def run(desk: DeskUnderTest, script: Script, *args: Any, timeout_s: float = 900.0) -> list[Result]:
    """Run ``script(harness, *args)`` against a headless desk in a fresh process; its result rows."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_in_process, desk, script, args).result(timeout=timeout_s)


def _in_process(desk: DeskUnderTest, script: Script, args: tuple[Any, ...]) -> list[Result]:
    from desk import db

    engine = db.make_engine(desk.child_url)
    try:
        return asyncio.run(_open_desk(engine, desk, script, args))
    finally:
        engine.dispose()


async def _open_desk(engine: Any, desk: DeskUnderTest, script: Script, args: tuple[Any, ...]) -> list[Result]:
    """Open the desk as the co-ordinator, wait for the caseload to settle, then run the script."""
    from textual.worker import WorkerCancelled

    from screens.app import DeskApp

    app = DeskApp(engine=engine, staff_id=desk.staff_id)
    watch, beat = FrameWatch(app), Heartbeat()
    async with app.run_test(size=SIZE):
        await watch.until(caseload_ready(app), timeout=60)
        await watch.quiet(0.2)
        beat.start()
        try:
            with GcPauses() as gc:
                return await script(Harness(app, desk, watch, beat, gc), *args)
        finally:
            beat.stop()
            with contextlib.suppress(WorkerCancelled):  # a newer page or record replaced it: nothing to wait for
                await app.workers.wait_for_complete()


# --- what a frame must show ---------------------------------------------------------------------


def caseload_ready(app: Any) -> Predicate:
    from screens.caseload import CaseloadScreen

    return lambda _: isinstance(app.screen, CaseloadScreen) and app.screen.page is not None


def status_of(screen: Any) -> str:
    from textual.widgets import Static

    return str(screen.query_one("#caseload-status", Static).content)


def new_page(screen: Any) -> Predicate:
    """The first frame after a fresh page arrived from the database, with its status line on screen."""
    before = screen.page
    return lambda frame: screen.page is not before and status_of(screen) in frame


def cursor_at(table: Any, row: int) -> Predicate:
    return lambda _: table.cursor_row == row


# --- the caseload -----------------------------------------------------------------------------------


def caseload_steps(screen: Any, words: list[str], few: int, many: int) -> Iterator[Step]:
    """Every caseload key in turn, read off the screen as it goes; ends where it began, in all zones."""
    from textual.widgets import Input

    from desk.rows import FILTERS

    table, box = screen.query_one("#caseload"), screen.query_one("#caseload-search", Input)
    even = few + few % 2  # toggles come back to where they started

    def pages(key: str, label: str, n: int = few) -> Iterator[Step]:
        for _ in range(n):
            yield Step(key, new_page(screen), label)

    yield from pages("a", "'a' own zone <-> all zones", even)
    yield Step("a", new_page(screen))  # from here on: the whole trust
    for _ in range(many):
        yield Step("down", cursor_at(table, table.cursor_row + 1), "Down (scrolling a page)")
    yield from pages("]", "']' next page")
    yield from pages("[", "'[' previous page")
    for _ in range(max(1, few // 5)):
        for key, name in zip("mhdxz", ("mine", "hospital", "due", "crisis", "zone"), strict=True):
            yield from pages(key, f"'{key}' filter: {FILTERS[name].lower()}", 1)
    yield from pages("s", "'s' next sort")
    yield from pages("r", "'r' reverse", even)
    for word in words:
        yield Step("/", lambda _: box.has_focus)
        for letter in word:
            yield Step(letter, new_page(screen), "'/' search, each letter typed")
        yield Step("escape", lambda _: table.has_focus)
        yield Step("escape", new_page(screen))


async def caseload_keys(h: Harness, words: list[str], few: int, many: int) -> list[Result]:
    """Every caseload key over the whole trust's caseload, key to the frame showing its result."""
    timings = await h.steps(caseload_steps(h.app.screen, words, few, many))
    out, every = [], []
    for label, t in timings.items():
        scope = (
            f"{h.desk.zone_people:,} and {h.desk.trust_people:,} people"
            if label.startswith("'a'")
            else f"all zones, {h.desk.trust_people:,} people"
        )
        out.append(
            Result(
                f"caseload key to frame: {label}",
                t.latency,
                FRAME_MS,
                reference=KEY_REFERENCE,
                note=f"{scope}; longest freeze {max(t.freeze, default=0) / 1e6:.0f} ms",
            )
        )
        every += t.freeze
    out.append(
        Result(
            "caseload: longest freeze around any key",
            every,
            FRAME_MS,
            note=f"5 ms heartbeat in the app's event loop, longest gap less 5 ms; garbage: {h.gc.describe()}",
        )
    )
    return out


# --- the person record ----------------------------------------------------------------------------


async def person_record(h: Harness, reps: int) -> list[Result]:
    """Enter on the busiest person's caseload row, to the first frame showing their record and timeline."""
    from sqlmodel import select
    from textual.widgets import Input

    from desk import db
    from desk.models import CaseloadEntry
    from desk.services import people, timeline
    from screens.caseload import CaseloadScreen
    from screens.person import PersonScreen

    app, screen = h.app, h.app.screen
    with db.reading(app.engine) as s:
        rec = people.record(s, h.desk.person_id)
        entries = len(timeline.timeline(s, h.desk.person_id))
        zone = s.exec(select(CaseloadEntry.zone_id).where(CaseloadEntry.person_id == h.desk.person_id)).first()
    if zone is None:
        raise LookupError(f"person {h.desk.person_id} is not on the caseload: there is no row to press Enter on")
    if zone != h.desk.zone_id and not screen.all_zones:
        # The desk opens on its own zone; the busiest person may live in another one.
        await h.key("a", new_page(screen))
    name = f"{rec.family_name.upper()}, {rec.given_name}"
    page = new_page(screen)
    screen.query_one("#caseload-search", Input).value = rec.nhs_number  # they are the only row
    await h.watch.until(page)
    table = screen.query_one("#caseload")
    if table.row_count != 1:
        raise LookupError(f"searching for {rec.nhs_number} left {table.row_count} rows: {status_of(screen)!r}")
    table.focus()
    shown: list[Sample] = []
    loading: list[int] = []
    back: list[int] = []
    for _ in range(reps):
        screen_up = h.watch.when(lambda _: isinstance(app.screen, PersonScreen))
        sample = await h.key(
            "enter",
            lambda frame: isinstance(app.screen, PersonScreen) and app.screen.record is not None and name in frame,
        )
        shown.append(sample)
        loading.append(screen_up.result() - sample.posted)
        back.append((await h.key("escape", lambda _: isinstance(app.screen, CaseloadScreen))).latency)
    return [
        Result(
            "person record: Enter to first frame with record",
            [x.latency for x in shown],
            Target("p95", 150.0),
            reference=KEY_REFERENCE,
            note=f"{entries} timeline entries (person {h.desk.person_id}); longest freeze "
            f"{max(x.freeze for x in shown) / 1e6:.0f} ms; garbage: {h.gc.describe()}",
        ),
        Result(
            "person record: Enter to first frame of the screen",
            loading,
            note="the record is read before its screen is built, so this is the record's own first frame",
        ),
        Result(
            "person record: Esc back to the caseload",
            back,
            FRAME_MS,
            reference=KEY_REFERENCE,
            note="the caseload reloads its page",
        ),
    ]


# --- typing into a call's notes while it saves itself ------------------------------------------


NOTE = "Daughter rang: mum fell in the night, not hurt, carers found"  # 60 characters, typed
TYPING_INTERVAL_S = 0.05  # 20 keys a second: faster than anyone types, so saves overlap keys


@contextlib.contextmanager
def spying_on_saves() -> Iterator[list[tuple[int, int]]]:
    """Record when each draft save ran (start, end), from whichever thread ran it."""
    from desk.services import calls

    original = calls.save_draft
    saves: list[tuple[int, int]] = []

    def save_draft(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter_ns()
        try:
            return original(*args, **kwargs)
        finally:
            saves.append((t0, time.perf_counter_ns()))

    calls.save_draft = save_draft
    try:
        yield saves
    finally:
        calls.save_draft = original


def _holds_at_least(notes: Any, n: int) -> Predicate:
    """A frame drawn once the notes hold ``n`` characters."""
    return lambda _: len(notes.text) >= n


async def call_notes(h: Harness, call_id: int) -> list[Result]:
    """Type a note at 20 keys a second, from another thread, while the call screen autosaves it."""
    from textual.widgets import TextArea

    from desk import db
    from desk.models import CallDraft
    from screens.call import AUTOSAVE_S, CallScreen

    app = h.app
    app.open_call(call_id)
    await h.watch.until(lambda _: isinstance(app.screen, CallScreen) and app.screen._loaded)
    notes = app.screen.query_one("#notes", TextArea)
    notes.focus()
    await h.watch.quiet()
    with spying_on_saves() as saves:
        shown = [h.watch.when(_holds_at_least(notes, n)) for n in range(1, len(NOTE) + 1)]
        typist = Typist(app, list(NOTE), TYPING_INTERVAL_S)
        typist.start()
        frames = await asyncio.wait_for(asyncio.gather(*shown), 30)
        await asyncio.sleep(AUTOSAVE_S * 2 + 0.2)  # the last autosave
        await app.workers.wait_for_complete()
    with db.reading(app.engine) as s:
        draft = s.get(CallDraft, call_id)
    latency = [f - s for f, s in zip(frames, typist.sent, strict=True)]
    freeze = h.beat.longest_freeze(typist.sent[0], frames[-1])
    during = [
        lat for lat, s, f in zip(latency, typist.sent, frames, strict=True) if any(a < f and b > s for a, b in saves)
    ]
    saved = draft.notes if draft else None
    return [
        Result(
            "call notes: key to frame while autosaving (p95)",
            latency,
            Target("p95", 50.0),
            reference=KEY_REFERENCE,
            note=f"{len(NOTE)} keys at {1 / TYPING_INTERVAL_S:.0f}/s from another thread; {len(saves)} autosaves "
            f"ran, {len(during)} keys were in flight during one (max {max(during, default=0) / 1e6:.0f} ms)",
        ),
        Result(
            "call notes: key to frame while autosaving (max)",
            latency,
            FRAME_MS,
            note=f"longest freeze while typing {freeze / 1e6:.0f} ms; garbage: {h.gc.describe()}",
        ),
        Result(
            "call notes: autosave (worker thread)",
            [b - a for a, b in saves],
            note="the saved draft is exactly what was typed" if saved == NOTE else "",
            error=None if saved == NOTE else f"draft holds {saved!r}, typed {NOTE!r}",
        ),
    ]


# --- the reference: a bare app's key to frame ----------------------------------------------------

KEY_REFERENCE = "bare Textual app: key to frame"


def run_bare_keys(reps: int, timeout_s: float = 300.0) -> list[Result]:
    """The floor for every key-to-frame figure: a one-widget app, headless, its keys posted the same way."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_bare_keys_in_process, reps).result(timeout=timeout_s)


def _bare_keys_in_process(reps: int) -> list[Result]:
    return asyncio.run(_bare_keys(reps))


async def _bare_keys(reps: int) -> list[Result]:
    """A key that counts, pressed ``reps`` times (after three untimed), each to the frame showing the new count."""
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    class Counter(App[None]):
        BINDINGS = [("n", "count", "Count")]

        def __init__(self) -> None:
            super().__init__()
            self.pressed = 0

        def compose(self) -> ComposeResult:
            yield Static("pressed 0 times", id="count")

        def action_count(self) -> None:
            self.pressed += 1
            self.query_one("#count", Static).update(f"pressed {self.pressed} times")

    app = Counter()
    watch = FrameWatch(app)
    latency: list[int] = []
    async with app.run_test(size=SIZE):
        await watch.quiet(0.2)
        for n in range(1, reps + 4):
            shown = watch.when(_shows(f"pressed {n} times"))
            posted = post_key(app, "n")
            frame = await asyncio.wait_for(shown, 15)
            await watch.quiet()
            if n > 3:
                latency.append(frame - posted)
    return [Result(KEY_REFERENCE, latency, note=f"reference; headless {SIZE[0]}x{SIZE[1]}, a Static's text changed")]


def _shows(text: str) -> Predicate:
    """A frame whose text holds ``text``."""
    return lambda frame: text in frame
