"""A synthetic demo population, so the desk can be shown and tried without real data.

Names, streets, services and how common each thing is come from
``data/demo_recipe.json``; every choice comes from ``random.Random`` seeded by
the caller, and every date is relative to the ``now`` given, so the same seed
gives the same zone on any machine. Only NHS numbers from the 999 test range
and phone numbers from Ofcom's drama ranges are used: nothing generated here
can identify or ring a real person.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib.resources import files
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, SQLModel, select

from desk import clock, db, nhs, phones, triage
from desk.crisis.demo_stage import add_crisis_line
from desk.models import (
    Admission,
    Alert,
    Assessment,
    Call,
    CarePackage,
    CarePackageItem,
    CaseloadEntry,
    Contact,
    Involvement,
    Organisation,
    Person,
    Practice,
    Referral,
    Staff,
    Visit,
    Zone,
)
from desk.phones import Phone
from desk.services import caseload, reference
from desk.services.people import format_postcode, phone_rev, postcode_key

DESK_NAME = "demo"
SEXES_BY_LETTER = {"F": "Female", "M": "Male"}

# Ofcom's drama ranges, as (national prefix, first, last, digits after the prefix).
# 07700 9009xx, 0113/0114 496 01xx and 0117 496 xxxx are left to the reference data.
MOBILE_BLOCKS: tuple[tuple[str, int, int, int], ...] = (("07700 900", 0, 899, 3),)
LANDLINE_BLOCKS: tuple[tuple[str, int, int, int], ...] = (
    ("01632 960", 0, 999, 3),
    ("020 7946 ", 0, 999, 4),
    ("0113 496 ", 200, 999, 4),
    ("0114 496 ", 200, 999, 4),
    ("0115 496 ", 0, 999, 4),
    ("0116 496 ", 0, 999, 4),
    ("0118 496 ", 0, 999, 4),
    ("0121 496 ", 0, 999, 4),
    ("0131 496 ", 0, 999, 4),
    ("0141 496 ", 0, 999, 4),
    ("0151 496 ", 0, 999, 4),
    ("0161 496 ", 0, 999, 4),
    ("028 9649 ", 6000, 6999, 4),
    ("029 2018 ", 0, 999, 4),
)


DISCIPLINE_ROLES: dict[str, str] = {
    "nursing": "nurse",
    "physiotherapy": "physiotherapist",
    "occupational_therapy": "occupational_therapist",
    "social_work": "social_worker",
    "support": "support_worker",
}
KEY_WORKER_DISCIPLINES = ("nursing", "social_work")

OFFICE_OPEN = time(8, 30)
OFFICE_CLOSE = time(17, 30)
POSTCODE_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# The people the desk's stories are about (see DOMAIN.md). Fixed, so a demo can
# say "search for Ethel" and tests can find them whatever the seed.
STORY_PEOPLE: list[dict[str, Any]] = [
    {
        "key": "ethel",
        "given_name": "Ethel",
        "family_name": "Hannaford",
        "nhs_number": "9990001014",
        "sex": "F",
        "age": 81,
        "zone": "PGN",
        "lives_alone": True,
        "address": "7 Seaway Gardens, Preston, Paignton",
        "postcode": "TQ3 2ET",
        "phone": "01632 960010",
        "conditions": "Heart failure, Osteoarthritis",
        "story": "Lives alone and feels unwell; her GP rang the line from her house this morning.",
        "contacts": [{"name": "Julie Hext", "relationship": "niece", "is_carer": False, "phone": "07700 900010"}],
        "calls": [
            {
                "days_ago": 0,
                "caller": "practice",
                "reason": "crisis",
                "notes": "GP rang from Ethel's house: unwell and breathless, worried she will deteriorate "
                "at home. Wants her kept at home if support can start today.",
                "outcome": "Crisis response: same-day assessment booked",
            }
        ],
        "open_referral": {
            "discipline": "nursing",
            "urgency": "rapid",
            "crisis": True,
            "source": "GP",
            "reason": "Unwell at home, GP worried: same-day assessment",
            "from_call": 0,
        },
    },
    {
        "key": "reg",
        "given_name": "Reg",
        "family_name": "Westaway",
        "nhs_number": "9990002029",
        "sex": "M",
        "age": 77,
        "zone": "TQS",
        "lives_alone": True,
        "address": "3 Warberry Lane, Wellswood, Torquay",
        "postcode": "TQ1 2QD",
        "phone": "01632 960020",
        "conditions": "COPD, Atrial fibrillation",
        "story": "On Ward 3 for nine days, medically fit for the last five; lives alone.",
        "contacts": [{"name": "Mark Westaway", "relationship": "son", "is_carer": False, "phone": "0161 496 0020"}],
        "admission": {"ward": "Ward 3", "days_ago": 9, "fit_days_ago": 5},
        "involvements": ["social_work"],
        "key_worker": "social_worker",
        "package": {
            "review_in_days": 2,
            "services": [
                {"service": "Home care", "detail": "1 visit a day: help to wash and dress"},
                {"service": "Telecare", "detail": "Pendant alarm and key safe"},
            ],
        },
        "calls": [
            {
                "days_ago": 8,
                "caller": "ward",
                "reason": "professional_update",
                "notes": "Ward 3: Reg admitted last night with a chest infection. Home care to be suspended.",
                "outcome": "Home care provider told; record updated",
            },
            {
                "days_ago": 5,
                "caller": "ward",
                "reason": "discharge",
                "notes": "Reg medically fit today. Lives alone, will need more help at first.",
                "outcome": "Discharge plan started with the ward",
            },
            {
                "days_ago": 1,
                "caller": "contact",
                "reason": "discharge",
                "notes": "Son rang from Manchester: when is Dad coming home?",
                "outcome": "Told him the plan is under way; will ring back tomorrow",
            },
        ],
    },
    {
        "key": "mary",
        "given_name": "Mary",
        "family_name": "Luscombe",
        "nhs_number": "9990003033",
        "sex": "F",
        "age": 83,
        "zone": "BXM",
        "lives_alone": False,
        "address": "12 Gillard Road, Higher Brixham, Brixham",
        "postcode": "TQ5 9EX",
        "phone": "01632 960030",
        "conditions": "Type 2 diabetes, Leg ulcers, Hypertension",
        "story": "Diabetic, home from hospital with nursing and home care: one key worker, one package.",
        "contacts": [{"name": "Ronald Luscombe", "relationship": "husband", "is_carer": True, "phone": "07700 900030"}],
        "past_admission": {"ward": "Ward 1", "days_ago": 22, "days": 6},
        "involvements": ["nursing"],
        "key_worker": "nurse",
        "package": {
            "review_in_days": 12,
            "services": [
                {"service": "Home care", "detail": "3 visits a day, 1 carer"},
                {"service": "Telecare", "detail": "Pendant alarm, falls detector"},
            ],
        },
        "alerts": ["Diabetic: insulin given by district nurses, do not leave without checking"],
        "calls": [
            {
                "days_ago": 16,
                "caller": "ward",
                "reason": "discharge",
                "notes": "Ward 1: Mary going home Thursday, needs insulin supervision and home care three times a day.",
                "outcome": "Package arranged for discharge day; nurse booked; review in four weeks",
            },
            {
                "days_ago": 3,
                "caller": "contact",
                "reason": "change_in_need",
                "notes": "Ron says the carers noticed a new sore on Mary's heel.",
                "outcome": "Passed to Mary's nurse, who visits tomorrow briefed",
            },
        ],
    },
    {
        "key": "mrs_smith",
        "given_name": "Doris",
        "family_name": "Smith",
        "nhs_number": "9990004048",
        "sex": "F",
        "age": 80,
        "zone": "TQN",
        "lives_alone": True,
        "address": "22 Petitor Rise, St Marychurch, Torquay",
        "postcode": "TQ1 4QF",
        "phone": "01632 960040",
        "conditions": "COPD, Osteoarthritis, Macular degeneration, Depression",
        "story": "Mrs Smith: lives alone and uses many services; one number, one co-ordinator who knows her.",
        "contacts": [
            {"name": "Pat Cornish", "relationship": "neighbour", "is_carer": True, "phone": "01632 960041"},
            {"name": "Stephen Smith", "relationship": "son", "is_carer": False, "phone": "07700 900040"},
        ],
        "involvements": ["nursing", "physiotherapy", "occupational_therapy", "social_work", "support"],
        "key_worker": "nurse",
        "package": {
            "review_in_days": 0,
            "services": [
                {"service": "Home care", "detail": "4 visits a day, 2 carers"},
                {"service": "Meals", "detail": "Hot lunch delivered 7 days"},
                {"service": "Telecare", "detail": "Pendant alarm and key safe"},
                {"service": "Equipment", "detail": "Perching stool, raised toilet seat, rails"},
            ],
        },
        "alerts": [
            "Key safe by the front door: code held by carers, ask the co-ordinator",
            "Hard of hearing: let the phone ring for a long time, speak slowly",
        ],
        "calls": [
            {
                "days_ago": 0,
                "caller": "person",
                "reason": "advice",
                "notes": "Mrs Smith asked what time the carers come on Sunday.",
                "outcome": "Advice given: usual times, 8am first visit",
            }
        ],
    },
    {
        "key": "frank",
        "given_name": "Frank",
        "family_name": "Pengelly",
        "nhs_number": "9990005052",
        "sex": "M",
        "age": 86,
        "zone": "PGS",
        "lives_alone": True,
        "address": "5 Roundham Heights, Goodrington, Paignton",
        "postcode": "TQ4 6DN",
        "phone": "01632 960050",
        "conditions": "Dementia, Atrial fibrillation",
        "story": "Lives alone in Paignton; his daughter Susan lives 300 miles away and rings the co-ordinator.",
        "contacts": [
            {"name": "Susan Whitfield", "relationship": "daughter", "is_carer": False, "phone": "07700 900050"}
        ],
        "involvements": ["social_work", "support"],
        "key_worker": "social_worker",
        "package": {
            "review_in_days": 20,
            "services": [
                {"service": "Home care", "detail": "2 visits a day (morning and bedtime), 1 carer"},
                {"service": "Telecare", "detail": "Bed sensor and door alert"},
                {"service": "Meals", "detail": "Hot lunch 5 days, frozen meals weekends"},
            ],
        },
        "calls": [
            {
                "days_ago": 14,
                "caller": "contact",
                "reason": "advice",
                "notes": "Daughter Susan rang (lives 300 miles away): how is Dad managing since the carers started?",
                "outcome": "Told her the current situation",
            },
            {
                "days_ago": 2,
                "caller": "contact",
                "reason": "change_in_need",
                "notes": "Susan says Dad sounded muddled on the phone last night.",
                "outcome": "Support worker to call in today; will ring Susan back",
            },
        ],
    },
]


def recipe() -> dict[str, Any]:
    """The demo recipe as shipped (read afresh, so edits to the JSON take effect)."""
    return json.loads((files("desk.data") / "demo_recipe.json").read_text(encoding="utf-8"))


# --- small random helpers -----------------------------------------------------


def _rng(seed: int, stage: str) -> random.Random:
    """One generator per stage: tweaking calls in the recipe does not change who the people are."""
    return random.Random(f"{seed}/{stage}")


def _weighted(rng: random.Random, weights: dict[str, Any]) -> str:
    """One key of a {choice: weight} mapping (keys starting '_' are notes, not choices)."""
    keys = [k for k in weights if not k.startswith("_")]
    return rng.choices(keys, [float(weights[k]) for k in keys])[0]


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


def _chance(rng: random.Random, percent: float, scale: float = 1.0) -> bool:
    """True ``percent`` in 100 times, made likelier for frailer people by ``scale``."""
    return rng.random() < min(0.95, percent / 100 * scale)


def _fill(template: str, **values: str) -> str:
    """A recipe sentence with {name}-style blanks filled (an unknown blank is left as typed), capitalised."""
    text = template.format_map(_Blanks(values))
    return text[:1].upper() + text[1:]


class _Blanks(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


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
    now: datetime
    today: date
    practices: list[Practice]
    staff: dict[tuple[str, str], list[int]]
    wards: list[Organisation]
    story_names: set[tuple[str, str]]

    def zone_practices(self, zone_id: str) -> list[Practice]:
        return [p for p in self.practices if p.zone_id == zone_id]

    def staff_of(self, zone_id: str, *roles: str) -> list[int]:
        return [s for role in roles for s in self.staff.get((zone_id, role), [])]

    def ward_named(self, start: str) -> Organisation:
        return next((w for w in self.wards if w.name.startswith(start)), self.wards[0])

    def days_ago(self, days: float) -> date:
        return self.today - timedelta(days=round(days))


def _context(session: Session, now: datetime) -> _Context:
    rec = recipe()
    staff: dict[tuple[str, str], list[int]] = {}
    for s in session.exec(select(Staff).where(Staff.active == True).order_by(Staff.id)):  # noqa: E712
        staff.setdefault((s.zone_id, s.role), []).append(s.id)  # type: ignore[arg-type]
    avoid = rec["hospital"]["not_for_admission"]
    wards = [
        o
        for o in session.exec(select(Organisation).where(Organisation.kind == "ward").order_by(Organisation.id))
        if not any(word in o.name for word in avoid)
    ]
    return _Context(
        recipe=rec,
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
        taken = {_digits(r) for r in reserved}
        self._pools = {
            "mobile": _block_numbers(MOBILE_BLOCKS, taken),
            "landline": _block_numbers(LANDLINE_BLOCKS, taken),
        }
        for pool in self._pools.values():
            rng.shuffle(pool)

    def take(self, kind: str) -> Phone | None:
        """A fresh number of ``kind`` (mobile or landline), the other kind if that has run out, else None."""
        for k in (kind, "landline" if kind == "mobile" else "mobile"):
            if self._pools[k]:
                return phones.parse(self._pools[k].pop())
        return None


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def _block_numbers(blocks: Sequence[tuple[str, int, int, int]], taken: set[str]) -> list[str]:
    """Every number in the blocks, as a UK caller writes it, less those already spoken for."""
    numbers = (f"{prefix}{n:0{width}d}" for prefix, first, last, width in blocks for n in range(first, last + 1))
    return [n for n in numbers if _digits(n) not in taken]


def _story_numbers() -> Iterator[str]:
    """The story people's fixed numbers, kept out of the pool so nobody else gets them."""
    for story in STORY_PEOPLE:
        yield story["phone"]
        yield from (c["phone"] for c in story.get("contacts", []) if c.get("phone"))


