"""Dates of birth as people type them, checked against the office's today."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from desk import dates
from desk.errors import InvalidInput
from tests.helpers.fixtures import FrozenClock


@pytest.mark.parametrize(
    "typed",
    [
        "23/11/1944",
        "23-11-1944",
        "23.11.1944",
        "23 11 1944",
        "23-Nov-1944",
        "23 Nov 1944",
        "23 November 1944",
        "1944-11-23",
        "23111944",
        "  23/11/1944  ",
    ],
)
def test_common_forms(typed: str) -> None:
    assert dates.parse(typed) == date(1944, 11, 23)


@pytest.mark.parametrize("typed", ["", "yesterday", "31/02/1944", "1944/23/11", "23/13/1944"])
def test_not_a_date(typed: str) -> None:
    assert dates.parse(typed) is None


def test_date_of_birth_accepts_a_believable_date(clock: FrozenClock) -> None:
    assert dates.date_of_birth("23-Nov-1944") == date(1944, 11, 23)
    assert dates.date_of_birth(date(1944, 11, 23)) == date(1944, 11, 23)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Date of birth is required"),
        ("next week", "'next week' is not a date: type it as 23/11/1944"),
        ("24/11/2026", "Date of birth 24-Nov-2026 is in the future"),
        ("22/11/1900", "would make them over 125"),  # 126 on the frozen day
    ],
)
def test_unbelievable_dates_say_what_is_wrong(clock: FrozenClock, typed: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        dates.date_of_birth(typed, field="dob")
    assert caught.value.field == "dob"
    assert says in caught.value.message


@pytest.mark.parametrize(("typed", "ok"), [("23/11/1901", True), ("22/11/1901", True), ("23/11/1900", False)])
def test_the_oldest_believable_age_is_125(clock: FrozenClock, typed: str, ok: bool) -> None:
    """Age 125 is accepted (the message says 'over 125'); 126 is refused."""
    if ok:
        assert dates.date_of_birth(typed)
    else:
        with pytest.raises(InvalidInput):
            dates.date_of_birth(typed)


def test_future_is_judged_by_the_office_calendar(clock: FrozenClock) -> None:
    """At 23:30 UTC in summer it is already tomorrow in Brixham: a baby born 'today' is accepted."""
    clock.set(datetime(2026, 6, 1, 23, 30, tzinfo=UTC))
    assert dates.date_of_birth("02/06/2026") == date(2026, 6, 2)
    with pytest.raises(InvalidInput, match="in the future"):
        dates.date_of_birth("03/06/2026")


@pytest.mark.parametrize(
    ("value", "shown"), [(date(1944, 11, 23), "23-Nov-1944"), (date(2001, 1, 5), "05-Jan-2001"), (None, "")]
)
def test_nhs_style(value: date | None, shown: str) -> None:
    assert dates.nhs_style(value) == shown


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("31/02/1944", "'31/02/1944' is impossible: February 1944 has 29 days. Check the day."),
        ("29-Feb-1943", "'29-Feb-1943' is impossible: February 1943 has 28 days. Check the day."),
        ("31 April 1950", "'31 April 1950' is impossible: April 1950 has 30 days. Check the day."),
        ("1950-06-31", "'1950-06-31' is impossible: June 1950 has 30 days. Check the day."),
        ("31061950", "'31061950' is impossible: June 1950 has 30 days. Check the day."),
        ("00/01/1944", "'00/01/1944' is impossible: there is no day 0. Check the day."),
        ("23/13/1944", "'23/13/1944' is impossible: there is no month 13. Day first, then month: 23/11/1944."),
    ],
)
def test_an_impossible_date_is_called_impossible(clock: FrozenClock, typed: str, says: str) -> None:
    """Written as a date, but no such day: say so, not that the format is wrong."""
    assert dates.impossible(typed) == says
    with pytest.raises(InvalidInput) as caught:
        dates.date_of_birth(typed)
    assert caught.value.message == says


@pytest.mark.parametrize("typed", ["yesterday", "1944/23/11", "31-Foo-1944", "23/11"])
def test_a_date_in_no_form_we_read_is_a_wrong_format(clock: FrozenClock, typed: str) -> None:
    assert dates.impossible(typed) is None
    with pytest.raises(InvalidInput, match="is not a date: type it as 23/11/1944"):
        dates.date_of_birth(typed)


@pytest.mark.parametrize("typed", ["29/02/1944", "23/11/1944", "1944-11-23"])
def test_real_dates_are_not_impossible(typed: str) -> None:
    assert dates.impossible(typed) is None
