"""The trust-scale seed's year of referrals and calls, and the assessments that closed referrals."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any, NamedTuple

from desk import triage
from desk.synthetic import rules
from desk.synthetic.scale_care import DISCIPLINE, days_between
from desk.synthetic.scale_context import ScaleContext
from desk.synthetic.scale_people import Busiest
from desk.synthetic.scale_phones import Contacts, PhonePool, Phones
from desk.synthetic.scale_register import Caseload, NhsNumbers, Register, accumulate

BUSIEST_REFERRALS = 14
BUSIEST_CALLS = 150  # on a trust with at least 2,000 calls
CALLERS = {"person": 30, "contact": 35, "practice": 18, "ward": 9, "unknown": 5, "withheld": 3}


class Referral(NamedTuple):
    """A referral, open or closed, with the measured intervals of a closed one."""

    person: int
    received: datetime
    source: str
    discipline: str
    reason: str
    urgency: str
    crisis: bool
    due: datetime
    first_contact: datetime | None
    assessed: datetime | None
    services: datetime | None
    status: str
    closed: datetime | None


@dataclass
class Referrals:
    """Every referral; the calls stage says which call brought each."""

    items: list[Referral]


def referrals(ctx: ScaleContext) -> Referrals:
    """A quarter as many referrals as calls: 14 for the busiest person, 8% of the caseload open, the rest closed."""
    rng, caseload = ctx.rng, ctx.records.get(Caseload).people
    busiest = ctx.records.get(Busiest).person
    wanted = max(1, ctx.sizes.calls // 4) if caseload else 0
    items = [_closed(ctx, busiest) for _ in range(BUSIEST_REFERRALS)] if busiest is not None else []
    items += [
        _open(ctx, caseload[rng.randrange(len(caseload))]) for _ in range(min(round(len(caseload) * 0.08), wanted // 2))
    ]
    adults = _adults_off_caseload(ctx)
    while len(items) < wanted:
        from_caseload = rng.random() < 0.8 or not adults
        items.append(_closed(ctx, caseload[rng.randrange(len(caseload))] if from_caseload else rng.choice(adults)))
    return Referrals(items)


def _adults_off_caseload(ctx: ScaleContext) -> list[int]:
    ages, on = ctx.records.get(Register).age, ctx.records.get(Caseload).on
    return [k for k, age in enumerate(ages) if age >= 18 and not on[k]]


def _due(received: datetime, urgency: str) -> datetime:
    """triage.due_at for the seed's naive UTC times (the bulk writer takes them naive)."""
    return triage.due_at(received.replace(tzinfo=UTC), urgency).replace(tzinfo=None)


def _referral(ctx: ScaleContext, k: int, received: datetime) -> Referral:
    """A referral received then, its clock set by its urgency as triage sets it; still open.

    Its response is the one its urgency stands for (scale_stage.set_responses_on)
    and no crisis is raised behind it, so it is never flagged a crisis: the
    seed's crises are the crisis line's (desk.crisis.scale_stage).
    """
    rng, words = ctx.rng, ctx.words
    urgency = ctx.pick("urgency", words.urgency)
    discipline = DISCIPLINE.pick(rng)
    crisis = rules.crisis_flag(urgency, crisis_record=False)
    source = ctx.pick("referral source", words.referral_source_weights)
    reason = rng.choice(words.referral_reasons[discipline])
    due = _due(received, urgency)
    return Referral(k, received, source, discipline, reason, urgency, crisis, due, None, None, None, "open", None)


def _open(ctx: ScaleContext, k: int) -> Referral:
    """A referral received in the last few hours or days (overdue now and then), perhaps contacted."""
    rng = ctx.rng
    ref = _referral(ctx, k, ctx.now)
    hours = ctx.words.open_received_hours_ago[ref.urgency]
    received = ctx.now - timedelta(minutes=rng.randrange(10, int(hours * 60)))
    first = received + timedelta(minutes=rng.randrange(10, 180))
    contacted = rules.chance(rng, ctx.words.percent_with_first_contact) and first <= ctx.now
    return ref._replace(received=received, due=_due(received, ref.urgency), first_contact=first if contacted else None)


