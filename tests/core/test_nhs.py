"""NHS numbers: what the co-ordinator is told when one is mistyped."""

from __future__ import annotations

import pytest

from desk import nhs
from desk.errors import InvalidInput
from tests.helpers import synthetic

VALID = synthetic.nhs_number(123456)  # 999 123 456x with a correct check digit


def _wrong_check_digit(number: str) -> str:
    return number[:9] + str((int(number[9]) + 1) % 10)


def test_check_digit_follows_modulus_11() -> None:
    """Weights 10..2, 11 minus the remainder; 11 becomes 0 and 10 means no valid number."""
    assert nhs.check_digit("943476591") == 9  # the NHS Data Dictionary's worked example: 943 476 5919
    assert nhs.check_digit("999000000") is None  # remainder 1 gives 10: the stem cannot be used
    assert all(nhs.is_valid(synthetic.nhs_number(n)) for n in range(0, 500, 37))


@pytest.mark.parametrize(
    "typed", [VALID, synthetic.spaced(VALID), f"{VALID[:3]}-{VALID[3:6]}-{VALID[6:]}", f"  {VALID} "]
)
def test_valid_number_in_any_common_form(typed: str) -> None:
    assert nhs.clean(typed) == VALID
    assert nhs.is_valid(typed)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "NHS number is required"),
        ("   ", "NHS number is required"),
        (_wrong_check_digit(VALID), "fails its check digit"),
        ("999 123 456", "must be ten digits; '999 123 456' has 9"),
        ("999 123 45678", "must be ten digits; '999 123 45678' has 11"),
        ("999 123 456A", "has characters other than digits"),
        ("NHS9991234567", "has characters other than digits"),
    ],
)
def test_invalid_number_says_what_is_wrong(typed: str, says: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        nhs.clean(typed)
    assert caught.value.field == "nhs_number"
    assert says in caught.value.message
    assert not nhs.is_valid(typed)


def test_check_digit_failure_shows_the_number_in_nhs_style() -> None:
    with pytest.raises(InvalidInput, match=r"NHS number 999 123 \d{4} fails"):
        nhs.clean(_wrong_check_digit(VALID))


@pytest.mark.parametrize(
    ("raw", "shown"), [("9991234567", "999 123 4567"), ("999 123 4567", "999 123 4567"), ("12345", "12345")]
)
def test_display_form(raw: str, shown: str) -> None:
    """Ten digits show as 3-3-4; anything else is shown as typed rather than mangled."""
    assert nhs.display(raw) == shown


def test_only_the_999_range_is_test_data() -> None:
    assert nhs.is_test_range(synthetic.spaced(VALID))
    assert not nhs.is_test_range("943 476 5919")
