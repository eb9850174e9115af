"""Packages with histories for the demo zone: versions on assessments, reviews and the waiting list.

Added after the demo's people are in (see :func:`desk.demo.seed_demo`); the
trust-scale seed writes the same records many more times
(:mod:`desk.packages.scale_stage`). :func:`plan_package` works out one
package's past as typed records: the assessments that authorised it, each
version with its services costed from the catalogue (``data/care_catalogue.json``),
the steps each service went through, the reviews done and the one still open,
and the package's current rows as the newest version leaves them.
:func:`write` puts them in with the bulk writer (:class:`desk.synthetic.bulk.Sink`),
with explicit ids, on either backend.

The rule every history follows, as :mod:`desk.packages.arrange` would have made it:

* every version is authorised by an assessment of the person made at most
  :data:`VALID_DAYS` days before it was arranged (on the day or before), which
  assessed an area of need of every service the version added or changed;
* a changed service starts on the day of its version, never before the
  assessment; the open review falls 28 days after the newest change starts,
  at the time of day it was arranged (desk.packages.review_dates), or a year
  after the review that followed it;
* the package's ``CarePackage`` row and its ``CarePackageItem`` rows are the
  newest version: one live item per service line, and an ended item for each
  service a version ended;
* a package or equipment item not yet available carries its target (28 and 7
  days after it was requested), so the waiting list and its flags read it.

An initial load, like the rest of the demo: the versions are the package's
history, and the history table holds only each person's registration
(desk.synthetic.rules.registered).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection
from sqlmodel import Session

from desk import clock
from desk.packages import catalogue, review_dates
from desk.packages.arrange import DAYS, LineView, _costed
from desk.packages.catalogue import Catalogue
from desk.synthetic.bulk import Sink, reset_sequences
from desk.vocabulary import AREAS_OF_NEED, ASSESSOR_ROLES

VALID_DAYS = 14
"""How long an assessment authorises changes (desk.packages.config's default)."""
PACKAGE_TARGET, EQUIPMENT_TARGET, FIRST_REVIEW, YEARLY_REVIEW = 28, 7, 28, 365
VISIT_TIMES = ("08:00", "12:30", "17:00", "21:00")
DESK = "demo"
CONFIRMED = "Duty manager at the provider"
AREA_ORDER = list(AREAS_OF_NEED)
PLACES = ("home", "home", "home", "phone", "ward")
EQUIPMENT = ("walking_frame", "perching_stool", "grab_rails", "key_safe", "commode", "bath_board")
WHY = {
    "visit": "Needs more help through the day: a visit added",
    "minutes": "Visits run over: more time at each",
    "carers": "Two carers needed to move safely",
    "meals": "Not eating well alone: meals delivered",
    "telecare": "Falls at night: a pendant alarm",
    "equipment": "Equipment for getting about the house safely",
    "day_centre": "Company in the day, and a break for the carer",
    "end": "No longer needed",
}


# --- the typed records ----------------------------------------------------------------------


@dataclass(frozen=True)
class Team:
    """Who in a zone assesses (by staff role) and who arranges packages (the co-ordinators)."""

    zone_id: str
    staff: dict[str, list[int]]

    def one(self, rng: random.Random, *roles: str) -> int | None:
        for role in roles:
            if ids := self.staff.get(role):
                return ids[rng.randrange(len(ids))]
        return None


@dataclass
class AssessmentMade:
    """An assessment (``at`` aware UTC) and what it found: (area, level) per area assessed."""

    person_id: int
    staff_id: int
    role: str  # desk.vocabulary.ASSESSOR_ROLES
    at: datetime
    place: str
    findings: tuple[tuple[str, str], ...]
    summary: str
    id: int = 0

    @property
    def areas(self) -> frozenset[str]:
        return frozenset(a for a, _ in self.findings)

    @property
    def day(self) -> date:
        return clock.local(self.at).date()


@dataclass
class VersionMade:
    """One version: its authorising assessment, who arranged it and when, why, every line, and which it changed."""

    number: int
    assessment: AssessmentMade
    arranged_by: int | None
    arranged_at: datetime
    why: str
    lines: tuple[LineView, ...]
    changed: tuple[int, ...]
    """The lines this version added or changed (their services are what the assessment must cover)."""

    @property
    def day(self) -> date:
        return clock.local(self.arranged_at).date()


@dataclass
class ItemMade:
    """A service as the package's current rows hold it: its line, when requested and available, its state."""

    line: LineView
    requested_on: date
    available_on: date | None
    target_on: date | None
    state: str
    equipment: bool


Step = tuple[int | None, str, date, int | None, str]
"""A package (line None) or service line moving to a state: (line, state, on, by, confirmed by)."""


@dataclass
class ReviewMade:
    kind: str
    due_at: datetime
    state: str  # pending | done
    done_at: datetime | None = None
    done_by: int | None = None


@dataclass
class PackageMade:
    """One package's whole past and its current state."""

    person_id: int
    zone_id: str
    versions: list[VersionMade]
    items: list[ItemMade]
    steps: list[Step]
    reviews: list[ReviewMade]
    state: str
    requested_on: date
    available_on: date | None
    ended_on: date | None = None
    extra_assessments: list[AssessmentMade] = field(default_factory=list)
    id: int = 0

    @property
    def assessments(self) -> list[AssessmentMade]:
        """The assessments its versions rest on, and any made since that none rests on yet."""
        return [v.assessment for v in self.versions] + self.extra_assessments

    @property
    def review_due(self) -> date | None:
        open_ = [r for r in self.reviews if r.state == "pending"]
        return clock.local(open_[-1].due_at).date() if open_ else None


@dataclass(frozen=True)
class Want:
    """What a package's past should lead to: whose, in which zone, when its review falls, or waiting since."""

    person_id: int
    zone_id: str
    review_due: date | None = None
    """An active package whose open review falls on this day (before today: overdue)."""
    waiting_since: date | None = None
    """A package requested on this day and not yet available (its equipment waiting too)."""
    ended: bool = False


# --- planning one package ----------------------------------------------------------------------


def _at(day: date, minutes: int) -> datetime:
    local = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=clock.LONDON)
    return local.astimezone(UTC)


