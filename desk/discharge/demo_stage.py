"""The demo's wards: patients at every stage of a stay, recorded through the desk's own services.

Run by :func:`desk.demo.seed_demo` after the packages, for the demo's people
in hospital now (desk.demo plans who and on which ward; Reg's stay is his
story's, data/story_people.json). Each stay goes through what a discharge
co-ordinator does at the desk (desk.discharge.stays, delays, leaving, pickups),
signed as the co-ordinator who covers the ward, so its rows (the plan, the
tasks, the delayed days with their reasons, the pick-up, the history) are
exactly what the desk writes. The demo's wards then show:

* **just admitted**, not yet checked (:data:`NEW`);
* **awaiting a discharge ready date**: checked, no date yet;
* **ready and delayed**, each delayed day with its reason; one delay runs over
  the last month end, its reason changed on the first of this month, so the
  delays view counts two months (:data:`MONTH_END`); one care home placement
  (pathway 3, referred to a social worker); one whose reason nobody has given
  yet, so the ward screen asks for it;
* **going home today**: the package confirmed, every task done, waiting for
  this afternoon's transport (:data:`GOING_TODAY`);
* **a pick-up waiting for the zone**: discharged earlier today, not yet
  acknowledged (:data:`PICKUPS_WAITING`), and one of yesterday the zone has
  acknowledged;
* **Reg** on Ward 3: in nine days, his package of two visits a day suspended
  on admission, ready for discharge five days ago and waiting for the care
  agency to take him back on three visits a day.

Everyone's stay is admitted on the day desk.demo planned; the ward's patients
of other zones show on its ward screen too, as they would on a real ward.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from desk import clock
from desk.discharge import delays, leaving, pickups, stays
from desk.discharge_models import DischargeTask, WardCover, ZonePickup
from desk.errors import InvalidForm
from desk.history import Actor
from desk.models import Admission, CarePackage, Organisation, Staff
from desk.packages import arrange

WARD_DESK = "demo ward"
"""The desk the demo's stays are recorded at (its history rows are the ward's, not the registration's)."""
NEW = 2
GOING_TODAY = 2
PICKUPS_WAITING = 2
PICKUPS_ACKNOWLEDGED = 1
MONTH_END_READY_BEFORE = 3
"""The month-end delay was ready this many days before the first of this month."""

ADMITTED_FOR = (
    "Fall at home",
    "Chest infection",
    "Exacerbation of COPD",
    "Urinary tract infection",
    "Heart failure",
    "Acute confusion",
    "Cellulitis",
)
REASONS = {
    "0": ("medical", "Ward doctor"),
    "1": ("care_at_home", "Care agency"),
    "2": ("community_bed", "Bed bureau"),
    "3": ("care_home_bed", "Social worker"),
}
"""Why someone on each pathway is still on the ward past their discharge ready date, and who is acting."""


@dataclass(frozen=True)
class StayWanted:
    """Someone desk.demo put in hospital now: their ward, since when, how long ago they were ready to go."""

    person_id: int
    zone_id: str
    ward_id: int
    admitted_at: datetime
    ready_days_ago: float | None
    story: str = ""
    """The story's key (data/story_people.json) for a story person, else empty."""
    has_package: bool = False


@dataclass
class _Desk:
    """The session, the clock, the co-ordinator covering each ward, and a generator."""

    session: Session
    now: datetime
    today: date
    rng: random.Random
    cover: dict[int, int]
    anyone: int
    made: dict[str, int]

    def actor(self, ward_id: int) -> Actor:
        """The discharge co-ordinator covering the ward, at the ward's desk."""
        return Actor(self.cover.get(ward_id, self.anyone), WARD_DESK)

    def version(self, admission_id: int) -> int:
        stay = self.session.get(Admission, admission_id)
        assert stay is not None
        return stay.version

    def count(self, stage: str) -> None:
        self.made[stage] = self.made.get(stage, 0) + 1


