"""Arrange or change a package on an assessment: every change a new version, nothing overwritten.

:func:`change` takes the package as it should be (every service line) and the
assessment that authorises it. It checks every field (:class:`InvalidForm`,
a message per field, nothing written), then the assessment's authority
(:class:`~desk.packages.authority.AuthorityRefused`), then the rules that need
the local authority (:mod:`desk.packages.la_rules`): a change meeting one is
routed to a social worker (:class:`Routed`) and the package is left as it was.
Otherwise it writes a new :class:`~desk.package_models.CarePackageVersion`
naming the assessment, who arranged it, when and why; brings the package's
current rows (``CarePackage``, ``CarePackageItem``, read by the caseload, record
and timeline) up to it; lists the providers to tell; sets the review; and
returns :class:`Arranged` with the difference from the version before in words.

Two desks: a change says which version it was made on (``based_on``). If the
package has moved on since, :class:`PackageChanged` (a
:class:`~desk.errors.StaleRecord`) carries the other desk's versions and their
differences, and :func:`on_top` lays this desk's change over theirs.

A package arranged before the desk kept versions (its items have no line
number) is *adopted* the first time it is changed: its current items become
version 1 "as found" (:data:`AS_FOUND_WHY`, no authorising assessment), each
matched to a catalogue service and provider where one fits, its cost a week
kept, and given a line; the change is then version 2 on top of it. Reading such
a package for a change (:func:`current`, :func:`as_lines`) gives that version 1
without writing it. A line as found is not in the catalogue's terms (no visit
times, no quantity: ``quantity`` 0); its words are its item's ``detail``, which
the desk never rewrites: to put it in the catalogue's terms it is ended and the
service added afresh.

Money is in pence. Hours of care are the visit time a person receives a week;
a visit with two carers costs two carers' time. One-off costs (equipment, a
bed-based stay) are counted apart from the cost per week.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from desk import clock, dates, history
from desk.errors import InvalidForm, NotFound, StaleRecord
from desk.history import Actor
from desk.models import CarePackage, CarePackageItem, Person, Staff, saved_id
from desk.package_models import CarePackageLine, CarePackageVersion, CareStep, ProviderNotice
from desk.packages import assessments, authority, catalogue, config, la_rules, review_dates
from desk.packages.catalogue import Service
from desk.packages.la_rules import Concerns, RuleMet
from desk.services import caseload

STATES: dict[str, str] = {
    "requested": "Requested",
    "arranged": "Arranged (provider confirmed)",
    "active": "Active",
    "suspended": "Suspended",
    "ended": "Ended",
}
"""Where a package or one of its services is in its life, in order."""

MOVES: dict[str, frozenset[str]] = {
    "requested": frozenset({"arranged", "ended"}),
    "arranged": frozenset({"active", "ended"}),
    "active": frozenset({"suspended", "ended"}),
    "suspended": frozenset({"active", "ended"}),
    "ended": frozenset(),
}
"""The states each state may move to."""

AS_FOUND_WHY = "Services as arranged before the desk kept versions"
"""Why version 1 of an adopted package was written."""
AS_FOUND_AUTHORITY = "No assessment: services as arranged before the desk kept versions"
"""What stands for the authority of version 1 of an adopted package."""

DAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
EVERY_DAY: tuple[str, ...] = DAYS
MAX_CARERS = 24
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


# --- what the form sends -----------------------------------------------------------


@dataclass(frozen=True)
class ServiceLine:
    """One service of the package as it should be, as typed (dates may be text, 23/11/2026)."""

    service: str
    """A catalogue service id."""
    provider: str
    """A catalogue provider id (one that delivers the service in the person's zone)."""
    start_date: date | str
    end_date: date | str | None = None
    unit_cost_pence: int | None = None
    """None: the catalogue's default cost."""
    times: tuple[str, ...] = ()
    """Visits: the times of day, ``("08:00", "12:30")``."""
    minutes: int = 0
    """Visits: how long each visit is."""
    carers: int = 0
    """Visits: how many carers come."""
    days: tuple[str, ...] = EVERY_DAY
    """Visits: the days of the week (``mon`` ... ``sun``)."""
    quantity: int = 1
    """Items: how many; weekly services: how many a week (meals, days, nights). 0: a service as found
    on a package arranged before versions, carried as it was (``unit_cost_pence`` is then its cost a week)."""
    line: int | None = None
    """The line of the package this continues (from :class:`LineView`); None for a new service."""


@dataclass(frozen=True)
class PackageChange:
    """A package arranged or changed: every service as it should be; a current service left out ends."""

    person_id: int
    assessment_id: int
    services: tuple[ServiceLine, ...]
    why: str
    package_id: int | None = None
    """None: a new package."""
    based_on: int = 0
    """The version number the co-ordinator was looking at (0 for a new package)."""
    concerns: Concerns = field(default_factory=Concerns)


# --- what readers get ---------------------------------------------------------------


@dataclass(frozen=True)
class LineView:
    """One service of a version, checked and costed."""

    line: int
    service: str
    service_name: str
    provider: str
    provider_name: str
    start_date: date
    end_date: date | None
    unit_cost_pence: int
    times: tuple[str, ...]
    minutes: int
    carers: int
    days: tuple[str, ...]
    quantity: int
    minutes_per_week: int
    cost_per_week_pence: int
    one_off_pence: int
    found: str | None = None
    """A line as found on a package arranged before versions: its words as they were; None otherwise."""

    @property
    def as_found(self) -> bool:
        """True for a service carried as arranged before versions, not in the catalogue's terms."""
        return self.found is not None

    @property
    def detail(self) -> str:
        """The service in words: ``4 visits a day (08:00, 12:00, 17:00, 21:00), 30 minutes, 1 carer, every day``."""
        if self.found is not None:
            text = (self.found or "no details") + " (as arranged before versions)"
            return text + (f", until {dates.nhs_style(self.end_date)}" if self.end_date else "")
        spec = catalogue.load().services[self.service]
        if spec.form == "visits":
            n = len(self.times)
            days = "every day" if tuple(self.days) == DAYS else ", ".join(d.title() for d in self.days)
            carers = f"{self.carers} carer" + ("s" if self.carers != 1 else "")
            text = f"{n} visit{'s' if n != 1 else ''} a day ({', '.join(self.times)}), {self.minutes} minutes, "
            text += f"{carers}, {days}"
        elif spec.form == "weekly" and spec.unit == "week":
            text = "weekly"  # charged by the week (telecare, a placement): "1 week a week" says nothing
        elif spec.form == "weekly":
            text = f"{self.quantity} {spec.unit}{'s' if self.quantity != 1 else ''} a week"
        elif spec.form == "stay":
            nights = (self.end_date - self.start_date).days if self.end_date else 0
            text = f"{nights} night{'s' if nights != 1 else ''}"
        else:
            text = f"{self.quantity} {spec.unit}{'s' if self.quantity != 1 else ''}"
        if self.end_date and spec.form != "stay":
            text += f", until {dates.nhs_style(self.end_date)}"
        return text


@dataclass(frozen=True)
class VersionView:
    """One version of a package: what authorised it, who arranged it, when, why, and its services."""

    package_id: int
    number: int
    assessment_id: int | None
    assessor: str
    """Whose assessment authorised it, with their role (and who recorded it on their behalf)."""
    arranged_by_id: int | None
    arranged_by: str
    arranged_at: datetime
    desk: str
    why: str
    lines: tuple[LineView, ...]
    care_minutes_per_week: int
    cost_per_week_pence: int
    one_off_pence: int
    as_found: bool = False
    """Version 1 of a package arranged before versions: its services as found, authorised by no assessment."""
    saved: bool = True
    """False for version 1 as found read for a change before it is written."""

    @property
    def authority(self) -> str:
        """What authorised the version, in words."""
        if self.as_found:
            return AS_FOUND_AUTHORITY
        return f"the assessment of {self.assessor}" if self.assessor else ""

    @property
    def hours_per_week(self) -> float:
        """Hours of care a week (visit time the person receives)."""
        return self.care_minutes_per_week / 60


@dataclass(frozen=True)
class NoticeRow:
    """A provider to tell about a version, and whether (who, when) they have been told."""

    id: int
    version: int
    package_id: int
    package_version: int
    provider: str
    provider_name: str
    phone: str
    what: str
    told_at: datetime | None
    told_by_id: int | None


@dataclass(frozen=True)
class Arranged:
    """The change was arranged directly: the new version, what changed, whom to tell, the review."""

    package_id: int
    version: VersionView
    differences: tuple[str, ...]
    providers_to_tell: tuple[NoticeRow, ...]
    review_due_at: datetime


@dataclass(frozen=True)
class Routed:
    """The change needs a social worker: referred, the assessment attached, the rules named; nothing arranged."""

    referral_id: int
    rules: tuple[RuleMet, ...]

    @property
    def message(self) -> str:
        """What the desk says: which rule and why."""
        return "Referred to a social worker of the zone. " + " ".join(m.message for m in self.rules)


Outcome = Arranged | Routed
"""What :func:`change` returns."""


class PackageChanged(StaleRecord):
    """Another desk changed the package after this one read it: nothing of this desk's was saved.

    ``theirs`` are the versions saved since ``based_on`` and ``differences``
    what each changed, so a screen can show them and offer :func:`on_top`.
    """

    def __init__(self, package_id: int, based_on: int, theirs: list[VersionView], differences: list[str]) -> None:
        self.package_id = package_id
        self.based_on = based_on
        self.theirs = tuple(theirs)
        self.differences = tuple(differences)
        who = ", ".join(sorted({f"{v.arranged_by} at {v.desk}" for v in theirs})) or "another desk"
        super().__init__(
            f"This package was changed by {who} while you were changing it (now version "
            f"{theirs[-1].number if theirs else based_on}). Nothing of yours was saved: see what they changed, "
            "then apply yours on top."
        )


# --- the money and the hours ---------------------------------------------------------


def _costed(
    line: int,
    spec: Service,
    provider_name: str,
    provider: str,
    start: date,
    end: date | None,
    cost: int,
    times: tuple[str, ...],
    minutes: int,
    carers: int,
    days: tuple[str, ...],
    quantity: int,
) -> LineView:
    minutes_week = 0
    weekly = 0
    one_off = 0
    if spec.form == "visits":
        minutes_week = len(times) * minutes * len(days)
        weekly = round(minutes_week * carers * cost / 60)
    elif spec.form == "weekly":
        weekly = cost * (quantity if spec.charge == "per_unit" else 1)
    elif spec.form == "stay":
        one_off = cost * max(1, (end - start).days if end else 1)
    else:
        one_off = cost * quantity
    return LineView(
        line=line,
        service=spec.id,
        service_name=spec.name,
        provider=provider,
        provider_name=provider_name,
        start_date=start,
        end_date=end,
        unit_cost_pence=cost,
        times=times,
        minutes=minutes,
        carers=carers,
        days=days,
        quantity=quantity,
        minutes_per_week=minutes_week,
        cost_per_week_pence=weekly,
        one_off_pence=one_off,
    )


def money(pence: int) -> str:
    """``£343.00``."""
    return f"£{pence / 100:,.2f}"


# --- reading versions ---------------------------------------------------------------------


def _found_view(
    line: int, service: str, provider: str, start: date, end: date | None, weekly: int, words: str
) -> LineView:
    """A line as found: its service and provider as the catalogue names them where they match, else as they were."""
    cat = catalogue.load()
    spec = cat.service(service)
    prov = cat.provider(provider)
    return LineView(
        line=line,
        service=service,
        service_name=spec.name if spec else service,
        provider=provider,
        provider_name=prov.name if prov else provider,
        start_date=start,
        end_date=end,
        unit_cost_pence=weekly,
        times=(),
        minutes=0,
        carers=0,
        days=(),
        quantity=0,
        minutes_per_week=0,
        cost_per_week_pence=weekly,
        one_off_pence=0,
        found=words,
    )


def _line_view(row: CarePackageLine, words: dict[int, str]) -> LineView:
    if row.quantity == 0:
        return _found_view(
            row.line,
            row.service,
            row.provider,
            row.start_date,
            row.end_date,
            row.unit_cost_pence,
            words.get(row.line, ""),
        )
    cat = catalogue.load()
    spec = cat.services[row.service]
    prov = cat.provider(row.provider)
    return _costed(
        row.line,
        spec,
        prov.name if prov else row.provider,
        row.provider,
        row.start_date,
        row.end_date,
        row.unit_cost_pence,
        tuple(t for t in row.times.split(",") if t),
        row.minutes,
        row.carers,
        tuple(d for d in row.days.split(",") if d),
        row.quantity,
    )


def _bylines(session: Session) -> dict[int, str]:
    """The bylines of the assessments this session has read (an assessment never changes once saved)."""
    known: dict[int, str] = session.info.setdefault("desk.packages.bylines", {})
    return known


def _views(session: Session, rows: list[CarePackageVersion], names: dict[int, str] | None = None) -> list[VersionView]:
    """The versions with their lines; ``names`` are who arranged them, if the caller read them already."""
    if not rows:
        return []
    ids = [saved_id(r.id) for r in rows]
    package_of_version = {saved_id(r.id): r.package_id for r in rows}
    found = list(
        session.exec(
            select(CarePackageLine).where(col(CarePackageLine.version_id).in_(ids)).order_by(col(CarePackageLine.line))
        )
    )
    words: dict[int, dict[int, str]] = {pid: {} for pid in package_of_version.values()}
    if any(ln.quantity == 0 for ln in found):  # lines as found: their words are their (first) item's
        for it in session.exec(
            select(CarePackageItem)
            .where(col(CarePackageItem.package_id).in_(list(words)), col(CarePackageItem.line) > 0)
            .order_by(col(CarePackageItem.id).desc())
        ):
            words[it.package_id][it.line] = it.detail
    lines: dict[int, list[LineView]] = {i: [] for i in ids}
    for ln in found:
        lines[ln.version_id].append(_line_view(ln, words[package_of_version[ln.version_id]]))
    if names is None:
        staff_ids = {r.arranged_by_id for r in rows if r.arranged_by_id is not None}
        names = {
            saved_id(sid): name
            for sid, name in session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(staff_ids))).all()
        }
    # An assessment is never changed once saved, so its byline is read once a session: a change
    # reads the version it is based on and then the one it writes, usually on the same assessment.
    bylines = _bylines(session)
    for aid in {r.assessment_id for r in rows if r.assessment_id is not None} - bylines.keys():
        bylines[aid] = assessments.get(session, aid).byline
    return [
        VersionView(
            package_id=r.package_id,
            number=r.number,
            assessment_id=r.assessment_id,
            assessor=bylines.get(r.assessment_id, "") if r.assessment_id is not None else "",
            arranged_by_id=r.arranged_by_id,
            arranged_by=names.get(r.arranged_by_id, "") if r.arranged_by_id is not None else "",
            arranged_at=r.arranged_at,
            desk=r.desk,
            why=r.why,
            lines=tuple(lines[saved_id(r.id)]),
            care_minutes_per_week=r.care_minutes_per_week,
            cost_per_week_pence=r.cost_per_week_pence,
            one_off_pence=r.one_off_pence,
            as_found=r.number == 1 and r.assessment_id is None,
        )
        for r in rows
    ]


