"""The crisis board as the desk shows it: its first frame with 300 open items, a clock tick, a crisis from elsewhere.

The board is measured on the desk's own zone (the busiest caseload's), topped
up to :data:`BOARD_ITEMS` open items with open Rapid referrals of people in
that zone, at different points of their 3-hour clocks. They are committed
for the measure (a desk in another process has to see them) and deleted
after it, so the database stays as seeded.

- First frame: F11 on the caseload, to the first frame that shows the board
  with its rows and its status line, in a headless desk in a fresh process
  (:mod:`bench.headless`), as the other keystroke measures are timed.
- A clock tick: the board's own ``tick`` with the desk's clock stepped a
  minute on and back, so every running clock's minute turns over at each
  tick (the worst case: in real time each clock turns over at its own
  second, a few a tick). The work is the event loop thread's CPU time from
  the tick to the frame it causes, drawing and turning it into terminal text
  included.
- A crisis raised elsewhere: the bench process escalates a crisis through
  :func:`desk.crisis.escalation.escalate` on its own engine, and the desk, in
  its own process on the same database with the board open, is timed from
  that commit to the first frame whose board holds it. Both clocks are
  ``time.perf_counter_ns`` (CLOCK_MONOTONIC, one clock for every process on
  the machine).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import queue
import statistics
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlmodel import col

from bench import headless
from bench.core import Context, Result, Target, measure
from bench.headless import KEY_REFERENCE, DeskUnderTest, Harness, _in_process
from bench.screen_measures import desk_under_test
from desk import clock, db, triage
from desk.crisis import board, escalation
from desk.crisis.escalation import DisciplineGap, EscalationInput, TeamMember
from desk.crisis_models import Booking, Crisis, CrisisGap, Reminder
from desk.history import Actor
from desk.models import History, Person, Referral
from desk.services import caseload

BOARD_ITEMS = 300
FIRST_FRAME = Target("p95", 100.0)
TICK_WORK = Target("p95", 10.0)
SEEN = Target("p95", 2000.0)
TOP_UP_REASON = "Bench: open Rapid referral on the board"
"""What the added referrals say, so they (and any left by a run that was killed) can be found and deleted."""
RAISER_DESK = "bench-raiser"
"""The desk name the other process's crises are raised under (their history rows are found by it)."""
ROUND_TIMEOUT_S = 10.0


# --- the board topped up to 300 open items -------------------------------------------------------


def _remove_top_up(ctx: Context) -> None:
    with db.writing(ctx.engine) as s:
        s.execute(delete(Referral).where(col(Referral.reason) == TOP_UP_REASON))


@contextmanager
def board_of(ctx: Context, zone_id: str, items: int = BOARD_ITEMS) -> Iterator[int]:
    """The zone's board holding at least ``items`` open items while inside; how many it holds."""
    _remove_top_up(ctx)
    try:
        with db.reading(ctx.engine) as s:
            have = len(board.board(s, zone_id))
            people = list(
                s.execute(
                    sa_select(col(Person.id)).where(col(Person.zone_id) == zone_id).order_by(col(Person.id)).limit(2000)
                ).scalars()
            )
        missing = max(0, items - have)
        if missing > len(people):
            raise LookupError(f"zone {zone_id} has {len(people)} people: too few for {missing} more open referrals")
        rng = ctx.rng("board-top-up")
        now = clock.now()
        with db.writing(ctx.engine) as s:
            for pid in rng.sample(people, missing):
                received = now - timedelta(minutes=rng.uniform(0, 200))  # on time, due soon and breached
                s.add(
                    Referral(
                        person_id=pid,
                        received_at=received,
                        source="Phone",
                        discipline="nursing",
                        reason=TOP_UP_REASON,
                        urgency=triage.RAPID,
                        due_at=triage.due_at(received, triage.RAPID),
                        response=triage.RAPID,
                    )
                )
        with db.reading(ctx.engine) as s:
            total = len(board.board(s, zone_id))
        if total < items:
            raise LookupError(f"the board of zone {zone_id} holds {total} open items after topping up, not {items}")
        yield total
    finally:
        _remove_top_up(ctx)


