"""Every screen measure of the bench runs once, small, so a bench that can no longer measure fails here.

The figures mean nothing at this size and are not checked; what is checked is
that each measure gives rows, each row has figures, and none reports an error.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import screen_measures
from bench.core import REGISTRY, Context, Measure, Result, run_measure
from bench.data import prepare
from bench.terminal import Tmux

SCREEN_MEASURES = [m for m in REGISTRY if m.fn.__module__ == screen_measures.__name__]  # importing it registers them


@pytest.fixture(scope="module")
def small_trust(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Context]:
    """A seeded trust of 3,000 people (2,000 calls, so the busiest person gets their long history)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('bench')}/scale.db"
    engine, counts, _ = prepare(url, schema="", people=3000, caseload=800, calls=2000, seed=380, reuse=False)
    try:
        yield Context(engine=engine, url=url, backend="sqlite", counts=counts, once=True)
    finally:
        engine.dispose()


def test_the_screen_measures_are_all_here() -> None:
    names = {m.name for m in SCREEN_MEASURES}
    assert {"screen: person record", "screen: caseload keys", "screen: call notes typing"} <= names
    assert len(SCREEN_MEASURES) >= 8


def _figures(result: Result) -> bool:
    return result.value is not None or len(result.samples_ns) > 0


@pytest.mark.parametrize("m", SCREEN_MEASURES, ids=lambda m: m.name)
def test_each_screen_measure_measures(m: Measure, small_trust: Context) -> None:
    if m.name == "screen: tmux end to end" and not Tmux.available():
        pytest.skip("tmux is not installed")
    results = run_measure(m, small_trust)
    assert results, f"{m.name} gave no rows"
    assert [r.error for r in results if r.error] == []
    assert [r.name for r in results if not _figures(r)] == []
