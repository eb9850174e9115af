"""The ward screen measure runs once, small, on SQLite and (with DESK_TEST_DATABASE_URL) PostgreSQL.

The figures mean nothing at this size and are not checked. What is checked:
the measure gives rows with figures and no error, the screen it timed showed
every patient on the ward, and the ward cover it set aside for the measure
is back as seeded.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench import discharge_screens
from bench.core import REGISTRY, Context, Measure, Result, run_measure
from desk import db
from desk.discharge_models import WardCover

SCREEN_MEASURES = [m for m in REGISTRY if m.fn.__module__ == discharge_screens.__name__]


def test_the_ward_screen_measure_is_here() -> None:
    assert [(m.name, m.group) for m in SCREEN_MEASURES] == [("discharge ward screen", "screen")]


def _cover(ctx: Context) -> list[tuple[int, int]]:
    with db.reading(ctx.engine) as s:
        return sorted((c.staff_id, c.ward_id) for c in s.exec(select(WardCover)).scalars())  # type: ignore[attr-defined]


def _figures(result: Result) -> bool:
    return result.value is not None or len(result.samples_ns) > 0


@pytest.mark.parametrize("m", SCREEN_MEASURES, ids=lambda m: m.name)
def test_the_ward_screen_measure_measures_and_gives_the_cover_back(m: Measure, small_trust: Context) -> None:
    before = _cover(small_trust)
    results = run_measure(m, small_trust)
    assert [r.error for r in results if r.error] == []
    assert [r.name for r in results if not _figures(r)] == []
    assert results[0].name.startswith("discharge ward screen: key to first frame with ")
    assert results[0].target is not None
    assert _cover(small_trust) == before