def _nhs_numbers(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """Unique test-range NHS numbers: 999, six random digits, a valid Modulus 11 check digit."""
    stems = rng.sample(range(1_000_000), min(1_000_000, int(count * 1.2) + 50))
    out: list[str] = []
    for stem in stems:
        nine = f"999{stem:06d}"
        check = nhs.check_digit(nine)
        if check is not None and f"{nine}{check}" not in taken:
            out.append(f"{nine}{check}")
            if len(out) == count:
                return out
    raise ValueError(f"cannot make {count} distinct test NHS numbers: ask for fewer people")


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
        sex=SEXES_BY_LETTER[sex],
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
        person.key_worker_id = (ctx.staff_of(practice.zone_id, story["key_worker"]) or [None])[0]
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
    young = _chance(rng, pct["aged_18_to_64"])
    age = rng.randint(18, 64) if young else round(_spread(rng, rec["ages"]["older"]))
    sex = "F" if _chance(rng, pct["women"]) else "M"
    names = rec["younger_given_names" if young else "given_names"][sex]
    given, family = rng.choice(names), rng.choice(rec["family_names"]["names"])
    while (given, family) in ctx.story_names:
        family = rng.choice(rec["family_names"]["names"])
    address, postcode = _address(ctx, rng, practice.zone_id)
    phone = pool.take("landline") if _chance(rng, pct["with_home_phone"]) else None
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
        lives_alone=_chance(rng, pct["living_alone"]),
        conditions=", ".join(_conditions(ctx, rng, 0.4 if young else 1.6)),
        created_at=ctx.now - timedelta(days=rng.uniform(400, 3000)),
    )
    return person, age


