"""Ward discharge at trust scale, for ``desk seed``: 600 inpatients on 20 wards and a year of discharges.

The last stage of :data:`desk.scale.STAGES`. It takes the stays
:func:`desk.synthetic.scale_care.admissions` chose (about 600 in hospital now
at full size, 1.5 in 100 of the caseload, and a year of past stays) and writes
them with their discharge plans: spread over :data:`WARDS` wards (the shipped
ones and, where the reference data has fewer, synthetic wards with numbers
from Ofcom's drama range), each covered by a zone's discharge co-ordinator.
Every stay has its reason, the co-ordinator's check, the standing tasks, its
discharge ready date (the day the old "medically fit" time fell on) and, once
planned, a pathway in the national shares (:data:`PATHWAY_SHARES`). The
delayed days come from the one rule, :func:`desk.discharge.delays.delayed_days`,
each with the reason it had that day. Every discharge has its pick-up for the
person's zone, nearly all acknowledged, and the review four weeks on where
there was a package to restart. Someone in hospital now with an active package
has it suspended from their admission.

Rows are plain tuples written with the bulk writer while the indexes are set
aside, as the other stages write theirs.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text

from desk import clock, phones
from desk.discharge.delays import delayed_days
from desk.synthetic.bulk import reset_sequences
from desk.synthetic.scale_care import Stay, Stays
from desk.synthetic.scale_context import ScaleContext
from desk.synthetic.scale_register import Register
from desk.vocabulary import DISCHARGE_TASKS

WARDS = 20
"""How many wards the trust's inpatients are spread over: 30 beds each for 600 in hospital now."""
NOT_FOR_ADMISSION = "Emergency"
"""A ward whose name holds this word is never a stay's ward (as in the demo's recipe)."""
SYNTHETIC_WARDS: tuple[str, ...] = (
    "Ward 2 (Respiratory), Bay General Hospital",
    "Ward 5 (Cardiology), Bay General Hospital",
    "Ward 7 (General Surgery), Bay General Hospital",
    "Ward 8 (Gastroenterology), Bay General Hospital",
    "Ward 9 (Renal), Bay General Hospital",
    "Ward 10 (Frailty), Bay General Hospital",
    "Ward 11 (Acute Surgery), Bay General Hospital",
    "Ward 12 (Trauma), Bay General Hospital",
    "Ward 14 (Rehabilitation), Bay General Hospital",
    "Ward 15 (Older People's Medicine), Bay General Hospital",
    "Dartside Community Hospital, Riverside Ward",
    "Teign Community Hospital, Estuary Ward",
    "Torbay Heights Hospital, Coombe Ward",
    "Torbay Heights Hospital, Daddyhole Ward",
)
"""Wards added for the seed when the reference data has fewer than :data:`WARDS`."""
SYNTHETIC_WARD_NUMBERS = tuple(f"0114 496 {n:04d}" for n in range(160, 160 + len(SYNTHETIC_WARDS)))
"""Their numbers: Ofcom's drama range, in the block the reference data keeps for itself (never a person's)."""

PATHWAY_SHARES = {"0": 50, "1": 45, "2": 4, "3": 1}
"""The national shares of discharges by pathway (DOMAIN.md)."""
PLANNED_PERCENT = 85
"""Of those in hospital now with a discharge ready date, with the rest of the plan made too."""
UNCHECKED_HOURS = 20
"""A stay admitted within this many hours is, as often as not, not yet checked by a co-ordinator."""
MISSING_REASON_PERCENT = 10
"""Of those delayed now, whose first delayed day nobody gave a reason for (the ward screen asks)."""
REASON_CHANGED_PERCENT = 25
"""Of the delays of three days or more, whose reason changed part way (each day keeps its own)."""
UNACKNOWLEDGED_DAYS = 3
"""Pick-ups of discharges this recent are sometimes still waiting for the zone; older ones are acknowledged."""
REVIEW_DAYS = 28
"""The review of a restarted or new package falls four weeks after the discharge day."""
RAISE_AGAIN = timedelta(minutes=30)

