"""NHS numbers: ten digits, the last a Modulus 11 check digit.

Validation is nhs-number's (a maintained implementation of the NHS rule);
this module adds the messages a co-ordinator reads and the display form.
"""

from __future__ import annotations

import re

from desk.errors import InvalidInput

_SEPARATORS = re.compile(r"[\s\-]")


def digits(text: str) -> str:
    """The number without spaces or dashes, as typed from a letter or a screen."""
    return _SEPARATORS.sub("", text or "")


def clean(text: str) -> str:
    """A valid NHS number's ten digits, or :class:`InvalidInput` saying what is wrong."""
    raw = digits(text)
    if not raw:
        raise InvalidInput("nhs_number", "NHS number is required: ten digits, e.g. 999 123 4560.")
    if not raw.isdigit():
        raise InvalidInput("nhs_number", f"NHS number '{text.strip()}' has characters other than digits.")
    if len(raw) != 10:
        raise InvalidInput("nhs_number", f"NHS number must be ten digits; '{text.strip()}' has {len(raw)}.")
    if not _valid(raw):
        raise InvalidInput(
            "nhs_number",
            f"NHS number {display(raw)} fails its check digit: check it against the letter or card.",
        )
    return raw


def is_valid(text: str) -> bool:
    """True for a well-formed NHS number with the right check digit."""
    raw = digits(text)
    return len(raw) == 10 and raw.isdigit() and _valid(raw)


def display(raw: str) -> str:
    """The NHS style: ``999 123 4567``."""
    d = digits(raw)
    return f"{d[:3]} {d[3:6]} {d[6:]}" if len(d) == 10 else raw


def check_digit(nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None where no valid one exists."""
    total = sum(int(c) * w for c, w in zip(nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_test_range(raw: str) -> bool:
    """Numbers starting 999 are reserved for testing: the only ones demo data may use."""
    return digits(raw).startswith("999")


def _valid(raw: str) -> bool:
    """nhs-number's Modulus 11 rule (imported on first use: drawing a row needs only the display form)."""
    from nhs_number.validate import is_valid

    return bool(is_valid(raw))
