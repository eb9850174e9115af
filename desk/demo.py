"""A synthetic demo population, so the desk can be shown and tried without real data.

Names, streets, services and the words written come from
``data/synthetic_vocabulary.json`` (shared with the trust-scale seed,
desk.scale); how common each thing is in the demo zone from
``data/demo_recipe.json``; the story people from ``data/story_people.json``.
Every choice comes from ``random.Random`` seeded by the caller, and every date
is relative to the ``now`` given, so the same seed gives the same zone on any
machine. Only NHS numbers from the 999 test range
and phone numbers from Ofcom's drama ranges are used: nothing generated here
can identify or ring a real person.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from typing import Any, Protocol

from sqlalchemy import Engine, Table, func
from sqlmodel import Session, SQLModel, col, select

from desk import clock, db, phones, triage
from desk.crisis.demo_stage import add_crisis_line
from desk.discharge import demo_stage as ward_stage
from desk.models import (
    Admission,
    Alert,
    Assessment,
    Call,
    Contact,
    History,
    Involvement,
    Organisation,
    Person,
    Practice,
    Referral,
    Staff,
    Visit,
    Zone,
)
from desk.packages import demo_stage as package_stage
from desk.phones import Phone
from desk.services import caseload, reference
from desk.services.people import format_postcode, phone_rev, postcode_key
from desk.synthetic import rules
from desk.synthetic.drama import drama_numbers
from desk.synthetic.rules import chance, fill, weighted
from desk.synthetic.vocabulary import Vocabulary, vocabulary
from desk.vocabulary import DISCIPLINE_ROLES, KEY_WORKER_DISCIPLINES

DESK_NAME = "demo"

OFFICE_OPEN = time(8, 30)
OFFICE_CLOSE = time(17, 30)
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


def _story_people() -> list[dict[str, Any]]:
    raw = json.loads((files("desk.data") / "story_people.json").read_text(encoding="utf-8"))
    people: list[dict[str, Any]] = raw["people"]
    return people


# The people the desk's stories are about (see DOMAIN.md), from data/story_people.json.
# Fixed, so a demo can say "search for Ethel" and tests can find them whatever the seed.
STORY_PEOPLE: list[dict[str, Any]] = _story_people()


def recipe() -> dict[str, Any]:
    """The demo recipe as shipped (read afresh, so edits to the JSON take effect)."""
    loaded: dict[str, Any] = json.loads((files("desk.data") / "demo_recipe.json").read_text(encoding="utf-8"))
    return loaded


# --- small random helpers -----------------------------------------------------


def _rng(seed: int, stage: str) -> random.Random:
    """One generator per stage: tweaking calls in the recipe does not change who the people are."""
    return random.Random(f"{seed}/{stage}")


def _spread(rng: random.Random, spec: dict[str, float]) -> float:
    """A value from a min/typical/max range, most often near the typical one."""
    return rng.triangular(spec["min"], spec["max"], spec["typical"])


def _poisson(rng: random.Random, mean: float) -> int:
    """How many times something happens when it happens ``mean`` times on average."""
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


# --- dates and times ------------------------------------------------------------


def _years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (29 February becomes the 28th)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _born(today: date, age: int, days_since_birthday: int) -> date:
    """A date of birth that makes someone ``age`` today."""
    return _years_before(today - timedelta(days=days_since_birthday % 365), age)


def _at(day: date, minute_of_day: float) -> datetime:
    """A time on the office clock (Europe/London) as the UTC the database keeps."""
    local = datetime.combine(day, time(0), tzinfo=clock.LONDON) + timedelta(minutes=minute_of_day)
    return local.astimezone(UTC)


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _office_time(rng: random.Random, day: date) -> datetime:
    """Some time during office hours on ``day``."""
    return _at(day, rng.uniform(_minutes(OFFICE_OPEN), _minutes(OFFICE_CLOSE)))


def _after(rng: random.Random, earlier: datetime, days: float) -> datetime:
    """Office hours ``days`` after ``earlier``; never before it."""
    day = clock.local(earlier).date() + timedelta(days=round(days))
    later = _office_time(rng, day)
    return later if later > earlier else earlier + timedelta(minutes=rng.uniform(20, 180))


# --- what the generator works with ------------------------------------------------


@dataclass
class _Context:
    """Reference data, recipe and clock: everything the stages read and nothing they change."""

    recipe: dict[str, Any]
    words: Vocabulary
    now: datetime
    today: date
    practices: list[Practice]
    staff: dict[tuple[str, str], list[int]]
    wards: list[Organisation]
    story_names: set[tuple[str, str]]

    def zone_practices(self, zone_id: str) -> list[Practice]:
        """The zone's GP practices."""
        return [p for p in self.practices if p.zone_id == zone_id]

    def staff_of(self, zone_id: str, *roles: str) -> list[int]:
        """The zone's staff (ids) in any of ``roles``."""
        return [s for role in roles for s in self.staff.get((zone_id, role), [])]

    def ward_named(self, start: str) -> Organisation:
        """The ward whose name starts so (the first ward, failing that)."""
        return next((w for w in self.wards if w.name.startswith(start)), self.wards[0])

    def days_ago(self, days: float) -> date:
        """The office's date ``days`` before today."""
        return self.today - timedelta(days=round(days))


class _HasId(Protocol):
    @property
    def id(self) -> int | None:
        """The row's primary key, once written."""


