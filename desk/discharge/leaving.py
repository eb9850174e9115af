"""Recording a discharge: the package live that day, the zone told, the review four weeks on, the delay settled.

:func:`discharge` checks everything first (:class:`~desk.errors.InvalidForm`,
a message per field, nothing written): the time (not before the admission,
not in the future), the plan (a discharge ready date, a pathway, a care home
for pathway 3), a reason for every delayed day, and the package confirmed by
its provider, or a reason to go without it (the screen asks, the reason is
recorded). Then, in the caller's one transaction:

* the stay ends (who, when, the note, the reason given for an unconfirmed package);
* the delay is settled: the last reason carried to the discharge day
  (desk.discharge.delays.carry_forward) and days after it dropped, so the
  delayed days are fixed;
* the package goes live on the discharge day: the one suspended on admission
  restarts (desk.packages.arrange.move, active), or one arranged on the ward
  assessment and confirmed by its provider starts. Going home (pathways 0
  and 1) only: for a bed-based stay or a care home (2, 3) the package stays
  suspended and the pick-up says so. A package the provider has not confirmed
  is not made live; the pick-up says so, with the reason given;
* the zone is told: a :class:`~desk.discharge_models.ZonePickup` for the
  person's zone with what was put in place and who to ring, raised at once
  on the zone's desks (desk.discharge.pickups);
* when there is a package (on any pathway: after a bed-based stay or a care
  home placement the review decides what becomes of the suspended one), its
  review is set four weeks (28 days) after the discharge day, at the discharge's time on the office clock (a
  :class:`~desk.package_models.PackageReview` of kind ``discharge``, raised by
  desk.crisis.reminders.poll_reviews).

Each change is in the history with who, when and why; the caseload row follows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from desk import clock, history
from desk.discharge import delays
from desk.discharge_models import DischargeTask, ZonePickup
from desk.errors import InvalidForm, NotFound, StaleRecord
from desk.history import Actor
from desk.models import Admission, CarePackage, CarePackageItem, Organisation, Person, Staff
from desk.packages import arrange, review_dates
from desk.services import caseload
from desk.vocabulary import PATHWAYS

REVIEW_AFTER_DAYS = 28
"""The review of a person's needs falls this many days after the discharge day."""

DONE_STATES = frozenset({"done", "not_needed"})
"""Task states that no longer stand between the patient and the door."""

NOT_CONFIRMED = "The provider has not confirmed the package: give a reason to discharge without it"
"""What the desk says when the package task is not done and no reason was given."""

GOING_HOME = frozenset({"0", "1"})
"""Pathways home: the package goes live on the discharge day."""


@dataclass(frozen=True)
class DischargeInput:
    """A discharge as the discharge dialog records it."""

    admission_id: int
    expected_version: int
    """The admission's version the screen read."""
    discharged_at: datetime | None = None
    """When the patient left; now if None. A naive time is UK local (as typed), an aware one any zone."""
    note: str = ""
    unconfirmed_why: str = ""
    """Why the patient goes without the provider's confirmation of the package."""
    who_to_ring: str = ""
    """Who the zone rings about it; the ward's number and the co-ordinator's name if empty."""


@dataclass(frozen=True)
class Discharged:
    """What a recorded discharge put in place."""

    admission_id: int
    discharged_at: datetime
    put_in_place: str
    who_to_ring: str
    pickup_id: int
    package_id: int | None
    package_state: str
    """The package's state after the discharge ("" without a package)."""
    review_id: int | None
    review_due_at: datetime | None
    delayed_days: tuple[date, ...]