# --- what runs in the desk's process -------------------------------------------------------------


def board_ready(app: Any, loaded_before: int = 0) -> Any:
    """The first frame of the board with its rows read and its status line drawn."""
    from screens.crisis_board import CrisisBoardScreen

    def shows(frame: str) -> bool:
        screen = app.screen
        return isinstance(screen, CrisisBoardScreen) and screen.loaded > loaded_before and _status(screen) in frame

    return shows


def _status(screen: Any) -> str:
    from textual.widgets import Static

    return str(screen.query_one("#board-status", Static).content)


async def _open_board(h: Harness) -> Any:
    from screens.crisis_board import CrisisBoardScreen

    await h.key("f11", board_ready(h.app))
    screen = h.app.screen
    assert isinstance(screen, CrisisBoardScreen)
    return screen


async def board_screen(h: Harness, items: int, reps: int, ticks: int) -> list[Result]:
    """F11 to the board's first frame, ``reps`` times; then ``ticks`` clock ticks with every clock turning over."""
    from screens.caseload import CaseloadScreen
    from screens.crisis_board import CrisisBoardScreen, left_cell

    app = h.app
    shown, up, back = [], [], []
    rows = 0
    for _ in range(reps):
        screen_up = h.watch.when(lambda _: isinstance(app.screen, CrisisBoardScreen))
        sample = await h.key("f11", board_ready(app))
        shown.append(sample)
        up.append(screen_up.result() - sample.posted)
        rows = len(app.screen.rows)
        back.append((await h.key("escape", lambda _: isinstance(app.screen, CaseloadScreen))).latency)
    if rows < items:
        raise LookupError(f"the board showed {rows} rows, {items} were open: {h.watch.describe()}")
    results = [
        Result(
            "crisis board: F11 to first frame with its rows",
            [s.latency for s in shown],
            FIRST_FRAME,
            reference=KEY_REFERENCE,
            note=f"{rows} open items, zone {h.desk.zone_id}; read on a worker thread; longest freeze "
            f"{max(s.freeze for s in shown) / 1e6:.0f} ms; garbage: {h.gc.describe()}",
        ),
        Result("crisis board: F11 to first frame of the screen", up, note="the screen before its rows are read"),
        Result("crisis board: Esc back to the caseload", back, reference=KEY_REFERENCE),
    ]

    screen = await _open_board(h)
    base = clock.now()
    cpu: list[int] = []
    call: list[int] = []
    wall: list[int] = []
    freeze: list[int] = []
    changed: list[int] = []
    at_frame: dict[str, int] = {}

    def frame_after_tick(frame: str) -> bool:
        at_frame["cpu"] = time.thread_time_ns()
        at_frame["wall"] = time.perf_counter_ns()
        # the top row's new time left (its first characters: a long one is cut to the column)
        at_frame["top_left"] = int(left_cell(screen.states[0]).plain[:12] in frame) if screen.states else 1
        return True

    try:
        for n in range(ticks + 3):
            moved = base + timedelta(minutes=1) if n % 2 == 0 else base
            clock.set_clock(_stopped_at(moved))
            drawn = h.watch.when(frame_after_tick)  # the next frame: the tick made the table dirty
            t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            cells = screen.tick()
            t1 = time.perf_counter_ns()
            await asyncio.wait_for(drawn, 5)
            if not at_frame["top_left"]:
                raise AssertionError(
                    f"the frame after the tick did not show the top row's new clock; {h.watch.describe()}"
                )
            await h.watch.quiet()
            if n < 3:
                continue  # warm-up
            cpu.append(at_frame["cpu"] - c0)
            call.append(t1 - t0)
            wall.append(at_frame["wall"] - t0)
            freeze.append(h.beat.longest_freeze(t0, at_frame["wall"]))
            changed.append(cells)
    finally:
        clock.set_clock(None)
    results += [
        Result(
            "crisis board: clock tick, loop CPU to its frame",
            cpu,
            TICK_WORK,
            note=f"{len(screen.rows)} rows, {statistics.median(changed):.0f} cells changed a tick (every running "
            "clock's minute turned over); the event loop thread's CPU time from the tick to the frame it caused",
        ),
        Result("crisis board: clock tick, the tick call alone", call, note="working out every clock, no query"),
        Result(
            "crisis board: clock tick to its frame",
            wall,
            reference=KEY_REFERENCE,
            note=f"wall time, Textual's refresh included; longest freeze {max(freeze, default=0) / 1e6:.0f} ms",
        ),
    ]
    return results