def versions(session: Session, package_id: int, *, since: int = 0) -> list[VersionView]:
    """A package's versions after number ``since`` (all of them by default), oldest first."""
    rows = session.exec(
        select(CarePackageVersion)
        .where(CarePackageVersion.package_id == package_id, CarePackageVersion.number > since)
        .order_by(col(CarePackageVersion.number))
    ).all()
    return _views(session, list(rows))


def version(session: Session, package_id: int, number: int) -> VersionView:
    """One version of a package; :class:`NotFound` if there is no such version."""
    found = session.exec(
        select(CarePackageVersion, Staff.name)
        .outerjoin(Staff, col(Staff.id) == col(CarePackageVersion.arranged_by_id))
        .where(CarePackageVersion.package_id == package_id, CarePackageVersion.number == number)
    ).first()
    if found is None:
        raise NotFound(f"The package has no version {number}.")
    row, name = found
    names = {row.arranged_by_id: name} if row.arranged_by_id is not None and name is not None else {}
    return _views(session, [row], names)[0]  # who arranged it read with it: one statement fewer


def current(session: Session, package_id: int) -> VersionView | None:
    """The package's newest version; for a package from before versions, version 1 as found (not written).

    None for a package with no versions and no current services.
    """
    pkg = session.get(CarePackage, package_id)
    if pkg is None:
        raise NotFound("That package is not on record.")
    if pkg.current_version:
        return version(session, package_id, pkg.current_version)
    return as_found(session, pkg)


