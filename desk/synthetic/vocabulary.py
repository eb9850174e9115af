"""The synthetic trust's vocabulary, read once from ``data/synthetic_vocabulary.json``.

Names, streets, conditions, care services, relationships, referral sources and
the words professionals and co-ordinators write: the demo and the trust-scale
seed both draw from this one source. Typed here, so a misspelt key fails on
loading rather than halfway through a seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache, cached_property
from importlib.resources import files
from typing import Any

Words = tuple[str, ...]


@dataclass(frozen=True)
class Place:
    """Where the people of one zone live: the town, postcode districts, neighbourhoods and streets."""

    town: str
    postcode_districts: Words
    neighbourhoods: Words
    streets: Words


@dataclass(frozen=True)
class CareService:
    """One service a care package can hold, how often packages hold it, and what it costs."""

    name: str
    percent: float
    details: Words
    weekly_cost_pence: tuple[int, int]
    providers: Words


@dataclass(frozen=True)
class Relationship:
    """A kind of carer or relative who rings about someone, and how such contacts usually are."""

    name: str
    weight: float
    sex: str  # F, M or any
    younger: bool
    spouse: bool
    same_surname_percent: float
    carer_percent: float
    mobile_percent: float


@dataclass(frozen=True)
class ReferralSource:
    """Who referred, how often, and who rings the line when they do."""

    name: str
    weight: float
    caller: str  # person, contact, practice, ward or unknown


@dataclass(frozen=True)
class DramaBlock:
    """A block of Ofcom drama numbers: national digits before it, its range, its width and grouping."""

    prefix: str
    first: int
    last: int
    width: int
    groups: tuple[int, ...]


@dataclass(frozen=True)
class Vocabulary:
    """Everything both generators draw their words from."""

    given_names: dict[tuple[str, str], Words]  # (era, sex): names; eras old, mid and new
    family_names: Words
    places: dict[str, Place]
    conditions: dict[str, float]
    care_services: tuple[CareService, ...]
    relationships: tuple[Relationship, ...]
    alerts: Words
    urgency: dict[str, float]
    percent_with_first_contact: float
    open_received_hours_ago: dict[str, float]
    referral_sources: tuple[ReferralSource, ...]
    referral_reasons: dict[str, Words]
    assessment_summaries: dict[str, Words]
    visit_notes: dict[str, Words]
    reasons_by_caller: dict[str, dict[str, float]]
    call_notes: dict[str, Words]
    call_notes_by_caller: dict[str, dict[str, Words]]
    call_outcomes: dict[str, Words]
    drama_blocks: tuple[DramaBlock, ...]

    @cached_property
    def referral_source_weights(self) -> dict[str, float]:
        """How often each source refers."""
        return {s.name: s.weight for s in self.referral_sources}

    @cached_property
    def referral_callers(self) -> dict[str, str]:
        """Who rings the line when each source refers."""
        return {s.name: s.caller for s in self.referral_sources}

    def call_note_templates(self, caller: str, reason: str) -> Words:
        """What gets written for this caller and reason: the caller's own words, else the general ones."""
        return self.call_notes_by_caller.get(caller, {}).get(reason) or self.call_notes[reason]


def _entries(mapping: dict[str, Any]) -> dict[str, Any]:
    """A JSON object without its notes (keys starting '_')."""
    return {k: v for k, v in mapping.items() if not k.startswith("_")}


def _words(mapping: dict[str, Any]) -> dict[str, Words]:
    return {k: tuple(v) for k, v in _entries(mapping).items()}


@cache
def vocabulary() -> Vocabulary:
    """The shipped vocabulary (read once: it does not change while the desk runs)."""
    raw = json.loads((files("desk.data") / "synthetic_vocabulary.json").read_text(encoding="utf-8"))
    refs, calls = raw["referrals"], raw["calls"]
    return Vocabulary(
        given_names={
            (era, sex): tuple(names)
            for era, by_sex in _entries(raw["given_names"]).items()
            for sex, names in by_sex.items()
        },
        family_names=tuple(raw["family_names"]),
        places={
            zone: Place(p["town"], tuple(p["postcode_districts"]), tuple(p["neighbourhoods"]), tuple(p["streets"]))
            for zone, p in _entries(raw["zones"]).items()
        },
        conditions=dict(_entries(raw["conditions"])),
        care_services=tuple(
            CareService(
                name,
                s["percent"],
                tuple(s["details"]),
                (s["weekly_cost_pence"][0], s["weekly_cost_pence"][1]),
                tuple(s["providers"]),
            )
            for name, s in _entries(raw["care_services"]).items()
        ),
        relationships=tuple(
            Relationship(
                name,
                r["weight"],
                r["sex"],
                bool(r.get("younger")),
                bool(r.get("spouse")),
                r["same_surname_percent"],
                r["carer_percent"],
                r["mobile_percent"],
            )
            for name, r in _entries(raw["relationships"]).items()
        ),
        alerts=tuple(raw["alerts"]),
        urgency=dict(refs["urgency"]),
        percent_with_first_contact=refs["percent_with_first_contact"],
        open_received_hours_ago=dict(refs["open_received_hours_ago"]),
        referral_sources=tuple(ReferralSource(n, s["weight"], s["caller"]) for n, s in refs["sources"].items()),
        referral_reasons=_words(refs["reasons"]),
        assessment_summaries=_words(raw["assessment_summaries"]),
        visit_notes=_words(raw["visit_notes"]),
        reasons_by_caller={k: dict(v) for k, v in _entries(calls["reasons_by_caller"]).items()},
        call_notes=_words(calls["notes"]),
        call_notes_by_caller={k: _words(v) for k, v in _entries(calls["notes_by_caller"]).items()},
        call_outcomes=_words(calls["outcomes"]),
        drama_blocks=tuple(
            DramaBlock(b["prefix"], b["first"], b["last"], b["width"], tuple(b["groups"]))
            for b in raw["drama_ranges"]["blocks"]
        ),
    )