def _cover(session: Session) -> tuple[dict[int, int], int]:
    """Each ward's covering co-ordinator (the first by id), and any co-ordinator for a ward without one."""
    cover: dict[int, int] = {}
    for staff_id, ward_id in session.exec(
        select(WardCover.staff_id, WardCover.ward_id).order_by(col(WardCover.staff_id))
    ):
        cover.setdefault(ward_id, staff_id)
    anyone = (
        session.exec(select(Staff.id).where(Staff.role == "discharge_coordinator").order_by(col(Staff.id))).first()
        or session.exec(select(Staff.id).order_by(col(Staff.id))).first()
    )
    assert anyone is not None
    return cover, anyone


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A time on the office clock of ``day``, as the UTC the desk keeps."""
    return datetime.combine(day, time(hour, minute), tzinfo=clock.LONDON).astimezone(clock.now().tzinfo)


def _admit(d: _Desk, want: StayWanted, at: datetime, reason: str = "") -> int | None:
    """The admission as the co-ordinator records it (the package suspended); None if the desk refuses it."""
    try:
        return stays.admit(
            d.session,
            d.actor(want.ward_id),
            stays.AdmissionInput(
                person_id=want.person_id,
                ward_id=want.ward_id,
                admitted_at=min(at, d.now - timedelta(minutes=20)),
                reason=reason or ADMITTED_FOR[d.rng.randrange(len(ADMITTED_FOR))],
            ),
        )
    except InvalidForm:
        return None  # a past stay of theirs runs into this one: leave them at home


def _check(d: _Desk, want: StayWanted, aid: int) -> None:
    """The co-ordinator has checked the admission and told the package's providers of its suspension."""
    actor = d.actor(want.ward_id)
    stays.check(d.session, actor, aid, d.version(aid))
    stay = d.session.get(Admission, aid)
    if stay is not None and stay.package_id is not None:
        for notice in arrange.providers_to_tell(d.session, stay.package_id, untold_only=True):
            arrange.mark_told(d.session, actor, notice.id, notice.version)


def _plan(
    d: _Desk,
    want: StayWanted,
    aid: int,
    ready_on: date | None,
    pathway: str,
    *,
    ready_by: date | None = None,
    placement: Organisation | None = None,
    note: str = "Talked it through with them and their family on the ward",
) -> None:
    stays.plan(
        d.session,
        d.actor(want.ward_id),
        stays.PlanInput(
            admission_id=aid,
            expected_version=d.version(aid),
            ready_on=ready_on,
            pathway=pathway,
            involved=True,
            involved_note=note,
            package_ready_by=ready_by,
            placement_id=placement.id if placement else None,
            placement_note=f"A room at {placement.name}" if placement else "",
        ),
    )


def _tasks(d: _Desk, want: StayWanted, aid: int, states: dict[str, str], owner: dict[str, str]) -> None:
    """Move the stay's tasks on to the states given (the rest as they are)."""
    for task in d.session.exec(
        select(DischargeTask).where(DischargeTask.admission_id == aid).order_by(col(DischargeTask.id))
    ).all():
        state = states.get(task.kind, states.get("*", ""))
        if not state or task.id is None:
            continue
        stays.set_task(
            d.session,
            d.actor(want.ward_id),
            stays.TaskInput(task.id, task.version, state, owner.get(task.kind, "Ward team"), ""),
        )


def _reason(d: _Desk, want: StayWanted, aid: int, reason: str, owner: str, from_day: date, note: str = "") -> None:
    delays.set_reason(
        d.session,
        d.actor(want.ward_id),
        delays.DelayInput(admission_id=aid, reason=reason, owner=owner, from_day=from_day, note=note),
    )


ALL_DONE = {"*": "done", "equipment": "not_needed"}
TASK_OWNERS = {
    "package": "Discharge co-ordinator",
    "equipment": "Ward therapist",
    "transport": "Ward clerk",
    "medicines": "Pharmacy",
    "summary": "Ward doctor",
    "agreement": "Discharge co-ordinator",
}


