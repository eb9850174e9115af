"""Synthetic identifiers that can never belong to a real person.

NHS numbers start 999 (the range reserved for testing) and carry a valid
Modulus 11 check digit. Phone numbers come only from Ofcom's drama ranges,
away from the blocks the shipped reference data uses (0113/0114/0117 496 01xx
and 07700 9009xx), so a test number never recognises as a practice or ward.
"""

from __future__ import annotations

from desk import nhs


def nhs_number(n: int) -> str:
    """The first valid test NHS number at or after ``999`` + six digits of ``n``.

    Some nine-digit stems have no valid check digit; skipping forward keeps
    the result deterministic.
    """
    for stem in range(n, 1_000_000):
        nine = f"999{stem:06d}"
        check = nhs.check_digit(nine)
        if check is not None:
            return f"{nine}{check}"
    raise ValueError(f"no valid test NHS number at or after {n}")


def spaced(number: str) -> str:
    """An NHS number as printed on a letter: ``999 123 4567``."""
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def landline(n: int) -> str:
    """A drama-range landline (possible but not valid for libphonenumber): 01632 960nnn."""
    assert 0 <= n < 1000
    return f"01632 960{n:03d}"


def mobile(n: int) -> str:
    """A drama-range mobile, 07700 900nnn, below the 9009xx block staff use."""
    assert 0 <= n < 900
    return f"07700 900{n:03d}"


def london(n: int) -> str:
    """A drama-range London number that libphonenumber counts as valid: 020 7946 0nnn."""
    assert 0 <= n < 1000
    return f"020 7946 0{n:03d}"


def e164(national: str) -> str:
    """A UK national number written as E.164, for comparing with what is stored."""
    digits = "".join(c for c in national if c.isdigit())
    return "+44" + digits.lstrip("0")