def _closed(ctx: ScaleContext, k: int) -> Referral:
    """A referral dealt with in the past year, at the Brixham pilot's intervals."""
    rng = ctx.rng
    ref = _referral(ctx, k, ctx.working_time(ctx.past_day(365, 40)))
    received = ref.received
    # first contact 4 days (1-14), assessment 10 (1-32), services 3 (1-22)
    first = received + timedelta(days=days_between(rng, 1, 4, 14))
    assessed = max(first, received + timedelta(days=days_between(rng, 1, 10, 32)))
    services = assessed + timedelta(days=days_between(rng, 1, 3, 22)) if rng.random() < 0.7 else None
    closed = (services or assessed) + timedelta(days=rng.randrange(0, 6), hours=rng.randrange(1, 8))
    closed = min(closed, ctx.now - timedelta(hours=1))
    return ref._replace(first_contact=first, assessed=assessed, services=services, status="closed", closed=closed)


class Caller(NamedTuple):
    """Who rang, in the words the call log uses, and which record they were recognised as."""

    asked: str  # the kind of caller meant: person, contact, practice, ward or unknown
    kind: str  # as the call log stores it: person, carer, relative, practice, ward, care_home, unknown...
    name: str
    first: str  # how a note speaks of them
    relationship: str
    raw: str
    e164: str | None
    person: int | None = None
    contact: int | None = None
    practice: str | None = None
    org: int | None = None


class Call(NamedTuple):
    """A finished call about person ``person``: who rang, why, and the referral it brought (or -1)."""

    started: datetime
    person: int
    zone: str
    caller: Caller
    reason: str
    referral: int


@dataclass
class CallsMade:
    """Which call (by id) brought each referral that came by phone."""

    call_of_referral: dict[int, int]


def calls(ctx: ScaleContext) -> CallsMade:
    """The year's calls: those that brought six in ten referrals, the busiest person's, then everyone else's."""
    rng, wanted = ctx.rng, ctx.sizes.calls
    caseload, refs = ctx.records.get(Caseload).people, ctx.records.get(Referrals).items
    busiest, adults = ctx.records.get(Busiest).person, _adults_off_caseload(ctx)
    if not caseload and not adults:
        wanted = 0
    heavy = BUSIEST_CALLS if busiest is not None and wanted >= 2000 else 0
    made: list[Call] = []
    for ri, ref in enumerate(refs):
        if len(made) >= wanted - heavy:
            break
        if rng.random() < 0.6:
            kind = ctx.words.referral_callers[ref.source]
            started = ref.received - timedelta(minutes=rng.randrange(0, 20))
            made.append(_call(ctx, ref.person, kind, "new_referral", started, ri))
    if busiest is not None:
        kinds = {"person": 30, "contact": 50, "practice": 20}
        made += [
            _call(ctx, busiest, ctx.pick("busiest caller", kinds), None, _call_time(ctx), -1) for _ in range(heavy)
        ]
    cum = list(accumulate(rng.lognormvariate(0, 1.1) for _ in caseload))
    while len(made) < wanted:
        if caseload and (rng.random() < 0.85 or not adults):
            k = caseload[min(len(cum) - 1, bisect.bisect_left(cum, rng.random() * cum[-1]))]
        else:
            k = adults[rng.randrange(len(adults))]
        made.append(_call(ctx, k, ctx.pick("caller", CALLERS), None, _call_time(ctx), -1))
        if len(made) % 20_000 == 0:
            ctx.progress("calls", len(made), wanted)
    made.sort(key=itemgetter(0, 1))  # by when, then whom
    ctx.write("calls", "call", CALL_COLUMNS, _call_rows(ctx, made))
    ctx.progress("calls", wanted, wanted)
    return CallsMade({c.referral: cid for cid, c in enumerate(made, start=1) if c.referral >= 0})


def _call_time(ctx: ScaleContext) -> datetime:
    """A moment in the past year, at least half an hour ago."""
    while True:
        t = ctx.working_time(ctx.past_day(364))
        if t < ctx.now - timedelta(minutes=30):
            return t


