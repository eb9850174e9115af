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

    @classmethod
    def sized(cls, n: int, given_names: list[str], postcodes: dict[str, list[str]]) -> Register:
        """An empty register of ``n`` people, to be filled in."""
        columns = (bytearray(n), [0] * n, [0] * n, [0] * n, bytearray(n), [0] * n, [-1] * n, [0] * n, [""] * n)
        return cls(*columns, Households([], [], [], []), postcodes, given_names)

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


def _given_offsets(ctx: ScaleContext) -> tuple[list[str], dict[tuple[str, str], int]]:
    """All given names in one list, and where each (era, sex) list starts in it."""
    names: list[str] = []
    offset: dict[tuple[str, str], int] = {}
    for key in sorted(ctx.words.given_names):
        offset[key] = len(names)
        names.extend(ctx.words.given_names[key])
    return names, offset


def _born(ctx: ScaleContext, register: Register, offset: dict[tuple[str, str], int], k: int, age: int) -> None:
    """Person ``k``'s date of birth for ``age``, and a first name of their generation."""
    rng = ctx.rng
    dob = ctx.today.toordinal() - age * 365 - rng.randrange(365) - age // 4
    year = date.fromordinal(dob).year
    key = ("old" if year < 1960 else "mid" if year < 1995 else "new", "M" if register.sex[k] else "F")
    register.dob[k] = dob
    register.given[k] = offset[key] + rng.randrange(len(ctx.words.given_names[key]))


def register_people(ctx: ScaleContext) -> Register:
    """Everyone on the register, household by household; about one adult in four over 25 lives as a couple."""
    rng, n, words = ctx.rng, ctx.sizes.people, ctx.words
    cum_practice = list(accumulate(0.6 + rng.random() * 0.9 for _ in ctx.practices))
    postcodes = _postcodes(ctx, sorted({p.zone_id for p in ctx.practices}))
    names, offset = _given_offsets(ctx)
    register = Register.sized(n, names, postcodes)
    homes = register.households
    k = 0
    while k < n:
        prac = bisect.bisect_left(cum_practice, rng.random() * cum_practice[-1])
        zone = ctx.practices[prac].zone_id
        homes.postcode.append(rng.randrange(len(postcodes[zone])))
        homes.street.append(rng.randrange(len(place(ctx, zone).streets)))
        homes.number.append(1 + int(rng.expovariate(1 / 40.0)))
        age, sex, fam = _age_now(ctx), rng.randrange(2), rng.randrange(len(words.family_names))
        members = [k]
        if age >= 25 and k + 1 < n and rng.random() < 0.28:
            members.append(k + 1)
            register.partner[k], register.partner[k + 1] = k + 1, k
        for m in members:
            register.sex[m] = sex if m == k or rng.random() >= 0.95 else 1 - sex
            register.family[m], register.practice[m], register.household[m] = fam, prac, len(homes.members)
            register.zone[m] = zone
            _born(ctx, register, offset, m, age if m == k else max(20, min(104, age + rng.randint(-6, 6))))
        homes.members.append(tuple(members))
        k += len(members)
        if k % 50_000 < len(members):
            ctx.progress("people", k, n)
    today = ctx.today.toordinal()
    register.age[:] = [(today - d) // 365 for d in register.dob]
    return register


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
