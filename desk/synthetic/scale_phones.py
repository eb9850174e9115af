"""The trust-scale seed's carers and relatives, and who gets which of the scarce drama numbers.

The drama ranges hold about 14,500 numbers for 380,000 people, so numbers go
in priority order (see :mod:`desk.scale`): the caseload's households and
their carers and relatives first, then other adult households, until they run
out. A few hundred are kept off the register for calls from unknown numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from desk.synthetic.drama import DramaNumber, drama_numbers
from desk.synthetic.scale_context import ScaleContext
from desk.synthetic.scale_register import Caseload, Register

UNKNOWN_RESERVE = 500


@dataclass
class PhonePool:
    """The drama numbers in a random order: those that may be handed out and those kept for unknown callers."""

    available: list[DramaNumber]
    unknown: list[DramaNumber]


class Contact(NamedTuple):
    """A carer or relative of someone on the caseload (``person`` is the person's index)."""

    person: int
    name: str
    relationship: str
    is_carer: bool
    spouse: bool  # the person's partner, who rings from the couple's own line


@dataclass
class Contacts:
    """Everyone's carers and relatives, and which of them belong to whom."""

    items: list[Contact]
    of_person: dict[int, list[int]]


@dataclass
class Phones:
    """Which number (an index into the pool's available numbers, or -1) each household and contact has."""

    pool: list[DramaNumber]
    household: list[int]
    contact: list[int]

    def of_person(self, register: Register, k: int) -> DramaNumber | None:
        """Person ``k``'s number: their household's line, if it has one."""
        idx = self.household[register.household[k]]
        return self.pool[idx] if idx >= 0 else None

    def of_contact(self, ci: int) -> DramaNumber | None:
        """Contact ``ci``'s number, if they have one."""
        idx = self.contact[ci]
        return self.pool[idx] if idx >= 0 else None


def draw_phone_pool(ctx: ScaleContext) -> PhonePool:
    """Every drama number in a random order, with up to 500 (fewer on a tiny pool) kept off the register."""
    pool = drama_numbers()
    ctx.rng.shuffle(pool)
    reserve = min(UNKNOWN_RESERVE, len(pool) // 20)
    ctx.counts["phones_unknown_reserve"] = reserve
    return PhonePool(pool[: len(pool) - reserve], pool[len(pool) - reserve :])


def make_contacts(ctx: ScaleContext) -> Contacts:
    """None, one or two carers and relatives for each person on the caseload; a partner most often first."""
    rng, register = ctx.rng, ctx.records.get(Register)
    items: list[Contact] = []
    of_person: dict[int, list[int]] = {}
    for k in ctx.records.get(Caseload).people:
        r = rng.random()
        for c in range(0 if r < 0.35 else (1 if r < 0.80 else 2)):
            partner = register.partner[k]
            if c == 0 and partner >= 0 and rng.random() < 0.7:
                items.append(_partner(ctx, register, k, partner))
            else:
                items.append(_relative(ctx, register, k))
            of_person.setdefault(k, []).append(len(items) - 1)
    return Contacts(items, of_person)


def _partner(ctx: ScaleContext, register: Register, k: int, partner: int) -> Contact:
    name = f"{register.given_names[register.given[partner]]} {ctx.words.family_names[register.family[partner]]}"
    relationship = "husband" if register.sex[partner] else "wife"
    return Contact(k, name, relationship, ctx.rng.random() < 0.9, True)


def _relative(ctx: ScaleContext, register: Register, k: int) -> Contact:
    rng, words = ctx.rng, ctx.words
    kinds = {r.name: r for r in words.relationships if not r.spouse}
    kind = kinds[ctx.pick("relative", {name: r.weight for name, r in kinds.items()})]
    sex = kind.sex if kind.sex in ("F", "M") else ("M" if rng.random() < 0.5 else "F")
    era = "mid" if kind.younger or register.age[k] < 70 else "old"
    given = rng.choice(words.given_names[(era, sex)])
    same = rng.randrange(100) < kind.same_surname_percent
    family = words.family_names[register.family[k] if same else rng.randrange(len(words.family_names))]
    return Contact(k, f"{given} {family}", kind.name, rng.randrange(100) < kind.carer_percent, False)


def assign_phones(ctx: ScaleContext) -> Phones:
    """Numbers in priority order: caseload households and their contacts, then other adult households."""
    rng, register, contacts = ctx.rng, ctx.records.get(Register), ctx.records.get(Contacts)
    available = ctx.records.get(PhonePool).available
    phones = Phones(available, [-1] * len(register.households.members), [-1] * len(contacts.items))
    handed = 0
    order = list(ctx.records.get(Caseload).people)
    rng.shuffle(order)
    for k in order:
        if handed >= len(available):
            break
        hh = register.household[k]
        if phones.household[hh] < 0:
            phones.household[hh], handed = handed, handed + 1
        for ci in contacts.of_person.get(k, ()):
            if not contacts.items[ci].spouse and handed < len(available):
                phones.contact[ci], handed = handed, handed + 1
    rest = [
        hh
        for hh, members in enumerate(register.households.members)
        if phones.household[hh] < 0 and any(register.age[m] >= 18 for m in members)
    ]
    rng.shuffle(rest)
    for hh in rest[: max(0, len(available) - handed)]:
        phones.household[hh], handed = handed, handed + 1
    for ci, c in enumerate(contacts.items):  # a spouse rings from the couple's own line
        if c.spouse:
            phones.contact[ci] = phones.household[register.household[c.person]]
    ctx.counts["phones_assigned"] = handed
    return phones