def _call(ctx: ScaleContext, k: int, kind: str, reason: str | None, started: datetime, referral: int) -> Call:
    """A call about person ``k`` from a caller of ``kind``: a contact without a number leaves the person
    to ring, and a person without one rings as an unknown number."""
    caller = _from_contact(ctx, k) if kind == "contact" else None
    if caller is None and kind in ("contact", "person"):
        caller = _from_person(ctx, k)
    if caller is None:
        if kind == "practice":
            caller = _from_practice(ctx, k)
        elif kind == "ward":
            caller = _from_organisation(ctx)
        else:
            caller = _from_unknown(ctx, withheld=kind == "withheld")
    if reason is None:
        reason = ctx.pick(f"reason from {caller.asked}", ctx.words.reasons_by_caller[caller.asked])
    return Call(started, k, ctx.records.get(Register).zone[k], caller, reason, referral)


def _from_contact(ctx: ScaleContext, k: int) -> Caller | None:
    """One of their carers or relatives who has a number, if any has."""
    contacts, phones = ctx.records.get(Contacts), ctx.records.get(Phones)
    numbered = [ci for ci in contacts.of_person.get(k, ()) if phones.contact[ci] >= 0]
    if not numbered:
        return None
    ci = numbered[ctx.rng.randrange(len(numbered))]
    c, number = contacts.items[ci], phones.pool[phones.contact[ci]]
    person = ctx.records.get(Register).display_name(k, ctx.words.family_names)
    name = rules.contact_caller(person, c.name, c.relationship, c.is_carer)
    kind, shown = "carer" if c.is_carer else "relative", _as_shown(ctx, number.raw, number.e164)
    return Caller("contact", kind, name, c.name.split()[0], c.relationship, shown, number.e164, contact=ci + 1)


def _from_person(ctx: ScaleContext, k: int) -> Caller | None:
    """The person, from their own line, if they have one on record."""
    register = ctx.records.get(Register)
    number = ctx.records.get(Phones).of_person(register, k)
    if number is None:
        return None
    given, family = register.given_names[register.given[k]], ctx.words.family_names[register.family[k]]
    name = rules.person_caller(given, family, ctx.records.get(NhsNumbers).numbers[k])
    shown = _as_shown(ctx, number.raw, number.e164)
    return Caller("person", "person", name, given, "", shown, number.e164, person=k + 1)


def _from_practice(ctx: ScaleContext, k: int) -> Caller:
    """Their GP practice."""
    prac = ctx.practices[ctx.records.get(Register).practice[k]]
    name = rules.practice_caller(prac.name, prac.ods_code)
    raw = _national(prac.phone_e164)
    return Caller("practice", "practice", name, "The GP", "", raw, prac.phone_e164, practice=prac.ods_code)


def _from_organisation(ctx: ScaleContext) -> Caller:
    """A ward, care home or other organisation."""
    org = ctx.orgs[ctx.rng.randrange(len(ctx.orgs))]
    name, first = rules.organisation_caller(org.name, org.kind), "The ward" if org.kind == "ward" else "The caller"
    return Caller("ward", org.kind, name, first, "", _national(org.phone_e164), org.phone_e164, org=org.id)


def _from_unknown(ctx: ScaleContext, *, withheld: bool) -> Caller:
    """A number not on record (one kept off the register), or none at all when withheld."""
    unknown = ctx.records.get(PhonePool).unknown
    if withheld or not unknown:
        return Caller("unknown", "unknown", "", "The caller", "", "", None)
    number = unknown[ctx.rng.randrange(len(unknown))]
    return Caller("unknown", "unknown", "", "The caller", "", _as_shown(ctx, number.raw, number.e164), number.e164)


def _as_shown(ctx: ScaleContext, raw: str, e164: str) -> str:
    """A number as the phone system passes it: mostly as written, sometimes in E.164 or as bare digits."""
    r = ctx.rng.random()
    if r < 0.6:
        return raw
    return e164 if r < 0.8 else _national(e164)


