"""Names as a caller says them and a co-ordinator types them.

A co-ordinator types what they hear: "zoe" for Zoë, "obrien" or "o brien" for
O'Brien, "smith jones" or just "jones" for Smith-Jones, "maria de la cruz" for
Maria de la Cruz. So names are compared through one folding, :func:`fold`,
applied alike to the name as registered and to the text typed:

* Unicode NFKD, combining marks dropped (é → e, ü → u), letters that have no
  decomposition spelt out (ø → o, ł → l, æ → ae, ß → ss), case folded;
* apostrophes (straight, curly, modifier letters, backticks) dropped, so
  O'Brien, O’Brien and OBrien are one name;
* every other run of punctuation or space (hyphens, dots, commas) one space.

The person's stored search keys (``Person.family_key`` and ``given_key``) are
the folded name with its spaces taken out (:func:`key`): "de la Cruz" is kept
as "delacruz", "Smith-Jones" as "smithjones". What is typed keeps its word
boundaries (:func:`words`), and :func:`readings` turns them into the ways the
words could divide between family and given name; :func:`fragments` into the
pieces a substring index can look for. No database here: the search service
and the caseload's plain SQL both build on these.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_APOSTROPHES = re.compile("['\u2018\u2019\u201b\u02bc\u02bb\u02b9\u02bd\u0060\u00b4\u2032\uff07]")
_SPELT_OUT = str.maketrans(
    {
        "ø": "o",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "æ": "ae",
        "œ": "oe",
        "ı": "i",
        "ħ": "h",
        "ŧ": "t",
        "ŋ": "n",
    }
)
_NOT_A_LETTER = re.compile(r"[\W_]+")
MIN_FRAGMENT = 3
"""Characters a substring look-up needs: trigram indexes find nothing shorter."""
_MAX_WORDS = 8  # more words than any name has; bounds the number of readings


@lru_cache(maxsize=8192)  # a register repeats its names: loading one folds each only once
def fold(text: str) -> str:
    """A name (or what was typed for one) as plain lower-case words: "O’Brien-Zoë" → "obrien zoe".

    The one folding both the stored keys and every search go through, so the
    register and the search box always agree, on SQLite and PostgreSQL alike.
    """
    plain = _APOSTROPHES.sub("", text)
    decomposed = unicodedata.normalize("NFKD", plain.casefold())
    unmarked = "".join(c for c in decomposed if not unicodedata.combining(c))
    spelt = _APOSTROPHES.sub("", unmarked.translate(_SPELT_OUT))
    return " ".join(_NOT_A_LETTER.sub(" ", spelt).split())


def key(name: str) -> str:
    """A name's stored search key: folded, with no spaces ("de la Cruz" → "delacruz")."""
    return fold(name).replace(" ", "")


def words(text: str) -> list[str]:
    """The folded words of what was typed."""
    return fold(text).split()


@dataclass(frozen=True)
class Reading:
    """One way typed words could be a name: the family key starts with ``family``, the given key with ``given``.

    ``given`` empty means any given name.
    """

    family: str
    given: str = ""


def readings(text: str) -> list[Reading]:
    """Every way the words typed could divide between family and given name, most likely first.

    "Smith, Jo" (with a comma) is family then given, for certain. Otherwise the
    words may be all family name ("de la cruz", "smith jones", "o brien"),
    family name then given ("de la cruz ma"), or given name then family
    ("maria de la cruz", "jo smith"): each division is a reading. Text with no
    letters or digits has no reading.
    """
    if "," in text:
        family_part, _, given_part = text.partition(",")
        family = key(family_part)
        return [Reading(family, key(given_part))] if family else []
    typed = words(text)[:_MAX_WORDS]
    if not typed:
        return []
    found = [Reading("".join(typed))]
    for split in range(1, len(typed)):
        found.append(Reading("".join(typed[:split]), "".join(typed[split:])))
        found.append(Reading("".join(typed[split:]), "".join(typed[:split])))
    return list(dict.fromkeys(found))


def fragments(text: str) -> list[str]:
    """The pieces of a name a substring index looks for, each to be found somewhere in the name's keys.

    Each word typed is one piece, except that a word too short for a trigram
    index joins the word after it, as a particle does ("la cruz" becomes
    "lacruz", which is inside "delacruz"; "o brien" becomes "obrien"). A short
    word at the end stays short: it is the start of a word still being typed
    ("smith jo"), which only the prefix look-up can answer. A piece shorter
    than :data:`MIN_FRAGMENT` means there is nothing a substring index can
    look for (:func:`substring_ready`).
    """
    pieces: list[str] = []
    pending = ""
    for word in words(text.replace(",", " "))[:_MAX_WORDS]:
        pending += word
        if len(pending) >= MIN_FRAGMENT:
            pieces.append(pending)
            pending = ""
    if pending:
        pieces.append(pending)
    return pieces


def substring_ready(pieces: list[str]) -> bool:
    """Whether every piece is long enough for a trigram look-up (and there is at least one)."""
    return bool(pieces) and all(len(p) >= MIN_FRAGMENT for p in pieces)