def _office(rng: random.Random, day: date, after: datetime | None = None) -> datetime:
    at = _at(day, rng.randrange(9 * 60, 17 * 60))
    return max(at, after + timedelta(minutes=rng.randrange(20, 90))) if after else at


def _line(cat: Catalogue, rng: random.Random, zone: str, service: str, line: int, start: date, **spec: Any) -> LineView:
    s = cat.services[service]
    providers = cat.providers_of(service, zone) or cat.providers_of(service)
    prov = providers[rng.randrange(len(providers))]
    end = spec.get("end")
    times = tuple(spec.get("times", ()))
    visits = s.form == "visits"
    return _costed(
        line,
        s,
        prov.name,
        prov.id,
        start,
        end,
        s.unit_cost_pence,
        times,
        spec.get("minutes", 0) if visits else 0,
        spec.get("carers", 0) if visits else 0,
        DAYS if visits else (),
        1 if visits else spec.get("quantity", 1),
    )


def _relined(
    cat: Catalogue,
    old: LineView,
    start: date,
    *,
    times: tuple[str, ...] | None = None,
    minutes: int | None = None,
    carers: int | None = None,
) -> LineView:
    """The same service line, changed, starting again on ``start``."""
    spec = cat.services[old.service]
    return _costed(
        old.line,
        spec,
        old.provider_name,
        old.provider,
        start,
        old.end_date,
        old.unit_cost_pence,
        tuple(sorted(times if times is not None else old.times)),
        minutes if minutes is not None else old.minutes,
        carers if carers is not None else old.carers,
        old.days,
        old.quantity,
    )


def _assessor(rng: random.Random, team: Team, services: Iterable[str]) -> tuple[int, str]:
    """Who assessed for these services: a nurse for care, a therapist for equipment, now and then a social worker."""
    cat = catalogue.load()
    if any(cat.services[s].equipment for s in services):
        role = rng.choice(("physiotherapist", "occupational_therapist"))
    elif rng.random() < 0.1:
        role = "social_worker"
    else:
        role = rng.choice(("district_nurse", "district_nurse", "community_matron"))
    staff_roles = sorted(ASSESSOR_ROLES[role][2])
    sid = team.one(rng, *staff_roles)
    if sid is None:  # a zone without that discipline: its nurses assess
        role, sid = "district_nurse", team.one(rng, "nurse")
    assert sid is not None, f"zone {team.zone_id} has no nurse"
    return sid, role


