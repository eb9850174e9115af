"""The bench's runner: a measure that raises is one ERROR row with its cause, and the run goes on."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import create_engine

from bench.core import Context, Measure, Result, run_measure, table


def _context() -> Context:
    return Context(engine=create_engine("sqlite://"), url="sqlite://", backend="sqlite", counts={})


def _breaks_halfway(ctx: Context) -> Iterable[Result]:
    yield Result("first row", [1_000_000, 2_000_000])
    raise TimeoutError("no frame showed the result of 'enter' within 15 s")


def _measures(ctx: Context) -> Iterable[Result]:
    yield Result("a figure", [3_000_000], reference="first row")


def test_a_measure_that_raises_keeps_its_rows_and_says_why() -> None:
    rows = run_measure(Measure("breaks", _breaks_halfway, "screen"), _context())
    assert [r.name for r in rows] == ["first row", "breaks"]
    assert rows[1].error == "TimeoutError: no frame showed the result of 'enter' within 15 s"
    assert rows[1].passed is False


def test_the_run_goes_on_and_the_table_shows_both() -> None:
    ctx = _context()
    rows = [
        *run_measure(Measure("breaks", _breaks_halfway, "screen"), ctx),
        *run_measure(Measure("ok", _measures, "service"), ctx),
    ]
    shown = table(rows)
    assert "ERROR TimeoutError: no frame showed the result of 'enter'" in shown
    assert "1.5x first row" in shown  # 3 ms against the reference's p95 of 2 ms


def test_once_means_once() -> None:
    ctx = _context()
    assert ctx.reps(40) == 40
    ctx.once = True
    assert ctx.reps(40) == 1
    ctx.once, ctx.quick = False, True
    assert (ctx.reps(40), ctx.reps(3, quick=1)) == (8, 1)
