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


EMERGENCY_TYPED = ["999", " 999 ", "9 9 9", "99 9", "(999)", "999-", "112", "1 12", "11 2", " 1-1-2 "]
NHS_111_TYPED = ["111", "1 1 1", " 111 ", "(111)", "11-1"]


@pytest.mark.parametrize("typed", EMERGENCY_TYPED)
def test_999_and_112_however_typed_are_the_emergency_services(typed: str) -> None:
    service = phones.caller(typed)
    assert isinstance(service, phones.ServiceNumber)
    assert (service.kind, service.name) == ("emergency", "Emergency services (ambulance control)")
    assert service.digits in {"999", "112"}
    assert service.summary == f"Emergency services (ambulance control) on {service.digits}"


@pytest.mark.parametrize("typed", NHS_111_TYPED)
def test_111_however_typed_is_nhs_111(typed: str) -> None:
    service = phones.caller(typed)
    assert isinstance(service, phones.ServiceNumber)
    assert (service.kind, service.digits, service.summary) == ("nhs_111", "111", "NHS 111")


def test_other_uk_short_numbers_are_services_too() -> None:
    service = phones.service("116 123")
    assert service is not None and (service.kind, service.digits) == ("service", "116123")


@pytest.mark.parametrize("typed", ["12345", "0999", "999 999", "9999", "99", "+999", "999a", "0117 496 0123", ""])
def test_not_short_numbers(typed: str) -> None:
    assert phones.service(typed) is None


def test_a_caller_number_that_is_a_line_is_parsed_as_one() -> None:
    assert phones.caller("0117 496 0123") == phones.parse("0117 496 0123")
    with pytest.raises(InvalidInput, match="has no area code"):
        phones.caller("12345")


@pytest.mark.parametrize("typed", ["999", "1 1 1", "112"])
def test_a_short_number_is_no_number_to_ring_someone_back_on(typed: str) -> None:
    """A person's or contact's phone must be a line: 999 is refused, and named for what it is (no 'area code')."""
    with pytest.raises(InvalidInput) as caught:
        phones.parse(typed, "phone")
    assert "short service number" in caught.value.message and "area code" not in caught.value.message


@pytest.mark.parametrize("short", EMERGENCY_TYPED + NHS_111_TYPED)
def test_short_numbers_are_recognised_as_services_never_people(shared_engine: Engine, short: str) -> None:
    with db.reading(shared_engine) as session:
        seen = recognise(session, short)
    assert seen.e164 is None and seen.problem is None and seen.warning is None
    [match] = seen.matches
    assert match.person_id is None and match.contact_id is None
    assert match.kind in {"emergency", "nhs_111"}
    assert seen.headline in {
        "Emergency services (ambulance control) on 999",
        "Emergency services (ambulance control) on 112",
        "NHS 111",
    }
