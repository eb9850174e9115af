"""The care catalogue: the services a package is made of and the providers that deliver them.

Read once from ``data/care_catalogue.json`` (shipped in the wheel as ``desk.data``)
into typed, frozen records, checked as it is read: every area of need a service
addresses is one of :data:`desk.vocabulary.AREAS_OF_NEED`, every service a
provider offers is in the catalogue.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Literal, cast

from desk.vocabulary import AREAS_OF_NEED

Form = Literal["visits", "weekly", "item", "stay"]
"""How a service is described: visits (times, minutes, carers, days), a quantity a week, an item, a stay."""
Charge = Literal["per_hour", "per_week", "per_unit", "one_off"]
"""What the unit cost is for: an hour of each carer's time, a week, each unit (meal, day, night), or once."""
Term = Literal["short", "long"]
"""Short-term (reablement) or long-term support, as the social care return counts it."""

FORMS: tuple[str, ...] = ("visits", "weekly", "item", "stay")
CHARGES: tuple[str, ...] = ("per_hour", "per_week", "per_unit", "one_off")
TERMS: dict[str, str] = {"short": "Short-term (reablement)", "long": "Long-term support"}


@dataclass(frozen=True)
class Service:
    """One service of the catalogue."""

    id: str
    name: str
    form: Form
    term: Term
    charge: Charge
    unit: str
    """What one unit is, in words (``carer hour``, ``meal``, ``night``)."""
    unit_cost_pence: int
    """The default cost of one unit; a package line may set its own."""
    areas: frozenset[str]
    """The areas of need it addresses: an assessment must have assessed one of them to authorise it."""
    equipment: bool = False
    """An equipment item: measured against the 7-day target rather than the package's 28 days."""
    min_days: int | None = None
    """The shortest it may run (start to end date), if it has an end: reablement, a bed-based stay."""
    max_days: int | None = None
    """The longest it may run; a service with a maximum must be given an end date."""
    la_rule: str | None = None
    """The rule of :mod:`desk.packages.la_rules` arranging it always meets (a care home placement)."""


@dataclass(frozen=True)
class Provider:
    """Someone the zone arranges services with: a home care agency, an equipment store, a care home."""

    id: str
    name: str
    phone: str
    zones: frozenset[str]
    services: frozenset[str]


@dataclass(frozen=True)
class Catalogue:
    """Every service and provider, by id, in the catalogue's order."""

    services: dict[str, Service]
    providers: dict[str, Provider]

    def service(self, service_id: str) -> Service | None:
        """The service with this id, or None."""
        return self.services.get(service_id)

    def provider(self, provider_id: str) -> Provider | None:
        """The provider with this id, or None."""
        return self.providers.get(provider_id)

    def providers_of(self, service_id: str, zone_id: str | None = None) -> list[Provider]:
        """The providers that deliver a service (in a zone, if given), in the catalogue's order."""
        return [
            p for p in self.providers.values() if service_id in p.services and (zone_id is None or zone_id in p.zones)
        ]


def _service(raw: dict[str, object]) -> Service:
    sid = str(raw["id"])
    areas = frozenset(cast(list[str], raw["areas"]))
    unknown = areas - AREAS_OF_NEED.keys()
    if unknown:
        raise ValueError(f"catalogue service {sid}: unknown areas of need {sorted(unknown)}")
    if raw["form"] not in FORMS or raw["charge"] not in CHARGES or raw["term"] not in TERMS:
        raise ValueError(f"catalogue service {sid}: form, charge or term not known")
    return Service(
        id=sid,
        name=str(raw["name"]),
        form=cast(Form, raw["form"]),
        term=cast(Term, raw["term"]),
        charge=cast(Charge, raw["charge"]),
        unit=str(raw["unit"]),
        unit_cost_pence=int(cast(int, raw["unit_cost_pence"])),
        areas=areas,
        equipment=bool(raw.get("equipment", False)),
        min_days=cast(int | None, raw.get("min_days")),
        max_days=cast(int | None, raw.get("max_days")),
        la_rule=cast(str | None, raw.get("la_rule")),
    )


def parse(text: str) -> Catalogue:
    """A catalogue from its JSON text, checked; :class:`ValueError` names what is wrong."""
    raw = json.loads(text)
    services = {s.id: s for s in map(_service, raw["services"])}
    providers: dict[str, Provider] = {}
    for p in raw["providers"]:
        offered = frozenset(p["services"])
        if offered - services.keys():
            raise ValueError(f"catalogue provider {p['id']}: unknown services {sorted(offered - services.keys())}")
        providers[p["id"]] = Provider(p["id"], p["name"], p["phone"], frozenset(p["zones"]), offered)
    return Catalogue(services, providers)


@cache
def load() -> Catalogue:
    """The shipped catalogue (read once per process)."""
    return parse((files("desk.data") / "care_catalogue.json").read_text(encoding="utf-8"))


LEGACY_SERVICES: dict[str, str] = {
    "home care": "home_care",
    "home care visits": "home_care",
    "domiciliary care": "home_care",
    "meals": "meals",
    "meals on wheels": "meals",
    "telecare": "telecare",
    "day centre": "day_centre",
    "night sitting": "night_sitting",
    "reablement": "reablement_social",
    "respite": "respite_stay",
}
"""The names services had before the catalogue (the demo's and the trust seed's), lower case, to a service id.

``Equipment`` is not here on purpose: such an item names several pieces at once
("walking frame and bath board"), so it is carried with its own name.
"""


def match_service(name: str, detail: str = "") -> Service | None:
    """The catalogue service a service's name (or id) means: by id, then by name, then by its name before the catalogue.

    Reablement said to be health-led is the health-led service. None when
    nothing matches: the caller carries the service with its own name.
    """
    cat = load()
    key = name.strip().lower()
    if key in cat.services:
        return cat.services[key]
    for s in cat.services.values():
        if s.name.lower() == key:
            return s
    sid = LEGACY_SERVICES.get(key)
    if sid == "reablement_social" and "health" in detail.lower():
        sid = "reablement_health"
    return cat.services.get(sid) if sid else None


def match_provider(name: str) -> Provider | None:
    """The catalogue provider a provider's name (or id) means, case-insensitively; None when none does."""
    cat = load()
    key = name.strip().lower()
    if key in cat.providers:
        return cat.providers[key]
    return next((p for p in cat.providers.values() if p.name.lower() == key), None)
