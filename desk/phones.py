"""Phone numbers as callers say them: parse, classify, format.

We store the E.164 form (the key we look callers up by), the raw text as
typed, and whether libphonenumber thinks the number is assigned. A number that
could not be a phone number is refused; one that is possible but not assigned
(Ofcom's drama ranges among them) is accepted with a warning, because refusing
what a caller says helps nobody.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberFormat, ValidationResult

from desk.errors import InvalidInput

REGION = "GB"


@dataclass(frozen=True)
class Phone:
    """A parsed number: what to store and what to show."""

    e164: str
    raw: str
    valid: bool

    @property
    def warning(self) -> str | None:
        """Why a user might want to double-check this number."""
        if self.valid:
            return None
        return (
            f"{self.national} is a possible number but not one in use in the UK "
            "numbering plan: check it with the caller."
        )

    @property
    def national(self) -> str:
        """The way a UK caller writes it: ``0117 496 0123``."""
        return national(self.e164)


def parse(text: str, field: str = "phone") -> Phone:
    """Parse any common UK form, or raise :class:`InvalidInput` with a clear message."""
    raw = (text or "").strip()
    if not raw:
        raise InvalidInput(field, "Phone number is empty.")
    try:
        number = phonenumbers.parse(raw, REGION)
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            field, f"'{raw}' is not a phone number: type it as 0117 496 0123 or +44 117 496 0123."
        ) from None
    compact = re.sub(r"[^\d+]", "", raw)
    if not (compact.startswith("0") or compact.startswith("+")):
        raise InvalidInput(field, f"'{raw}' has no area code: UK numbers start with 0 (or +44), e.g. 0117 496 0123.")
    if phonenumbers.is_possible_number_with_reason(number) != ValidationResult.IS_POSSIBLE:
        raise InvalidInput(
            field,
            f"'{raw}' cannot be a phone number (wrong length for its code): check the digits.",
        )
    return Phone(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        raw=raw,
        valid=phonenumbers.is_valid_number(number),
    )


def try_parse(text: str) -> Phone | None:
    """Parse, or None: for look-ups where an unparseable number simply matches nothing."""
    try:
        return parse(text)
    except InvalidInput:
        return None


def national(e164: str | None) -> str:
    """E.164 to the national display form; the input back if it does not parse."""
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, REGION), PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164