def _address(ctx: _Context, rng: random.Random, zone_id: str) -> tuple[str, str]:
    """An invented street address and a postcode of the right district for the zone."""
    z = ctx.recipe["zones"][zone_id]
    street = f"{rng.randint(1, 140)} {rng.choice(z['streets'])}, {rng.choice(z['neighbourhoods'])}, {z['town']}"
    if _chance(rng, ctx.recipe["percent_of_people"]["with_flat_address"]):
        street = f"Flat {rng.randint(1, 24)}, {street}"
    unit = "".join(rng.choice(POSTCODE_UNIT_LETTERS) for _ in range(2))
    return street, f"{rng.choice(z['postcode_districts'])} {rng.randint(1, 9)}{unit}"


def _conditions(ctx: _Context, rng: random.Random, mean: float) -> list[str]:
    """A few long-term conditions, commoner ones more often, none twice."""
    weights = {k: v for k, v in ctx.recipe["conditions"].items() if not k.startswith("_")}
    out: list[str] = []
    for _ in range(min(_poisson(rng, mean), 5, len(weights))):
        pick = _weighted(rng, weights)
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
    return [_random_services(ctx, rng, p, f / mean, pool) for (p, _), f in zip(people, frailty)]


def _random_services(ctx: _Context, rng: random.Random, person: Person, scale: float, pool: _PhonePool) -> _Plan:
    """Contacts, professionals, package, referrals, stays and alerts for one random person."""
    pct, rec = ctx.recipe["percent_of_people"], ctx.recipe
    plan = _Plan(person=person, contacts=_random_contacts(ctx, rng, person, pool))
    for discipline, percent in rec["percent_with_professional"].items():
        staff = ctx.staff_of(person.zone_id, DISCIPLINE_ROLES.get(discipline, ""))
        if not discipline.startswith("_") and staff and _chance(rng, percent, scale):
            plan.involvements.append((discipline, rng.choice(staff)))
    person.key_worker_id = _key_worker(ctx, rng, person.zone_id, plan.involvements)
    if _chance(rng, pct["with_active_care_package"], scale):
        plan.package = [(service, None) for service in _services(ctx, rng)]
        plan.review_in_days = _review_in_days(ctx, rng)
    if _chance(rng, pct["with_open_referral"], scale):
        plan.open_referral = _random_open_referral(ctx, rng)
    plan.closed_referrals = _poisson(rng, pct["with_closed_referral_last_year"] / 100 * scale)
    if ctx.wards and _chance(rng, pct["in_hospital_now"], scale):
        plan.admission = _random_stay(ctx, rng, current=True)
    elif ctx.wards and _chance(rng, pct["with_past_admission"], scale):
        plan.past_admission = _random_stay(ctx, rng, current=False)
    if _chance(rng, pct["with_alert"], scale):
        plan.alerts = [rng.choice(rec["alerts"])]
    return plan


