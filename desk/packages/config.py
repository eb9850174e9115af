"""What a zone's configuration says about packages: how long an assessment authorises, when reviews fall,
the targets, and the rules it adds to those that need the local authority.

Read from the desk's config file (:func:`desk.settings.config_tables`), defaults first,
then the trust's ``[packages]`` table, then the zone's ``[packages.zones.<ZONE>]``::

    [packages]
    assessment_valid_days = 14

    [packages.zones.BXM]
    assessment_valid_days = 10

    [[packages.zones.BXM.rules]]
    name = "night_sitting"
    label = "Night sitting"
    why = "The zone's panel agrees every night sitting package."
    services = ["night_sitting"]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from desk import settings


@dataclass(frozen=True)
class ZoneRule:
    """A rule a zone's configuration adds: arranging one of these services needs a social worker."""

    name: str
    label: str
    why: str
    services: frozenset[str]


@dataclass(frozen=True)
class PackageSettings:
    """The numbers packages are arranged, reviewed and measured by, in one zone."""

    assessment_valid_days: int = 14
    """An assessment authorises changes for this many days after the day it was made."""
    first_review_days: int = 28
    """A new or changed package is reviewed this many days after it starts."""
    review_every_days: int = 365
    """After the first review, at least this often."""
    package_target_days: int = 28
    """A package should be available within this many days of being requested (Torbay: 95%)."""
    equipment_target_days: int = 7
    """Equipment should be delivered within this many days of being requested (Torbay: 99%)."""
    at_risk_days: int = 3
    """Flagged as at risk of missing its target with this many days or fewer left."""
    rules: tuple[ZoneRule, ...] = field(default=())
    """Rules the zone adds to desk.packages.la_rules."""


_NUMBERS = tuple(f.name for f in fields(PackageSettings) if f.name != "rules")


def _apply(base: PackageSettings, table: Mapping[str, Any]) -> PackageSettings:
    numbers = {k: int(table[k]) for k in _NUMBERS if k in table}
    for name, value in numbers.items():
        if value < 0:
            raise ValueError(f"packages.{name} cannot be below zero (config file)")
    rules = tuple(
        ZoneRule(
            name=str(r["name"]),
            label=str(r.get("label", r["name"])),
            why=str(r.get("why", "")),
            services=frozenset(str(s) for s in r.get("services", [])),
        )
        for r in table.get("rules", [])
    )
    return replace(base, **numbers, rules=base.rules + rules)


def for_zone(zone_id: str, tables: Mapping[str, Any] | None = None) -> PackageSettings:
    """The package settings of a zone, from ``tables`` (the config file's, read now, when None)."""
    raw = settings.config_tables() if tables is None else tables
    packages = raw.get("packages", {})
    trust = _apply(PackageSettings(), {k: v for k, v in packages.items() if k != "zones"})
    return _apply(trust, packages.get("zones", {}).get(zone_id, {}))