def assess(
    rng: random.Random, team: Team, person_id: int, at: datetime, services: Sequence[str], *, role: str | None = None
) -> AssessmentMade:
    """An assessment at ``at`` that assessed an area of need of each of ``services`` and one more."""
    cat = catalogue.load()
    sid, chosen = _assessor(rng, team, services)
    if role is not None:
        found = team.one(rng, *sorted(ASSESSOR_ROLES[role][2]))
        if found is not None:
            sid, chosen = found, role
    areas = {min(cat.services[s].areas, key=AREA_ORDER.index) for s in services}
    areas.add(rng.choice(AREA_ORDER))
    findings = tuple(
        (a, rng.choice(("moderate", "high", "high", "critical" if a == "personal_care" else "moderate")))
        for a in sorted(areas, key=AREA_ORDER.index)
    )
    words = ", ".join(AREAS_OF_NEED[a].lower() for a, _ in findings)
    summary = f"{ASSESSOR_ROLES[chosen][0]} assessed {words}"
    return AssessmentMade(person_id, sid, chosen, at, rng.choice(PLACES), findings, summary)


def _first_lines(cat: Catalogue, rng: random.Random, zone: str, start: date) -> list[LineView]:
    visits = rng.choice((1, 2, 2, 3))
    lines = [
        _line(cat, rng, zone, "home_care", 1, start, times=VISIT_TIMES[:visits], minutes=30, carers=1),
    ]
    if rng.random() < 0.5:
        lines.append(_line(cat, rng, zone, "telecare", len(lines) + 1, start))
    if rng.random() < 0.3:
        lines.append(_line(cat, rng, zone, "meals", len(lines) + 1, start, quantity=rng.choice((5, 7))))
    return lines


def _change(
    cat: Catalogue, rng: random.Random, zone: str, lines: list[LineView], day: date, nxt: int, *, equipment: bool
) -> tuple[str, list[LineView], int | None]:
    """One change to the lines, starting on ``day``: what it was, the lines after it, the line it touched.

    A service added takes line ``nxt``: a line, once used, is never used again for another service.
    """
    by_service = {ln.service: ln for ln in lines}
    care = by_service.get("home_care")
    choices = ["visit", "minutes", "carers", "meals", "telecare", "day_centre", "end"]
    rng.shuffle(choices)
    for what in (["equipment"] if equipment else choices) + ["equipment"]:
        out = list(lines)
        if what == "visit" and care and len(care.times) < len(VISIT_TIMES):
            more = (*care.times, next(t for t in VISIT_TIMES if t not in care.times))
            out[out.index(care)] = _relined(cat, care, day, times=more)
        elif what == "minutes" and care and care.minutes < 60:
            out[out.index(care)] = _relined(cat, care, day, minutes=care.minutes + 15)
        elif what == "carers" and care and care.carers == 1:
            out[out.index(care)] = _relined(cat, care, day, carers=2)
        elif what in ("meals", "telecare", "day_centre") and what not in by_service and cat.providers_of(what, zone):
            out.append(
                _line(cat, rng, zone, what, nxt, day, quantity=rng.choice((1, 2) if what == "day_centre" else (5, 7)))
            )
        elif what == "end" and (gone := next((ln for ln in lines if ln.service != "home_care"), None)):
            out.remove(gone)
            return what, out, None
        elif what == "equipment" and (free := [e for e in EQUIPMENT if e not in by_service]):
            out.append(_line(cat, rng, zone, rng.choice(free), nxt, day))
        else:
            continue
        touched = next(ln.line for ln in out if ln not in lines)
        return what, out, touched
    raise AssertionError("no change possible")  # pragma: no cover - the equipment list outlasts any package


def _days(rng: random.Random, want: Want, today: date, versions: int) -> tuple[list[date], int | None]:
    """The days the versions were arranged, oldest first, and how late their first review was done
    (None: it is still open)."""
    if want.waiting_since is not None:
        waited = (today - want.waiting_since).days
        extra = [want.waiting_since + timedelta(days=rng.randrange(1, waited))] if waited >= 4 else []
        return [want.waiting_since, *extra], None
    due = want.review_due or today + timedelta(days=rng.randrange(-20, 180))
    lag: int | None = None
    newest = due - timedelta(days=FIRST_REVIEW)
    if due > today + timedelta(days=FIRST_REVIEW):  # its first review was done: the yearly one is open
        lag = rng.randrange(0, 8)
        newest = due - timedelta(days=YEARLY_REVIEW + FIRST_REVIEW + lag)
    days = [newest]
    for _ in range(versions - 1):
        days.insert(0, days[0] - timedelta(days=rng.randrange(10, 120)))
    return days, lag