def _random_contacts(ctx: _Context, rng: random.Random, person: Person, pool: _PhonePool) -> list[Contact]:
    """None, one or two carers and relatives, each with their own number."""
    pct = ctx.recipe["percent_of_people"]
    if not _chance(rng, pct["with_carer_or_relative_contact"]):
        return []
    contacts: list[Contact] = []
    for _ in range(2 if _chance(rng, pct["with_a_second_contact"]) else 1):
        contacts.append(_random_contact(ctx, rng, person, pool, contacts))
    return contacts


def _random_contact(
    ctx: _Context, rng: random.Random, person: Person, pool: _PhonePool, already: list[Contact]
) -> Contact:
    """A relative, neighbour or friend who fits: a spouse only for someone not living alone, and only one."""
    rec = ctx.recipe
    kinds = {k: v for k, v in rec["relationships"].items() if not k.startswith("_")}
    spouse_free = not person.lives_alone and not any(kinds.get(c.relationship, {}).get("spouse") for c in already)
    fits = {k: v["weight"] for k, v in kinds.items() if not v.get("spouse") or (spouse_free and v["sex"] != person.sex)}
    relationship = _weighted(rng, fits)
    kind = kinds[relationship]
    sex = kind["sex"] if kind["sex"] in ("F", "M") else rng.choice("FM")
    given = rng.choice(rec["younger_given_names" if kind.get("younger") else "given_names"][sex])
    same = _chance(rng, kind["same_surname_percent"])
    family = person.family_name if same else rng.choice(rec["family_names"]["names"])
    phone = pool.take("mobile" if _chance(rng, kind["mobile_percent"]) else "landline")
    return _new_contact(f"{given} {family}", relationship, _chance(rng, kind["carer_percent"]), phone)


