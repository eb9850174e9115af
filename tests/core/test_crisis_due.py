"""When a response is due: one rule, right across both clock changes of 2026."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desk import triage
from desk.clock import LONDON


def london(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=LONDON, fold=fold)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def test_every_response_has_a_clock_and_a_label() -> None:
    assert list(triage.RESPONSES) == ["crisis", "rapid", "fast", "normal"]
    assert set(triage.URGENCY_WITHIN) == set(triage.RESPONSES)
    received = utc(2026, 11, 23, 10, 30)
    assert triage.due_at(received, "crisis") == utc(2026, 11, 23, 12, 30)
    assert triage.due_at(received, "rapid") == utc(2026, 11, 23, 13, 30)
    assert triage.due_at(received, "fast") == utc(2026, 11, 24, 10, 30)
    assert triage.due_at(received, "normal") == utc(2026, 11, 26, 10, 30)


def test_rapid_across_the_spring_change_is_three_real_hours() -> None:
    received = utc(2026, 3, 29, 0, 30)  # 00:30 GMT
    due = triage.due_at(received, "rapid")
    assert due == utc(2026, 3, 29, 3, 30)
    assert due.astimezone(LONDON).strftime("%H:%M %Z") == "04:30 BST"


def test_rapid_across_the_autumn_change_from_the_first_half_past_one() -> None:
    received = london(2026, 10, 25, 1, 30, fold=0)  # the first 01:30, BST
    assert received.astimezone(UTC) == utc(2026, 10, 25, 0, 30)
    due = triage.due_at(received.astimezone(UTC), "rapid")
    assert due == utc(2026, 10, 25, 3, 30)
    assert due.astimezone(LONDON).strftime("%H:%M %Z") == "03:30 GMT"


def test_crisis_is_two_real_hours_across_a_change() -> None:
    assert triage.due_at(utc(2026, 3, 29, 0, 30), "crisis") == utc(2026, 3, 29, 2, 30)  # 03:30 BST


@pytest.mark.parametrize(
    ("received_local", "response", "due_local"),
    [
        # Fast and Normal keep the wall-clock time across the spring change...
        ((2026, 3, 28, 9, 15), "fast", "2026-03-29 09:15 BST"),
        ((2026, 3, 27, 16, 0), "normal", "2026-03-30 16:00 BST"),
        # ...and across the autumn change.
        ((2026, 10, 24, 9, 15), "fast", "2026-10-25 09:15 GMT"),
        ((2026, 10, 23, 16, 0), "normal", "2026-10-26 16:00 GMT"),
    ],
)
def test_day_based_responses_land_on_the_same_local_time(
    received_local: tuple[int, ...], response: str, due_local: str
) -> None:
    received = london(*received_local).astimezone(UTC)
    due = triage.due_at(received, response)
    assert due.tzinfo is UTC or due.utcoffset() == timedelta(0)
    assert due.astimezone(LONDON).strftime("%Y-%m-%d %H:%M %Z") == due_local
    # a different number of real hours from received, because the clocks changed in between
    assert due - received != triage.URGENCY_WITHIN[response]


def test_a_local_time_in_the_spring_gap_moves_on_by_the_gap() -> None:
    """01:30 on 29-Mar-2026 never happens: the desk takes 02:30 BST, as a clock put forward reads."""
    received = utc(2026, 3, 28, 1, 30)  # 01:30 GMT the day before
    due = triage.due_at(received, "fast")
    assert due == utc(2026, 3, 29, 1, 30)
    assert due.astimezone(LONDON).strftime("%H:%M %Z") == "02:30 BST"


def test_a_local_time_that_happens_twice_takes_the_first() -> None:
    """01:30 on 25-Oct-2026 happens twice: the desk takes the first (BST), never asking."""
    received = utc(2026, 10, 24, 0, 30)  # 01:30 BST the day before
    due = triage.due_at(received, "fast")
    assert due == utc(2026, 10, 25, 0, 30)
    assert due.astimezone(LONDON).strftime("%H:%M %Z") == "01:30 BST"
    normal = triage.due_at(utc(2026, 10, 22, 0, 30), "normal")
    assert normal == utc(2026, 10, 25, 0, 30)


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        triage.due_at(datetime(2026, 11, 23, 10, 30), "rapid")  # naive on purpose


def test_due_is_stored_as_utc() -> None:
    received = london(2026, 7, 1, 12, 0).astimezone(UTC)
    for response in triage.RESPONSES:
        due = triage.due_at(received, response)
        assert due.utcoffset() == timedelta(0), response