def plan_package(
    rng: random.Random, team: Team, coordinators: Sequence[int], want: Want, today: date, versions: int = 3
) -> PackageMade:
    """One package's past leading to ``want``, with ``versions`` versions (one or two for a new, waiting one)."""
    cat = catalogue.load()
    zone, pid = want.zone_id, want.person_id
    days, lag = _days(rng, want, today, versions)
    waiting = want.waiting_since is not None
    made: list[VersionMade] = []
    items: dict[int, ItemMade] = {}
    ended: list[ItemMade] = []
    steps: list[Step] = []
    lines: list[LineView] = []
    for n, day in enumerate(days, start=1):
        by = coordinators[rng.randrange(len(coordinators))] if coordinators else None
        if n == 1:
            start = day + timedelta(days=rng.randrange(3, 10) if waiting else rng.randrange(0, 5))
            new = _first_lines(cat, rng, zone, start)
            if waiting:
                new.append(_line(cat, rng, zone, rng.choice(EQUIPMENT), len(new) + 1, day))
            what, changed = "first", tuple(ln.line for ln in new)
        elif want.ended and n == len(days):
            what, new, changed = "end", [], ()
        else:
            equipment = waiting or (day >= today - timedelta(days=9) and rng.random() < 0.5)
            nxt = max([*items, *(it.line.line for it in ended)]) + 1
            what, new, touched = _change(cat, rng, zone, lines, day, nxt, equipment=equipment)
            changed = (touched,) if touched is not None else ()
        services = [ln.service for ln in new if ln.line in changed] or [ln.service for ln in lines[:1]]
        assessment = assess(rng, team, pid, _office(rng, day - timedelta(days=rng.randrange(0, 6))), services)
        arranged = _office(rng, day, after=assessment.at)
        why = WHY.get(what, "New package on the assessment") if new else "Package ended: needs met without it"
        made.append(VersionMade(n, assessment, by, arranged, why, tuple(new), changed))
        if n == 1:
            steps.append((None, "requested", day, by, ""))
        kept = {ln.line for ln in new}
        for ln in new:
            if ln.line in items:
                items[ln.line] = replace(items[ln.line], line=ln)
                continue
            spec = cat.services[ln.service]
            pending = waiting or (spec.equipment and n == len(days) and day >= today - timedelta(days=9))
            target = day + timedelta(days=EQUIPMENT_TARGET if spec.equipment else PACKAGE_TARGET)
            delivered = None if pending else min(today, ln.start_date + timedelta(days=rng.randrange(0, 4)))
            has_target = spec.equipment or n > 1  # as desk.packages.arrange sets it: a new package has its own
            state = "requested" if pending else "active"
            items[ln.line] = ItemMade(ln, day, delivered, target if has_target else None, state, spec.equipment)
            steps.append((ln.line, "requested", day, by, ""))
            if delivered is not None:
                steps += [(ln.line, "arranged", day, by, CONFIRMED), (ln.line, "active", delivered, by, "")]
        for old in lines:
            if old.line not in kept:
                ended.append(replace(items.pop(old.line), line=replace(old, end_date=day), state="ended"))
                steps.append((old.line, "ended", day, by, ""))
        lines = new
    first = made[0]
    available = None if waiting else min((it.available_on or today for it in items.values()), default=first.day)
    if available is not None:
        steps[1:1] = [
            (None, "arranged", first.day, first.arranged_by, CONFIRMED),
            (None, "active", available, None, ""),
        ]
    state, ended_on = ("requested" if waiting else "active"), None
    if want.ended:
        state, ended_on = "ended", made[-1].day
        steps.append((None, "ended", ended_on, made[-1].arranged_by, ""))
    reviews = [] if want.ended else _reviews(rng, made[-1], lag, coordinators)
    return PackageMade(
        pid, zone, made, [*items.values(), *ended], steps, reviews, state, first.day, available, ended_on
    )