def _id(row: _HasId) -> int:
    """A written row's id (each stage's rows are flushed before the next refers to them)."""
    if row.id is None:
        raise ValueError(f"{type(row).__name__} not written yet: its stage runs too early")
    return row.id


def _context(session: Session, now: datetime) -> _Context:
    rec = recipe()
    staff: dict[tuple[str, str], list[int]] = {}
    for s in session.exec(select(Staff).where(col(Staff.active).is_(True)).order_by(col(Staff.id))):
        staff.setdefault((s.zone_id, s.role), []).append(_id(s))
    avoid = rec["hospital"]["not_for_admission"]
    wards = [
        o
        for o in session.exec(select(Organisation).where(Organisation.kind == "ward").order_by(col(Organisation.id)))
        if not any(word in o.name for word in avoid)
    ]
    return _Context(
        recipe=rec,
        words=vocabulary(),
        now=now,
        today=clock.local(now).date(),
        practices=list(session.exec(select(Practice).order_by(Practice.ods_code))),
        staff=staff,
        wards=wards,
        story_names={(s["given_name"], s["family_name"]) for s in STORY_PEOPLE},
    )


class _PhonePool:
    """Drama-range numbers, each handed out once, so a caller is never mistaken for someone else."""

    def __init__(self, rng: random.Random, reserved: Iterable[str]) -> None:
        taken = {phones.parse(r).e164 for r in reserved}
        free = [n for n in drama_numbers() if n.e164 not in taken]
        self._pools = {
            "mobile": [n.raw for n in free if n.e164.startswith("+447")],
            "landline": [n.raw for n in free if not n.e164.startswith("+447")],
        }
        for pool in self._pools.values():
            rng.shuffle(pool)

    def take(self, kind: str) -> Phone | None:
        """A fresh number of ``kind`` (mobile or landline), the other kind if that has run out, else None."""
        for k in (kind, "landline" if kind == "mobile" else "mobile"):
            if self._pools[k]:
                return phones.parse(self._pools[k].pop())
        return None


def _story_numbers() -> Iterator[str]:
    """The story people's fixed numbers, kept out of the pool so nobody else gets them."""
    for story in STORY_PEOPLE:
        yield story["phone"]
        yield from (c["phone"] for c in story.get("contacts", []) if c.get("phone"))


# --- planning people ----------------------------------------------------------------


@dataclass
class _Plan:
    """One person and what their record will hold, decided before any row is written."""

    person: Person
    contacts: list[Contact] = field(default_factory=list)
    involvements: list[tuple[str, int]] = field(default_factory=list)  # (discipline, staff id)
    package: list[tuple[str, str | None]] | None = None  # (service, detail or None for a typical one)
    review_in_days: int = 0
    open_referral: dict[str, Any] | None = None
    closed_referrals: int = 0
    admission: dict[str, Any] | None = None  # ward_id, days_ago, fit_days_ago
    past_admission: dict[str, Any] | None = None  # ward_id, days_ago, days
    alerts: list[str] = field(default_factory=list)
    story_calls: list[dict[str, Any]] = field(default_factory=list)
    call_rows: list[Call] = field(default_factory=list)
    is_story: bool = False

    @property
    def on_caseload(self) -> bool:
        """Whether anything they have puts them on the caseload."""
        return bool(
            self.involvements or self.package or self.open_referral or self.admission or self.person.key_worker_id
        )

    def wards_within(self, days: float) -> list[int]:
        """Wards they are on or left in the last ``days``: the wards that might ring about them."""
        stays = [self.admission] + (
            [self.past_admission]
            if self.past_admission and self.past_admission["days_ago"] - self.past_admission["days"] <= days
            else []
        )
        return [a["ward_id"] for a in stays if a]


def _new_person(
    *,
    nhs_number: str,
    given: str,
    family: str,
    sex: str,
    dob: date,
    address: str,
    postcode: str,
    phone: Phone | None,
    practice: Practice,
    lives_alone: bool,
    conditions: str,
    created_at: datetime,
) -> Person:
    """A Person row with its search keys filled in the way the desk's own services fill them."""
    return Person(
        nhs_number=nhs_number,
        family_name=family,
        given_name=given,
        family_key=family.lower(),
        given_key=given.lower(),
        date_of_birth=dob,
        sex=rules.SEX_BY_LETTER[sex],
        address=address,
        postcode=format_postcode(postcode),
        postcode_key=postcode_key(postcode),
        phone_e164=phone.e164 if phone else None,
        phone_raw=phone.raw if phone else "",
        phone_valid=phone.valid if phone else True,
        phone_rev=phone_rev(phone.e164 if phone else None),
        practice_id=practice.ods_code,
        zone_id=practice.zone_id,
        lives_alone=lives_alone,
        conditions=conditions,
        created_at=created_at,
    )


def _new_contact(name: str, relationship: str, is_carer: bool, phone: Phone | None) -> Contact:
    """A Contact row; its person_id is set once the person has an id."""
    return Contact(
        person_id=0,
        name=name,
        relationship=relationship,
        is_carer=is_carer,
        phone_e164=phone.e164 if phone else None,
        phone_raw=phone.raw if phone else "",
        phone_valid=phone.valid if phone else True,
    )