def _as_utc(value: datetime) -> datetime:
    """A time as typed (naive: the office clock, UK local) or aware, in UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=clock.LONDON, fold=0)
    return value.astimezone(UTC)


def _package_task(session: Session, admission_id: int) -> DischargeTask | None:
    return session.exec(
        select(DischargeTask).where(DischargeTask.admission_id == admission_id, DischargeTask.kind == "package")
    ).first()


def _package(session: Session, adm: Admission) -> CarePackage | None:
    """The package the stay goes home with: the one suspended on admission, else one arranged on the ward."""
    if adm.package_id is not None:
        pkg = session.get(CarePackage, adm.package_id)
        if pkg is not None and pkg.state != "ended":
            return pkg
    return arrange.package_of(session, adm.person_id)


def _unconfirmed(session: Session, adm: Admission) -> bool:
    """The provider has not confirmed the package: its task is not done, or (no task) it is only requested."""
    task = _package_task(session, adm.id or 0)
    if task is not None:
        return task.state not in DONE_STATES
    pkg = _package(session, adm)
    return pkg is not None and pkg.state == "requested"


def _problems(session: Session, adm: Admission, data: DischargeInput, at: datetime) -> dict[str, str]:
    problems: dict[str, str] = {}
    if adm.discharged_at is not None:
        return {"discharged_at": f"Already discharged at {clock.local(adm.discharged_at):%H:%M on %d-%b-%Y}."}
    if at < adm.admitted_at:
        problems["discharged_at"] = (
            f"That is before the admission ({clock.local(adm.admitted_at):%H:%M on %d-%b-%Y}): check the time."
        )
    elif at > clock.now():
        problems["discharged_at"] = "That time has not come yet: a discharge is recorded when the patient leaves."
    if adm.ready_on is None:
        problems["ready_on"] = "Record the discharge ready date first."
    if adm.pathway not in PATHWAYS:
        problems["pathway"] = "Set the discharge pathway first."
    elif adm.pathway == "3" and adm.placement_id is None:
        problems["placement"] = "Pathway 3: say which care home the patient is going to."
    if adm.ready_on is not None and "discharged_at" not in problems:
        days = delays.delayed_days(adm.ready_on, clock.local(at).date(), clock.today())
        gaps = delays.missing_among(session, adm, days)
        if gaps:
            named = ", ".join(delays.day_words(d) for d in gaps)
            problems["delay_reason"] = f"Give the delay reason for {named} first."
    if _unconfirmed(session, adm) and not data.unconfirmed_why.strip():
        problems["unconfirmed_why"] = NOT_CONFIRMED
    return problems


def _services(session: Session, pkg: CarePackage) -> str:
    """The package's services in words, one after another."""
    assert pkg.id is not None
    view = arrange.current(session, pkg.id)
    if view is not None and view.lines:
        return "; ".join(
            f"{ln.service_name}: {ln.detail} ({ln.provider_name})" for ln in view.lines if ln.end_date is None
        )
    items = session.exec(
        select(CarePackageItem).where(CarePackageItem.package_id == pkg.id, CarePackageItem.state != "ended")
    ).all()
    return "; ".join(f"{it.service}: {it.detail}" if it.detail else it.service for it in items) or "the package"


def _put_in_place(session: Session, adm: Admission, pkg: CarePackage | None, was: str, on: date, why_not: str) -> str:
    """What the zone reads the discharge put in place (``was``: the package's state before the discharge)."""
    placement = session.get(Organisation, adm.placement_id) if adm.placement_id is not None else None
    where = placement.name if placement is not None else adm.placement_note.strip()
    if adm.pathway == "3":
        text = f"Care home placement (pathway 3): {where}"
    elif adm.pathway == "2":
        text = "Bed-based rehabilitation or reablement stay (pathway 2)" + (f": {where}" if where else "")
    elif pkg is None:
        text = "No new support (pathway 0)" if adm.pathway == "0" else "Home (pathway 1): no package on the desk"
    elif pkg.state == "active":
        how = "restarted" if was == "suspended" else "started" if was != "active" else "carries on"
        text = f"Package {how} {delays.day_words(on)}: {_services(session, pkg)}"
    else:
        text = f"Package {arrange.STATES[pkg.state].lower()}, not yet live: {_services(session, pkg)}"
    if pkg is not None and adm.pathway not in GOING_HOME:
        text += ". The package from before the admission stays suspended"
    if why_not:
        text += f". Not confirmed by the provider: {why_not}"
    return text