# --- a package from before versions --------------------------------------------------------


def unversioned(session: Session, package_id: int) -> list[CarePackageItem]:
    """A package's current services from before versions (no line number), in the order they were recorded."""
    today = clock.today()
    return [
        it
        for it in session.exec(
            select(CarePackageItem)
            .where(
                CarePackageItem.package_id == package_id,
                CarePackageItem.line == 0,
                col(CarePackageItem.state) != "ended",
            )
            .order_by(col(CarePackageItem.id))
        )
        if it.end_date is None or it.end_date >= today
    ]


def _found_lines(items: list[CarePackageItem]) -> list[LineView]:
    """Each item as found, matched to the catalogue where it can be, numbered from 1."""
    out = []
    for n, it in enumerate(items, start=1):
        spec = catalogue.match_service(it.service_id or it.service, it.detail)
        prov = catalogue.match_provider(it.provider_id or it.provider)
        out.append(
            _found_view(
                n,
                spec.id if spec else it.service,
                prov.id if prov else it.provider,
                it.start_date,
                it.end_date,
                it.weekly_cost_pence,
                it.detail,
            )
        )
    return out


def as_found(session: Session, pkg: CarePackage) -> VersionView | None:
    """Version 1 of a package from before versions as adopting it would write it, without writing anything.

    None when the package has versions already or no current services.
    """
    if pkg.current_version:
        return None
    lines = _found_lines(unversioned(session, saved_id(pkg.id)))
    if not lines:
        return None
    return VersionView(
        package_id=saved_id(pkg.id),
        number=1,
        assessment_id=None,
        assessor="",
        arranged_by_id=None,
        arranged_by="",
        arranged_at=clock.now(),
        desk="",
        why=AS_FOUND_WHY,
        lines=tuple(lines),
        care_minutes_per_week=0,
        cost_per_week_pence=sum(ln.cost_per_week_pence for ln in lines),
        one_off_pence=0,
        as_found=True,
        saved=False,
    )


def adopt(session: Session, actor: Actor, pkg: CarePackage) -> VersionView | None:
    """Write version 1 "as found" for a package from before versions, and give its items their lines.

    Called in the write of the first change (or ending) of such a package; does
    nothing (None) for a package with versions or with no current services.
    """
    items = unversioned(session, saved_id(pkg.id)) if not pkg.current_version else []
    if not items:
        return None
    lines = _found_lines(items)
    row = _write_version(session, actor, pkg, lines, assessment_id=None, why=AS_FOUND_WHY, adopting=True)
    cat = catalogue.load()
    for it, ln in zip(items, lines, strict=True):
        history.change(
            session,
            actor,
            it,
            dict(
                line=ln.line,
                service=ln.service_name,
                service_id=ln.service if ln.service in cat.services else "",
                provider=ln.provider_name,
                provider_id=ln.provider if ln.provider in cat.providers else "",
            ),
            expected_version=None,
            why=f"{it.service}: line {ln.line} of version 1, as found",
            person_id=pkg.person_id,
            label="package service",
        )
    history.change(
        session,
        actor,
        pkg,
        dict(current_version=row.number),
        expected_version=pkg.version,
        why=f"Version 1: {AS_FOUND_WHY.lower()}, no assessment ("
        + "; ".join(f"{ln.service_name}: {ln.found}" for ln in lines)
        + ")",
        person_id=pkg.person_id,
        label="package",
    )
    session.flush()
    return _views(session, [row])[0]


def package_of(session: Session, person_id: int) -> CarePackage | None:
    """The person's open package (not ended), if they have one."""
    return session.exec(
        select(CarePackage)
        .where(CarePackage.person_id == person_id, CarePackage.status != "ended")
        .order_by(col(CarePackage.id).desc())
    ).first()


# --- the difference in words ------------------------------------------------------------------


def _visits(n: int) -> str:
    return f"{n} visit{'s' if n != 1 else ''} a day"