def _key_worker(ctx: _Context, rng: random.Random, zone_id: str, involvements: list[tuple[str, int]]) -> int | None:
    """Their nurse or social worker if they have one, else one of the zone's; nobody without involvement."""
    if not involvements:
        return None
    for discipline in KEY_WORKER_DISCIPLINES:
        for d, staff_id in involvements:
            if d == discipline:
                return staff_id
    pool = ctx.staff_of(zone_id, "nurse", "social_worker")
    return rng.choice(pool) if pool else None


def _story_plan(ctx: _Context, story: dict[str, Any]) -> _Plan:
    """A named person from :data:`STORY_PEOPLE`, exactly as the story tells it."""
    practice = ctx.zone_practices(story["zone"])[0]
    person = _new_person(
        nhs_number=story["nhs_number"],
        given=story["given_name"],
        family=story["family_name"],
        sex=story["sex"],
        dob=_born(ctx.today, story["age"], 100),
        address=story["address"],
        postcode=story["postcode"],
        phone=phones.parse(story["phone"]),
        practice=practice,
        lives_alone=story["lives_alone"],
        conditions=story["conditions"],
        created_at=ctx.now - timedelta(days=900),
    )
    plan = _Plan(
        person=person,
        is_story=True,
        alerts=list(story.get("alerts", [])),
        story_calls=list(story.get("calls", [])),
        open_referral=story.get("open_referral"),
    )
    plan.contacts = [
        _new_contact(c["name"], c["relationship"], c["is_carer"], phones.parse(c["phone"]))
        for c in story.get("contacts", [])
    ]
    for discipline in story.get("involvements", []):
        staff = ctx.staff_of(practice.zone_id, DISCIPLINE_ROLES[discipline])
        if staff:
            plan.involvements.append((discipline, staff[0]))
    if story.get("key_worker"):
        person.key_worker_id = next(iter(ctx.staff_of(practice.zone_id, story["key_worker"])), None)
    if story.get("package"):
        plan.package = [(s["service"], s.get("detail")) for s in story["package"]["services"]]
        plan.review_in_days = story["package"]["review_in_days"]
    for key in ("admission", "past_admission"):
        if story.get(key) and ctx.wards:
            stay = dict(story[key])
            stay["ward_id"] = ctx.ward_named(stay.pop("ward")).id
            setattr(plan, key, stay)
    return plan


def _random_person(ctx: _Context, rng: random.Random, nhs_number: str, pool: _PhonePool) -> tuple[Person, int]:
    """Someone registered with a zone practice, and their age: the zone comes from the practice."""
    rec, pct = ctx.recipe, ctx.recipe["percent_of_people"]
    practice = rng.choice(ctx.practices)
    young = chance(rng, pct["aged_18_to_64"])
    age = rng.randint(18, 64) if young else round(_spread(rng, rec["ages"]["older"]))
    sex = "F" if chance(rng, pct["women"]) else "M"
    given, family = (
        rng.choice(ctx.words.given_names["mid" if young else "old", sex]),
        rng.choice(ctx.words.family_names),
    )
    while (given, family) in ctx.story_names:
        family = rng.choice(ctx.words.family_names)
    address, postcode = _address(ctx, rng, practice.zone_id)
    phone = pool.take("landline") if chance(rng, pct["with_home_phone"]) else None
    person = _new_person(
        nhs_number=nhs_number,
        given=given,
        family=family,
        sex=sex,
        dob=_born(ctx.today, age, rng.randrange(365)),
        address=address,
        postcode=postcode,
        phone=phone,
        practice=practice,
        lives_alone=chance(rng, pct["living_alone"]),
        conditions=", ".join(_conditions(ctx, rng, 0.4 if young else 1.6)),
        created_at=ctx.now - timedelta(days=rng.uniform(400, 3000)),
    )
    return person, age


def _address(ctx: _Context, rng: random.Random, zone_id: str) -> tuple[str, str]:
    """An invented street address and a postcode of the right district for the zone."""
    z = ctx.words.places[zone_id]
    street = f"{rng.randint(1, 140)} {rng.choice(z.streets)}, {rng.choice(z.neighbourhoods)}, {z.town}"
    if chance(rng, ctx.recipe["percent_of_people"]["with_flat_address"]):
        street = f"Flat {rng.randint(1, 24)}, {street}"
    unit = "".join(rng.choice(POSTCODE_UNIT_LETTERS) for _ in range(2))
    return street, f"{rng.choice(z.postcode_districts)} {rng.randint(1, 9)}{unit}"


def _conditions(ctx: _Context, rng: random.Random, mean: float) -> list[str]:
    """A few long-term conditions, commoner ones more often, none twice."""
    weights = dict(ctx.words.conditions)
    out: list[str] = []
    for _ in range(min(_poisson(rng, mean), 5, len(weights))):
        pick = weighted(rng, weights)
        out.append(pick)
        del weights[pick]
    return out


def _frailty(person: Person, age: int) -> float:
    """How much likelier than average someone is to need services: older and more conditions."""
    conditions = len(person.conditions.split(",")) if person.conditions else 0
    return 1.0 + max(0, age - 65) / 8 + 0.6 * conditions


def _random_plans(ctx: _Context, rng: random.Random, nhs_numbers: list[str], pool: _PhonePool) -> list[_Plan]:
    """Random people first, then their services, weighted so the recipe's percentages hold overall."""
    people = [_random_person(ctx, rng, n, pool) for n in nhs_numbers]
    frailty = [_frailty(p, age) for p, age in people]
    mean = sum(frailty) / len(frailty) if frailty else 1.0
    return [_random_services(ctx, rng, p, f / mean, pool) for (p, _), f in zip(people, frailty, strict=True)]


