"""The trust-scale seed's register: households, who is on the caseload, NHS numbers, the person rows.

People are held column by column (one list per field, indexed by person:
person ``k`` gets id ``k + 1``), because 380,000 objects would cost the seed
seconds it cannot spare; the columns travel together as a :class:`Register`.
"""

from __future__ import annotations

import bisect
import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from desk.synthetic import rules
from desk.synthetic.scale_context import ScaleContext
from desk.synthetic.vocabulary import Place
from desk.vocabulary import KEY_WORKER_DISCIPLINES

INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ERAS = ("old", "mid", "new")  # born before 1960, 1960 to 1994, 1995 on
ANYWHERE = Place("Torbay", ("TQ1",), (), ("High Street",))


@dataclass
class Households:
    """Who lives together and where: postcode, street and house number, and the members."""

    postcode: list[int]  # index into the zone's postcodes
    street: list[int]  # index into the zone's streets
    number: list[int]
    members: list[tuple[int, ...]]


@dataclass
class Register:
    """Everyone on the register, column by column."""

    sex: bytearray  # 1 for male
    dob: list[int]  # date of birth, as an ordinal
    family: list[int]  # index into the vocabulary's family names
    given: list[int]  # index into given_names
    practice: bytearray  # index into the context's practices
    household: list[int]
    partner: list[int]  # the person they live with as a couple, or -1
    age: list[int]
    zone: list[str]
    households: Households
    postcodes: dict[str, list[str]]
    given_names: list[str]

    def __len__(self) -> int:
        return len(self.dob)

    def display_name(self, k: int, family_names: tuple[str, ...]) -> str:
        """Person ``k`` as the call log shows them."""
        return rules.display_name(self.given_names[self.given[k]], family_names[self.family[k]])


@dataclass
class Caseload:
    """Who is on the zones' caseloads: mostly older people, the oldest most likely."""

    people: list[int]  # sorted
    on: bytearray  # 1 for each person on it


@dataclass
class NhsNumbers:
    """Each person's NHS number (test range)."""

    numbers: list[str]


@dataclass
class KeyWorkers:
    """Each person's key worker's staff id, or 0."""

    staff: list[int]


def place(ctx: ScaleContext, zone: str) -> Place:
    """Where the zone's people live."""
    return ctx.words.places.get(zone, ANYWHERE)


def _postcodes(ctx: ScaleContext, zones: Iterable[str]) -> dict[str, list[str]]:
    """1,200 postcodes per district of each zone."""
    out: dict[str, list[str]] = {}
    for zone in zones:
        codes: list[str] = []
        for district in place(ctx, zone).postcode_districts:
            units = [f"{district} {s}{a}{b}" for s in range(1, 10) for a in INWARD_LETTERS for b in INWARD_LETTERS]
            codes.extend(ctx.rng.sample(units, 1200))
        out[zone] = codes
    return out


def _age_now(ctx: ScaleContext) -> int:
    """An age as the trust's population has them: a fifth children, a quarter over 65."""
    rng = ctx.rng
    r = rng.random()
    if r < 0.20:
        return rng.randrange(0, 18)
    if r < 0.77:
        return rng.randrange(18, 65)
    r = rng.random()
    if r < 0.45:
        return rng.randrange(65, 75)
    if r < 0.80:
        return rng.randrange(75, 85)
    return min(104, 85 + int(rng.expovariate(1 / 5.0)))


class _People:
    """The register's columns while they are being filled."""

    def __init__(self, ctx: ScaleContext, n: int) -> None:
        self.ctx, self.n = ctx, n
        self.sex, self.practice = bytearray(n), bytearray(n)
        self.dob, self.family, self.given, self.household = [0] * n, [0] * n, [0] * n, [0] * n
        self.partner = [-1] * n
        self.given_names: list[str] = []
        self.offset: dict[tuple[str, str], int] = {}
        for key in sorted(ctx.words.given_names):
            self.offset[key] = len(self.given_names)
            self.given_names.extend(ctx.words.given_names[key])

    def given_for(self, sex: int, dob: int) -> int:
        year = date.fromordinal(dob).year
        key = ("old" if year < 1960 else "mid" if year < 1995 else "new", "M" if sex else "F")
        return self.offset[key] + self.ctx.rng.randrange(len(self.ctx.words.given_names[key]))

    def add(self, k: int, age: int, sex: int, family: int, practice: int, household: int) -> None:
        dob = self.ctx.today.toordinal() - age * 365 - self.ctx.rng.randrange(365) - age // 4
        self.sex[k], self.dob[k], self.family[k], self.practice[k], self.household[k] = (
            sex,
            dob,
            family,
            practice,
            household,
        )
        self.given[k] = self.given_for(sex, dob)


