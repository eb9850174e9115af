"""The crisis board's screen measures run once, small, on SQLite and (with DESK_TEST_DATABASE_URL) PostgreSQL.

The figures mean nothing at this size and are not checked. What is checked:
each measure gives rows with figures and no error, the board it measured
held the 300 open items the target speaks of, the crisis raised in the bench
process was seen by the desk in the other, and the database is left as it was
seeded (the added referrals and the raised crises are gone again).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlmodel import col

from bench import crisis_screens
from bench.core import REGISTRY, Context, Measure, Result, run_measure
from desk import db
from desk.crisis_models import Booking, Crisis, Reminder
from desk.models import CaseloadEntry, History, Referral

CRISIS_SCREEN_MEASURES = [m for m in REGISTRY if m.fn.__module__ == crisis_screens.__name__]


def test_the_crisis_screen_measures_are_all_here() -> None:
    assert {m.name for m in CRISIS_SCREEN_MEASURES} == {
        "screen: crisis board",
        "screen: crisis seen on a second desk",
    }
    assert all(m.group == "screen" for m in CRISIS_SCREEN_MEASURES)


def _as_seeded(ctx: Context) -> tuple[int, ...]:
    with db.reading(ctx.engine) as s:
        return (
            s.execute(select(func.count()).select_from(Referral)).scalar_one(),
            s.execute(select(func.count()).select_from(Crisis)).scalar_one(),
            s.execute(select(func.count()).select_from(Booking)).scalar_one(),
            s.execute(select(func.count()).select_from(Reminder)).scalar_one(),
            s.execute(select(func.count()).where(col(History.desk) == crisis_screens.RAISER_DESK)).scalar_one(),
            s.execute(select(func.count()).where(col(CaseloadEntry.crisis).is_(True))).scalar_one(),
        )


def _figures(result: Result) -> bool:
    return result.value is not None or len(result.samples_ns) > 0


@pytest.mark.parametrize("m", CRISIS_SCREEN_MEASURES, ids=lambda m: m.name)
def test_each_crisis_screen_measure_measures_and_leaves_the_database_as_seeded(
    m: Measure, small_trust: Context
) -> None:
    before = _as_seeded(small_trust)
    results = run_measure(m, small_trust)
    assert results, f"{m.name} gave no rows"
    assert [r.error for r in results if r.error] == []
    assert [r.name for r in results if not _figures(r)] == []
    assert all(r.target is not None for r in results if r.name in _TARGETED), [r.name for r in results]
    assert _as_seeded(small_trust) == before
    by_name = {r.name: r for r in results}
    if m.name == "screen: crisis board":  # the board measured holds the 300 open items the target speaks of
        for row in (
            "crisis board: F11 to first frame with its rows",
            "crisis board: clock tick, loop CPU to its frame",
        ):
            assert int(by_name[row].note.split(" ")[0]) >= crisis_screens.BOARD_ITEMS, by_name[row].note


_TARGETED = {
    "crisis board: F11 to first frame with its rows",
    "crisis board: clock tick, loop CPU to its frame",
    "crisis board: crisis raised in another process, commit to frame",
}