ADMITTED_FOR = (
    "Fall at home",
    "Chest infection",
    "Exacerbation of COPD",
    "Urinary tract infection",
    "Heart failure",
    "Fractured neck of femur",
    "Stroke",
    "Acute confusion",
    "Cellulitis",
    "Dehydration",
)
REASON_BY_PATHWAY: dict[str, dict[str, int]] = {
    "0": {"medical": 35, "transport": 25, "medicines": 25, "disagreement": 5, "other": 10},
    "1": {"care_at_home": 70, "equipment": 15, "therapy": 10, "medical": 5},
    "2": {"community_bed": 80, "therapy": 15, "transport": 5},
    "3": {"care_home_bed": 85, "disagreement": 15},
}
"""Why someone on each pathway is still in hospital past their discharge ready date."""
OWNER_BY_REASON = {
    "care_at_home": "Care agency",
    "community_bed": "Bed bureau",
    "care_home_bed": "Social worker",
    "medical": "Ward doctor",
    "therapy": "Ward therapist",
    "equipment": "Equipment store",
    "transport": "Transport desk",
    "medicines": "Pharmacy",
    "disagreement": "Discharge co-ordinator",
    "other": "Discharge co-ordinator",
}
TASK_OWNERS = {
    "package": "Discharge co-ordinator",
    "equipment": "Ward therapist",
    "transport": "Ward clerk",
    "medicines": "Pharmacy",
    "summary": "Ward doctor",
    "care_home_bed": "Social worker",
    "agreement": "Discharge co-ordinator",
}

ADMISSION_COLUMNS = (
    "id", "person_id", "ward_id", "admitted_at", "medically_fit_at", "discharged_at", "version", "reason",
    "recorded_at", "recorded_by_id", "checked_at", "checked_by_id", "package_id", "ready_on", "ready_recorded_at",
    "ready_recorded_by_id", "pathway", "involved", "involved_note", "package_ready_by", "placement_id",
    "placement_note", "delay_reason", "delay_owner", "discharged_by_id", "discharge_note", "unconfirmed_why",
)  # fmt: skip
TASK_COLUMNS = ("id", "admission_id", "kind", "owner", "state", "note", "updated_at", "updated_by_id", "version")
DELAY_COLUMNS = (
    "admission_id", "day", "zone_id", "reason", "owner", "carried", "recorded_at", "recorded_by_id", "note",
)  # fmt: skip
PICKUP_COLUMNS = (
    "id", "admission_id", "person_id", "zone_id", "discharged_at", "put_in_place", "who_to_ring", "made_at",
    "made_by_id", "next_raise_at", "raised_count", "raised_at", "raised_by_desk", "acknowledged_at",
    "acknowledged_by_id", "acknowledged_note", "version",
)  # fmt: skip
REVIEW_COLUMNS = (
    "id", "package_id", "person_id", "zone_id", "kind", "admission_id", "due_at", "state", "raised_by_desk",
    "outcome", "note", "version",
)  # fmt: skip


@dataclass(frozen=True)
class Ward:
    """A ward the trust's patients stay on, its number and who covers it."""

    id: int
    name: str
    phone_raw: str
    coordinator: int
    coordinator_name: str


@dataclass
class Discharges:
    """What the stage made, for the stages and measures after it."""

    wards: tuple[int, ...]
    in_hospital: int
    discharged: int