def _reviews(rng: random.Random, newest: VersionMade, lag: int | None, coordinators: Sequence[int]) -> list[ReviewMade]:
    """The review the newest version set (desk.packages.review_dates); once done (``lag`` days late), the yearly one."""
    start = min((ln.start_date for ln in newest.lines if ln.line in newest.changed), default=newest.day)
    first = review_dates.due_at(start, review_dates.wall_time(newest.arranged_at), FIRST_REVIEW)
    if lag is None:
        return [ReviewMade("first", first, "pending")]
    done_day = clock.local(first).date() + timedelta(days=lag)
    by = coordinators[rng.randrange(len(coordinators))] if coordinators else None
    yearly = review_dates.due_at(done_day, review_dates.wall_time(first), YEARLY_REVIEW)
    return [
        ReviewMade("first", first, "done", _office(rng, done_day, after=first), by),
        ReviewMade("yearly", yearly, "pending"),
    ]


# --- writing -------------------------------------------------------------------------------


class Ids:
    """The next free id of each table, so rows can refer to one another before they are written."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        if table not in self.next:
            top = self.conn.exec_driver_sql(f'SELECT MAX(id) FROM "{table}"').scalar()
            self.next[table] = int(top or 0) + 1
        value = self.next[table]
        self.next[table] += 1
        return value


PACKAGE_COLUMNS = (
    "id", "person_id", "status", "started_on", "ended_on", "review_due", "version",
    "state", "current_version", "requested_on", "available_on", "target_on",
)  # fmt: skip
ITEM_COLUMNS = (
    "id", "package_id", "service", "detail", "provider", "start_date", "end_date", "weekly_cost_pence", "version",
    "line", "service_id", "provider_id", "state", "requested_on", "available_on", "target_on",
)  # fmt: skip
ASSESSMENT_COLUMNS = (
    "id", "person_id", "staff_id", "discipline", "at", "summary", "assessor_role", "place", "recommendations",
    "recorded_by_id", "recorded_at",
)  # fmt: skip
FINDING_COLUMNS = ("assessment_id", "area", "level", "note")
VERSION_COLUMNS = (
    "id", "package_id", "number", "assessment_id", "arranged_by_id", "arranged_at", "desk", "why",
    "care_minutes_per_week", "cost_per_week_pence", "one_off_pence",
)  # fmt: skip
LINE_COLUMNS = (
    "id", "version_id", "line", "service", "provider", "start_date", "end_date", "unit_cost_pence",
    "times", "minutes", "carers", "days", "quantity",
)  # fmt: skip
STEP_COLUMNS = ("id", "package_id", "line", "state", "happened_on", "at", "by_id", "confirmed_by", "note")
REVIEW_COLUMNS = (
    "id", "package_id", "person_id", "zone_id", "kind", "due_at", "state", "raised_by_desk", "done_at", "done_by_id",
    "outcome", "note", "version",
)  # fmt: skip
PACKAGE_TABLES = (
    "assessment", "carepackage", "carepackageitem", "carepackageversion", "carepackageline", "carestep",
    "packagereview",
)  # fmt: skip
"""The tables the packages are written to (with ids of their own)."""


class _Rows:
    """Each table's rows as tuples in its columns' order, with the driver's dates and times."""

    def __init__(self, sink: Sink, ids: Ids, desk: str) -> None:
        self.sink, self.ids, self.desk = sink, ids, desk
        self.tables: dict[str, list[tuple[Any, ...]]] = {}
        self._evening: dict[date, Any] = {}

    def ts(self, at: datetime | None) -> Any:
        return self.sink.ts(at.astimezone(UTC).replace(tzinfo=None)) if at is not None else None

    def evening(self, on: date) -> Any:
        """17:00 on the office clock of ``on``: when a step that day is taken as recorded."""
        if on not in self._evening:
            self._evening[on] = self.ts(_at(on, 17 * 60))
        return self._evening[on]

    def add(self, table: str, *row: Any) -> None:
        self.tables.setdefault(table, []).append(row)

    def assessment(self, a: AssessmentMade) -> None:
        if a.id:
            return
        a.id = self.ids.take("assessment")
        discipline = ASSESSOR_ROLES[a.role][1]
        recommends = "Package of care as agreed with the co-ordinator"
        at = self.ts(a.at)
        self.add(
            "assessment",
            a.id,
            a.person_id,
            a.staff_id,
            discipline,
            at,
            a.summary,
            a.role,
            a.place,
            recommends,
            a.staff_id,
            at,
        )
        for area, level in a.findings:
            self.add("assessmentfinding", a.id, area, level, "")

    def package(self, p: PackageMade) -> None:
        day = self.sink.day
        for a in p.assessments:
            self.assessment(a)
        if not p.versions:
            return
        p.id = self.ids.take("carepackage")
        started = min((ln.start_date for ln in p.versions[0].lines), default=p.requested_on)
        target = p.requested_on + timedelta(days=PACKAGE_TARGET)
        status = "ended" if p.ended_on else "active"
        self.add("carepackage", p.id, p.person_id, status, day(started), day(p.ended_on), day(p.review_due), 1,
                 p.state, len(p.versions), day(p.requested_on), day(p.available_on), day(target))  # fmt: skip
        for it in p.items:
            ln = it.line
            self.add("carepackageitem", self.ids.take("carepackageitem"), p.id, ln.service_name, ln.detail,
                     ln.provider_name, day(ln.start_date), day(ln.end_date), ln.cost_per_week_pence, 1, ln.line,
                     ln.service, ln.provider, it.state, day(it.requested_on), day(it.available_on),
                     day(it.target_on))  # fmt: skip
        for v in p.versions:
            vid = self.ids.take("carepackageversion")
            minutes = sum(ln.minutes_per_week for ln in v.lines)
            weekly, one_off = sum(ln.cost_per_week_pence for ln in v.lines), sum(ln.one_off_pence for ln in v.lines)
            self.add("carepackageversion", vid, p.id, v.number, v.assessment.id, v.arranged_by,
                     self.ts(v.arranged_at), self.desk, v.why, minutes, weekly, one_off)  # fmt: skip
            for ln in v.lines:
                self.add("carepackageline", self.ids.take("carepackageline"), vid, ln.line, ln.service, ln.provider,
                         day(ln.start_date), day(ln.end_date), ln.unit_cost_pence, ",".join(ln.times), ln.minutes,
                         ln.carers, ",".join(ln.days), ln.quantity)  # fmt: skip
        for line, state, on, by, confirmed in p.steps:
            self.add(
                "carestep", self.ids.take("carestep"), p.id, line, state, day(on), self.evening(on), by, confirmed, ""
            )
        for r in p.reviews:
            outcome = "no_change" if r.state == "done" else ""
            self.add("packagereview", self.ids.take("packagereview"), p.id, p.person_id, p.zone_id, r.kind,
                     self.ts(r.due_at), r.state, "", self.ts(r.done_at), r.done_by, outcome, "", 1)  # fmt: skip


