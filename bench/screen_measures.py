"""Screen measures: what the person at the desk sees, timed from the key (or the launch) to the frame.

- First frame and memory: the real ``desk`` command in a child process under
  a real pseudo-terminal (:mod:`bench.screen_child`), against a bare Textual
  app and Textual's DataTable holding all 40,000 rows, launched the same way
  in the same run.
- Keystroke to frame, headless (``App.run_test``) in a fresh process
  (:mod:`bench.headless`): keys are posted as the driver posts them and the
  frame is the first one ``App._display`` writes that shows the result
  (:mod:`bench.frames`); a 5 ms heartbeat in the same event loop measures the
  longest freeze around each key.
- Once end to end through tmux: launch, a few keys, ``capture-pane`` polling.

Every figure here is wall time on the machine running the bench; each row
says what it is measured from and to.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sqlalchemy import func, make_url, text
from sqlmodel import col, select

from bench import headless
from bench.core import Context, Result, Target, measure
from bench.fixtures import discard_call
from bench.headless import DeskUnderTest
from bench.terminal import ChildRun, Tmux, run_child
from desk import db
from desk.history import Actor
from desk.models import CaseloadEntry, Staff
from desk.opening import QUIET_BEFORE_LOADING_S
from desk.rows import PAGE_SIZE

BARE = "bare Textual app: first frame"
TABLE = "DataTable, every caseload row: first frame"
MEMORY_MB = Target("max", 250.0)


# --- the desk under test ------------------------------------------------------------------------


def _child_url(ctx: Context) -> str:
    """``ctx.url`` for another process: on PostgreSQL the bench's tables live in a schema set per connection."""
    if ctx.backend != "postgresql":
        return ctx.url
    with ctx.engine.connect() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
    url = make_url(ctx.url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


def desk_under_test(ctx: Context) -> DeskUnderTest:
    """Found once per run and kept in the context."""
    if "desk" not in ctx.extra:
        with db.reading(ctx.engine) as s:
            zone_id, zone_people = s.exec(
                select(CaseloadEntry.zone_id, func.count())
                .group_by(CaseloadEntry.zone_id)
                .order_by(func.count().desc())
                .limit(1)
            ).one()
            staff_id = s.exec(
                select(col(Staff.id))
                .where(Staff.zone_id == zone_id)
                .order_by(col(Staff.role) != "coordinator", col(Staff.id))
                .limit(1)
            ).one()
            assert staff_id is not None
            trust = s.exec(select(func.count()).select_from(CaseloadEntry)).one()
        ctx.extra["desk"] = DeskUnderTest(
            staff_id, zone_id, zone_people, trust, ctx.counts.get("busiest_person_id") or 1, _child_url(ctx)
        )
    desk: DeskUnderTest = ctx.extra["desk"]
    return desk


# --- first frame and memory, in a real terminal -------------------------------------------------


def _ns(seconds: float) -> int:
    return int(seconds * 1e9)


def _first_frames(runs: list[ChildRun]) -> list[int]:
    return [_ns(r.seconds_after_launch("first_frame")) for r in runs]


def _p95(samples: list[int]) -> float:
    return Result("", samples).stat("p95") or 0.0


def _launch_note(runs: list[ChildRun]) -> str:
    """Where the time went: Python up, first frame of any kind (the app's own loading screen)."""
    up = statistics.median(r.seconds_after_launch("started") for r in runs) * 1e3
    paint = statistics.median(r.seconds_after_launch("first_paint") for r in runs) * 1e3
    rss = max(r.report["rss_first_mb"] for r in runs)
    return f"pty 160x45; python up at {up:.0f} ms, first frame of any kind {paint:.0f} ms (p50); {rss:.0f} MB"


@measure("screen reference: bare app first frame", group="reference")
def bare_app(ctx: Context) -> Iterable[Result]:
    """The floor for the desk's first frame: a one-widget Textual app launched the same way."""
    runs = [run_child(["bare"]) for _ in range(ctx.reps(7))]
    yield Result(BARE, _first_frames(runs), note="reference; " + _launch_note(runs))


@measure("screen reference: DataTable first frame", group="reference")
def datatable_app(ctx: Context) -> Iterable[Result]:
    """What the obvious design costs: every caseload row in Textual's DataTable (rows as plain tuples)."""
    runs = [run_child(["datatable", "--url", desk_under_test(ctx).child_url]) for _ in range(ctx.reps(3, quick=1))]
    rows = runs[0].report.get("rows", 0)
    yield Result(
        TABLE, _first_frames(runs), reference=BARE, note=f"reference; {rows:,} rows, 9 columns; " + _launch_note(runs)
    )


@measure("screen reference: bare app key to frame", group="reference")
def bare_app_keys(ctx: Context) -> Iterable[Result]:
    """The floor for every key-to-frame figure: a key that changes one Static's text, timed the same way."""
    return headless.run_bare_keys(ctx.reps(30, quick=10))


def _first_frame_rows(scope: str, runs: list[ChildRun], bare: list[ChildRun], people: int) -> Iterator[Result]:
    how = " (the whole trust: desk --all-zones)" if scope == "all zones" else ""
    desk_ns, bare_ns = _first_frames(runs), _first_frames(bare)
    yield Result(
        f"desk first frame: {scope} caseload",
        desk_ns,
        Target("p95", 1000.0),
        reference=BARE,
        note=f"{people:,} people{how}; `desk --db URL --staff ID`; " + _launch_note(runs),
    )
    yield Result(
        f"desk first frame: {scope} / bare app",
        value=_p95(desk_ns) / _p95(bare_ns),
        unit="x",
        target=Target("max", 2.0),
        note=f"p95 over the p95 of bare-app launches interleaved with these ({_p95(bare_ns):.0f} ms); "
        f"p50 over p50 {statistics.median(desk_ns) / statistics.median(bare_ns):.1f}x",
    )
    first_keys = [_ns(r.report["first_key_ms"] / 1e3) for r in runs if "first_key_ms" in r.report]
    if first_keys:
        loading = sum(1 for r in runs if not r.report.get("orm_loaded_at_first_key", True))
        ready = statistics.median(r.report["orm_ready_ms"] for r in runs)
        yield Result(
            f"desk first key: {scope}, ']' at the first frame",
            first_keys,
            note=f"answered through the driver in {loading} of {len(runs)} launches, before the ORM; "
            f"the ORM was ready {ready:.0f} ms after the first frame (p50), 10 pages later",
        )
        while_loading = [
            _ns(r.report["key_while_loading_ms"] / 1e3) for r in runs if "key_while_loading_ms" in r.report
        ]
        if while_loading:
            yield Result(
                f"desk key: {scope}, '[' while the ORM loads",
                while_loading,
                note="the key lands while the ORM is loading on the other thread (it starts once the keys "
                f"pause for {QUIET_BEFORE_LOADING_S * 1000:.0f} ms); the interpreter shares one core "
                "between the two",
            )
        yield Result(
            f"desk: longest freeze while the ORM loads ({scope})",
            value=max(r.report["freeze_loading_ms"] for r in runs),
            unit="ms",
            target=Target("max", 100.0),
            note="5 ms heartbeat in the app's event loop from the first frame until the engine is open, "
            "paging meanwhile; the most of the launches",
        )
    paged = min(r.report.get("paged", 0) for r in runs)
    yield Result(
        f"desk memory: {scope}, at first frame",
        value=max(r.report["rss_first_mb"] for r in runs),
        unit="MB",
        target=MEMORY_MB,
        note=f"VmRSS, the most of {len(runs)} launches",
    )
    yield Result(
        f"desk memory: {scope}, after {paged} pages",
        value=max(r.report["rss_after_mb"] for r in runs),
        unit="MB",
        target=MEMORY_MB,
        note="VmRSS after ']' pressed page by page",
    )


@measure("screen: desk first frame and memory", group="screen")
def desk_first_frame(ctx: Context) -> Iterable[Result]:
    """The real command, launched cold each time, to the first frame of a caseload with its rows.

    Launches of a bare app are interleaved with the desk's, so a busy moment
    on the machine weighs on both sides of the 2x comparison alike.
    """
    desk = desk_under_test(ctx)
    args = ["--pages", "10", "--", "--db", desk.child_url, "--staff", str(desk.staff_id)]
    bare: list[ChildRun] = []
    zone: list[ChildRun] = []
    trust: list[ChildRun] = []
    for _ in range(ctx.reps(7)):
        bare.append(run_child(["bare"]))
        zone.append(run_child(["desk", *args]))
        trust.append(run_child(["desk", "--all-zones", *args]))
    yield from _first_frame_rows(f"zone {desk.zone_id}", zone, bare, desk.zone_people)
    yield from _first_frame_rows("all zones", trust, bare, desk.trust_people)


# --- keystroke to frame, headless in a process of its own (bench.headless) -----------------------


def _search_words(ctx: Context, n: int) -> list[str]:
    """Four-letter surname starts of people on the caseload, picked at random."""
    rng = ctx.rng("screen-search")
    with db.reading(ctx.engine) as s:
        names = s.exec(select(CaseloadEntry.sort_name).order_by(col(CaseloadEntry.person_id))).all()
    starts = sorted({name.split()[0][:4] for name in names if len(name.split()[0]) >= 4})
    return rng.sample(starts, n)


@measure("screen: caseload keys", group="screen")
def caseload_keys(ctx: Context) -> Iterable[Result]:
    """Scrolling, paging, filtering, sorting and searching the whole trust's caseload, key by key."""
    few = ctx.reps(20)
    return headless.run(
        desk_under_test(ctx), headless.caseload_keys, _search_words(ctx, max(2, few // 4)), few, ctx.reps(50)
    )


@measure("screen: person record", group="screen")
def person_record_screen(ctx: Context) -> Iterable[Result]:
    """Enter on the busiest person's row, to the frame with their record and 300-entry timeline.

    Forty records, one after another: a desk opens records all day, and what
    closed ones leave behind shows up as full garbage collections among them.
    """
    return headless.run(desk_under_test(ctx), headless.person_record, ctx.reps(40))


def _start_call(ctx: Context, desk: DeskUnderTest) -> int:
    from desk.services import calls

    with db.writing(ctx.engine) as s:
        call = calls.start(s, Actor(desk.staff_id, "bench"), desk.zone_id, number="")
        assert call.id is not None
        return call.id


@measure("screen: call notes typing", group="screen")
def call_notes_typing(ctx: Context) -> Iterable[Result]:
    """Typing into a call's notes while it autosaves: each key to its frame; the draft checked after."""
    desk = desk_under_test(ctx)
    call_id = _start_call(ctx, desk)
    try:
        return headless.run(desk, headless.call_notes, call_id)
    finally:
        discard_call(ctx.engine, call_id)


# --- once end to end, in a real terminal emulator ----------------------------------------------


def _desk_command(desk: DeskUnderTest) -> list[str]:
    exe = Path(sys.executable).with_name("desk")
    head = [str(exe)] if exe.exists() else [sys.executable, "-m", "screens.launcher"]
    return [*head, "--db", desk.child_url, "--staff", str(desk.staff_id)]


def _status_line(screen: str) -> str:
    return next((line for line in screen.splitlines() if "sorted by" in line), "")


def _status_shows(text: str) -> Callable[[str], bool]:
    """A test of a captured pane: the caseload's status line holds ``text``."""
    return lambda screen: text in _status_line(screen)


@measure("screen: tmux end to end", group="screen")
def tmux_end_to_end(ctx: Context) -> Iterable[Result]:
    """``desk`` in tmux at 160x45: launch to the caseload on screen, and a few keys, seen by ``capture-pane``."""
    if not Tmux.available():
        yield Result("tmux end to end", note="skipped: tmux is not installed")
        return
    desk = desk_under_test(ctx)
    zone = f"Whole zone: 1-{min(PAGE_SIZE, desk.zone_people):,} of {desk.zone_people:,}"
    keys = [("x", "Open crisis:"), ("z", zone)]
    if desk.zone_people > PAGE_SIZE:  # a second page to turn to
        keys += [("]", f"Whole zone: {PAGE_SIZE + 1:,}-{min(2 * PAGE_SIZE, desk.zone_people):,} of"), ("[", zone)]
    first: list[int] = []
    latency: list[int] = []
    captures: list[int] = []
    for _ in range(ctx.reps(3, quick=1)):
        tmux = Tmux(_desk_command(desk), captures)
        try:
            t0 = tmux.start()
            first.append(_ns(tmux.wait_for(_status_shows(zone)) - t0))
            for key, status in keys:
                t = tmux.send(key)
                latency.append(_ns(tmux.wait_for(_status_shows(status)) - t))
        finally:
            tmux.stop()
    polling = statistics.median(captures) / 1e6
    how = f"tmux 160x45, capture-pane every 5 ms (a capture takes {polling:.1f} ms): an end-to-end check"
    yield Result(
        "tmux: launch to caseload on screen",
        first,
        Target("p95", 1200.0),
        note=f"{how}; 1 s target plus tmux's own delays",
    )
    yield Result(
        f"tmux: key to screen ({' '.join(k for k, _ in keys)})",
        latency,
        Target("p95", 300.0),
        note=f"{how}; generous target",
    )
