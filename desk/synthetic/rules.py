"""The rules both generators follow: random choices, NHS numbers, history, the crisis flag, how callers are named.

One place for each, so the demo and the trust-scale seed write the same trust
in the same words whatever their size.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from desk import nhs, triage
from desk.errors import DeskError
from desk.vocabulary import ORG_KINDS

SEX_BY_LETTER = {"F": "Female", "M": "Male"}

# The tables the generators write, in foreign-key order (the reference data's come before them).
# A package's versions (desk.packages.demo_stage) come after the assessments that authorised them.
TABLES = (
    "person",
    "history",
    "contact",
    "involvement",
    "carepackage",
    "carepackageitem",
    "admission",
    "alert",
    "call",
    "referral",
    "assessment",
    "assessmentfinding",
    "carepackageversion",
    "carepackageline",
    "carestep",
    "packagereview",
    "visit",
    "dischargetask",
    "delayday",
    "zonepickup",
    "caseloadentry",
)

# --- random choices ------------------------------------------------------------------


class Choice:
    """A {choice: weight} mapping made ready to pick from many times (keys starting '_' are notes, not choices)."""

    def __init__(self, weights: Mapping[str, Any]) -> None:
        self.keys = [k for k in weights if not k.startswith("_")]
        self.cumulative = list(itertools.accumulate(float(weights[k]) for k in self.keys))

    def pick(self, rng: random.Random) -> str:
        """One key, as likely as its weight (one draw from ``rng``)."""
        return self.keys[bisect.bisect(self.cumulative, rng.random() * self.cumulative[-1], 0, len(self.keys) - 1)]


def weighted(rng: random.Random, weights: Mapping[str, Any]) -> str:
    """One key of a {choice: weight} mapping, as likely as its weight (one draw from ``rng``)."""
    return Choice(weights).pick(rng)


def chance(rng: random.Random, percent: float, scale: float = 1.0) -> bool:
    """True ``percent`` in 100 times, made likelier for frailer people by ``scale`` (at most 95 in 100)."""
    return rng.random() < min(0.95, percent / 100 * scale)


# --- NHS numbers --------------------------------------------------------------------

NHS_STEMS = 1_000_000


def nhs_numbers(rng: random.Random, count: int, taken: Collection[str] = ()) -> list[str]:
    """``count`` different valid NHS numbers from the 999 test range, in a random order, none of ``taken``."""
    if count + len(taken) > 900_000:
        raise DeskError(f"The 999 test range holds about 909,000 valid NHS numbers; {count:,} asked for.")
    out: list[str] = []
    want = min(NHS_STEMS, int(count * 1.12) + 64)
    while len(out) < count:
        out = []
        for stem in rng.sample(range(NHS_STEMS), want):
            nine = f"999{stem:06d}"
            check = nhs.check_digit(nine)
            if check is not None and f"{nine}{check}" not in taken:
                out.append(f"{nine}{check}")
                if len(out) == count:
                    break
        want = min(NHS_STEMS, want * 2)
    return out


# --- history --------------------------------------------------------------------------


class HistoryEntry(NamedTuple):
    """A history row as the generators write it (the same columns desk.history writes)."""

    at: datetime
    staff_id: int | None
    desk: str
    entity: str
    entity_id: str
    person_id: int
    action: str
    why: str


def registered(person_id: int, at: datetime, desk: str) -> HistoryEntry:
    """The one history entry a generated person gets: registered, when their record was made, by no one.

    Everything else a generator writes is the past as it stood when the
    register was loaded; only the registration itself is a change to the
    record, so only it is in the history (as :func:`desk.history.create` would
    have written it, with no staff member behind it). A care package's past is
    kept where the desk keeps it, as its numbered versions, each naming the
    assessment that authorised it (desk.packages.demo_stage), not as history rows.
    """
    why = f"Registered (synthetic register loaded by {desk})"
    return HistoryEntry(at, None, desk, "person", str(person_id), person_id, "create", why)


# --- the crisis flag --------------------------------------------------------------------


def crisis_flag(response: str, *, crisis_record: bool) -> bool:
    """Whether a referral carries the crisis flag: only a Crisis response with a crisis raised behind it.

    The desk sets the flag when a crisis is escalated (desk.crisis.escalation),
    and the caseload shows CRISIS from it; the crisis board shows the crisis
    record. A generated referral follows the same rule, so the caseload's open
    crises are the board's: a Rapid referral, however urgent, is never flagged,
    and a Crisis response is flagged once its crisis is written.
    """
    return response == triage.CRISIS and crisis_record


# --- callers, in the words the call log uses ---------------------------------------------


def display_name(given: str, family: str) -> str:
    """A person as the call log shows them: ``Ethel HANNAFORD``."""
    return f"{given} {family.upper()}"


def person_caller(given: str, family: str, nhs_number: str) -> str:
    """The person themselves rang."""
    return f"{display_name(given, family)}: NHS {nhs.display(nhs_number)}"


def contact_caller(person: str, contact: str, relationship: str, is_carer: bool) -> str:
    """A carer or relative of ``person`` (their display name) rang."""
    role = "Carer" if is_carer else relationship.capitalize()
    return f"{role} of {person}: {contact} ({relationship})"


def practice_caller(name: str, ods_code: str) -> str:
    """Their GP practice rang."""
    return f"{name}: GP practice {ods_code}"


def organisation_caller(name: str, kind: str) -> str:
    """A ward, care home or other organisation rang."""
    return f"{name}: {ORG_KINDS.get(kind, kind)}"


class _Blanks(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def fill(template: str, **values: str) -> str:
    """A sentence with {name}-style blanks filled (an unknown blank is left as typed), capitalised."""
    text = template.format_map(_Blanks(values))
    return text[:1].upper() + text[1:]


def taker_roles(reason: str, caller: str) -> tuple[str, ...]:
    """Who at the zone desk takes a call, the likeliest role first: crises go to the crisis line,
    a ward's discharge call to the discharge co-ordinator, the rest to a co-ordinator."""
    if reason == "crisis":
        return ("crisis_worker", "coordinator")
    if reason == "discharge" and caller == "ward":
        return ("discharge_coordinator", "coordinator")
    return ("coordinator", "crisis_worker")
