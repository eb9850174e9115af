"""Measures that need no screen: the database work behind each desk target.

Each figure is the time a screen would wait for the service call, session
opening included, measured with ``time.perf_counter_ns`` after a warm-up.
The screen measures (first frame, keystroke to frame, memory) add what
drawing costs on top; they live in their own module.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import cycle

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from bench.core import Context, Result, Target, measure, now_ns, timed
from bench.fixtures import discard_call
from desk import db, phones
from desk.history import Actor
from desk.models import CaseloadEntry, Contact, Involvement, Organisation, Person, Practice, Staff
from desk.rows import FILTERS, SORTS, Page
from desk.services import calls, caseload, people, recognise, search, timeline

PK = "primary-key look-up"


@measure(PK, group="reference")
def primary_key(ctx: Context) -> Iterable[Result]:
    """The floor every database figure is compared with: one person by id, in a fresh session."""
    rng = ctx.rng("pk")
    n = max(1, ctx.counts["people"])
    ids = [rng.randrange(1, n + 1) for _ in range(ctx.reps(500))]
    it = cycle(ids)  # the warm-up takes a few too

    def once() -> None:
        with db.reading(ctx.engine) as s:
            s.execute(select(Person.id, Person.family_name).where(Person.id == next(it))).first()

    yield Result(PK, timed(once, repeat=len(ids)), note="reference")


def _formats(e164: str, rng: random.Random) -> str:
    """A number as the phone system or a person might give it."""
    national = phones.national(e164)
    digits = "0" + e164[3:]
    area, _, rest = national.partition(" ")
    return rng.choice(
        [
            national,
            digits,
            e164,
            "+44 " + national[1:],
            "0044 " + national[1:],
            f"({area}) {rest}",
            digits[:5] + "-" + digits[5:],
        ]
    )


def _numbers(found: Iterable[str | None]) -> set[str]:
    """The numbers a query found (its WHERE already left out the missing ones)."""
    return {n for n in found if n}


@measure("recognise caller")
def recognise_caller(ctx: Context) -> Iterable[Result]:
    """Recognising who rings, from each kind of number, in the formats a phone system or a person gives it."""
    rng = ctx.rng("recognise")
    with db.reading(ctx.engine) as s:
        person_numbers = sorted(
            _numbers(s.exec(select(col(Person.phone_e164)).where(col(Person.phone_e164).is_not(None))))
        )
        all_contacts = set(
            _numbers(s.exec(select(col(Contact.phone_e164)).where(col(Contact.phone_e164).is_not(None))))
        )
        contact_numbers = sorted(
            _numbers(
                s.exec(
                    select(col(Contact.phone_e164)).where(col(Contact.phone_e164).is_not(None), col(Contact.is_carer))
                )
            )
        )
        staff_numbers = set(_numbers(s.exec(select(col(Staff.phone_e164)).where(col(Staff.phone_e164).is_not(None)))))
        practice_numbers = sorted(s.exec(select(Practice.phone_e164)).all())
        org_numbers = sorted(s.exec(select(Organisation.phone_e164)).all())
    from desk.scale import drama_numbers

    known = set(person_numbers) | all_contacts | set(practice_numbers) | set(org_numbers) | staff_numbers
    unknown = [d.e164 for d in drama_numbers() if d.e164 not in known]
    kinds: dict[str, list[str]] = {
        "person": person_numbers,
        "carer": contact_numbers,
        "practice": practice_numbers,
        "ward/care home": org_numbers,
        "unknown number": unknown,
    }
    every: list[int] = []
    reps = ctx.reps(200)
    for kind, pool in kinds.items():
        if not pool:
            continue
        raws = [_formats(rng.choice(pool), rng) for _ in range(reps)]
        samples = timed(_recognises(ctx, cycle(raws), known=kind != "unknown number"), repeat=reps)
        every.extend(samples)
        yield Result(f"recognise: {kind}", samples, Target("p95", 5.0), reference=PK)
    yield Result("recognise: all kinds", every, Target("p95", 5.0), reference=PK)


def _recognises(ctx: Context, raws: Iterator[str], *, known: bool) -> Callable[[], None]:
    """One recognition per call, of the next number; a wrong answer stops the measure."""

    def once() -> None:
        raw = next(raws)
        with db.reading(ctx.engine) as s:
            got = recognise.recognise(s, raw)
        if known != got.known:
            raise AssertionError(f"{raw!r} recognised as {got.headline!r}")

    return once


def _search_queries(ctx: Context) -> dict[str, list[str]]:
    """What a co-ordinator types into the search, of each kind, from people picked at random."""
    rng = ctx.rng("search")
    n = ctx.counts["people"]
    ids = sorted(rng.sample(range(1, n + 1), min(n, 400)))
    with db.reading(ctx.engine) as s:
        rows = s.execute(
            sa_select(
                col(Person.family_name),
                col(Person.given_name),
                col(Person.nhs_number),
                col(Person.postcode),
                col(Person.date_of_birth),
                col(Person.phone_e164),
            ).where(col(Person.id).in_(ids))
        ).all()
    phoned = [r[5] for r in rows if r[5]]
    if not phoned:
        with db.reading(ctx.engine) as s:
            phoned = list(
                _numbers(s.exec(select(col(Person.phone_e164)).where(col(Person.phone_e164).is_not(None)).limit(200)))
            )
    q: dict[str, list[str]] = {
        k: []
        for k in (
            "1 character",
            "2 characters",
            "surname",
            "surname + given start",
            "Given Surname",
            "Surname, Given",
            "name fragment (3-4 chars)",
            "NHS whole, no spaces",
            "NHS whole, spaced",
            "NHS first digits",
            "NHS part (middle digits)",
            "phone whole",
            "phone last digits",
            "phone part",
            "postcode district",
            "postcode whole",
            "postcode inward (9AB)",
            "date of birth",
            "surname, one zone",
        )
    }
    for fam, given, nhs_no, postcode, dob, _phone in rows:
        f = fam.lower()
        q["1 character"].append(f[0])
        q["2 characters"].append(f[:2])
        q["surname"].append(fam)
        q["surname + given start"].append(f"{f} {given[:2].lower()}")
        q["Given Surname"].append(f"{given} {fam}")
        q["Surname, Given"].append(f"{fam}, {given}")
        start = rng.randrange(0, max(1, len(f) - 3))
        q["name fragment (3-4 chars)"].append(f[start : start + rng.choice((3, 4))])
        q["NHS whole, no spaces"].append(nhs_no)
        q["NHS whole, spaced"].append(f"{nhs_no[:3]} {nhs_no[3:6]} {nhs_no[6:]}")
        q["NHS first digits"].append(rng.choice((nhs_no[:5], f"{nhs_no[:3]} {nhs_no[3:6]}", nhs_no[:7])))
        q["NHS part (middle digits)"].append(nhs_no[3 : 3 + rng.choice((4, 5, 6))])
        q["postcode district"].append(postcode.split()[0])
        q["postcode whole"].append(rng.choice((postcode, postcode.replace(" ", ""), postcode.lower())))
        q["postcode inward (9AB)"].append(postcode.split()[-1])
        q["date of birth"].append(dob.strftime(rng.choice(("%d/%m/%Y", "%d-%b-%Y", "%d.%m.%Y"))))
        q["surname, one zone"].append(fam)
    for phone in phoned:
        national = phones.national(phone)
        digits = "0" + phone[3:]
        q["phone whole"].append(rng.choice((national, digits, phone)))
        q["phone last digits"].append(digits[-rng.choice((4, 5, 6)) :])
        q["phone part"].append(digits[2 : 2 + rng.choice((5, 6))])
    return {k: v for k, v in q.items() if v}


def _searches(
    ctx: Context, kind: str, texts: Iterator[str], zone_id: str | None, empty: list[str]
) -> Callable[[], None]:
    """One search per call, of the next text; those that find nobody are noted in ``empty``."""

    def once() -> None:
        text_ = next(texts)
        with db.reading(ctx.engine) as s:
            hits = search.search(s, text_, limit=50, zone_id=zone_id)
        if not hits:
            empty.append(f"{kind}: {text_!r}")

    return once


@measure("search as you type")
def search_register(ctx: Context) -> Iterable[Result]:
    """Each kind of search a co-ordinator types, across the register (and in one zone)."""
    target = Target("p95", 50.0 if ctx.backend == "sqlite" else 60.0)
    queries = _search_queries(ctx)
    with db.reading(ctx.engine) as s:
        zone = s.exec(select(Person.zone_id).limit(1)).first()
        how = search.substring_available(s)
    every: list[int] = []
    empty: list[str] = []
    reps = ctx.reps(60)
    for kind, pool in queries.items():
        chosen = (pool * (reps // len(pool) + 1))[:reps]
        zone_id = zone if kind.endswith("one zone") else None
        samples = timed(_searches(ctx, kind, cycle(chosen), zone_id, empty), repeat=len(chosen))
        every.extend(samples)
        yield Result(f"search: {kind}", samples, target, reference=PK)
    note = f"substring via {how or 'nothing: prefix only'}"
    if empty:
        note += f"; {len(empty)} found nobody, e.g. {empty[0]}"
    yield Result("search: all kinds", every, target, reference=PK, note=note)


@dataclass(frozen=True)
class CaseloadQuery:
    """One way of looking at the caseload: which zone (None: the trust), filter, whose, sort and direction."""

    zone_id: str | None
    filter_key: str
    staff_id: int | None
    sort: str
    descending: bool

    def fetch(self, ctx: Context, offset: int) -> Page:
        """The page at ``offset``, in a fresh session, as the caseload screen asks for it."""
        with db.reading(ctx.engine) as s:
            return caseload.page(
                s,
                self.zone_id,
                filter_key=self.filter_key,
                staff_id=self.staff_id,
                sort=self.sort,
                descending=self.descending,
                offset=offset,
                limit=100,
            )


@measure("caseload pages")
def caseload_pages(ctx: Context) -> Iterable[Result]:
    """Every filter and sort, both ways, at the top, the middle and the end; in the biggest zone and trust-wide."""
    with db.reading(ctx.engine) as s:
        zone = s.exec(
            select(CaseloadEntry.zone_id).group_by(CaseloadEntry.zone_id).order_by(func.count().desc()).limit(1)
        ).one()
        staff_id = s.exec(
            select(Involvement.staff_id)
            .join(Staff, col(Staff.id) == col(Involvement.staff_id))
            .where(Staff.zone_id == zone, col(Involvement.ended_on).is_(None))
            .group_by(col(Involvement.staff_id))
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    target = Target("p95", 25.0)  # "well under 50 ms", at any offset
    by_filter: dict[str, list[int]] = {}
    by_sort: dict[str, list[int]] = {}
    deep: list[int] = []
    scopes: dict[str, list[int]] = {}
    rounds = ctx.reps(3, quick=1)
    scoped: tuple[tuple[str, str | None], ...] = (("one zone", zone), ("all zones", None))
    for scope, zone_id in scoped:
        for filter_key in FILTERS:
            for sort in SORTS:
                for descending in (False, True):
                    query = CaseloadQuery(zone_id, filter_key, staff_id, sort, descending)
                    first = query.fetch(ctx, 0)  # warm-up, and the total
                    offsets = [0, first.total // 2, max(0, first.total - 100)]
                    for _ in range(rounds):
                        for off in offsets:
                            t0 = now_ns()
                            query.fetch(ctx, off)
                            ns = now_ns() - t0
                            by_filter.setdefault(filter_key, []).append(ns)
                            by_sort.setdefault(f"{sort}{' reversed' if descending else ''}", []).append(ns)
                            scopes.setdefault(scope, []).append(ns)
                            if off and off == offsets[-1]:
                                deep.append(ns)
    for key, samples in by_filter.items():
        yield Result(f"caseload page: filter {key}", samples, target, reference=PK)
    for key, samples in by_sort.items():
        yield Result(f"caseload page: sort {key}", samples, target, reference=PK)
    yield Result("caseload page: last page (deep offset)", deep, target, reference=PK)
    for key, samples in scopes.items():
        total = ctx.counts["caseload"] if key == "all zones" else None
        yield Result(
            f"caseload page: {key}",
            samples,
            target,
            reference=PK,
            note=f"{total:,} people" if total else f"zone {zone}",
        )
    # typing in the caseload's own search box
    names = ["s", "sm", "smi", "smit", "smith", "999", "999 1", "wid", "p"]
    it = iter(names * 20)

    def typed() -> None:
        with db.reading(ctx.engine) as s:
            caseload.page(s, zone, search=next(it), limit=100)

    yield Result(
        "caseload page: search box", timed(typed, repeat=len(names) * 2 * ctx.reps(5, quick=1)), target, reference=PK
    )


@measure("saving a call note")
def draft_save(ctx: Context) -> Iterable[Result]:
    """Each save as the call screen makes it: one write transaction with the whole text so far."""
    with db.reading(ctx.engine) as s:
        staff = s.exec(select(Staff).where(Staff.role == "coordinator").order_by(col(Staff.id)).limit(1)).first()
        person_id = ctx.counts.get("busiest_person_id") or 1
    assert staff is not None and staff.id is not None
    actor = Actor(staff.id, "bench")
    with db.writing(ctx.engine) as s:
        call = calls.start(s, actor, staff.zone_id, number="")
        call_id = call.id
    assert call_id is not None
    words = (
        "Daughter rang, says mum had a fall overnight, no injury but shaken; carers found her on the floor at "
        "seven. Asked for OT to look at rails and for the evening call to be moved earlier. "
    ).split()
    notes: list[str] = []
    samples: list[int] = []
    try:
        for i in range(ctx.reps(300) + 5):
            notes.append(words[i % len(words)])
            text_ = " ".join(notes)
            t0 = now_ns()
            with db.writing(ctx.engine) as s:
                calls.save_draft(s, call_id, calls.CallDetails(person_id, "change_in_need", text_))
            if i >= 5:
                samples.append(now_ns() - t0)
    finally:
        discard_call(ctx.engine, call_id)
    yield Result("draft save (write transaction)", samples, Target("p95", 10.0), reference=PK)


@measure("person record data")
def person_record(ctx: Context) -> Iterable[Result]:
    """What the person screen loads before its first frame: the record and a 300-entry timeline."""
    person_id = ctx.counts.get("busiest_person_id") or 1
    with db.reading(ctx.engine) as s:
        entries = len(timeline.timeline(s, person_id))

    def tl() -> None:
        with db.reading(ctx.engine) as s:
            timeline.timeline(s, person_id)

    def both() -> None:
        with db.reading(ctx.engine) as s:
            people.record(s, person_id)
            timeline.timeline(s, person_id)

    reps = ctx.reps(100)
    yield Result(
        "timeline query (300 entries)",
        timed(tl, repeat=reps),
        Target("p95", 75.0),
        reference=PK,
        note=f"person {person_id}: {entries} entries; target: half the 150 ms first-frame budget",
    )
    yield Result("record + timeline", timed(both, repeat=reps), Target("p95", 75.0), reference=PK)