def _wards(ctx: ScaleContext) -> list[Ward]:
    """The trust's wards for stays, topped up to :data:`WARDS` with synthetic ones, each covered."""
    conn = ctx.conn
    rows = conn.exec_driver_sql("SELECT id, name, phone_raw FROM organisation WHERE kind = 'ward' ORDER BY id").all()
    usable = [(int(i), n, p) for i, n, p in rows if NOT_FOR_ADMISSION not in n]
    names = {n for _i, n, _p in usable}
    top = int(conn.exec_driver_sql("SELECT MAX(id) FROM organisation").scalar() or 0)
    added = []
    for name, raw in zip(SYNTHETIC_WARDS, SYNTHETIC_WARD_NUMBERS, strict=True):
        if len(usable) >= WARDS:
            break
        if name in names:
            continue
        top += 1
        phone = phones.parse(raw)
        added.append((top, "ward", name, None, phone.e164, phone.raw, ctx.sink.flag(phone.valid)))
        usable.append((top, name, phone.raw))
    ctx.sink.write("organisation", ("id", "kind", "name", "zone_id", "phone_e164", "phone_raw", "phone_valid"), added)
    reset_sequences(conn, ["organisation"])
    coordinators = [s for s in ctx.staff if s.role == "discharge_coordinator"] or ctx.staff[:1]
    names_of = {s.id: s.name for s in ctx.staff}
    covered: dict[int, int] = {}
    for staff_id, ward_id in conn.exec_driver_sql("SELECT staff_id, ward_id FROM wardcover ORDER BY staff_id"):
        covered.setdefault(int(ward_id), int(staff_id))
    cover = []
    wards = []
    for n, (ward_id, name, raw) in enumerate(usable[:WARDS]):
        if ward_id not in covered:
            covered[ward_id] = coordinators[n % len(coordinators)].id
            cover.append((covered[ward_id], ward_id))
        by = covered[ward_id]
        wards.append(Ward(ward_id, name, raw, by, names_of.get(by, "")))
    ctx.sink.write("wardcover", ("staff_id", "ward_id"), cover)
    ctx.counts["wards_added"] = len(added)
    return wards