def _line_diff(old: LineView, new: LineView) -> list[str]:
    name = new.service_name
    out: list[str] = []
    if old.service != new.service:
        out.append(f"{old.service_name} changed to {name}")
    if old.provider != new.provider:
        out.append(f"{name}: provider changed from {old.provider_name} to {new.provider_name}")
    if len(old.times) != len(new.times):
        word = "added" if len(new.times) > len(old.times) else "removed"
        gone = sorted(set(old.times) - set(new.times))
        came = sorted(set(new.times) - set(old.times))
        which = ", ".join(came if word == "added" else gone)
        out.append(
            f"{name}: visit{'s' if abs(len(new.times) - len(old.times)) > 1 else ''} {word}"
            + (f" ({which})" if which else "")
            + f", {_visits(len(old.times))} to {_visits(len(new.times))}"
        )
    elif old.times != new.times:
        out.append(f"{name}: visit times changed from {', '.join(old.times)} to {', '.join(new.times)}")
    if old.minutes != new.minutes:
        out.append(f"{name}: minutes changed from {old.minutes} to {new.minutes}")
    if old.carers != new.carers:
        out.append(f"{name}: carers changed from {old.carers} to {new.carers}")
    if old.days != new.days:
        out.append(f"{name}: days changed from {', '.join(old.days)} to {', '.join(new.days)}")
    if old.quantity != new.quantity:
        out.append(f"{name}: quantity changed from {old.quantity} to {new.quantity}")
    if old.start_date != new.start_date:
        out.append(f"{name}: start changed from {dates.nhs_style(old.start_date)} to {dates.nhs_style(new.start_date)}")
    if old.end_date != new.end_date:
        before = dates.nhs_style(old.end_date) if old.end_date else "no end"
        after = dates.nhs_style(new.end_date) if new.end_date else "no end"
        out.append(f"{name}: end changed from {before} to {after}")
    if old.unit_cost_pence != new.unit_cost_pence:
        out.append(f"{name}: unit cost changed from {money(old.unit_cost_pence)} to {money(new.unit_cost_pence)}")
    return out


def diff(older: VersionView | None, newer: VersionView) -> list[str]:
    """What changed from one version to another, in words: service added, visit added, minutes changed, ended."""
    before = {ln.line: ln for ln in (older.lines if older else ())}
    after = {ln.line: ln for ln in newer.lines}
    out: list[str] = []
    for n, ln in after.items():
        if n not in before:
            word = "as found" if older is None and newer.as_found else "added"
            out.append(f"{ln.service_name} {word}: {ln.detail}, {ln.provider_name}")
        else:
            out.extend(_line_diff(before[n], ln))
    for n, ln in before.items():
        if n not in after:
            out.append(f"{ln.service_name} ended")
    if older is not None and older.care_minutes_per_week != newer.care_minutes_per_week:
        out.append(f"Hours of care a week: {older.hours_per_week:g} to {newer.hours_per_week:g}")
    if older is not None and older.cost_per_week_pence != newer.cost_per_week_pence:
        out.append(f"Cost a week: {money(older.cost_per_week_pence)} to {money(newer.cost_per_week_pence)}")
    return out


def compare(session: Session, package_id: int, a: int, b: int) -> list[str]:
    """The difference between any two versions of a package (``a`` before ``b``), in words."""
    return diff(version(session, package_id, a), version(session, package_id, b))


def their_change(session: Session, package_id: int, since: int) -> list[str]:
    """What other desks changed after version ``since``, in words, oldest first."""
    older = version(session, package_id, since) if since else None
    out: list[str] = []
    for v in versions(session, package_id, since=since):
        out.extend(f"Version {v.number} ({v.arranged_by}, {v.desk}): {d}" for d in diff(older, v))
        older = v
    return out


def _changed(session: Session, package_id: int, based_on: int) -> PackageChanged:
    return PackageChanged(
        package_id, based_on, versions(session, package_id, since=based_on), their_change(session, package_id, based_on)
    )


# --- checking a change ---------------------------------------------------------------


def _date(value: date | str | None, key: str, label: str, problems: dict[str, str]) -> date | None:
    if value is None or isinstance(value, date):
        return value
    if not value.strip():
        return None
    parsed = dates.parse(value)
    if parsed is None:
        problems[key] = dates.impossible(value) or f"'{value}' is not a date: type it as 23/11/2026."
    return parsed


def _check_lines(
    data: PackageChange, zone_id: str, assessed_on: date, base: dict[int, LineView], problems: dict[str, str]
) -> list[LineView]:
    cat = catalogue.load()
    out: list[LineView] = []
    next_line = max(base, default=0) + 1
    for i, s in enumerate(data.services):
        key = f"services[{i}]"
        kept = base.get(s.line) if s.line is not None else None
        if kept is not None and kept.as_found:
            if s.quantity == 0 and not s.times:
                found = _check_found(s, kept, key, zone_id, assessed_on, problems)
                if found is not None:
                    out.append(found)
                continue
            s = replace(s, line=None)  # put in the catalogue's terms: the line as found ends, this one is new
        spec = cat.service(s.service)
        if spec is None:
            problems[f"{key}.service"] = (
                f"There is no service '{s.service}' in the catalogue: choose one from the list."
            )
            continue
        prov = cat.provider(s.provider)
        if prov is None:
            problems[f"{key}.provider"] = f"There is no provider '{s.provider}' in the catalogue: choose one."
        elif spec.id not in prov.services:
            problems[f"{key}.provider"] = f"{prov.name} does not provide {spec.name.lower()}."
        elif zone_id not in prov.zones:
            problems[f"{key}.provider"] = f"{prov.name} does not serve this zone."
        start = _date(s.start_date, f"{key}.start_date", "start", problems)
        end = _date(s.end_date, f"{key}.end_date", "end", problems)
        if start is None and f"{key}.start_date" not in problems:
            problems[f"{key}.start_date"] = "Give the date the service starts."
        old = base.get(s.line) if s.line is not None else None
        if s.line is not None and old is None:
            problems[f"{key}.line"] = "That service is not in the version being changed."
        if start is not None and start < assessed_on and (old is None or old.start_date != start):
            problems[f"{key}.start_date"] = (
                f"Starts {dates.nhs_style(start)}, before the assessment of {dates.nhs_style(assessed_on)}: "
                "a change can start on the day of its assessment or later."
            )
        if start is not None and end is not None:
            if end < start:
                problems[f"{key}.end_date"] = "The end is before the start."
            elif spec.max_days is not None and (end - start).days > spec.max_days:
                problems[f"{key}.end_date"] = f"{spec.name} lasts at most {spec.max_days} days."
            elif spec.min_days is not None and (end - start).days < spec.min_days:
                problems[f"{key}.end_date"] = f"{spec.name} lasts at least {spec.min_days} days."
        elif start is not None and end is None and spec.max_days is not None:
            problems[f"{key}.end_date"] = (
                f"{spec.name} is short-term: give its end date (at most {spec.max_days} days)."
            )
        cost = spec.unit_cost_pence if s.unit_cost_pence is None else s.unit_cost_pence
        if cost < 0:
            problems[f"{key}.unit_cost_pence"] = "A cost cannot be below zero."
        times: tuple[str, ...] = ()
        days: tuple[str, ...] = ()
        if spec.form == "visits":
            bad = [t for t in s.times if not _TIME.match(t.strip())]
            if not s.times:
                problems[f"{key}.times"] = "Give the time of each visit, e.g. 08:00."
            elif bad:
                problems[f"{key}.times"] = f"'{bad[0]}' is not a time of day: type it as 08:00."
            else:
                times = tuple(sorted(f"{int(t.split(':')[0]):02d}:{t.split(':')[1]}" for t in s.times))
                if len(set(times)) != len(times):
                    problems[f"{key}.times"] = "Two visits are at the same time."
            if s.minutes <= 0:
                problems[f"{key}.minutes"] = "A visit needs its length in minutes: more than zero."
            elif s.minutes > 24 * 60:
                problems[f"{key}.minutes"] = "A visit cannot be longer than a day."
            if s.carers < 1:
                problems[f"{key}.carers"] = "A visit needs at least one carer."
            elif s.carers > MAX_CARERS:
                problems[f"{key}.carers"] = f"A visit cannot have more than {MAX_CARERS} carers."
            if not s.days or any(d not in DAYS for d in s.days):
                problems[f"{key}.days"] = "Choose the days of the week (mon to sun)."
            else:
                days = tuple(d for d in DAYS if d in s.days)
        elif s.quantity < 1:
            problems[f"{key}.quantity"] = "Say how many: at least one."
        if any(k.startswith(key + ".") for k in problems) or start is None or prov is None:
            continue
        line = s.line if s.line is not None else next_line
        if s.line is None:
            next_line += 1
        minutes, carers = (s.minutes, s.carers) if spec.form == "visits" else (0, 0)
        out.append(
            _costed(
                line,
                spec,
                prov.name,
                prov.id,
                start,
                end,
                cost,
                times,
                minutes,
                carers,
                days,
                s.quantity if spec.form != "visits" else 1,
            )
        )
    lines = [ln.line for ln in out]
    if len(set(lines)) != len(lines):
        problems["services"] = "The same service line is given twice."
    return out