def _random_services(ctx: _Context, rng: random.Random, person: Person, scale: float, pool: _PhonePool) -> _Plan:
    """Contacts, professionals, package, referrals, stays and alerts for one random person."""
    pct, rec = ctx.recipe["percent_of_people"], ctx.recipe
    plan = _Plan(person=person, contacts=_random_contacts(ctx, rng, person, pool))
    for discipline, percent in rec["percent_with_professional"].items():
        staff = ctx.staff_of(person.zone_id, DISCIPLINE_ROLES.get(discipline, ""))
        if not discipline.startswith("_") and staff and chance(rng, percent, scale):
            plan.involvements.append((discipline, rng.choice(staff)))
    person.key_worker_id = _key_worker(ctx, rng, person.zone_id, plan.involvements)
    if chance(rng, pct["with_active_care_package"], scale):
        plan.package = [(service, None) for service in _services(ctx, rng)]
        plan.review_in_days = _review_in_days(ctx, rng)
    if chance(rng, pct["with_open_referral"], scale):
        plan.open_referral = _random_open_referral(ctx, rng)
    plan.closed_referrals = _poisson(rng, pct["with_closed_referral_last_year"] / 100 * scale)
    if ctx.wards and chance(rng, pct["in_hospital_now"], scale):
        plan.admission = _random_stay(ctx, rng, current=True)
    elif ctx.wards and chance(rng, pct["with_past_admission"], scale):
        plan.past_admission = _random_stay(ctx, rng, current=False)
    if chance(rng, pct["with_alert"], scale):
        plan.alerts = [rng.choice(ctx.words.alerts)]
    return plan


def _random_contacts(ctx: _Context, rng: random.Random, person: Person, pool: _PhonePool) -> list[Contact]:
    """None, one or two carers and relatives, each with their own number."""
    pct = ctx.recipe["percent_of_people"]
    if not chance(rng, pct["with_carer_or_relative_contact"]):
        return []
    contacts: list[Contact] = []
    for _ in range(2 if chance(rng, pct["with_a_second_contact"]) else 1):
        contacts.append(_random_contact(ctx, rng, person, pool, contacts))
    return contacts


def _random_contact(
    ctx: _Context, rng: random.Random, person: Person, pool: _PhonePool, already: list[Contact]
) -> Contact:
    """A relative, neighbour or friend who fits: a spouse only for someone not living alone, and only one."""
    kinds = {r.name: r for r in ctx.words.relationships}
    spouse_free = not person.lives_alone and not any(
        c.relationship in kinds and kinds[c.relationship].spouse for c in already
    )
    fits = {k: r.weight for k, r in kinds.items() if not r.spouse or (spouse_free and r.sex != person.sex[:1])}
    kind = kinds[weighted(rng, fits)]
    sex = kind.sex if kind.sex in ("F", "M") else rng.choice("FM")
    given = rng.choice(ctx.words.given_names["mid" if kind.younger else "old", sex])
    same = chance(rng, kind.same_surname_percent)
    family = person.family_name if same else rng.choice(ctx.words.family_names)
    phone = pool.take("mobile" if chance(rng, kind.mobile_percent) else "landline")
    return _new_contact(f"{given} {family}", kind.name, chance(rng, kind.carer_percent), phone)


def _services(ctx: _Context, rng: random.Random) -> list[str]:
    """Which services a package holds: each by its percent, at least one, at most the recipe's maximum."""
    services = ctx.words.care_services
    chosen = [s.name for s in services if chance(rng, s.percent)]
    if not chosen:
        chosen = [weighted(rng, {s.name: s.percent for s in services})]
    rng.shuffle(chosen)
    return chosen[: ctx.recipe["care_packages"]["max_services"]]


def _review_in_days(ctx: _Context, rng: random.Random) -> int:
    """Days to the package's review: some overdue, some today, most to come, so 'due' lists have work."""
    spec = ctx.recipe["care_packages"]
    return 0 if chance(rng, spec["percent_due_today"]) else round(_spread(rng, spec["review_days_from_today"]))


def _random_open_referral(ctx: _Context, rng: random.Random) -> dict[str, Any]:
    """Who referred, to which discipline, why and how urgently.

    Never a crisis: the demo's crises are raised with their record behind them
    by the crisis line (desk.crisis.demo_stage), as the desk raises them.
    """
    words = ctx.words
    discipline = weighted(rng, ctx.recipe["percent_with_professional"])
    return {
        "discipline": discipline,
        "urgency": weighted(rng, words.urgency),
        "source": weighted(rng, {s.name: s.weight for s in words.referral_sources}),
        "reason": rng.choice(words.referral_reasons[discipline]),
    }


def _random_stay(ctx: _Context, rng: random.Random, *, current: bool) -> dict[str, Any]:
    """A hospital stay: current ones are sometimes medically fit already (a delayed transfer)."""
    spec = ctx.recipe["hospital"]
    ward_id = rng.choice(ctx.wards).id
    if current:
        days_ago = _spread(rng, spec["current_stay_days"])
        fit = chance(rng, spec["percent_of_current_stays_medically_fit"])
        return {
            "ward_id": ward_id,
            "days_ago": days_ago,
            "fit_days_ago": rng.uniform(0, days_ago * 0.6) if fit else None,
        }
    return {"ward_id": ward_id, "days_ago": rng.uniform(30, 365), "days": _spread(rng, spec["past_stay_days"])}


