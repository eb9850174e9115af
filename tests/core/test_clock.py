"""A visit time typed on the office clock means the nearest one: a night shift's visit after midnight is tomorrow's."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from desk import clock


@pytest.mark.parametrize(
    ("now", "typed", "means"),
    [
        # late evening, a visit just after midnight: tomorrow's (GMT, so UTC is the wall clock)
        (datetime(2026, 12, 1, 23, 50, tzinfo=UTC), time(0, 0), datetime(2026, 12, 2, 0, 0, tzinfo=UTC)),
        (datetime(2026, 12, 1, 23, 50, tzinfo=UTC), time(1, 15), datetime(2026, 12, 2, 1, 15, tzinfo=UTC)),
        # an hour gone is still today's: the caller says it has passed
        (datetime(2026, 12, 1, 15, 0, tzinfo=UTC), time(14, 0), datetime(2026, 12, 1, 14, 0, tzinfo=UTC)),
        (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), time(14, 30), datetime(2026, 12, 1, 14, 30, tzinfo=UTC)),
        # in summer time, 23:40 BST is 22:40 UTC; 00:10 BST tomorrow is 23:10 UTC today
        (datetime(2026, 7, 1, 22, 40, tzinfo=UTC), time(0, 10), datetime(2026, 7, 1, 23, 10, tzinfo=UTC)),
        # the night the clocks go back (25-Oct-2026): 23:30 BST, a visit at 02:00 GMT the next morning
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), time(2, 0), datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
    ],
)
def test_a_typed_time_is_the_nearest_on_the_office_clock(now: datetime, typed: time, means: datetime) -> None:
    assert clock.nearest_at(typed, at=now) == means