def _who_to_ring(session: Session, adm: Admission, actor: Actor, typed: str) -> str:
    if typed.strip():
        return typed.strip()
    ward = session.get(Organisation, adm.ward_id)
    me = session.get(Staff, actor.staff_id) if actor.staff_id is not None else None
    parts = [f"{ward.name.split(',')[0]}: {ward.phone_raw or ward.phone_e164}" if ward is not None else ""]
    if me is not None:
        parts.append(me.name)
    return ", ".join(p for p in parts if p)


def _go_live(session: Session, actor: Actor, pkg: CarePackage, on: date) -> None:
    """Make the package live on the discharge day if it can be (suspended or arranged); a requested one cannot."""
    assert pkg.id is not None
    if pkg.state in ("suspended", "arranged"):
        arrange.move(session, actor, arrange.StepInput(pkg.id, pkg.version, "active", on, note="Home from hospital"))


def discharge(session: Session, actor: Actor, data: DischargeInput) -> Discharged:
    """Record that the patient has left: the package live, the zone told, the review set (one transaction)."""
    adm = session.get(Admission, data.admission_id)
    if adm is None:
        raise NotFound("That stay is not on record.")
    if adm.version != data.expected_version:
        raise StaleRecord(
            "This stay was changed at another desk while you had it open. Nothing of yours was saved: "
            "reopen it to see their change, then record the discharge again."
        )
    at = _as_utc(data.discharged_at) if data.discharged_at is not None else clock.now()
    problems = _problems(session, adm, data, at)
    if problems:
        raise InvalidForm(problems)
    assert adm.id is not None
    person = session.get(Person, adm.person_id)
    assert person is not None
    left_on = clock.local(at).date()
    why_not = data.unconfirmed_why.strip() if _unconfirmed(session, adm) else ""
    pkg = _package(session, adm)

    delays.carry_forward(session, actor=actor, today=left_on, admission_id=adm.id)
    history.change(
        session,
        actor,
        adm,
        dict(
            discharged_at=at,
            discharged_by_id=actor.staff_id,
            discharge_note=data.note.strip(),
            unconfirmed_why=why_not,
        ),
        expected_version=data.expected_version,
        why="Discharged from hospital" + (f" without the package confirmed: {why_not}" if why_not else ""),
        person_id=adm.person_id,
        label="stay",
    )
    days = delays.settle(session, actor, adm)

    was = pkg.state if pkg is not None else ""
    if pkg is not None and adm.pathway in GOING_HOME:
        _go_live(session, actor, pkg, left_on)
    put_in_place = _put_in_place(session, adm, pkg, was, left_on, why_not)
    ring = _who_to_ring(session, adm, actor, data.who_to_ring)
    now = clock.now()
    pickup = ZonePickup(
        admission_id=adm.id,
        person_id=adm.person_id,
        zone_id=person.zone_id,
        discharged_at=at,
        put_in_place=put_in_place,
        who_to_ring=ring,
        made_at=now,
        made_by_id=actor.staff_id,
        next_raise_at=now,
    )
    history.create(session, actor, pickup, "Zone told of the discharge", adm.person_id)
    assert pickup.id is not None

    review_id: int | None = None
    review_due: datetime | None = None
    if pkg is not None:  # going home or not: four weeks on, the zone reviews what the person needs now
        review_due = review_dates.due_at(left_on, review_dates.wall_time(at), REVIEW_AFTER_DAYS)
        review = review_dates.schedule(
            session,
            actor,
            pkg,
            kind="discharge",
            due=review_due,
            why="Review four weeks after discharge",
            admission_id=adm.id,
        )
        review_id = review.id
        history.change(
            session,
            actor,
            pkg,
            dict(review_due=clock.local(review_due).date()),
            expected_version=None,
            why="Review set four weeks after discharge",
            person_id=pkg.person_id,
            label="package",
        )
    caseload.refresh(session, adm.person_id)
    return Discharged(
        admission_id=adm.id,
        discharged_at=at,
        put_in_place=put_in_place,
        who_to_ring=ring,
        pickup_id=pickup.id,
        package_id=pkg.id if pkg is not None else None,
        package_state=pkg.state if pkg is not None else "",
        review_id=review_id,
        review_due_at=review_due,
        delayed_days=tuple(days),
    )