def _services(ctx: _Context, rng: random.Random) -> list[str]:
    """Which services a package holds: each by its percent, at least one, at most the recipe's maximum."""
    services = {k: v for k, v in ctx.recipe["care_services"].items() if not k.startswith("_")}
    chosen = [name for name, s in services.items() if _chance(rng, s["percent"])]
    if not chosen:
        chosen = [_weighted(rng, {k: v["percent"] for k, v in services.items()})]
    rng.shuffle(chosen)
    return chosen[: ctx.recipe["care_packages"]["max_services"]]


def _review_in_days(ctx: _Context, rng: random.Random) -> int:
    """Days to the package's review: some overdue, some today, most to come, so 'due' lists have work."""
    spec = ctx.recipe["care_packages"]
    return 0 if _chance(rng, spec["percent_due_today"]) else round(_spread(rng, spec["review_days_from_today"]))


def _random_open_referral(ctx: _Context, rng: random.Random) -> dict[str, Any]:
    """Who referred, to which discipline, why and how urgently (crises are always rapid)."""
    spec = ctx.recipe["referrals"]
    urgency = _weighted(rng, spec["urgency"])
    discipline = _weighted(rng, ctx.recipe["percent_with_professional"])
    return {
        "discipline": discipline,
        "urgency": urgency,
        "source": _weighted(rng, spec["sources"]),
        "reason": rng.choice(spec["reasons"][discipline]),
        "crisis": urgency == "rapid" and _chance(rng, spec["percent_crisis_of_rapid"]),
    }