def _check_found(
    s: ServiceLine, kept: LineView, key: str, zone_id: str, assessed_on: date, problems: dict[str, str]
) -> LineView | None:
    """A line as found, kept: its dates, cost a week and provider may change; the rest stays as it was."""
    cat = catalogue.load()
    spec = cat.service(kept.service)
    provider, provider_name = kept.provider, kept.provider_name
    if s.provider and s.provider != kept.provider:
        prov = cat.provider(s.provider)
        if prov is None:
            problems[f"{key}.provider"] = f"There is no provider '{s.provider}' in the catalogue: choose one."
        elif spec is not None and spec.id not in prov.services:
            problems[f"{key}.provider"] = f"{prov.name} does not provide {spec.name.lower()}."
        elif zone_id not in prov.zones:
            problems[f"{key}.provider"] = f"{prov.name} does not serve this zone."
        else:
            provider, provider_name = prov.id, prov.name
    start = _date(s.start_date, f"{key}.start_date", "start", problems)
    end = _date(s.end_date, f"{key}.end_date", "end", problems)
    if start is None and f"{key}.start_date" not in problems:
        problems[f"{key}.start_date"] = "Give the date the service starts."
    if start is not None and start != kept.start_date and start < assessed_on:
        problems[f"{key}.start_date"] = (
            f"Starts {dates.nhs_style(start)}, before the assessment of {dates.nhs_style(assessed_on)}: "
            "a change can start on the day of its assessment or later."
        )
    if start is not None and end is not None and end < start:
        problems[f"{key}.end_date"] = "The end is before the start."
    cost = kept.unit_cost_pence if s.unit_cost_pence is None else s.unit_cost_pence
    if cost < 0:
        problems[f"{key}.unit_cost_pence"] = "A cost cannot be below zero."
    if any(k.startswith(key + ".") for k in problems) or start is None:
        return None
    return replace(
        kept,
        provider=provider,
        provider_name=provider_name,
        start_date=start,
        end_date=end,
        unit_cost_pence=cost,
        cost_per_week_pence=cost,
    )


def _changed_services(base: dict[int, LineView], new: list[LineView]) -> list[Service]:
    cat = catalogue.load()
    out = []
    for ln in new:
        old = base.get(ln.line)
        if (old is None or _line_diff(old, ln)) and ln.service in cat.services:
            out.append(cat.services[ln.service])
    return out


# --- writing a change --------------------------------------------------------------------


def _notices(old: VersionView | None, new: VersionView) -> dict[str, list[str]]:
    """Per provider, what to tell them: the differences in the lines they deliver."""
    before = {ln.line: ln for ln in (old.lines if old else ())}
    after = {ln.line: ln for ln in new.lines}
    told: dict[str, list[str]] = {}
    for n, ln in after.items():
        prev = before.get(n)
        if prev is None:
            told.setdefault(ln.provider, []).append(
                f"{ln.service_name} from {dates.nhs_style(ln.start_date)}: {ln.detail}"
            )
        else:
            words = _line_diff(prev, ln)
            if words:
                told.setdefault(ln.provider, []).extend(words)
                if prev.provider != ln.provider:
                    told.setdefault(prev.provider, []).append(f"{prev.service_name} ended")
    for n, ln in before.items():
        if n not in after:
            told.setdefault(ln.provider, []).append(f"{ln.service_name} ended")
    return told


def _write_version(
    session: Session,
    actor: Actor,
    pkg: CarePackage,
    lines: list[LineView],
    *,
    assessment_id: int | None,
    why: str,
    adopting: bool = False,
) -> CarePackageVersion:
    number = pkg.current_version + 1
    if assessment_id is None and lines and not (adopting and number == 1):
        raise ValueError("Only version 1 as found, or a package's ending, is written without an assessment.")
    row = CarePackageVersion(
        package_id=saved_id(pkg.id),
        number=number,
        assessment_id=assessment_id,
        arranged_by_id=actor.staff_id,
        arranged_at=clock.now(),
        desk=actor.desk,
        why=why,
        care_minutes_per_week=sum(ln.minutes_per_week for ln in lines),
        cost_per_week_pence=sum(ln.cost_per_week_pence for ln in lines),
        one_off_pence=sum(ln.one_off_pence for ln in lines),
    )
    history.create(session, actor, row, why, person_id=pkg.person_id)
    for ln in lines:
        session.add(
            CarePackageLine(
                version_id=saved_id(row.id),
                line=ln.line,
                service=ln.service,
                provider=ln.provider,
                start_date=ln.start_date,
                end_date=ln.end_date,
                unit_cost_pence=ln.unit_cost_pence,
                times=",".join(ln.times),
                minutes=ln.minutes,
                carers=ln.carers,
                days=",".join(ln.days),
                quantity=ln.quantity,
            )
        )
    return row  # its lines go to the database with the next flush


def _written_view(
    session: Session,
    row: CarePackageVersion,
    lines: list[LineView],
    record: assessments.AssessmentRecord,
    base: VersionView | None,
) -> VersionView:
    """The version just written, as :func:`versions` would read it back, from what the write already holds."""
    if row.arranged_by_id is None:
        arranged_by = ""
    elif base is not None and base.arranged_by_id == row.arranged_by_id:
        arranged_by = base.arranged_by
    else:
        staff = session.get(Staff, row.arranged_by_id)
        arranged_by = staff.name if staff is not None else ""
    stored = [
        replace(
            ln,
            times=tuple(t for t in ln.times if t),
            days=tuple(d for d in ln.days if d),
        )
        for ln in sorted(lines, key=lambda ln: ln.line)
    ]
    return VersionView(
        package_id=row.package_id,
        number=row.number,
        assessment_id=row.assessment_id,
        assessor=record.byline,
        arranged_by_id=row.arranged_by_id,
        arranged_by=arranged_by,
        arranged_at=row.arranged_at,
        desk=row.desk,
        why=row.why,
        lines=tuple(stored),
        care_minutes_per_week=row.care_minutes_per_week,
        cost_per_week_pence=row.cost_per_week_pence,
        one_off_pence=row.one_off_pence,
    )