def _local_day(at: datetime) -> date:
    """The office's day of a naive UTC time."""
    return at.replace(tzinfo=UTC).astimezone(clock.LONDON).date()


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A time on the office clock of ``day`` as naive UTC."""
    local = datetime.combine(day, time(hour, minute), tzinfo=clock.LONDON)
    return local.astimezone(UTC).replace(tzinfo=None)


def _short(ward: str) -> str:
    """The ward's name as said on the phone: the part before the hospital's name."""
    return ward.split(",")[0]


class _Writer:
    """Each stay's rows, built in one pass, and the ids they take."""

    def __init__(self, ctx: ScaleContext, wards: list[Ward], packages: dict[int, tuple[int, str]]) -> None:
        self.ctx, self.wards, self.packages = ctx, wards, packages
        self.rng: random.Random = ctx.rng
        self.register = ctx.records.get(Register)
        self.today = ctx.today
        self.care_homes = [o for o in ctx.orgs if o.kind == "care_home"]
        self.zone_coordinators = {z: ctx.staff_with(z, "coordinator") for z in sorted({s.zone_id for s in ctx.staff})}
        self.next_id = {"admission": 1, "dischargetask": 1, "zonepickup": 1}
        self.review_id = int(ctx.conn.exec_driver_sql("SELECT MAX(id) FROM packagereview").scalar() or 0) + 1
        self.review_first = self.review_id
        self.step_id = int(ctx.conn.exec_driver_sql("SELECT MAX(id) FROM carestep").scalar() or 0) + 1
        self.rows: dict[str, list[tuple[Any, ...]]] = {
            t: [] for t in ("admission", "dischargetask", "delayday", "zonepickup", "packagereview", "carestep")
        }
        self.suspended: list[int] = []
        self.replacing: dict[int, tuple[int, datetime, datetime]] = {}
        """Per package, its pending review four weeks after discharge: row index, discharged at, due."""
        self.in_hospital = self.discharged = 0

    def take(self, table: str) -> int:
        value = self.next_id[table]
        self.next_id[table] += 1
        return value

    def pathway(self) -> str:
        return self.ctx.pick("discharge-pathway", PATHWAY_SHARES)

    def stay(self, s: Stay, ward: Ward) -> None:
        """One stay's admission row, tasks, delayed days, and for a discharge its pick-up and review."""
        ctx, rng, sink = self.ctx, self.rng, self.ctx.sink
        ts, day = sink.ts, sink.day
        aid = self.take("admission")
        person_id, zone = s.person + 1, self.register.zone[s.person]
        coordinator = ward.coordinator
        discharged_on = _local_day(s.discharged) if s.discharged else None
        if s.discharged is not None and s.medically_fit is not None and s.medically_fit > s.discharged:
            s = s._replace(medically_fit=s.discharged)  # fit to leave by the day they left, at the latest
        ready_on = _local_day(s.medically_fit) if s.medically_fit and s.medically_fit <= ctx.now else None
        admitted_day = _local_day(s.admitted)
        if ready_on is not None:
            ready_on = max(ready_on, admitted_day)
        fresh = s.discharged is None and ctx.now - s.admitted < timedelta(hours=UNCHECKED_HOURS)
        checked = None if fresh and rng.random() < 0.5 else s.admitted + timedelta(hours=rng.randrange(1, 20))
        if checked is not None and checked > ctx.now:
            checked = None
        planned = ready_on is not None and (s.discharged is not None or rng.random() < PLANNED_PERCENT / 100)
        pathway = self.pathway() if planned else ""
        placement = None
        if pathway == "3" and self.care_homes:
            placement = self.care_homes[rng.randrange(len(self.care_homes))]
        elif pathway == "3":
            pathway = "2"
        package = self.packages.get(person_id)
        if s.discharged is None and package is not None:
            self.suspend(package[0], admitted_day, s.admitted, coordinator)
        package_ready_by = None
        if pathway in ("0", "1") and (package is not None or pathway == "1"):
            package_ready_by = discharged_on or max(self.today, (ready_on or self.today) + timedelta(days=2))
        delayed = delayed_days(ready_on, discharged_on, self.today)
        reason, owner = self.delays(aid, zone, pathway or "0", delayed, coordinator, s.discharged is None)
        ready_at = _at(ready_on, 13, rng.randrange(60)) if ready_on else None
        self.rows["admission"].append(
            (
                aid, person_id, ward.id, ts(s.admitted), ts(s.medically_fit), ts(s.discharged), 1,
                ADMITTED_FOR[rng.randrange(len(ADMITTED_FOR))], ts(s.admitted), coordinator, ts(checked),
                coordinator if checked else None, package[0] if package else None, day(ready_on),
                ts(ready_at if ready_at and ready_at < ctx.now else ctx.now if ready_on else None),
                coordinator if ready_on else None, pathway, sink.flag(planned), "Talked through with the family"
                if planned else "", day(package_ready_by), placement.id if placement else None,
                placement.name if placement else "", reason, owner,
                coordinator if s.discharged else None, "Home as planned" if s.discharged else "", "",
            )
        )  # fmt: skip
        self.tasks(aid, pathway, s, coordinator)
        if s.discharged is not None:
            self.discharged += 1
            self.pickup(aid, person_id, zone, s.discharged, pathway, package, placement, ward)
        else:
            self.in_hospital += 1

    def suspend(self, package_id: int, on: date, at: datetime, by: int) -> None:
        """A package put on hold from the admission's day, as the desk's admission does."""
        self.suspended.append(package_id)
        sink = self.ctx.sink
        self.rows["carestep"].append(
            (self.step_id, package_id, None, "suspended", sink.day(on), sink.ts(at), by, "", "In hospital")
        )
        self.step_id += 1

    def delays(
        self, aid: int, zone: str, pathway: str, days: Sequence[date], by: int, still_in: bool
    ) -> tuple[str, str]:
        """A DelayDay row for each delayed day, with its reason (now and then changed part way)."""
        if not days:
            return "", ""
        rng, ctx, sink = self.rng, self.ctx, self.ctx.sink
        weights = REASON_BY_PATHWAY[pathway]
        reason = ctx.pick(f"delay-{pathway}", weights)
        start = 1 if still_in and rng.random() < MISSING_REASON_PERCENT / 100 else 0
        change = rng.randrange(1, len(days)) if len(days) >= 3 and rng.random() < REASON_CHANGED_PERCENT / 100 else 0
        for n, d in enumerate(days[start:], start=start):
            if change and n == change:
                reason = ctx.pick(f"delay-{pathway}", weights)
            given = n == start or n == change
            owner = OWNER_BY_REASON[reason]
            at = _at(d, 10 if given else 23, rng.randrange(59))
            self.rows["delayday"].append(
                (aid, sink.day(d), zone, reason, owner, sink.flag(not given),
                 sink.ts(min(at, ctx.now)), by, "")
            )  # fmt: skip
        if start >= len(days):
            return "", ""
        return reason, OWNER_BY_REASON[reason]

    def tasks(self, aid: int, pathway: str, s: Stay, by: int) -> None:
        """The standing tasks: all done or not needed for a discharge; mixed while still in hospital."""
        rng, sink = self.rng, self.ctx.sink
        at = sink.ts(s.discharged or self.ctx.now)
        for kind in DISCHARGE_TASKS:
            if kind == "care_home_bed" and pathway != "3":
                continue
            if s.discharged is not None:
                state = "not_needed" if kind == "equipment" and rng.random() < 0.6 else "done"
            elif not pathway:
                state = "outstanding"
            else:
                state = ("outstanding", "in_hand", "done", "done")[rng.randrange(4)]
            self.rows["dischargetask"].append(
                (self.take("dischargetask"), aid, kind, TASK_OWNERS[kind], state, "", at, by, 1)
            )

    def pickup(
        self,
        aid: int,
        person_id: int,
        zone: str,
        at: datetime,
        pathway: str,
        package: tuple[int, str] | None,
        placement: Any,
        ward: Ward,
    ) -> None:
        """The discharge's pick-up for the person's zone (acknowledged, bar a few recent), and its review."""
        rng, ctx, sink = self.rng, self.ctx, self.ctx.sink
        ts = sink.ts
        if pathway == "3" and placement is not None:
            what = f"Care home placement: {placement.name}"
        elif pathway == "2":
            what = "Bed-based reablement, two weeks"
        elif package is not None:
            what = f"Package restarted: {package[1]}" if pathway == "0" else f"Package increased: {package[1]}"
        elif pathway == "1":
            what = "Home care visits, two a day, new"
        else:
            what = "No new support (pathway 0)"
        ring = f"{_short(ward.name)} {ward.phone_raw}, {ward.coordinator_name}"
        recent = ctx.now - at < timedelta(days=UNACKNOWLEDGED_DAYS)
        acked = not (recent and rng.random() < 0.5)
        made = at + timedelta(minutes=rng.randrange(1, 20))
        by_zone = self.zone_coordinators.get(zone) or [ward.coordinator]
        ack_at = made + timedelta(hours=rng.randrange(1, 30)) if acked else None
        if ack_at is not None and ack_at > ctx.now:
            ack_at = ctx.now - timedelta(minutes=rng.randrange(1, 60))
        raised = 1 if acked else 1 + int((ctx.now - made) / RAISE_AGAIN)
        self.rows["zonepickup"].append(
            (self.take("zonepickup"), aid, person_id, zone, ts(at), what, ring, ts(made), ward.coordinator,
             None if acked else ts(ctx.now + RAISE_AGAIN), raised, ts(ack_at or made), "zone desk",
             ts(ack_at), by_zone[rng.randrange(len(by_zone))] if acked else None, "", 2 if acked else 1)
        )  # fmt: skip
        if package is not None and pathway in ("0", "1"):
            due = _at(_local_day(at) + timedelta(days=REVIEW_DAYS), 9)
            state = "pending" if due > ctx.now else "done"
            if state == "pending":  # it replaces the package's open review, as the desk's discharge does
                earlier = self.replacing.get(package[0])
                if earlier is not None:
                    row = self.rows["packagereview"][earlier[0]]
                    self.rows["packagereview"][earlier[0]] = (*row[:7], "done", *row[8:9], "replaced", *row[10:])
                self.replacing[package[0]] = (len(self.rows["packagereview"]), at, due)
            self.rows["packagereview"].append(
                (self.review_id, package[0], person_id, zone, "discharge", aid, ts(due), state, "",
                 "no_change" if state == "done" else "", "", 1)
            )  # fmt: skip
            self.review_id += 1