def _random_stay(ctx: _Context, rng: random.Random, *, current: bool) -> dict[str, Any]:
    """A hospital stay: current ones are sometimes medically fit already (a delayed transfer)."""
    spec = ctx.recipe["hospital"]
    ward_id = rng.choice(ctx.wards).id
    if current:
        days_ago = _spread(rng, spec["current_stay_days"])
        fit = _chance(rng, spec["percent_of_current_stays_medically_fit"])
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


def _display_name(p: Person) -> str:
    return f"{p.given_name} {p.family_name.upper()}"


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
            f"{_display_name(p)}: NHS {nhs.display(p.nhs_number)}",
            p.phone_raw,
            p.phone_e164,
            p.given_name,
            person_id=p.id,
        )
    if kind == "contact":
        callers = [c for c in plan.contacts if c.phone_e164]
        if callers:
            c = rng.choice(callers)
            role = "Carer" if c.is_carer else c.relationship.capitalize()
            name = f"{role} of {_display_name(p)}: {c.name} ({c.relationship})"
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
            f"{pr.name}: GP practice {pr.ods_code}",
            pr.phone_raw,
            pr.phone_e164,
            "the GP",
            practice_id=pr.ods_code,
        )
    ward_ids = plan.wards_within(ctx.recipe["calls"]["history_days"] + 14) if kind == "ward" else []
    if ward_ids:
        w = wards[rng.choice(ward_ids)]
        return _Caller("ward", f"{w.name}: Hospital ward", w.phone_raw, w.phone_e164, "the ward", org_id=w.id)
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
    """A finished call on the person's zone line, taken by one of the zone's co-ordinators."""
    spec = ctx.recipe["calls"]
    ended_at = min(started_at + timedelta(minutes=_spread(rng, spec["minutes"])), ctx.now)
    zone_id = plan.person.zone_id
    taker = rng.choice(ctx.staff_of(zone_id, "coordinator") or ctx.staff_of(zone_id, "crisis_worker"))
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
        kind = _weighted(rng, kinds)
        caller = _caller(ctx, rng, plan, kind, *lookup)
        if caller is not None:
            break
        del kinds[kind]  # "practice" is always possible, so this ends
    reason = _weighted(rng, spec["reasons_by_caller"][kind])
    blanks = dict(name=plan.person.given_name, caller=caller.first_name, relationship=caller.relationship)
    notes = _fill(rng.choice(spec["notes_by_caller"][kind][reason]), **blanks)
    return _call(
        ctx, rng, plan, caller, started_at, reason=reason, notes=notes, outcome=rng.choice(spec["outcomes"][reason])
    )


def _past_call_time(ctx: _Context, rng: random.Random) -> datetime:
    """A day in the recent past, mostly a weekday, mostly in office hours."""
    spec = ctx.recipe["calls"]
    day = ctx.days_ago(rng.randint(1, spec["history_days"]))
    if day.weekday() >= 5 and rng.random() < 0.7:
        day -= timedelta(days=day.weekday() - 4)  # most weekend calls land on the Friday
    if _chance(rng, spec["percent_out_of_hours"]):
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
    lookup = ({w.id: w for w in ctx.wards}, {p.ods_code: p for p in ctx.practices})  # type: ignore[misc]
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
        out += [_random_call(ctx, rng, plan, at, lookup) for plan, at in zip(chosen, times)]
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