COLUMNS: dict[str, tuple[str, ...]] = {
    "assessment": ASSESSMENT_COLUMNS,
    "assessmentfinding": FINDING_COLUMNS,
    "carepackage": PACKAGE_COLUMNS,
    "carepackageitem": ITEM_COLUMNS,
    "carepackageversion": VERSION_COLUMNS,
    "carepackageline": LINE_COLUMNS,
    "carestep": STEP_COLUMNS,
    "packagereview": REVIEW_COLUMNS,
}
"""What :func:`write` writes, in foreign-key order."""


def write(sink: Sink, ids: Ids, packages: Iterable[PackageMade], desk: str = DESK) -> dict[str, int]:
    """Write the packages with their assessments, versions, lines, steps, items and reviews; rows per table.

    A package with no versions carries assessments alone (one a change today can rest on).
    """
    rows = _Rows(sink, ids, desk)
    for p in packages:
        rows.package(p)
    return {table: sink.write(table, columns, rows.tables.get(table, [])) for table, columns in COLUMNS.items()}


# --- the demo zone -----------------------------------------------------------------------------

WAITING_DAYS_AGO = (1, 3, 5, 12, 19, 25, 26, 27, 31)
"""The demo's packages waiting, requested this many days ago: the 28-day target at risk from 25 days and
missed at 31; the equipment in them at risk of its 7 days from 4 and missed from 8."""
TOO_OLD_DAYS = 20
ETHEL_ASSESSED_DAYS_AGO = 2