def _national(e164: str) -> str:
    return "0" + e164[3:] if e164.startswith("+44") else e164


CALL_COLUMNS = (
    "id",
    "zone_id",
    "started_at",
    "ended_at",
    "caller_raw",
    "caller_e164",
    "caller_kind",
    "caller_name",
    "caller_person_id",
    "caller_contact_id",
    "caller_practice_id",
    "caller_org_id",
    "person_id",
    "reason",
    "notes",
    "outcome",
    "taken_by_id",
    "desk",
    "status",
    "version",
)


def _call_rows(ctx: ScaleContext, made: list[Call]) -> Iterator[tuple[Any, ...]]:
    """Each call as a row, with what the co-ordinator wrote, what came of it and who took it."""
    rng, ts, words, register = ctx.rng, ctx.sink.ts, ctx.words, ctx.records.get(Register)
    for cid, c in enumerate(made, start=1):
        name = register.given_names[register.given[c.person]]
        who = c.caller
        template = rng.choice(words.call_note_templates(who.asked, c.reason))
        notes = rules.fill(template, name=name, caller=who.first, relationship=who.relationship)
        outcome = rng.choice(words.call_outcomes[c.reason])
        ended = c.started + timedelta(seconds=int(60 * days_between(rng, 1, 4, 18)))
        taker = ctx.call_taker(c.zone, c.reason, who.asked)
        yield (
            cid,
            c.zone,
            ts(c.started),
            ts(ended),
            who.raw,
            who.e164,
            who.kind,
            who.name,
            who.person,
            who.contact,
            who.practice,
            who.org,
            c.person + 1,
            c.reason,
            notes,
            outcome,
            taker,
            f"desk-{c.zone.lower()}-{1 + cid % 2}",
            "finished",
            1,
        )


REFERRAL_COLUMNS = (
    "id",
    "person_id",
    "received_at",
    "source",
    "discipline",
    "reason",
    "urgency",
    "crisis",
    "due_at",
    "first_contact_at",
    "assessed_at",
    "services_at",
    "status",
    "closed_at",
    "call_id",
    "version",
)
ASSESSMENT_COLUMNS = ("id", "person_id", "staff_id", "discipline", "at", "summary")


def write_referrals(ctx: ScaleContext) -> None:
    """The referral rows (with the call that brought each), and an assessment for each one assessed."""
    ts, flag = ctx.sink.ts, ctx.sink.flag
    refs, call_of = ctx.records.get(Referrals).items, ctx.records.get(CallsMade).call_of_referral
    rows = (
        (
            rid,
            r.person + 1,
            ts(r.received),
            r.source,
            r.discipline,
            r.reason,
            r.urgency,
            flag(r.crisis),
            ts(r.due),
            ts(r.first_contact),
            ts(r.assessed),
            ts(r.services),
            r.status,
            ts(r.closed),
            call_of.get(rid - 1),
            1,
        )
        for rid, r in enumerate(refs, start=1)
    )
    ctx.write("referrals", "referral", REFERRAL_COLUMNS, rows)
    assessed = [(r.person, r.discipline, r.assessed) for r in refs if r.assessed is not None]
    busiest = ctx.records.get(Busiest).person
    if busiest is not None:
        for _ in range(40):
            at = ctx.working_time(ctx.past_day(360, 1), out_of_hours=0)
            assessed.append((busiest, DISCIPLINE.pick(ctx.rng), at))
    ctx.write("assessments", "assessment", ASSESSMENT_COLUMNS, _assessment_rows(ctx, assessed))
    ctx.progress("referrals", 1, 1)


def _assessment_rows(ctx: ScaleContext, assessed: list[tuple[int, str, datetime]]) -> Iterator[tuple[Any, ...]]:
    zones, summaries = ctx.records.get(Register).zone, ctx.words.assessment_summaries
    for i, (k, discipline, at) in enumerate(assessed, start=1):
        staff = ctx.staff_for(zones[k], discipline)
        yield (i, k + 1, staff, discipline, ctx.sink.ts(at), ctx.rng.choice(summaries[discipline]))