def _package_row(ctx: _Context, rng: random.Random, plan: _Plan) -> CarePackage:
    """The active package itself; its items follow once it has an id."""
    started = ctx.days_ago(_spread(rng, ctx.recipe["care_packages"]["started_days_ago"]))
    return CarePackage(
        person_id=plan.person.id,
        status="active",
        started_on=started,  # type: ignore[arg-type]
        review_due=ctx.today + timedelta(days=plan.review_in_days),
    )


def _package_items(ctx: _Context, rng: random.Random, plan: _Plan, package: CarePackage) -> list[CarePackageItem]:
    """The package's services, each with a typical detail, a provider and a weekly cost."""
    catalogue = ctx.recipe["care_services"]
    span = max(0, (ctx.today - package.started_on).days)
    items = []
    for service, detail in plan.package or []:
        spec = catalogue[service]
        low, high = spec["weekly_cost_pence"]
        items.append(
            CarePackageItem(
                package_id=package.id,
                service=service,
                detail=detail or rng.choice(spec["details"]),  # type: ignore[arg-type]
                provider=rng.choice(spec["providers"]),
                start_date=package.started_on + timedelta(days=rng.randint(0, span)),
                weekly_cost_pence=low + 50 * rng.randint(0, (high - low) // 50),
            )
        )
    return items


def _involvement_rows(ctx: _Context, rng: random.Random, plan: _Plan) -> list[SQLModel]:
    """Each professional's involvement, the assessment that began it and their visits since."""
    work = ctx.recipe["professional_work"]
    rows: list[SQLModel] = []
    for discipline, staff_id in plan.involvements:
        started = ctx.days_ago(_spread(rng, work["involvement_started_days_ago"]))
        pid: int = plan.person.id  # type: ignore[assignment]
        rows.append(Involvement(person_id=pid, staff_id=staff_id, discipline=discipline, started_on=started))
        rows.append(
            Assessment(
                person_id=pid,
                staff_id=staff_id,
                discipline=discipline,
                at=_office_time(rng, started),
                summary=rng.choice(work["assessment_summaries"][discipline]),
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
                    note=rng.choice(work["visit_notes"][discipline]),
                )
            )
    return rows


def _open_referral_row(ctx: _Context, rng: random.Random, plan: _Plan) -> Referral:
    """A referral still waiting: recent, due by its urgency, sometimes already contacted."""
    spec, ref = ctx.recipe["referrals"], plan.open_referral or {}
    if "from_call" in ref:
        call = plan.call_rows[ref["from_call"]]
        received, call_id = call.started_at, call.id
    else:
        received = ctx.now - timedelta(hours=rng.uniform(0.2, spec["open_received_hours_ago"][ref["urgency"]]))
        call_id = None
    first = None
    if not plan.is_story and _chance(rng, spec["percent_with_first_contact"]):
        first = received + (ctx.now - received) * rng.uniform(0.2, 0.9)
    return _referral(plan, ref, received, first_contact_at=first, status="open", call_id=call_id)


def _referral(plan: _Plan, ref: dict[str, Any], received: datetime, **progress: Any) -> Referral:
    """A referral row whose clock (due_at) follows from its urgency, as triage sets it."""
    return Referral(
        person_id=plan.person.id,
        received_at=received,
        source=ref["source"],  # type: ignore[arg-type]
        discipline=ref["discipline"],
        reason=ref["reason"],
        urgency=ref["urgency"],
        crisis=bool(ref.get("crisis")),
        due_at=triage.due_at(received, ref["urgency"]),
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
        summary = rng.choice(ctx.recipe["professional_work"]["assessment_summaries"][ref["discipline"]])
        rows.append(
            Assessment(
                person_id=plan.person.id,
                staff_id=rng.choice(staff),  # type: ignore[arg-type]
                discipline=ref["discipline"],
                at=assessed,
                summary=summary,
            )
        )
    return rows


def _admission_rows(ctx: _Context, rng: random.Random, plan: _Plan) -> list[SQLModel]:
    """A current stay (perhaps medically fit already) and a past one, each on a real ward."""
    rows: list[SQLModel] = []
    pid: int = plan.person.id  # type: ignore[assignment]
    if plan.admission:
        a = plan.admission
        fit = a.get("fit_days_ago")
        rows.append(
            Admission(
                person_id=pid,
                ward_id=a["ward_id"],
                admitted_at=ctx.now - timedelta(days=a["days_ago"]),
                medically_fit_at=ctx.now - timedelta(days=fit) if fit is not None else None,
            )
        )
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


def _care_rows(ctx: _Context, rng: random.Random, plan: _Plan, package: CarePackage | None) -> list[SQLModel]:
    """Everything about one person that hangs off their record, apart from contacts and calls."""
    rows: list[SQLModel] = []
    if package is not None:
        rows += _package_items(ctx, rng, plan, package)
    rows += _involvement_rows(ctx, rng, plan)
    if plan.open_referral:
        rows.append(_open_referral_row(ctx, rng, plan))
    for _ in range(plan.closed_referrals):
        rows += _closed_referral_rows(ctx, rng, plan)
    rows += _admission_rows(ctx, rng, plan)
    rows += [
        Alert(
            person_id=plan.person.id,
            text=text,  # type: ignore[arg-type]
            raised_at=ctx.now - timedelta(days=rng.uniform(10, 365)),
        )
        for text in plan.alerts
    ]
    return rows


# --- the whole load -----------------------------------------------------------------


COUNTED: tuple[type[SQLModel], ...] = (
    Zone,
    Practice,
    Organisation,
    Staff,
    Person,
    Contact,
    Involvement,
    Alert,
    CarePackage,
    CarePackageItem,
    Referral,
    Admission,
    Assessment,
    Visit,
    Call,
    CaseloadEntry,
)


def _plans(ctx: _Context, seed: int, people: int) -> list[_Plan]:
    """The story people and enough random ones to make ``people`` in all."""
    pool = _PhonePool(_rng(seed, "phones"), _story_numbers())
    rng = _rng(seed, "people")
    story_numbers = {s["nhs_number"] for s in STORY_PEOPLE}
    stories = [_story_plan(ctx, s) for s in STORY_PEOPLE]
    numbers = _nhs_numbers(rng, max(0, people - len(stories)), story_numbers)
    return stories + _random_plans(ctx, rng, numbers, pool)


def seed_demo(
    session: Session, *, people: int = 2000, seed: int = 20041, now: datetime | None = None
) -> dict[str, int]:
    """Fill an empty register with a synthetic zone population; returns rows per table.

    The initial load, not a user's change, so it writes rows directly and keeps
    no history; the caseload read model is rebuilt at the end.
    """
    if session.exec(select(Zone)).first() is None:
        reference.load(session)
    now = now or clock.now()
    ctx = _context(session, now if now.tzinfo else now.replace(tzinfo=UTC))
    if not ctx.practices:
        raise ValueError("no GP practices in the reference data: nobody can be registered")
    plans = _plans(ctx, seed, people)
    _write(session, [p.person for p in plans])
    packages: dict[int, CarePackage] = {}
    care_rng = _rng(seed, "care")
    for i, plan in enumerate(plans):
        for c in plan.contacts:
            c.person_id = plan.person.id  # type: ignore[assignment]
        if plan.package:
            packages[i] = _package_row(ctx, care_rng, plan)
    _write(session, [c for p in plans for c in p.contacts] + list(packages.values()))
    _write(session, _calls(ctx, _rng(seed, "calls"), plans))
    _write(session, [row for i, plan in enumerate(plans) for row in _care_rows(ctx, care_rng, plan, packages.get(i))])
    add_crisis_line(session, now=ctx.now, seed=seed)
    caseload.rebuild(session)
    return {
        model.__tablename__: session.exec(select(func.count()).select_from(model)).one()  # type: ignore[attr-defined]
        for model in COUNTED
    }


def _write(session: Session, rows: Sequence[SQLModel]) -> None:
    """Insert a batch and flush, so the next batch can refer to these rows' ids."""
    session.add_all(rows)
    session.flush()


def ensure_demo(engine: Engine) -> bool:
    """Make the demo database usable: schema up to date, and seeded if nobody is registered yet."""
    db.migrate(engine)
    with db.writing(engine) as session:
        if session.exec(select(Person.id)).first() is not None:
            return False
        reference.load(session)
        seed_demo(session)
        return True