# --- calls ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Caller:
    """Who rang, in the words the call log uses (the same as the desk's own recognition)."""

    kind: str
    name: str
    raw: str
    e164: str | None
    first_name: str
    relationship: str = ""
    person_id: int | None = None
    contact_id: int | None = None
    practice_id: str | None = None
    org_id: int | None = None


def _caller(
    ctx: _Context,
    rng: random.Random,
    plan: _Plan,
    kind: str,
    wards: dict[int, Organisation],
    practices: dict[str, Practice],
) -> _Caller | None:
    """The caller of ``kind`` for this person, or None if they have no such caller."""
    p = plan.person
    if kind == "person" and p.phone_e164:
        return _Caller(
            "person",
            rules.person_caller(p.given_name, p.family_name, p.nhs_number),
            p.phone_raw,
            p.phone_e164,
            p.given_name,
            person_id=p.id,
        )
    if kind == "contact":
        callers = [c for c in plan.contacts if c.phone_e164]
        if callers:
            c = rng.choice(callers)
            person = rules.display_name(p.given_name, p.family_name)
            name = rules.contact_caller(person, c.name, c.relationship, c.is_carer)
            return _Caller(
                "carer" if c.is_carer else "relative",
                name,
                c.phone_raw,
                c.phone_e164,
                c.name.split()[0],
                c.relationship,
                contact_id=c.id,
            )
    if kind == "practice":
        pr = practices[p.practice_id]
        return _Caller(
            "practice",
            rules.practice_caller(pr.name, pr.ods_code),
            pr.phone_raw,
            pr.phone_e164,
            "the GP",
            practice_id=pr.ods_code,
        )
    ward_ids = plan.wards_within(ctx.recipe["calls"]["history_days"] + 14) if kind == "ward" else []
    if ward_ids:
        w = wards[rng.choice(ward_ids)]
        name = rules.organisation_caller(w.name, w.kind)
        return _Caller("ward", name, w.phone_raw, w.phone_e164, "the ward", org_id=w.id)
    return None


def _call(
    ctx: _Context,
    rng: random.Random,
    plan: _Plan,
    caller: _Caller,
    started_at: datetime,
    *,
    reason: str,
    notes: str,
    outcome: str,
) -> Call:
    """A finished call on the person's zone line, taken by whoever at the zone's desk takes such calls."""
    spec = ctx.recipe["calls"]
    ended_at = min(started_at + timedelta(minutes=_spread(rng, spec["minutes"])), ctx.now)
    zone_id = plan.person.zone_id
    roles = rules.taker_roles(reason, caller.kind)
    taker = rng.choice(next((s for role in roles if (s := ctx.staff_of(zone_id, role))), []))
    return Call(
        zone_id=plan.person.zone_id,
        started_at=started_at,
        ended_at=ended_at,
        caller_raw=caller.raw,
        caller_e164=caller.e164,
        caller_kind=caller.kind,
        caller_name=caller.name,
        caller_person_id=caller.person_id,
        caller_contact_id=caller.contact_id,
        caller_practice_id=caller.practice_id,
        caller_org_id=caller.org_id,
        person_id=plan.person.id,
        reason=reason,
        notes=notes,
        outcome=outcome,
        taken_by_id=taker,
        desk=DESK_NAME,
        status="finished",
    )


def _random_call(
    ctx: _Context,
    rng: random.Random,
    plan: _Plan,
    started_at: datetime,
    lookup: tuple[dict[int, Organisation], dict[str, Practice]],
) -> Call:
    """A call about the person from whoever might ring, for a reason that caller would ring about."""
    spec = ctx.recipe["calls"]
    kinds = dict(spec["callers"])
    while True:
        kind = weighted(rng, kinds)
        caller = _caller(ctx, rng, plan, kind, *lookup)
        if caller is not None:
            break
        del kinds[kind]  # "practice" is always possible, so this ends
    reason = weighted(rng, ctx.words.reasons_by_caller[kind])
    blanks = dict(name=plan.person.given_name, caller=caller.first_name, relationship=caller.relationship)
    notes = fill(rng.choice(ctx.words.call_note_templates(kind, reason)), **blanks)
    outcome = rng.choice(ctx.words.call_outcomes[reason])
    return _call(ctx, rng, plan, caller, started_at, reason=reason, notes=notes, outcome=outcome)


def _past_call_time(ctx: _Context, rng: random.Random) -> datetime:
    """A day in the recent past, mostly a weekday, mostly in office hours."""
    spec = ctx.recipe["calls"]
    day = ctx.days_ago(rng.randint(1, spec["history_days"]))
    if day.weekday() >= 5 and rng.random() < 0.7:
        day -= timedelta(days=day.weekday() - 4)  # most weekend calls land on the Friday
    if chance(rng, spec["percent_out_of_hours"]):
        return _at(day, rng.choice([rng.uniform(420, 510), rng.uniform(1050, 1320)]))
    return _office_time(rng, day)


