"""Phone numbers as callers say them: parsed to E.164, odd ones flagged, impossible ones refused."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from desk import db, phones
from desk.errors import InvalidInput
from desk.services.recognise import recognise


@pytest.mark.parametrize(
    "typed",
    ["0117 496 0123", "+44 (0)117 496 0123", "0044 117 496 0123", "(0117) 496 0123", "01174960123", " 0117-496-0123 "],
)
def test_common_uk_forms_give_one_e164(typed: str) -> None:
    phone = phones.parse(typed)
    assert phone.e164 == "+441174960123"
    assert phone.valid and phone.warning is None
    assert phone.raw == typed.strip()
    assert phone.national == "0117 496 0123"


def test_mobile_without_spaces() -> None:
    assert phones.parse("07700900123").e164 == "+447700900123"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Phone number is empty"),
        ("hello", "is not a phone number: type it as 0117 496 0123"),
        ("12345", "'12345' has no area code: UK numbers start with 0 (or +44)"),
        ("01803 2", "cannot be a phone number (wrong length for its code)"),
        ("0180321055199999", "cannot be a phone number (wrong length for its code)"),
    ],
)
def test_impossible_numbers_are_refused_clearly(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        phones.parse(typed, field="carer_phone")
    assert caught.value.field == "carer_phone"
    assert says in caught.value.message


@pytest.mark.parametrize(("typed", "e164"), [("07700 900123", "+447700900123"), ("01632 960001", "+441632960001")])
def test_drama_range_is_accepted_with_a_warning(typed: str, e164: str) -> None:
    """Possible but unassigned: stored, flagged, and the co-ordinator is asked to check it."""
    phone = phones.parse(typed)
    assert phone.e164 == e164
    assert phone.valid is False
    assert phone.warning is not None
    assert typed in phone.warning and "check it with the caller" in phone.warning


def test_valid_drama_ranges_need_no_warning() -> None:
    """020 7946 0xxx is reserved for drama yet counts as valid: no warning to wade through."""
    assert phones.parse("020 7946 0123").warning is None


def test_try_parse_returns_none_instead_of_raising() -> None:
    assert phones.try_parse("not a number") is None
    assert phones.try_parse("0117 496 0123") == phones.parse("0117 496 0123")


@pytest.mark.parametrize(
    ("e164", "shown"), [("+441174960123", "0117 496 0123"), (None, ""), ("", ""), ("garbage", "garbage")]
)
def test_national_display(e164: str | None, shown: str) -> None:
    assert phones.national(e164) == shown


@pytest.mark.parametrize("short", ["999", "111"])
def test_emergency_and_nhs_111_are_short_numbers_not_callers(shared_engine: Engine, short: str) -> None:
    with db.reading(shared_engine) as session:
        seen = recognise(session, short)
    assert seen.e164 is None and not seen.matches and seen.problem is None
    assert seen.warning is not None and "short service number" in seen.warning
