"""Measures that need no screen: the database work behind each desk target.

Each figure is the time a screen would wait for the service call, session
opening included, measured with ``time.perf_counter_ns`` after a warm-up.
The screen measures (first frame, keystroke to frame, memory) add what
drawing costs on top; they live in their own module.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import select

from bench.core import Context, Result, Target, measure, now_ns, timed
from bench.fixtures import discard_call
from desk import db, phones
from desk.history import Actor
from desk.models import CaseloadEntry, Contact, Involvement, Organisation, Person, Practice, Staff
from desk.services import calls, caseload, people, recognise, search, timeline

PK = "primary-key look-up"


@measure(PK, group="reference")
def primary_key(ctx: Context) -> Iterable[Result]:
    """The floor every database figure is compared with: one person by id, in a fresh session."""
    rng = ctx.rng("pk")
    n = max(1, ctx.counts["people"])
    ids = [rng.randrange(1, n + 1) for _ in range(ctx.reps(500))]
    it = iter(ids * 2)

    def once() -> None:
        with db.reading(ctx.engine) as s:
            s.execute(select(Person.id, Person.family_name).where(Person.id == next(it))).first()

    yield Result(PK, timed(once, repeat=len(ids) - 3), note="reference")


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


@measure("recognise caller")
def recognise_caller(ctx: Context) -> Iterable[Result]:
    rng = ctx.rng("recognise")
    with db.reading(ctx.engine) as s:
        person_numbers = sorted(set(s.exec(select(Person.phone_e164).where(Person.phone_e164 != None)).all()))  # noqa: E711
        all_contacts = set(s.exec(select(Contact.phone_e164).where(Contact.phone_e164 != None)).all())  # noqa: E711
        contact_numbers = sorted(
            set(s.exec(select(Contact.phone_e164).where(Contact.phone_e164 != None, Contact.is_carer == True)).all())
        )  # noqa: E711,E712
        staff_numbers = set(s.exec(select(Staff.phone_e164).where(Staff.phone_e164 != None)).all())  # noqa: E711
        practice_numbers = sorted(s.exec(select(Practice.phone_e164)).all())
        org_numbers = sorted(s.exec(select(Organisation.phone_e164)).all())
    from desk.scale import drama_numbers

    known = set(person_numbers) | all_contacts | set(practice_numbers) | set(org_numbers) | staff_numbers
    unknown = [d.e164 for d in drama_numbers() if d.e164 not in known]
    kinds = {
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
        it = iter(raws + raws[:3])
        expect = "unknown" if kind == "unknown number" else "known"

        def once() -> None:
            raw = next(it)
            with db.reading(ctx.engine) as s:
                got = recognise.recognise(s, raw)
            if (expect == "known") != got.known:
                raise AssertionError(f"{raw!r} recognised as {got.headline!r}")

        samples = timed(once, repeat=reps)
        every.extend(samples)
        yield Result(f"recognise: {kind}", samples, Target("p95", 5.0), reference=PK)
    yield Result("recognise: all kinds", every, Target("p95", 5.0), reference=PK)


def _search_queries(ctx: Context) -> dict[str, list[str]]:
    rng = ctx.rng("search")
    n = ctx.counts["people"]
    ids = sorted(rng.sample(range(1, n + 1), min(n, 400)))
    with db.reading(ctx.engine) as s:
        rows = s.exec(
            select(
                Person.family_name,
                Person.given_name,
                Person.nhs_number,
                Person.postcode,
                Person.date_of_birth,
                Person.phone_e164,
            ).where(Person.id.in_(ids))
        ).all()  # type: ignore[attr-defined]
    phoned = [r for r in rows if r[5]]
    if not phoned:
        with db.reading(ctx.engine) as s:
            phoned = list(
                s.exec(
                    select(
                        Person.family_name,
                        Person.given_name,
                        Person.nhs_number,
                        Person.postcode,
                        Person.date_of_birth,
                        Person.phone_e164,
                    )
                    .where(Person.phone_e164 != None)
                    .limit(200)
                ).all()
            )  # noqa: E711
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
    for fam, given, nhs_no, postcode, dob, phone in rows:
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
    for *_, phone in phoned:
        national = phones.national(phone)
        digits = "0" + phone[3:]
        q["phone whole"].append(rng.choice((national, digits, phone)))
        q["phone last digits"].append(digits[-rng.choice((4, 5, 6)) :])
        q["phone part"].append(digits[2 : 2 + rng.choice((5, 6))])
    return {k: v for k, v in q.items() if v}


@measure("search as you type")
def search_register(ctx: Context) -> Iterable[Result]:
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
        it = iter(chosen + chosen[:3])
        zone_id = zone if kind.endswith("one zone") else None

        def once() -> None:
            text_ = next(it)
            with db.reading(ctx.engine) as s:
                hits = search.search(s, text_, limit=50, zone_id=zone_id)
            if not hits:
                empty.append(f"{kind}: {text_!r}")

        samples = timed(once, repeat=len(chosen))
        every.extend(samples)
        yield Result(f"search: {kind}", samples, target, reference=PK)
    note = f"substring via {how or 'nothing: prefix only'}"
    if empty:
        note += f"; {len(empty)} found nobody, e.g. {empty[0]}"
    yield Result("search: all kinds", every, target, reference=PK, note=note)


@measure("caseload pages")
def caseload_pages(ctx: Context) -> Iterable[Result]:
    """Every filter and sort, both ways, at the top, the middle and the end; in the biggest zone and trust-wide."""
    with db.reading(ctx.engine) as s:
        zone = s.exec(
            select(CaseloadEntry.zone_id).group_by(CaseloadEntry.zone_id).order_by(func.count().desc()).limit(1)
        ).first()
        staff_id = s.exec(
            select(Involvement.staff_id)
            .join(Staff, Staff.id == Involvement.staff_id)
            .where(Staff.zone_id == zone, Involvement.ended_on == None)  # noqa: E711
            .group_by(Involvement.staff_id)
            .order_by(func.count().desc())
            .limit(1)
        ).first()
    target = Target("p95", 25.0)  # "well under 50 ms", at any offset
    by_filter: dict[str, list[int]] = {}
    by_sort: dict[str, list[int]] = {}
    deep: list[int] = []
    scopes: dict[str, list[int]] = {}
    rounds = ctx.reps(3, quick=1)
    for scope, zone_id in (("one zone", zone), ("all zones", None)):
        for filter_key in caseload.FILTERS:
            for sort in caseload.SORTS:
                for descending in (False, True):

                    def fetch(offset: int) -> caseload.Page:
                        with db.reading(ctx.engine) as s:
                            return caseload.page(
                                s,
                                zone_id,
                                filter_key=filter_key,
                                staff_id=staff_id,
                                sort=sort,  # type: ignore[arg-type]
                                descending=descending,
                                offset=offset,
                                limit=100,
                            )

                    first = fetch(0)  # warm-up, and the total
                    offsets = [0, first.total // 2, max(0, first.total - 100)]
                    for _ in range(rounds):
                        for off in offsets:
                            t0 = now_ns()
                            fetch(off)
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
            caseload.page(s, zone, search=next(it), limit=100)  # type: ignore[arg-type]

    yield Result(
        "caseload page: search box", timed(typed, repeat=len(names) * 2 * (1 if ctx.quick else 5)), target, reference=PK
    )


@measure("saving a call note")
def draft_save(ctx: Context) -> Iterable[Result]:
    """Each save as the call screen makes it: one write transaction with the whole text so far."""
    with db.reading(ctx.engine) as s:
        staff = s.exec(select(Staff).where(Staff.role == "coordinator").order_by(Staff.id).limit(1)).first()
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
                calls.save_draft(s, call_id, person_id=person_id, reason="change_in_need", notes=text_, outcome="")
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