def _today_times(ctx: _Context, rng: random.Random, count: int) -> list[datetime]:
    """Times earlier than now today: in office hours when the office has been open a while."""
    opened = _at(ctx.today, _minutes(OFFICE_OPEN))
    closed = _at(ctx.today, _minutes(OFFICE_CLOSE))
    start = opened if ctx.now - opened > timedelta(minutes=30) else _at(ctx.today, 0)
    end = min(ctx.now - timedelta(minutes=2), closed) if ctx.now > opened else ctx.now
    end = max(end, start)
    return sorted(start + (end - start) * rng.random() for _ in range(count))


def _calls(ctx: _Context, rng: random.Random, plans: list[_Plan]) -> list[Call]:
    """The last weeks' calls on every zone line, and a few already taken today."""
    lookup = ({_id(w): w for w in ctx.wards}, {p.ods_code: p for p in ctx.practices})
    spec = ctx.recipe["calls"]
    out: list[Call] = []
    for plan in plans:
        plan.call_rows = [_story_call(ctx, rng, plan, c, lookup) for c in plan.story_calls]
        out += plan.call_rows
        mean = spec["per_caseload_person"] if plan.on_caseload else spec["per_other_person"]
        out += [_random_call(ctx, rng, plan, _past_call_time(ctx, rng), lookup) for _ in range(_poisson(rng, mean))]
    for zone_id in sorted({p.person.zone_id for p in plans}):
        candidates = [p for p in plans if p.person.zone_id == zone_id and p.on_caseload and not p.is_story]
        chosen = rng.sample(candidates, min(spec["today_per_zone"], len(candidates)))
        times = _today_times(ctx, rng, len(chosen))
        out += [_random_call(ctx, rng, plan, at, lookup) for plan, at in zip(chosen, times, strict=True)]
    return out


def _story_call(
    ctx: _Context,
    rng: random.Random,
    plan: _Plan,
    spec: dict[str, Any],
    lookup: tuple[dict[int, Organisation], dict[str, Practice]],
) -> Call:
    """A call the story needs, on the day it says (day 0 is earlier today)."""
    caller = _caller(ctx, rng, plan, spec["caller"], *lookup)
    assert caller is not None, f"story call from {spec['caller']} for {plan.person.given_name} has no such caller"
    days_ago = spec["days_ago"]
    at = _today_times(ctx, rng, 1)[0] if days_ago == 0 else _office_time(rng, ctx.days_ago(days_ago))
    return _call(ctx, rng, plan, caller, at, reason=spec["reason"], notes=spec["notes"], outcome=spec["outcome"])


# --- care records ---------------------------------------------------------------------


def _involvement_rows(ctx: _Context, rng: random.Random, plan: _Plan) -> list[SQLModel]:
    """Each professional's involvement, the assessment that began it and their visits since."""
    work = ctx.recipe["professional_work"]
    rows: list[SQLModel] = []
    for discipline, staff_id in plan.involvements:
        started = ctx.days_ago(_spread(rng, work["involvement_started_days_ago"]))
        pid = _id(plan.person)
        rows.append(Involvement(person_id=pid, staff_id=staff_id, discipline=discipline, started_on=started))
        rows.append(
            Assessment(
                person_id=pid,
                staff_id=staff_id,
                discipline=discipline,
                at=_office_time(rng, started),
                summary=rng.choice(ctx.words.assessment_summaries[discipline]),
            )
        )
        for _ in range(min(_poisson(rng, work["visits_per_involvement"]), 12)):
            day = started + timedelta(days=rng.randint(1, max(1, (ctx.today - started).days - 1)))
            rows.append(
                Visit(
                    person_id=pid,
                    staff_id=staff_id,
                    discipline=discipline,
                    at=_office_time(rng, day),
                    note=rng.choice(ctx.words.visit_notes[discipline]),
                )
            )
    return rows


def _open_referral_row(ctx: _Context, rng: random.Random, plan: _Plan) -> Referral:
    """A referral still waiting: recent, due by its urgency, sometimes already contacted."""
    ref = plan.open_referral or {}
    if "from_call" in ref:
        call = plan.call_rows[ref["from_call"]]
        received, call_id = call.started_at, call.id
    else:
        received = ctx.now - timedelta(hours=rng.uniform(0.2, ctx.words.open_received_hours_ago[ref["urgency"]]))
        call_id = None
    first = None
    if not plan.is_story and chance(rng, ctx.words.percent_with_first_contact):
        first = received + (ctx.now - received) * rng.uniform(0.2, 0.9)
    return _referral(plan, ref, received, first_contact_at=first, status="open", call_id=call_id)


def _referral(plan: _Plan, ref: dict[str, Any], received: datetime, **progress: Any) -> Referral:
    """A referral row whose clock (due_at) follows from its response, as triage sets it.

    Only a story gives a response here (Ethel's Crisis); the others get the one
    their urgency stands for from the crisis line (demo_stage.set_responses).
    A Crisis response is written without the crisis flag: the crisis line
    raises its crisis and flags it then (rules.crisis_flag).
    """
    response = ref.get("response", triage.NORMAL)
    return Referral(
        person_id=_id(plan.person),
        received_at=received,
        source=ref["source"],
        discipline=ref["discipline"],
        reason=ref["reason"],
        urgency=ref["urgency"],
        crisis=rules.crisis_flag(response, crisis_record=False),
        due_at=triage.due_at(received, response if response == triage.CRISIS else ref["urgency"]),
        response=response,
        ucr_need=ref.get("need", ""),
        **progress,
    )