@dataclass(frozen=True)
class StoryPackage:
    """A story person (data/story_people.json) whose package, or assessment, the demo tells."""

    key: str
    person_id: int
    zone_id: str
    review_due: date | None
    key_worker_id: int | None


def teams(conn: Connection) -> tuple[dict[str, Team], dict[str, list[int]]]:
    """Each zone's assessors, and who arranges its packages (its co-ordinators)."""
    staff: dict[str, dict[str, list[int]]] = {}
    for sid, zone_id, role in conn.exec_driver_sql("SELECT id, zone_id, role FROM staff WHERE active ORDER BY id"):
        staff.setdefault(zone_id, {}).setdefault(role, []).append(sid)
    arrangers = {z: s.get("coordinator") or s.get("nurse") or [] for z, s in staff.items()}
    return {z: Team(z, s) for z, s in staff.items()}, arrangers


def demo_packages(
    rng: random.Random,
    conn: Connection,
    wants: Sequence[Want],
    waiting: Sequence[tuple[int, str]],
    stories: Sequence[StoryPackage],
    today: date,
) -> list[PackageMade]:
    """One package per want (two to six versions), the waiting ones, and the story people's as told."""
    zones, arrangers = teams(conn)
    out = [plan_package(rng, zones[w.zone_id], arrangers[w.zone_id], w, today, rng.randint(2, 6)) for w in wants]
    for (person_id, zone_id), days_ago in zip(waiting, WAITING_DAYS_AGO, strict=False):
        want = Want(person_id, zone_id, waiting_since=today - timedelta(days=days_ago))
        out.append(plan_package(rng, zones[zone_id], arrangers[zone_id], want, today))
    for story in stories:
        out.append(_story(rng, zones[story.zone_id], arrangers[story.zone_id], story, today))
    return out


def _story(rng: random.Random, team: Team, arrangers: list[int], story: StoryPackage, today: date) -> PackageMade:
    """Mary's package put in on the assessment of the nurse who knew her, and changed on it; Ethel's nurse
    assessment of two days ago, on which her package can be put in today; Doris Smith's many versions and a
    physiotherapist's assessment of 20 days ago, too old to use; Reg's two visits a day (suspended when the ward
    stage records his admission, desk.discharge.demo_stage)."""
    if story.key == "ethel" or story.review_due is None:
        nurse = assess(rng, team, story.person_id, _office(rng, today - timedelta(days=ETHEL_ASSESSED_DAYS_AGO)),
                       ["home_care", "walking_frame"], role="district_nurse")  # fmt: skip
        nurse.staff_id = story.key_worker_id or nurse.staff_id
        nurse.summary = "Struggling to wash and dress and unsteady on her feet: would manage at home with help"
        nurse.findings = (("personal_care", "high"), ("mobility_falls", "moderate"), ("eating_drinking", "low"))
        return PackageMade(story.person_id, story.zone_id, [], [], [], [], "", today, None, None, [nurse])
    want = Want(story.person_id, story.zone_id, review_due=story.review_due)
    pkg = plan_package(rng, team, arrangers, want, today, 5 if story.key == "mrs_smith" else 2)
    if story.key == "mary":
        for v in pkg.versions:  # her own district nurse assessed for every version
            v.assessment.staff_id = story.key_worker_id or v.assessment.staff_id
            v.assessment.role = "district_nurse"
        pkg.versions[0].why = "Home from hospital: package put in on the assessment of the nurse who knows her"
    if story.key == "mrs_smith":
        at = _office(rng, today - timedelta(days=TOO_OLD_DAYS))
        old = assess(rng, team, story.person_id, at, ["walking_frame"], role="physiotherapist")
        old.summary = "Walking less far indoors: a frame would help (not acted on yet)"
        pkg.extra_assessments.append(old)
    return pkg


def add_packages(
    session: Session,
    *,
    now: datetime,
    seed: int,
    wants: Sequence[Want],
    waiting: Sequence[tuple[int, str]],
    stories: Sequence[StoryPackage],
) -> dict[str, int]:
    """Write the demo's packages into a seeding session, after its people; returns rows per table."""
    session.flush()
    conn = session.connection()
    made = demo_packages(random.Random(f"{seed}/packages"), conn, wants, waiting, stories, clock.local(now).date())
    counts = write(Sink(conn), Ids(conn), made)
    reset_sequences(conn, PACKAGE_TABLES)
    return counts