def _sync_items(
    session: Session,
    actor: Actor,
    pkg: CarePackage,
    lines: list[LineView],
    settings: config.PackageSettings,
    *,
    flush: bool = True,
) -> None:
    """Bring the package's current items (what the caseload, record and timeline read) up to the new lines.

    ``flush=False``: the items' changes and their history wait for the caller's next flush.
    """
    today = clock.today()
    items = {
        it.line: it
        for it in session.exec(
            select(CarePackageItem).where(CarePackageItem.package_id == pkg.id, col(CarePackageItem.state) != "ended")
        )
        if it.line
    }
    cat = catalogue.load()
    for ln in lines:
        values = dict(
            service=ln.service_name,
            service_id=ln.service if ln.service in cat.services else "",
            detail=ln.found if ln.found is not None else ln.detail,
            provider=ln.provider_name,
            provider_id=ln.provider if ln.provider in cat.providers else "",
            start_date=ln.start_date,
            end_date=ln.end_date,
            weekly_cost_pence=ln.cost_per_week_pence,
        )
        item = items.pop(ln.line, None)
        if item is None:
            equipment = cat.services[ln.service].equipment
            target = settings.equipment_target_days if equipment else settings.package_target_days
            new = CarePackageItem(
                package_id=saved_id(pkg.id),
                line=ln.line,
                state="requested",
                requested_on=today,
                target_on=today + timedelta(days=target) if (equipment or pkg.current_version > 1) else None,
                **values,  # type: ignore[arg-type]
            )
            history.create(session, actor, new, f"{ln.service_name} requested", person_id=pkg.person_id)
            _step(session, actor, pkg, ln.line, "requested", today)
        else:
            history.change(
                session,
                actor,
                item,
                values,
                expected_version=None,
                why=f"{ln.service_name} changed",
                person_id=pkg.person_id,
                label="package service",
                flush=flush,
            )
    for line, item in items.items():
        history.change(
            session,
            actor,
            item,
            dict(state="ended", end_date=today),
            expected_version=None,
            why=f"{item.service} ended",
            person_id=pkg.person_id,
            label="package service",
            flush=flush,
        )
        _step(session, actor, pkg, line, "ended", today)


def _step(
    session: Session,
    actor: Actor,
    pkg: CarePackage,
    line: int | None,
    state: str,
    on: date,
    confirmed_by: str = "",
    note: str = "",
) -> CareStep:
    step = CareStep(
        package_id=saved_id(pkg.id),
        line=line,
        state=state,
        happened_on=on,
        at=clock.now(),
        by_id=actor.staff_id,
        confirmed_by=confirmed_by,
        note=note,
    )
    session.add(step)
    return step


def _had_long_term(session: Session, person_id: int, base: VersionView | None = None) -> bool:
    """Long-term support was arranged for the person before, so eligibility was decided.

    An item of a long-term service (not equipment) in any of their packages; an
    item from before the catalogue (no service id) counts as long-term support.
    The version a change is based on answers without a query when it holds
    such a service: each of its lines is an item of the package.
    """
    long_ids = {s.id for s in catalogue.load().services.values() if s.term == "long" and not s.equipment}
    if base is not None and any(ln.service in long_ids for ln in base.lines):
        return True
    rows = session.exec(
        select(CarePackageItem.service_id)
        .join(CarePackage, col(CarePackage.id) == col(CarePackageItem.package_id))
        .where(CarePackage.person_id == person_id)
    ).all()
    return any(sid == "" or sid in long_ids for sid in rows)


def _locked(session: Session, package_id: int) -> CarePackage | None:
    """The package row, read afresh and held until the transaction ends.

    On PostgreSQL two desks' write transactions run side by side: without the
    lock both would pass the version check and the second would fail on the
    version number's unique constraint instead of being told. With it the
    second waits here until the first commits, then reads the new version and
    gets :class:`PackageChanged`. (SQLite's write lock already orders them.)
    """
    return session.get(CarePackage, package_id, with_for_update=True, populate_existing=True)


def change(session: Session, actor: Actor, data: PackageChange, *, recording_review: int | None = None) -> Outcome:
    """Arrange a new package or change the current one on an assessment; see the module's description.

    ``recording_review`` is the open review this change is the outcome of
    (:func:`desk.packages.reviews.record` closes it as changed); every other
    open review of the package is replaced by the change's new first review.

    Raises :class:`InvalidForm` (per field), :class:`~desk.packages.authority.AuthorityRefused`,
    :class:`PackageChanged` (another desk saved first) or :class:`NotFound`; writes nothing then.
    """
    person = session.get(Person, data.person_id)
    if person is None:
        raise NotFound("That person is not on the register.")
    problems: dict[str, str] = {}
    if not data.why.strip():
        problems["why"] = "Say why the package is changing (what the assessment found)."
    try:
        record = assessments.get(session, data.assessment_id)
    except NotFound:
        raise InvalidForm({**problems, "assessment": "Choose the assessment that authorises the change."}) from None
    _bylines(session)[record.id] = record.byline
    if record.person_id != data.person_id:
        problems["assessment"] = "That assessment is of someone else."
    pkg: CarePackage | None = None
    base: VersionView | None = None
    if data.package_id is not None:
        pkg = _locked(session, data.package_id)
        if pkg is None or pkg.person_id != data.person_id:
            raise NotFound("That package is not this person's.")
        if pkg.status == "ended":
            problems["package"] = "This package has ended: arrange a new one."
        if pkg.current_version != data.based_on:
            raise _changed(session, saved_id(pkg.id), data.based_on)
        base = current(session, saved_id(pkg.id))  # from before versions: version 1 as found, adopted below
    base_lines = {ln.line: ln for ln in (base.lines if base else ())}
    lines = _check_lines(data, person.zone_id, record.assessed_on, base_lines, problems)
    if not data.services and pkg is None:
        problems["services"] = "A new package needs at least one service."
    if not problems and base is not None:
        same = [ln for ln in lines if ln.line in base_lines and not _line_diff(base_lines[ln.line], ln)]
        if len(same) == len(lines) == len(base_lines):
            problems["services"] = f"Nothing has changed from version {base.number}."
    settings = config.for_zone(person.zone_id)
    changed = _changed_services(base_lines, lines)
    refused = authority.refusal(record, changed, today=clock.today(), valid_days=settings.assessment_valid_days)
    if refused is not None:
        raise authority.AuthorityRefused(
            {**problems, "assessment": refused[1]}, assessment_id=record.id, reason=refused[0]
        )
    if problems:
        raise InvalidForm(problems)
    met = la_rules.check(
        la_rules.ProposedChange(tuple(changed), data.concerns, _had_long_term(session, data.person_id, base)),
        settings,
    )
    if met:
        what = "; ".join(f"{ln.service_name}: {ln.detail}" for ln in lines if cat_changed(ln, base_lines))
        rid = la_rules.route(
            session,
            actor,
            person_id=data.person_id,
            assessment_id=record.id,
            package_id=data.package_id,
            met=met,
            what=what or data.why.strip(),
        )
        return Routed(rid, tuple(met))
    if pkg is not None and base is not None and not base.saved:
        base = adopt(session, actor, pkg)
    return _arrange(session, actor, person, pkg, base, lines, record, data.why.strip(), settings, recording_review)