def _closed_referral_rows(ctx: _Context, rng: random.Random, plan: _Plan) -> list[SQLModel]:
    """A referral dealt with in the past year, with the three measured intervals, and its assessment."""
    spec = ctx.recipe["referrals"]
    ref = _random_open_referral(ctx, rng)
    back = rng.uniform(60, 365)
    received = _office_time(rng, ctx.days_ago(back))
    first = _after(rng, received, _spread(rng, spec["days_to_first_contact"]))
    assessed = _after(rng, first, _spread(rng, spec["days_first_contact_to_assessment"]))
    services = _after(rng, assessed, _spread(rng, spec["days_assessment_to_services"]))
    closed = min(_after(rng, services, rng.uniform(0, 5)), ctx.now)
    if services > ctx.now:  # a long wait that has not yet finished: keep it believable, not in the future
        return []
    rows: list[SQLModel] = [
        _referral(
            plan,
            ref,
            received,
            first_contact_at=first,
            assessed_at=assessed,
            services_at=services,
            status="closed",
            closed_at=closed,
        )
    ]
    staff = ctx.staff_of(plan.person.zone_id, DISCIPLINE_ROLES[ref["discipline"]])
    if staff:
        summary = rng.choice(ctx.words.assessment_summaries[ref["discipline"]])
        rows.append(
            Assessment(
                person_id=_id(plan.person),
                staff_id=rng.choice(staff),
                discipline=ref["discipline"],
                at=assessed,
                summary=summary,
            )
        )
    return rows


def _admission_rows(ctx: _Context, rng: random.Random, plan: _Plan) -> list[SQLModel]:
    """A past stay on a real ward (the stay now is recorded by the ward stage, :func:`_add_ward_discharge`)."""
    rows: list[SQLModel] = []
    pid = _id(plan.person)
    if plan.past_admission:
        a = plan.past_admission
        admitted = ctx.now - timedelta(days=a["days_ago"])
        discharged = admitted + timedelta(days=a["days"])
        rows.append(
            Admission(
                person_id=pid,
                ward_id=a["ward_id"],
                admitted_at=admitted,
                medically_fit_at=discharged - timedelta(days=rng.uniform(0, min(3, a["days"] / 2))),
                discharged_at=discharged,
            )
        )
    return rows


def _care_rows(ctx: _Context, rng: random.Random, plan: _Plan) -> list[SQLModel]:
    """Everything about one person that hangs off their record, apart from contacts and calls."""
    rows: list[SQLModel] = _involvement_rows(ctx, rng, plan)
    if plan.open_referral:
        rows.append(_open_referral_row(ctx, rng, plan))
    for _ in range(plan.closed_referrals):
        rows += _closed_referral_rows(ctx, rng, plan)
    rows += _admission_rows(ctx, rng, plan)
    rows += [
        Alert(
            person_id=_id(plan.person),
            text=text,
            raised_at=ctx.now - timedelta(days=rng.uniform(10, 365)),
        )
        for text in plan.alerts
    ]
    return rows


# --- the whole load -----------------------------------------------------------------


REFERENCE_TABLES = ("zone", "practice", "organisation", "staff")
COUNTED: tuple[Table, ...] = tuple(SQLModel.metadata.tables[name] for name in REFERENCE_TABLES + rules.TABLES)


def _plans(ctx: _Context, seed: int, people: int) -> list[_Plan]:
    """The story people and enough random ones to make ``people`` in all."""
    pool = _PhonePool(_rng(seed, "phones"), _story_numbers())
    rng = _rng(seed, "people")
    story_numbers = {s["nhs_number"] for s in STORY_PEOPLE}
    stories = [_story_plan(ctx, s) for s in STORY_PEOPLE]
    numbers = rules.nhs_numbers(rng, max(0, people - len(stories)), story_numbers)
    return stories + _random_plans(ctx, rng, numbers, pool)


@dataclass
class _Run:
    """One load: the context, everyone's plan, and a random generator per part of the zone."""

    ctx: _Context
    plans: list[_Plan]
    seed: int
    _rngs: dict[str, random.Random] = field(default_factory=dict)

    def rng(self, part: str) -> random.Random:
        """The generator for ``part`` (one per part, so changing one part leaves the others as they were)."""
        if part not in self._rngs:
            self._rngs[part] = _rng(self.seed, part)
        return self._rngs[part]


def _people_rows(run: _Run) -> list[SQLModel]:
    """Everyone's Person row."""
    return [p.person for p in run.plans]


def _history_rows(run: _Run) -> list[SQLModel]:
    """Each person's registration, in the history as the trust-scale seed writes it."""
    entries = (rules.registered(_id(p.person), p.person.created_at, DESK_NAME) for p in run.plans)
    return [History(**e._asdict()) for e in entries]


def _contact_rows(run: _Run) -> list[SQLModel]:
    """Contacts, now their person has an id."""
    rows: list[SQLModel] = []
    for plan in run.plans:
        for c in plan.contacts:
            c.person_id = _id(plan.person)
        rows += plan.contacts
    return rows


def _call_rows(run: _Run) -> list[SQLModel]:
    """The call history."""
    return list(_calls(run.ctx, run.rng("calls"), run.plans))


def _care_record_rows(run: _Run) -> list[SQLModel]:
    """Involvements, referrals, stays and alerts."""
    return [row for plan in run.plans for row in _care_rows(run.ctx, run.rng("care"), plan)]


