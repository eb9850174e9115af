"""Counts in words: '1 thing to put right', '2 things', never 'thing(s)'."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` with the noun in the number it needs: ``counted(1, "entry", "entries")`` is '1 entry'."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def were(n: int) -> str:
    """The verb to follow a count: '1 call was', '2 calls were'."""
    return "was" if n == 1 else "were"