def cat_changed(ln: LineView, base: dict[int, LineView]) -> bool:
    """True when a line is new or differs from the version it was based on."""
    return ln.line not in base or bool(_line_diff(base[ln.line], ln))


def _arrange(
    session: Session,
    actor: Actor,
    person: Person,
    pkg: CarePackage | None,
    base: VersionView | None,
    lines: list[LineView],
    record: assessments.AssessmentRecord,
    why: str,
    settings: config.PackageSettings,
    recording_review: int | None = None,
) -> Arranged:
    today = clock.today()
    start = min((ln.start_date for ln in lines), default=today)
    if pkg is None:
        pkg = CarePackage(
            person_id=saved_id(person.id),
            status="active",
            state="requested",
            started_on=start,
            requested_on=today,
            target_on=today + timedelta(days=settings.package_target_days),
        )
        history.create(session, actor, pkg, f"Package requested on {record.byline}'s assessment", person_id=person.id)
        _step(session, actor, pkg, None, "requested", today)
    # Two flushes, not a dozen: the version (its id is the lines' and the notices'), then the rest
    # together (the package row once, the items, the lines, the reviews, the notices). Every change
    # and history entry is written as before, and the history entries go to the database after them,
    # in order, as one statement. Nothing read inside needs what is still pending.
    with history.batched(session), session.no_autoflush, history.stale_as_record("package"):
        row = _write_version(session, actor, pkg, lines, assessment_id=record.id, why=why)
        new = _written_view(session, row, lines, record, base)
        words = diff(base, new)
        changes: dict[str, object] = dict(current_version=row.number)
        if base is None:
            changes["started_on"] = start
        if not lines:
            changes.update(state="ended", status="ended", ended_on=today)
        history.change(
            session,
            actor,
            pkg,
            changes,
            expected_version=pkg.version,
            why=f"Version {row.number}: " + "; ".join(words),
            person_id=person.id,
            label="package",
            flush=False,
        )
        _sync_items(session, actor, pkg, lines, settings, flush=False)
        notices: list[ProviderNotice] = []
        for provider, what in _notices(base, new).items():
            notice = ProviderNotice(
                package_id=saved_id(pkg.id), version_id=saved_id(row.id), provider=provider, what="; ".join(what)
            )
            session.add(notice)
            notices.append(notice)
        changed_starts = [
            ln.start_date for ln in lines if cat_changed(ln, {x.line: x for x in (base.lines if base else ())})
        ]
        review_start = min(changed_starts, default=start)
        due = review_dates.due_at(review_start, review_dates.wall_time(clock.now()), settings.first_review_days)
        review_dates.schedule(
            session,
            actor,
            pkg,
            kind="first",
            due=due,
            why=f"Review {settings.first_review_days} days after version {row.number} starts",
            recording=recording_review,
        )
        history.change(
            session,
            actor,
            pkg,
            dict(review_due=clock.local(due).date()),
            expected_version=None,
            why="Review set",
            person_id=person.id,
            label="package",
            flush=False,
        )
        session.flush()
    caseload.refresh(session, saved_id(person.id))
    return Arranged(saved_id(pkg.id), new, tuple(words), tuple(_notice_row(n, row.number) for n in notices), due)


def on_top(session: Session, data: PackageChange) -> PackageChange:
    """This desk's change laid over the package as another desk left it: one key after :class:`PackageChanged`.

    Each service this desk changed, added or ended since the version it read
    is taken as this desk has it; every other service as it is now.
    """
    if data.package_id is None:
        return data
    pkg = session.get(CarePackage, data.package_id)
    if pkg is None:
        raise NotFound("That package is not on record.")
    read = version(session, data.package_id, data.based_on) if data.based_on else None
    if read is None and pkg.current_version:  # read before versions: what it read was version 1 as found
        first = version(session, data.package_id, 1)
        read = first if first.as_found else None
    mine_base = {ln.line: ln for ln in (read.lines if read else ())}
    now = current(session, data.package_id)
    theirs = {ln.line: ln for ln in (now.lines if now else ())}
    given = {s.line: s for s in data.services if s.line is not None}
    out: list[ServiceLine] = []
    for line, ln in theirs.items():
        mine = given.get(line)
        if line in mine_base and mine is None:
            continue  # this desk ended it
        if mine is not None and (line not in mine_base or not _same(_as_line(mine_base[line]), mine)):
            out.append(mine)  # this desk changed it
        else:
            out.append(_as_line(ln))
    out.extend(s for s in data.services if s.line is None)
    return replace(data, services=tuple(out), based_on=pkg.current_version)


def _normal(s: ServiceLine) -> ServiceLine:
    """A line with the catalogue's cost filled in and its dates read, for comparing what was meant."""
    spec = catalogue.load().service(s.service)
    cost = s.unit_cost_pence if s.unit_cost_pence is not None else (spec.unit_cost_pence if spec else None)
    start = dates.parse(s.start_date) if isinstance(s.start_date, str) else s.start_date
    end = dates.parse(s.end_date) if isinstance(s.end_date, str) else s.end_date
    visits = spec is not None and spec.form == "visits"
    return replace(
        s,
        unit_cost_pence=cost,
        start_date=start or s.start_date,
        end_date=end,
        times=tuple(sorted(s.times)),
        days=tuple(d for d in DAYS if d in s.days) if visits else EVERY_DAY,
        quantity=s.quantity if not visits else 1,
        line=None,
    )


def _same(a: ServiceLine, b: ServiceLine) -> bool:
    return _normal(a) == _normal(b)


def _as_line(ln: LineView) -> ServiceLine:
    return ServiceLine(
        service=ln.service,
        provider=ln.provider,
        start_date=ln.start_date,
        end_date=ln.end_date,
        unit_cost_pence=ln.unit_cost_pence,
        times=ln.times,
        minutes=ln.minutes,
        carers=ln.carers,
        days=ln.days if ln.times else EVERY_DAY,
        quantity=ln.quantity,
        line=ln.line,
    )


def as_lines(view: VersionView) -> tuple[ServiceLine, ...]:
    """A version's services as a form would send them unchanged: the start of any change."""
    return tuple(_as_line(ln) for ln in view.lines)


def end_package(session: Session, actor: Actor, package_id: int, *, why: str, based_on: int) -> VersionView:
    """End a package (at its review, say): a last version with no services, every service ended."""
    pkg = _locked(session, package_id)
    if pkg is None:
        raise NotFound("That package is not on record.")
    if not why.strip():
        raise InvalidForm({"why": "Say why the package is ending."})
    if pkg.current_version != based_on:
        raise _changed(session, package_id, based_on)
    base = adopt(session, actor, pkg) or current(session, package_id)
    row = _write_version(session, actor, pkg, [], assessment_id=None, why=why.strip())
    new = _views(session, [row])[0]
    today = clock.today()
    history.change(
        session,
        actor,
        pkg,
        dict(current_version=row.number, state="ended", status="ended", ended_on=today),
        expected_version=pkg.version,
        why=f"Version {row.number}: package ended",
        person_id=pkg.person_id,
        label="package",
    )
    _step(session, actor, pkg, None, "ended", today, note=why.strip())
    _sync_items(session, actor, pkg, [], config.for_zone(_zone(session, pkg)))
    for provider, what in _notices(base, new).items():
        session.add(
            ProviderNotice(package_id=package_id, version_id=saved_id(row.id), provider=provider, what="; ".join(what))
        )
    session.flush()
    caseload.refresh(session, pkg.person_id)
    return new