def _reg(d: _Desk, want: StayWanted) -> None:
    """Reg's story: nine days on Ward 3, his two visits a day suspended, ready five days ago, the agency awaited."""
    aid = _admit(d, want, want.admitted_at, "Exacerbation of COPD")
    if aid is None:
        return
    _check(d, want, aid)
    ready_on = d.today - timedelta(days=round(want.ready_days_ago or 5))
    _plan(
        d,
        want,
        aid,
        ready_on,
        "1",
        ready_by=d.today + timedelta(days=1),
        note="Reg and his son Mark: home with more help, three visits a day",
    )
    _tasks(d, want, aid, {"summary": "done", "medicines": "in_hand", "package": "in_hand"}, TASK_OWNERS)
    _reason(d, want, aid, "care_at_home", "Redcliffe Care at Home", ready_on, "Three visits a day from tomorrow")
    d.count("reg")


def _new(d: _Desk, want: StayWanted) -> None:
    """Admitted a few hours ago; nobody has checked the admission yet."""
    if _admit(d, want, d.now - timedelta(hours=d.rng.uniform(1, 5))) is not None:
        d.count("new")


def _awaiting(d: _Desk, want: StayWanted) -> None:
    """Checked, still being treated: no discharge ready date yet."""
    aid = _admit(d, want, want.admitted_at)
    if aid is not None:
        _check(d, want, aid)
        d.count("awaiting_drd")


def _delayed(d: _Desk, want: StayWanted, *, pathway: str, given: bool = True) -> None:
    """Ready since their date and still here, each delayed day with its reason (unless none was given)."""
    aid = _admit(d, want, want.admitted_at)
    if aid is None:
        return
    _check(d, want, aid)
    day_in = stays.admitted_on(want.admitted_at)
    ready_on = max(day_in, d.today - timedelta(days=round(want.ready_days_ago or 1)))
    placement = None
    if pathway == "3":
        placement = d.session.exec(
            select(Organisation).where(Organisation.kind == "care_home").order_by(col(Organisation.id))
        ).first()
    _plan(d, want, aid, ready_on, pathway, placement=placement)
    _tasks(d, want, aid, {"summary": "done", "medicines": "done", "transport": "in_hand"}, TASK_OWNERS)
    if given:
        reason, owner = REASONS[pathway]
        _reason(d, want, aid, reason, owner, ready_on)
        d.count("delayed")
    else:
        d.count("delay_reason_missing")


def _month_end(d: _Desk, want: StayWanted) -> None:
    """Ready before the last month end, still here: awaiting a community bed, then transport from the first."""
    first = d.today.replace(day=1)
    ready_on = first - timedelta(days=MONTH_END_READY_BEFORE)
    aid = _admit(d, want, _at(ready_on - timedelta(days=4), 11, 20), "Fractured neck of femur")
    if aid is None:
        return
    _check(d, want, aid)
    _plan(d, want, aid, ready_on, "2")
    _tasks(d, want, aid, {"summary": "done", "medicines": "done", "agreement": "done"}, TASK_OWNERS)
    _reason(d, want, aid, "community_bed", "Bed bureau", ready_on)
    _reason(d, want, aid, "transport", "Transport desk", first, "A community bed found: transport booked")
    d.count("delayed_over_month_end")


def _going_today(d: _Desk, want: StayWanted) -> None:
    """Ready today, the package confirmed by its provider and every task done: home this afternoon."""
    aid = _admit(d, want, want.admitted_at)
    if aid is None:
        return
    _check(d, want, aid)
    pathway = "0" if want.has_package else "1"
    _plan(d, want, aid, d.today, pathway, ready_by=d.today)
    _tasks(d, want, aid, ALL_DONE, TASK_OWNERS)
    # still on the ward on their ready date, today counts as delayed until they go: the ward says why
    _reason(d, want, aid, "transport", "Transport desk: home this afternoon", d.today)
    d.count("going_today")


