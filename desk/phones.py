"""Phone numbers as callers say them: parse, classify, format.

We store the E.164 form (the key we look callers up by), the raw text as
typed, and whether libphonenumber thinks the number is assigned. A number that
could not be a phone number is refused; one that is possible but not assigned
(Ofcom's drama ranges among them) is accepted with a warning, because refusing
what a caller says helps nobody.

Short numbers (999, 112, 111 and the like) are services, not lines: when one
shows as the caller's number it is the ambulance service or NHS 111 ringing
the zone, so :func:`caller` reads it as such, while :func:`parse` (a number to
ring someone back on) refuses it. One rule here decides both what the desk
hints as a number is typed and what it refuses when the call starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneNumberFormat, ValidationResult, shortnumberinfo

from desk.errors import InvalidInput

REGION = "GB"
EMERGENCY_SERVICES = "Emergency services (ambulance control)"
NHS_111 = "NHS 111"
_SHORT_LAYOUT = re.compile(r"[\d\s().-]{3,12}")  # digits with spaces, dots, dashes or brackets: no letters, no +


@dataclass(frozen=True)
class ServiceNumber:
    """A short number such as 999 or 111: a service ringing the zone, never a person's own line."""

    digits: str
    kind: str  # emergency | nhs_111 | service
    name: str

    @property
    def summary(self) -> str:
        """What the desk shows for the caller: 'Emergency services (ambulance control) on 999'."""
        return self.name if self.kind == "nhs_111" else f"{self.name} on {self.digits}"


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
    short = service(raw)
    if short is not None:
        raise InvalidInput(
            field,
            f"'{raw}' is a short service number ({short.name}), not a line anyone can be rung back on: "
            "type the full number, e.g. 0117 496 0123.",
        )
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


def service(text: str) -> ServiceNumber | None:
    """The service a short number stands for (999, 112, 111, ...), or None if it is not a UK short number."""
    raw = (text or "").strip()
    if not _SHORT_LAYOUT.fullmatch(raw):
        return None
    digits = re.sub(r"\D", "", raw)
    if not 3 <= len(digits) <= 6 or digits.startswith("0"):
        return None
    number = phonenumbers.parse(digits, REGION)
    if not shortnumberinfo.is_valid_short_number_for_region(number, REGION):
        return None
    if shortnumberinfo.is_emergency_number(digits, REGION):
        return ServiceNumber(digits, "emergency", EMERGENCY_SERVICES)
    if digits == "111":
        return ServiceNumber(digits, "nhs_111", NHS_111)
    return ServiceNumber(digits, "service", f"Service number {digits}")


def caller(text: str, field: str = "number") -> Phone | ServiceNumber:
    """A caller's number as the phone shows it: a short service number, or a line (see :func:`parse`).

    The take-call dialog's live hint and its refusal both come from here, so
    they cannot disagree.
    """
    return service(text) or parse(text, field)


def try_parse(text: str) -> Phone | None:
    """Parse, or None: for look-ups where an unparseable number simply matches nothing."""
    try:
        return parse(text)
    except InvalidInput:
        return None


@lru_cache(maxsize=4096)
def national(e164: str | None) -> str:
    """E.164 to the national display form; the input back if it does not parse.

    Kept for the numbers last shown: a list of contacts formats the same numbers at every read, and a parse
    is about 0.06 ms.
    """
    if not e164:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(e164, REGION), PhoneNumberFormat.NATIONAL)
    except phonenumbers.NumberParseException:
        return e164