def _replace_reviews(ctx: ScaleContext, replacing: dict[int, tuple[int, datetime, datetime]], first: int) -> None:
    """Close the package's own open review where a review four weeks after discharge took its place.

    As desk.packages.review_dates.schedule does at a discharge: the old
    review done as replaced, and the package's review day the new one's.
    """
    if not replacing:
        return
    sink = ctx.sink
    ctx.conn.execute(
        text(
            "UPDATE packagereview SET state = 'done', outcome = 'replaced', done_at = :at "
            "WHERE package_id = :package AND state IN ('pending', 'raised') AND id < :first"
        ),
        [{"at": sink.ts(at), "package": p, "first": first} for p, (_n, at, _due) in replacing.items()],
    )
    ctx.conn.execute(
        text("UPDATE carepackage SET review_due = :day WHERE id = :package"),
        [{"day": sink.day(_local_day(due)), "package": p} for p, (_n, _at, due) in replacing.items()],
    )


def _active_packages(ctx: ScaleContext) -> dict[int, tuple[int, str]]:
    """Each person's active package and what it holds in words (its first item's)."""
    out: dict[int, tuple[int, str]] = {}
    for pid, person_id, service, detail in ctx.conn.exec_driver_sql(
        "SELECT p.id, p.person_id, i.service, i.detail FROM carepackage p "
        "JOIN carepackageitem i ON i.package_id = p.id "
        "WHERE p.state = 'active' AND i.end_date IS NULL ORDER BY p.id, i.id"
    ):
        out.setdefault(int(person_id), (int(pid), f"{service}, {detail}" if detail else str(service)))
    return out