def _discharged(d: _Desk, want: StayWanted, *, hours_ago: float, acknowledge: bool) -> None:
    """Home already: the discharge recorded, the zone told; the zone has acknowledged it, or not yet."""
    at = d.now - timedelta(hours=hours_ago)
    aid = _admit(d, want, min(want.admitted_at, at - timedelta(days=3)))
    if aid is None:
        return
    actor = d.actor(want.ward_id)
    _check(d, want, aid)
    ready_on = clock.local(at).date()
    _plan(d, want, aid, ready_on, "0")
    _tasks(d, want, aid, ALL_DONE, TASK_OWNERS)
    ward = d.session.get(Organisation, want.ward_id)
    who = d.session.get(Staff, actor.staff_id)
    ring = f"{stays.short_ward(ward.name) if ward else 'The ward'} {ward.phone_raw if ward else ''}".strip()
    leaving.discharge(
        d.session,
        actor,
        leaving.DischargeInput(
            admission_id=aid,
            expected_version=d.version(aid),
            discharged_at=at,
            note="Home with their family; no new support needed",
            unconfirmed_why="",
            who_to_ring=f"{ring}, {who.name if who else ''}".strip(", "),
        ),
    )
    if acknowledge:
        pickup = d.session.exec(select(ZonePickup).where(ZonePickup.admission_id == aid)).one()
        zone_staff = d.session.exec(
            select(Staff.id).where(Staff.zone_id == want.zone_id, Staff.role == "coordinator").order_by(col(Staff.id))
        ).first()
        pickups.acknowledge(
            d.session,
            Actor(zone_staff or actor.staff_id, "demo zone"),
            pickups.PickupAck(pickup.id or 0, pickup.version, "Rang them at home: settled, no new needs"),
        )
        d.count("pickup_acknowledged")
    else:
        d.count("pickup_waiting")


def add_ward_discharge(
    session: Session, *, now: datetime, seed: int, stays_wanted: Sequence[StayWanted]
) -> dict[str, int]:
    """Record the demo's stays through the desk's services; returns how many stays are at each stage.

    Who goes to which stage is decided here: the story people as their stories
    tell; of the others, those without a package for the stages that end in a
    discharge (so their package's reviews stay as the package stage made
    them), and by whether desk.demo made them ready to go.
    """
    with clock.held_at(now):  # the services read the desk's clock: the demo's stays happen on its day
        return _record(session, now, seed, stays_wanted)


def _record(session: Session, now: datetime, seed: int, stays_wanted: Sequence[StayWanted]) -> dict[str, int]:
    cover, anyone = _cover(session)
    d = _Desk(session, now, clock.local(now).date(), random.Random(f"{seed}/discharge"), cover, anyone, {})
    others = sorted((w for w in stays_wanted if not w.story), key=lambda w: (w.admitted_at, w.person_id))
    d.rng.shuffle(others)
    for want in stays_wanted:
        if want.story == "reg":
            _reg(d, want)
    without_package = [w for w in others if not w.has_package]
    chosen: set[int] = set()

    def take(pool: Sequence[StayWanted], n: int) -> list[StayWanted]:
        out = [w for w in pool if w.person_id not in chosen][:n]
        chosen.update(w.person_id for w in out)
        return out

    for want in take(without_package, PICKUPS_WAITING):
        _discharged(d, want, hours_ago=d.rng.uniform(1.5, 3), acknowledge=False)
    for want in take(without_package, PICKUPS_ACKNOWLEDGED):
        _discharged(d, want, hours_ago=d.rng.uniform(20, 26), acknowledge=True)
    for want in take(others, 1):
        _month_end(d, want)
    for want in take(others, GOING_TODAY):
        _going_today(d, want)
    for want in take(others, NEW):
        _new(d, want)
    ready = [w for w in others if w.ready_days_ago is not None]
    for want in take(ready, 1):
        _delayed(d, want, pathway="3")
    for want in take(ready, 1):
        _delayed(d, want, pathway="1", given=False)
    for want in others:
        if want.person_id in chosen:
            continue
        if want.ready_days_ago is None:
            _awaiting(d, want)
        else:
            _delayed(d, want, pathway="1" if want.has_package or d.rng.random() < 0.45 else "0")
    session.flush()
    return d.made


def people_with_packages(session: Session, person_ids: Sequence[int]) -> set[int]:
    """Which of these people have a package that is active now (admission suspends it)."""
    if not person_ids:
        return set()
    return set(
        session.exec(
            select(CarePackage.person_id).where(
                col(CarePackage.person_id).in_(list(person_ids)), CarePackage.state == "active"
            )
        )
    )