DemoStage = Callable[[_Run], list[SQLModel]]

# The demo's stages, in order: each returns rows that are written (and given ids) before the
# next runs. A new part of the zone (a crisis line, care packages, ward discharges) is a new
# function here; give it its own generator (run.rng("crisis")) so the rest stays as it was.
DEMO_STAGES: tuple[DemoStage, ...] = (
    _people_rows,
    _history_rows,
    _contact_rows,
    _call_rows,
    _care_record_rows,
)


WAITING_PACKAGES = len(package_stage.WAITING_DAYS_AGO)


def _spread_over_zones(rng: random.Random, people: list[tuple[int, str]], n: int) -> list[tuple[int, str]]:
    """``n`` of ``people`` (id, zone) taken zone by zone in turn, so whichever zone a desk opens on has some."""
    by_zone: dict[str, list[tuple[int, str]]] = {}
    for who in people:
        by_zone.setdefault(who[1], []).append(who)
    queues = [rng.sample(group, len(group)) for _zone, group in sorted(by_zone.items())]
    out: list[tuple[int, str]] = []
    while len(out) < n and any(queues):
        for queue in queues:
            if queue and len(out) < n:
                out.append(queue.pop())
    return out


def _add_packages(session: Session, run: _Run) -> None:
    """The packages, with their versions on assessments, reviews and waiting list (desk.packages.demo_stage).

    Everyone the plans gave a package has one whose open review falls on their
    review day; a few more on the caseload have one waiting against its target;
    the story people's are as their stories tell.
    """
    ctx, today = run.ctx, run.ctx.today
    by_nhs = {s["nhs_number"]: s for s in STORY_PEOPLE}
    wants: list[package_stage.Want] = []
    stories: list[package_stage.StoryPackage] = []
    others: list[tuple[int, str]] = []
    for plan in run.plans:
        person, due = plan.person, today + timedelta(days=plan.review_in_days)
        if plan.is_story:
            story = by_nhs[person.nhs_number]
            stories.append(
                package_stage.StoryPackage(
                    story["key"], _id(person), person.zone_id, due if plan.package else None, person.key_worker_id
                )
            )
        elif plan.package:
            wants.append(package_stage.Want(_id(person), person.zone_id, review_due=due))
        elif plan.on_caseload:
            others.append((_id(person), person.zone_id))
    waiting = _spread_over_zones(run.rng("waiting"), others, WAITING_PACKAGES)
    package_stage.add_packages(session, now=ctx.now, seed=run.seed, wants=wants, waiting=waiting, stories=stories)


def _add_ward_discharge(session: Session, run: _Run) -> dict[str, int]:
    """Everyone in hospital now, on the ward the plans gave them, through the desk's own services.

    desk.discharge.demo_stage puts them at every stage of a stay: just
    admitted, awaiting a discharge ready date, ready and delayed, going home
    today, and home already with a pick-up for their zone; Reg as his story tells.
    """
    ctx = run.ctx
    by_nhs = {s["nhs_number"]: s for s in STORY_PEOPLE}
    in_now = [p for p in run.plans if p.admission]
    packaged = ward_stage.people_with_packages(session, [_id(p.person) for p in in_now])
    wanted = [
        ward_stage.StayWanted(
            person_id=_id(p.person),
            zone_id=p.person.zone_id,
            ward_id=p.admission["ward_id"],
            admitted_at=ctx.now - timedelta(days=p.admission["days_ago"]),
            ready_days_ago=p.admission.get("fit_days_ago"),
            story=by_nhs[p.person.nhs_number]["key"] if p.is_story else "",
            has_package=_id(p.person) in packaged,
        )
        for p in in_now
        if p.admission
    ]
    return ward_stage.add_ward_discharge(session, now=ctx.now, seed=run.seed, stays_wanted=wanted)


def seed_demo(
    session: Session, *, people: int = 2000, seed: int = 20041, now: datetime | None = None
) -> dict[str, int]:
    """Fill an empty register with a synthetic zone population; returns rows per table.

    The initial load, not a user's change, so it writes rows directly; each
    person's history holds their registration (:func:`desk.synthetic.rules.registered`),
    as the trust-scale seed's does. The caseload read model is rebuilt at the end.
    """
    if session.exec(select(Zone)).first() is None:
        reference.load(session)
    now = now or clock.now()
    ctx = _context(session, now if now.tzinfo else now.replace(tzinfo=UTC))
    if not ctx.practices:
        raise ValueError("no GP practices in the reference data: nobody can be registered")
    run = _Run(ctx, _plans(ctx, seed, people), seed)
    for stage in DEMO_STAGES:
        session.add_all(stage(run))
        session.flush()  # so the next stage can refer to these rows' ids
    add_crisis_line(session, now=ctx.now, seed=seed)
    _add_packages(session, run)
    _add_ward_discharge(session, run)
    caseload.rebuild(session)
    return {table.name: session.exec(select(func.count()).select_from(table)).one() for table in COUNTED}


def ensure_demo(engine: Engine) -> bool:
    """Make the demo database usable: schema up to date, and seeded if nobody is registered yet."""
    db.migrate(engine)
    with db.writing(engine) as session:
        if session.exec(select(Person.id)).first() is not None:
            return False
        reference.load(session)
        seed_demo(session)
        return True