def _zone(session: Session, pkg: CarePackage) -> str:
    person = session.get(Person, pkg.person_id)
    assert person is not None
    return person.zone_id


# --- states ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepInput:
    """A package (``line`` None) or one of its services moving to a state, on a day."""

    package_id: int
    expected_version: int
    """The version of the package row (``CarePackage.version``) the screen read."""
    state: str
    on: date | None = None
    """The day it happened (today if None)."""
    line: int | None = None
    confirmed_by: str = ""
    """Arranged: who at the provider confirmed."""
    note: str = ""


@dataclass(frozen=True)
class StepRow:
    """One dated step of a package or a service."""

    line: int | None
    state: str
    on: date
    at: datetime
    by_id: int | None
    confirmed_by: str
    note: str


def move(session: Session, actor: Actor, data: StepInput) -> list[StepRow]:
    """Move a package or a service to the next state, dated; returns the package's steps.

    Arranged needs who at the provider confirmed. A package (or an equipment
    item) becoming active is when it became available, the day its target is
    measured to. Suspending and resuming a package moves its services with it.
    A package from before versions is adopted first (its services kept as
    version 1 as found).
    """
    pkg = session.get(CarePackage, data.package_id)
    if pkg is None:
        raise NotFound("That package is not on record.")
    if data.state not in STATES:
        raise InvalidForm({"state": "Choose requested, arranged, active, suspended or ended."})
    on = data.on or clock.today()
    if not pkg.current_version and pkg.version == data.expected_version and adopt(session, actor, pkg) is not None:
        data = replace(data, expected_version=pkg.version)  # the package as it was read, its services now lines
    if on > clock.today():
        raise InvalidForm({"on": "That day has not come yet."})
    if data.state == "arranged" and not data.confirmed_by.strip():
        raise InvalidForm({"confirmed_by": "Say who at the provider confirmed it."})
    if data.line is None:
        if data.state not in MOVES[pkg.state]:
            raise InvalidForm(
                {"state": f"A package {STATES[pkg.state].lower()} cannot become {STATES[data.state].lower()}."}
            )
        changes: dict[str, object] = dict(state=data.state)
        if data.state == "active" and pkg.available_on is None:
            changes["available_on"] = on
        if data.state == "ended":
            changes.update(status="ended", ended_on=on)
        history.change(
            session,
            actor,
            pkg,
            changes,
            expected_version=data.expected_version,
            why=f"Package {STATES[data.state].lower()}",
            person_id=pkg.person_id,
            label="package",
        )
        for it in session.exec(
            select(CarePackageItem).where(CarePackageItem.package_id == pkg.id, col(CarePackageItem.state) != "ended")
        ):
            if it.state == data.state or (data.state == "suspended" and it.state != "active"):
                continue  # the package's services follow it (only active ones are suspended)
            item_changes: dict[str, object] = dict(state=data.state)
            if data.state == "active" and it.available_on is None:
                item_changes["available_on"] = on
            if data.state == "ended":
                item_changes["end_date"] = on
            history.change(
                session,
                actor,
                it,
                item_changes,
                expected_version=None,
                why=f"{it.service} {STATES[data.state].lower()}",
                person_id=pkg.person_id,
                label="package service",
            )
            _step(session, actor, pkg, it.line, data.state, on)
    else:
        item = session.exec(
            select(CarePackageItem).where(
                CarePackageItem.package_id == pkg.id,
                CarePackageItem.line == data.line,
                col(CarePackageItem.state) != "ended",
            )
        ).first()
        if item is None:
            raise NotFound("That service is not in the package.")
        if data.state not in MOVES[item.state]:
            raise InvalidForm(
                {"state": f"A service {STATES[item.state].lower()} cannot become {STATES[data.state].lower()}."}
            )
        if pkg.version != data.expected_version:
            raise StaleRecord(
                "This package was changed at another desk while you had it open. Nothing of yours "
                "was saved: reopen it to see their change, then make yours again."
            )
        item_changes = {"state": data.state}
        if data.state == "active" and item.available_on is None:
            item_changes["available_on"] = on
        if data.state == "ended":
            item_changes["end_date"] = on
        history.change(
            session,
            actor,
            item,
            item_changes,
            expected_version=None,
            why=f"{item.service} {STATES[data.state].lower()}",
            person_id=pkg.person_id,
            label="package service",
        )
    _step(session, actor, pkg, data.line, data.state, on, data.confirmed_by.strip(), data.note.strip())
    session.flush()
    caseload.refresh(session, pkg.person_id)
    return steps(session, data.package_id)


def steps(session: Session, package_id: int) -> list[StepRow]:
    """Every dated step of a package and its services, in the order they were recorded."""
    return [
        StepRow(s.line, s.state, s.happened_on, s.at, s.by_id, s.confirmed_by, s.note)
        for s in session.exec(select(CareStep).where(CareStep.package_id == package_id).order_by(col(CareStep.id)))
    ]


# --- providers to tell --------------------------------------------------------------------


def _notice_row(n: ProviderNotice, package_version: int) -> NoticeRow:
    prov = catalogue.load().provider(n.provider)
    return NoticeRow(
        saved_id(n.id),
        n.version,
        n.package_id,
        package_version,
        n.provider,
        prov.name if prov else n.provider,
        prov.phone if prov else "",
        n.what,
        n.told_at,
        n.told_by_id,
    )


def providers_to_tell(session: Session, package_id: int, *, untold_only: bool = False) -> list[NoticeRow]:
    """The providers to tell about each version of a package, newest version first."""
    q = (
        select(ProviderNotice, CarePackageVersion.number)
        .join(CarePackageVersion, col(CarePackageVersion.id) == col(ProviderNotice.version_id))
        .where(ProviderNotice.package_id == package_id)
    )
    if untold_only:
        q = q.where(col(ProviderNotice.told_at).is_(None))
    rows = session.exec(q.order_by(col(CarePackageVersion.number).desc(), col(ProviderNotice.id))).all()
    return [_notice_row(n, number) for n, number in rows]


def mark_told(session: Session, actor: Actor, notice_id: int, expected_version: int) -> NoticeRow:
    """Tick a provider off as told about a change, with who and when."""
    n = session.get(ProviderNotice, notice_id)
    if n is None:
        raise NotFound("That provider notice is not on record.")
    if n.told_at is not None:
        raise InvalidForm({"notice": f"Already told at {clock.local(n.told_at):%H:%M}."})
    pkg = session.get(CarePackage, n.package_id)
    history.change(
        session,
        actor,
        n,
        dict(told_at=clock.now(), told_by_id=actor.staff_id),
        expected_version=expected_version,
        why="Provider told",
        person_id=pkg.person_id if pkg else None,
        label="provider notice",
    )
    number = session.get(CarePackageVersion, n.version_id)
    return _notice_row(n, number.number if number else 0)