async def crisis_seen(h: Harness, rounds: int, asks: Any, answers: Any) -> list[Result]:
    """With the board open, ask the other process to raise a crisis; time its commit to the frame showing it."""
    screen = await _open_board(h)
    seen: list[int] = []
    loaded: list[int] = []
    for n in range(rounds):
        marker = raised_what(n)

        def holds(frame: str, marker: str = marker) -> bool:
            return any(r.what == marker for r in screen.rows) and _status(screen) in frame

        shown = h.watch.when(holds)
        before = screen.loaded
        asks.put(n)
        try:
            frame = await asyncio.wait_for(shown, ROUND_TIMEOUT_S)
        except TimeoutError:
            raise TimeoutError(
                f"round {n + 1}: no frame showed the crisis raised in the other process within "
                f"{ROUND_TIMEOUT_S:.0f} s; {h.watch.describe()}"
            ) from None
        committed = await asyncio.to_thread(answers.get, True, ROUND_TIMEOUT_S)
        if isinstance(committed, str):
            raise RuntimeError(f"round {n + 1}: the other process could not raise the crisis: {committed}")
        seen.append(frame - committed)
        loaded.append(screen.loaded - before)
        await h.watch.quiet()
    asks.put(None)
    return [
        Result(
            "crisis board: crisis raised in another process, commit to frame",
            seen,
            SEEN,
            reference=KEY_REFERENCE,
            note=f"{len(screen.rows)} rows, zone {h.desk.zone_id}; the board polls its change mark every 0.5 s "
            f"and reads itself again when it moves; {rounds} crises, each after a random pause",
        )
    ]


def _stopped_at(at: datetime) -> Callable[[], datetime]:
    """The desk's clock stopped at ``at``."""
    return lambda: at


def raised_what(n: int) -> str:
    return f"Bench crisis {n + 1}: fell at home, cannot get up."


# --- what runs in the bench's process ------------------------------------------------------------


@measure("screen: crisis board", group="screen")
def crisis_board_screen(ctx: Context) -> Iterable[Result]:
    """F11 to the board's first frame with 300 open items, and the work of one clock tick on it."""
    desk = desk_under_test(ctx)
    with board_of(ctx, desk.zone_id) as items:
        return headless.run(desk, board_screen, items, ctx.reps(20, quick=5), ctx.reps(60, quick=15))


@dataclass(frozen=True)
class _Raised:
    crisis_id: int
    referral_id: int
    person_id: int


def _people_for_crises(ctx: Context, zone_id: str, n: int) -> list[int]:
    """People of the zone on its caseload with no open referral, so each crisis is a new row."""
    from desk.models import CaseloadEntry

    with db.reading(ctx.engine) as s:
        busy = sa_select(col(Referral.person_id)).where(col(Referral.status) == "open")
        people = list(
            s.execute(
                sa_select(col(CaseloadEntry.person_id))
                .where(col(CaseloadEntry.zone_id) == zone_id, col(CaseloadEntry.person_id).not_in(busy))
                .order_by(col(CaseloadEntry.person_id))
                .limit(500)
            ).scalars()
        )
    if len(people) < n:
        raise LookupError(f"zone {zone_id} has {len(people)} people on its caseload without an open referral")
    return ctx.rng("crisis-seen").sample(people, n)


