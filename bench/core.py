"""The measure registry, timing helpers and the results table."""

from __future__ import annotations

import math
import random
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

Clock = Callable[[], int]
now_ns: Clock = time.perf_counter_ns


@dataclass
class Target:
    """What a figure must not exceed: ``stat`` (p50, p95 or max) at most ``limit`` in ``unit``."""

    stat: str
    limit: float

    def describe(self, unit: str) -> str:
        return f"{self.stat} <= {_fmt(self.limit)} {unit}"


@dataclass
class Result:
    """One row of the table: samples in nanoseconds (or a single value in ``unit``)."""

    name: str
    samples_ns: list[int] = field(default_factory=list)
    target: Target | None = None
    reference: str | None = None  # the name of another result whose p95 this is compared with
    note: str = ""
    unit: str = "ms"
    value: float | None = None  # for single figures (seconds of seeding, MB of memory)
    error: str | None = None

    def stat(self, which: str) -> float | None:
        if self.value is not None:
            return self.value
        if not self.samples_ns:
            return None
        ordered = sorted(self.samples_ns)
        if which == "max":
            v = ordered[-1]
        elif which == "min":
            v = ordered[0]
        else:
            pct = {"p50": 50, "p95": 95, "p99": 99}[which]
            v = ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]
        return v / 1e6 if self.unit == "ms" else v / 1e9

    @property
    def n(self) -> int:
        return 1 if self.value is not None else len(self.samples_ns)

    @property
    def passed(self) -> bool | None:
        if self.error:
            return False
        if self.target is None:
            return None
        got = self.stat(self.target.stat)
        return got is not None and got <= self.target.limit


@dataclass
class Context:
    """What every measure gets: the scale database and how hard to try."""

    engine: Engine
    url: str
    backend: str  # sqlite | postgresql
    counts: dict[str, int]
    seed: int = 380
    quick: bool = False
    once: bool = False  # every measure once, as small as it goes: the test suite's check that it still measures
    extra: dict[str, Any] = field(default_factory=dict)

    def rng(self, salt: str) -> random.Random:
        """A random generator that gives the same choices on every run with the same seed."""
        return random.Random(f"{self.seed}:{salt}")

    def reps(self, normal: int, quick: int | None = None) -> int:
        """How many times to repeat: ``normal``, fewer for ``--quick`` (``quick``, or a fifth), once for ``once``."""
        if self.once:
            return 1
        if self.quick:
            return quick if quick is not None else max(3, normal // 5)
        return normal


MeasureFn = Callable[[Context], Iterable[Result]]


@dataclass
class Measure:
    """A registered measure: its name (what ``--only`` matches), the function, and its group."""

    name: str
    fn: MeasureFn
    group: str


def run_measure(m: Measure, ctx: Context) -> list[Result]:
    """Every row ``m`` gives; if it raises, the rows it gave before and one ERROR row saying why.

    A measure that cannot measure is a finding, not the end of the run.
    """
    out: list[Result] = []
    try:
        for result in m.fn(ctx):
            out.append(result)
    except Exception as exc:
        traceback.print_exc()
        cause = " ".join(str(exc).split())
        out.append(Result(m.name, error=f"{type(exc).__name__}: {cause}" if cause else type(exc).__name__))
    return out


REGISTRY: list[Measure] = []


def measure(name: str, group: str = "service") -> Callable[[MeasureFn], MeasureFn]:
    """Register a measure: a function of the context that yields results."""

    def wrap(fn: MeasureFn) -> MeasureFn:
        REGISTRY.append(Measure(name, fn, group))
        return fn

    return wrap


def timed(fn: Callable[[], Any], *, repeat: int, warmup: int = 3) -> list[int]:
    """Nanoseconds per call of ``fn``, after ``warmup`` untimed calls."""
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(repeat):
        t0 = now_ns()
        fn()
        out.append(now_ns() - t0)
    return out


@contextmanager
def stopwatch(into: list[int]) -> Iterator[None]:
    t0 = now_ns()
    yield
    into.append(now_ns() - t0)


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    if v >= 100:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    if v >= 1:
        return f"{v:.2f}"
    return f"{v:.3f}"


def table(results: list[Result]) -> str:
    """The results as a plain-text table (fits a 120-column terminal)."""
    by_name = {r.name: r for r in results}
    head = ("measure", "n", "p50", "p95", "max", "unit", "target", "vs reference (p95)", "result")
    rows: list[tuple[str, ...]] = []
    for r in results:
        ratio = ""
        if r.reference and r.reference in by_name:
            ref = by_name[r.reference].stat("p95")
            mine = r.stat("p95")
            if ref and mine is not None:
                ratio = f"{mine / ref:,.1f}x {r.reference}"
        verdict = {True: "PASS", False: "FAIL", None: ""}[r.passed]
        if r.error:
            verdict = "ERROR"
        if r.value is not None:
            p50 = p95 = mx = _fmt(r.value)
        else:
            p50, p95, mx = (_fmt(r.stat(s)) for s in ("p50", "p95", "max"))
        rows.append(
            (
                r.name,
                str(r.n),
                p50,
                p95,
                mx,
                r.unit,
                r.target.describe(r.unit) if r.target else "",
                ratio,
                verdict + (f" {r.error}" if r.error else "") + (f"  ({r.note})" if r.note else ""),
            )
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(head)]
    right = {1, 2, 3, 4}

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line(head), line(tuple("-" * w for w in widths))]
    out.extend(line(row) for row in rows)
    return "\n".join(out)