def discharges(ctx: ScaleContext) -> Discharges:
    """Every stay written with its plan, tasks, delayed days, pick-up and review; wards and their cover."""
    ctx.progress("discharges", 0, 1)
    wards = _wards(ctx)
    stays = ctx.records.get(Stays).items
    writer = _Writer(ctx, wards, _active_packages(ctx))
    rng = ctx.rng
    now_in = [s for s in stays if s.discharged is None]
    beds = list(range(len(now_in)))
    rng.shuffle(beds)
    ward_of_current = {id(s): wards[b % len(wards)] for s, b in zip(now_in, beds, strict=True)}
    in_since = {s.person: s.admitted for s in now_in}
    for s in stays:
        if s.discharged is not None and s.person in in_since and s.discharged >= in_since[s.person]:
            continue  # a past stay running into the stay now: one stay at a time
        ward = ward_of_current.get(id(s)) or wards[rng.randrange(len(wards))]
        writer.stay(s, ward)
    ctx.write("admissions", "admission", ADMISSION_COLUMNS, writer.rows["admission"])
    ctx.write("discharge_tasks", "dischargetask", TASK_COLUMNS, writer.rows["dischargetask"])
    ctx.write("delay_days", "delayday", DELAY_COLUMNS, writer.rows["delayday"])
    ctx.write("pickups", "zonepickup", PICKUP_COLUMNS, writer.rows["zonepickup"])
    ctx.write("discharge_reviews", "packagereview", REVIEW_COLUMNS, writer.rows["packagereview"])
    ctx.write("suspended_steps", "carestep", ("id", "package_id", "line", "state", "happened_on", "at", "by_id",
                                               "confirmed_by", "note"), writer.rows["carestep"])  # fmt: skip
    _replace_reviews(ctx, writer.replacing, writer.review_first)
    if writer.suspended:
        marks = ", ".join(str(p) for p in sorted(set(writer.suspended)))
        ctx.conn.exec_driver_sql(f"UPDATE carepackage SET state = 'suspended' WHERE id IN ({marks})")
    ctx.counts["in_hospital"] = writer.in_hospital
    ctx.counts["discharged"] = writer.discharged
    ctx.progress("discharges", 1, 1)
    return Discharges(tuple(w.id for w in wards), writer.in_hospital, writer.discharged)