def _raise(ctx: Context, desk: DeskUnderTest, person_id: int, n: int) -> _Raised:
    """Escalate one crisis with the zone's proposed same-day team, as the escalate form does."""
    with db.writing(ctx.engine) as s:
        proposal = escalation.propose_team(s, desk.zone_id)
        if not proposal.visits:
            raise LookupError(f"nobody of zone {desk.zone_id} is on duty now: a crisis cannot be escalated")
        made = escalation.escalate(
            s,
            Actor(desk.staff_id, RAISER_DESK),
            EscalationInput(
                zone_id=desk.zone_id,
                person_id=person_id,
                caller="Daughter",
                what_happened=raised_what(n),
                need="fall",
                whereabouts="home",
                team=tuple(TeamMember(v.discipline, v.staff_id, v.visit_at) for v in proposal.visits),
                gaps=tuple(
                    DisciplineGap(d, "nobody_on_duty", "Manager: cover at 08:00") for d in proposal.nobody_on_duty
                ),
            ),
        )
    return _Raised(made.crisis_id, made.referral_id, person_id)


def _discard(ctx: Context, raised: list[_Raised], history_from: int) -> None:
    """Remove the crises raised (bookings, gaps, reminders, referrals, history) and put the caseload rows back."""
    if not raised:
        return
    crises = [r.crisis_id for r in raised]
    refs = [r.referral_id for r in raised]
    with db.writing(ctx.engine) as s:
        s.execute(delete(Booking).where(col(Booking.crisis_id).in_(crises)))
        s.execute(delete(CrisisGap).where(col(CrisisGap.crisis_id).in_(crises)))
        s.execute(delete(Reminder).where(col(Reminder.referral_id).in_(refs)))
        s.execute(delete(Crisis).where(col(Crisis.id).in_(crises)))
        s.execute(delete(Referral).where(col(Referral.id).in_(refs)))
        s.execute(delete(History).where(col(History.id) > history_from, col(History.desk) == RAISER_DESK))
        for r in raised:
            caseload.refresh(s, r.person_id)


@measure("screen: crisis seen on a second desk", group="screen")
def crisis_seen_elsewhere(ctx: Context) -> Iterable[Result]:
    """A crisis raised by this process, timed from its commit to the frame of the board on a desk in another."""
    desk = desk_under_test(ctx)
    rounds = ctx.reps(20, quick=5)
    people = _people_for_crises(ctx, desk.zone_id, rounds)
    rng = ctx.rng("crisis-seen-pause")
    with db.reading(ctx.engine) as s:
        history_from = int(s.execute(sa_select(func.max(col(History.id)))).scalar() or 0)
    raised: list[_Raised] = []
    spawn = multiprocessing.get_context("spawn")
    with board_of(ctx, desk.zone_id), spawn.Manager() as manager:
        asks, answers = manager.Queue(), manager.Queue()
        try:
            with ProcessPoolExecutor(1, mp_context=spawn) as pool:
                future = pool.submit(_in_process, desk, crisis_seen, (rounds, asks, answers))
                deadline = time.monotonic() + 120 + rounds * ROUND_TIMEOUT_S
                while not future.done() and time.monotonic() < deadline:
                    try:
                        n = asks.get(timeout=0.5)
                    except queue.Empty:
                        continue
                    if n is None:
                        break
                    time.sleep(rng.uniform(0, 0.5))  # commits fall anywhere between the board's polls
                    try:
                        raised.append(_raise(ctx, desk, people[n], n))
                    except Exception as exc:
                        answers.put(f"{type(exc).__name__}: {exc}")
                        raise
                    answers.put(time.perf_counter_ns())
                return future.result(timeout=max(1.0, deadline - time.monotonic()))
        finally:
            _discard(ctx, raised, history_from)