def register_people(ctx: ScaleContext) -> Register:
    """Everyone on the register, household by household; about one adult in four over 25 lives as a couple."""
    rng, n, words = ctx.rng, ctx.sizes.people, ctx.words
    cum_practice = list(accumulate(0.6 + rng.random() * 0.9 for _ in ctx.practices))
    postcodes = _postcodes(ctx, sorted({p.zone_id for p in ctx.practices}))
    people = _People(ctx, n)
    homes = Households([], [], [], [])
    k = 0
    while k < n:
        prac = bisect.bisect_left(cum_practice, rng.random() * cum_practice[-1])
        zone = ctx.practices[prac].zone_id
        hh = len(homes.postcode)
        homes.postcode.append(rng.randrange(len(postcodes[zone])))
        homes.street.append(rng.randrange(len(place(ctx, zone).streets)))
        homes.number.append(1 + int(rng.expovariate(1 / 40.0)))
        age, sex, fam = _age_now(ctx), rng.randrange(2), rng.randrange(len(words.family_names))
        people.add(k, age, sex, fam, prac, hh)
        members = [k]
        if age >= 25 and k + 1 < n and rng.random() < 0.28:
            age2 = max(20, min(104, age + rng.randint(-6, 6)))
            people.add(k + 1, age2, 1 - sex if rng.random() < 0.95 else sex, fam, prac, hh)
            people.partner[k], people.partner[k + 1] = k + 1, k
            members.append(k + 1)
        homes.members.append(tuple(members))
        k += len(members)
        if k % 50_000 < len(members):
            ctx.progress("people", k, n)
    today = ctx.today.toordinal()
    return Register(
        sex=people.sex,
        dob=people.dob,
        family=people.family,
        given=people.given,
        practice=people.practice,
        household=people.household,
        partner=people.partner,
        age=[(today - d) // 365 for d in people.dob],
        zone=[ctx.practices[p].zone_id for p in people.practice],
        households=homes,
        postcodes=postcodes,
        given_names=people.given_names,
    )


def choose_caseload(ctx: ScaleContext) -> Caseload:
    """Who is on the caseloads: 85% over 65 (the oldest likeliest), the rest adults, children only if short."""
    rng, want, ages = ctx.rng, ctx.sizes.caseload, ctx.records.get(Register).age
    older = [(rng.random() ** (1.0 / (a - 60)), k) for k, a in enumerate(ages) if a >= 65]
    adults = [(rng.random(), k) for k, a in enumerate(ages) if 18 <= a < 65]
    chosen = [k for _, k in heapq.nlargest(min(len(older), round(want * 0.85)), older)]
    chosen += [k for _, k in heapq.nlargest(min(len(adults), want - len(chosen)), adults)]
    if len(chosen) < want:
        taken = set(chosen)
        chosen += rng.sample([k for k in range(len(ages)) if k not in taken], want - len(chosen))
    on = bytearray(len(ages))
    for k in chosen:
        on[k] = 1
    return Caseload(sorted(chosen), on)


def number_people(ctx: ScaleContext) -> NhsNumbers:
    """A different test-range NHS number for everyone."""
    return NhsNumbers(rules.nhs_numbers(ctx.rng, ctx.sizes.people))


def choose_key_workers(ctx: ScaleContext) -> KeyWorkers:
    """A key worker for three in five on the caseload: a nurse, social worker, OT or physiotherapist."""
    rng, register = ctx.rng, ctx.records.get(Register)
    staff = [0] * len(register)
    for k in ctx.records.get(Caseload).people:
        if rng.random() < 0.6:
            discipline = KEY_WORKER_DISCIPLINES[rng.randrange(len(KEY_WORKER_DISCIPLINES))]
            staff[k] = ctx.staff_for(register.zone[k], discipline)
    return KeyWorkers(staff)


def accumulate(values: Iterable[float]) -> Iterator[float]:
    """Running totals, for picking by weight with bisect."""
    total = 0.0
    for v in values:
        total += v
        yield total
