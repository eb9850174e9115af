"""Phone numbers from Ofcom's drama ranges: the only numbers the synthetic trust ever hands out.

The blocks are in ``data/synthetic_vocabulary.json``; both generators take
their numbers from :func:`drama_numbers`, so neither can give a synthetic
person a number a practice, ward or member of staff already has.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import phonenumbers

from desk.synthetic.vocabulary import DramaBlock, vocabulary


@dataclass(frozen=True)
class DramaNumber:
    """One drama-range number in the forms the person table stores."""

    e164: str
    raw: str  # as a co-ordinator types it: 01632 960123
    valid: bool  # libphonenumber's verdict (some drama blocks are "possible" only)
    rev: str  # national digits reversed, as desk.services.people.phone_rev


def drama_blocks() -> tuple[DramaBlock, ...]:
    """The blocks the synthetic trust may use."""
    return vocabulary().drama_blocks


def _grouped(national: str, groups: tuple[int, ...]) -> str:
    parts, at = [], 0
    for g in groups:
        parts.append(national[at : at + g])
        at += g
    return " ".join(parts)


@cache
def _all_numbers() -> tuple[DramaNumber, ...]:
    out: list[DramaNumber] = []
    for block in drama_blocks():
        for n in range(block.first, block.last + 1):
            national = f"{block.prefix}{n:0{block.width}d}"
            out.append(
                DramaNumber(
                    e164="+44" + national[1:],
                    raw=_grouped(national, block.groups),
                    valid=phonenumbers.is_valid_number(phonenumbers.parse(national, "GB")),
                    rev=national[::-1],
                )
            )
    return tuple(out)


def drama_numbers() -> list[DramaNumber]:
    """Every number the synthetic trust may use, in a fixed order (a fresh list: callers shuffle it)."""
    return list(_all_numbers())


def is_drama(e164: str) -> bool:
    """True when an E.164 number lies in one of the drama blocks."""
    if not e164.startswith("+44"):
        return False
    national = "0" + e164[3:]
    for block in drama_blocks():
        if national.startswith(block.prefix) and len(national) == len(block.prefix) + block.width:
            return block.first <= int(national[len(block.prefix) :]) <= block.last
    return False
