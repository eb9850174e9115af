"""Packages arranged and changed on an assessment: versions, hours and cost, the history, the rules, authority."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db
from desk.errors import InvalidForm
from desk.history import Actor
from desk.models import CarePackage, CarePackageItem, History, Referral
from desk.package_models import AssessmentReferral, CarePackageVersion
from desk.packages import arrange, assessments, authority
from desk.packages.arrange import Arranged, PackageChange, Routed, ServiceLine
from desk.packages.assessments import AssessmentInput, FindingInput
from desk.services.reference import StaffRow
from tests.helpers.fixtures import FrozenClock, Registrar

TWO = ("08:00", "17:00")
FOUR = ("08:00", "12:00", "17:00", "21:00")


def assess(
    engine: Engine,
    actor: Actor,
    person_id: int,
    assessor: StaffRow,
    *,
    role: str = "district_nurse",
    at_days_ago: int = 0,
    clock: FrozenClock,
    areas: tuple[str, ...] = ("personal_care", "medicines"),
) -> assessments.AssessmentRecord:
    with db.writing(engine) as session:
        return assessments.record(
            session,
            actor,
            AssessmentInput(
                person_id=person_id,
                assessor_id=assessor.id,
                assessor_role=role,
                at=clock.now - timedelta(days=at_days_ago),
                place="home",
                findings=tuple(FindingInput(a, "high") for a in areas),
                recommendations="Four calls a day",
            ),
        )


def home_care(times: tuple[str, ...], start: object, line: int | None = None) -> ServiceLine:
    return ServiceLine("home_care", "bay_care", start, times=times, minutes=30, carers=1, line=line)  # type: ignore[arg-type]


def first_package(engine: Engine, actor: Actor, person_id: int, assessment_id: int, start: object) -> Arranged:
    with db.writing(engine) as session:
        out = arrange.change(
            session,
            actor,
            PackageChange(person_id, assessment_id, (home_care(TWO, start),), "Help getting up and to bed"),
        )
    assert isinstance(out, Arranged)
    return out


@pytest.fixture
def doris(register: Registrar, engine: Engine, actor: Actor) -> int:
    """Someone who has had home care before (so no first eligibility decision is needed)."""
    from tests.helpers.records import package

    person = register(family_name="Pascoe", given_name="Doris")
    assert person.id is not None
    package(engine, person.id, "Home care", started_on=person.created_at.date() - timedelta(days=400))
    with db.writing(engine) as session:
        old = session.exec(select(CarePackage).where(CarePackage.person_id == person.id)).one()
        old.status, old.state = "ended", "ended"
    return person.id


def test_a_district_nurse_authorises_two_to_four_visits_a_day(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], doris: int
) -> None:
    nurse = bxm_staff["nurse"]
    first_assessment = assess(engine, actor, doris, nurse, clock=clock, at_days_ago=3)
    first = first_package(engine, actor, doris, first_assessment.id, clock.today - timedelta(days=3))
    assert first.version.number == 1 and first.version.hours_per_week == 7  # 2 x 30 min x 7 days
    assert first.version.cost_per_week_pence == 7 * 2450
    later = assess(engine, actor, doris, nurse, clock=clock)
    assert (
        later.on_behalf
        and later.byline == f"{nurse.name}, District nurse; recorded by {bxm_staff['coordinator'].name} on their behalf"
    )
    with db.writing(engine) as session:
        out = arrange.change(
            session,
            actor,
            PackageChange(
                doris,
                later.id,
                (home_care(FOUR, clock.today - timedelta(days=3), line=1),),
                "Deteriorated: needs help at lunch and bedtime",
                package_id=first.package_id,
                based_on=1,
            ),
        )
    assert isinstance(out, Arranged)
    v = out.version
    assert v.number == 2 and v.assessment_id == later.id
    assert nurse.name in v.assessor and v.arranged_by == bxm_staff["coordinator"].name
    assert v.hours_per_week == 14 and v.cost_per_week_pence == 14 * 2450
    assert out.differences == (
        "Home care visits: visits added (12:00, 21:00), 2 visits a day to 4 visits a day",
        "Hours of care a week: 7 to 14",
        "Cost a week: £171.50 to £343.00",
    )
    assert [(n.provider, n.what) for n in out.providers_to_tell] == [("bay_care", out.differences[0])]
    with db.reading(engine) as session:
        whys = [h.why for h in session.exec(select(History).where(History.entity == "carepackage"))]
        assert any(w.startswith("Version 2: Home care visits: visits added") for w in whys)
        item = session.exec(select(CarePackageItem).where(CarePackageItem.package_id == first.package_id)).one()
        assert item.detail.startswith("4 visits a day (08:00, 12:00, 17:00, 21:00), 30 minutes, 1 carer")
        assert item.weekly_cost_pence == 34300
        assert arrange.compare(session, first.package_id, 1, 2) == list(out.differences)


def test_a_permanent_care_home_placement_is_routed_to_a_social_worker(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], doris: int
) -> None:
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock, areas=("personal_care", "night_time"))
    with db.writing(engine) as session:
        out = arrange.change(
            session,
            actor,
            PackageChange(
                doris,
                rec.id,
                (ServiceLine("care_home_permanent", "berry_head_house", clock.today),),
                "Cannot be managed at home any longer",
            ),
        )
    assert isinstance(out, Routed)
    assert [m.rule.name for m in out.rules] == ["permanent_care_home"]
    assert out.message.startswith("Referred to a social worker of the zone. Permanent move to a care home:")
    with db.reading(engine) as session:
        referral = session.get(Referral, out.referral_id)
        assert referral is not None and referral.discipline == "social_work"
        link = session.get(AssessmentReferral, out.referral_id)
        assert link is not None and (link.assessment_id, link.rule) == (rec.id, "permanent_care_home")
        assert session.exec(select(CarePackageVersion)).all() == []  # nothing arranged


def test_a_20_day_old_assessment_is_refused_with_its_reason(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], doris: int
) -> None:
    old = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock, at_days_ago=20)
    with pytest.raises(authority.AuthorityRefused) as refused, db.writing(engine) as session:
        arrange.change(session, actor, PackageChange(doris, old.id, (home_care(TWO, clock.today),), "More help"))
    assert refused.value.reason == "stale"
    assert refused.value.problems["assessment"] == (
        f"The assessment by District nurse {bxm_staff['nurse'].name} on 03-Nov-2026 is 20 days old; an assessment "
        "authorises changes for 14 days. It assessed: personal care, medicines. Ask for a new assessment."
    )
    with db.writing(engine) as session:
        rid = authority.ask_for_new_assessment(session, actor, old.id)
    with db.reading(engine) as session:
        referral = session.get(Referral, rid)
        assert referral is not None and referral.discipline == "nursing"
        assert session.exec(select(CarePackageVersion)).all() == []


def test_an_assessment_that_did_not_assess_the_area_is_refused(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], doris: int
) -> None:
    physio = assess(
        engine,
        actor,
        doris,
        bxm_staff["physiotherapist"],
        role="physiotherapist",
        clock=clock,
        areas=("mobility_falls",),
    )
    with pytest.raises(authority.AuthorityRefused) as refused, db.writing(engine) as session:
        arrange.change(
            session,
            actor,
            PackageChange(
                doris, physio.id, (ServiceLine("meals", "meadow_meals", clock.today, quantity=7),), "Not eating"
            ),
        )
    assert refused.value.reason == "areas"
    assert (
        "assessed mobility and falls, not what meals delivered at home is for (eating and drinking)"
        in (refused.value.problems["assessment"])
    )


def _nothing_written(engine: Engine) -> None:
    with db.reading(engine) as session:
        assert session.exec(select(CarePackageVersion)).all() == []
        assert session.exec(select(History).where(History.entity == "carepackageversion")).all() == []


@pytest.mark.parametrize(
    ("line", "why", "field", "words"),
    [
        (dict(start_date="-1"), "More help", "services[0].start_date", "before the assessment of 23-Nov-2026"),
        (dict(minutes=0), "More help", "services[0].minutes", "more than zero"),
        (dict(carers=25), "More help", "services[0].carers", "more than 24 carers"),
        (dict(provider="nobody_care"), "More help", "services[0].provider", "no provider 'nobody_care'"),
        (dict(service="space_travel"), "More help", "services[0].service", "no service 'space_travel'"),
        (dict(unit_cost_pence=-1), "More help", "services[0].unit_cost_pence", "cannot be below zero"),
        ({}, "  ", "why", "Say why the package is changing"),
    ],
)
def test_bad_input_is_refused_field_by_field_and_nothing_is_written(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,
    line: dict[str, object],
    why: str,
    field: str,
    words: str,
) -> None:
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    values: dict[str, object] = dict(
        service="home_care", provider="bay_care", start_date=clock.today, times=TWO, minutes=30, carers=1
    )
    values.update(line)
    if values["start_date"] == "-1":
        values["start_date"] = clock.today - timedelta(days=1)
    with pytest.raises(InvalidForm) as bad, db.writing(engine) as session:
        arrange.change(session, actor, PackageChange(doris, rec.id, (ServiceLine(**values),), why))  # type: ignore[arg-type]
    assert list(bad.value.problems) == [field]
    assert words in bad.value.problems[field]
    _nothing_written(engine)


def test_two_desks_the_second_is_told_and_applies_its_change_on_top(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], doris: int
) -> None:
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock, areas=("personal_care", "home_environment"))
    first = first_package(engine, actor, doris, rec.id, clock.today)
    other = Actor(bxm_staff["coordinator"].id, "desk-2")
    with db.writing(engine) as session:  # desk 1 adds lunch
        arrange.change(
            session,
            actor,
            PackageChange(
                doris,
                rec.id,
                (home_care(("08:00", "12:00", "17:00"), clock.today, line=1),),
                "Lunch",
                package_id=first.package_id,
                based_on=1,
            ),
        )
    mine = PackageChange(
        doris,
        rec.id,
        (home_care(TWO, clock.today, line=1), ServiceLine("key_safe", "community_equipment", clock.today)),
        "Carers need to let themselves in",
        package_id=first.package_id,
        based_on=1,
    )
    with pytest.raises(arrange.PackageChanged) as clash, db.writing(engine) as session:  # desk 2 read version 1
        arrange.change(session, other, mine)
    assert [v.number for v in clash.value.theirs] == [2]
    with db.reading(engine) as session:
        theirs = arrange.their_change(session, first.package_id, 1)
        assert theirs[0] == (
            f"Version 2 ({bxm_staff['coordinator'].name}, desk-1): "
            "Home care visits: visit added (12:00), 2 visits a day to 3 visits a day"
        )
        assert clash.value.differences == tuple(theirs)
        rebased = arrange.on_top(session, mine)
    assert rebased.based_on == 2
    with db.writing(engine) as session:
        out = arrange.change(session, other, rebased)
    assert isinstance(out, Arranged) and out.version.number == 3
    assert [ln.service for ln in out.version.lines] == ["home_care", "key_safe"]
    assert out.version.lines[0].times == ("08:00", "12:00", "17:00")  # their lunch visit kept


def test_a_service_charged_by_the_week_reads_as_weekly_and_meals_by_their_count() -> None:
    from datetime import date

    from desk.packages.arrange import LineView

    def line(service: str, quantity: int) -> LineView:
        return LineView(1, service, service, "", "", date(2026, 12, 1), None, 475, (), 0, 0, (), quantity, 0, 0, 0)

    assert line("telecare", 1).detail == "weekly"
    assert line("meals", 7).detail == "7 meals a week"


def test_a_change_is_written_in_few_statements_and_keeps_every_history_row(
    engine: Engine, actor: Actor, clock: FrozenClock, bxm_staff: dict[str, StaffRow], doris: int
) -> None:
    """A change of one visit: at most 30 statements (was 38) and 3 flushes (was 11), every history entry in order."""
    from typing import Any

    from sqlalchemy import event, func
    from sqlalchemy.orm import Session as OrmSession
    from sqlmodel import col

    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    made = first_package(engine, actor, doris, rec.id, clock.today)
    clock.advance(timedelta(days=1))  # the change starts a day later: its review falls a day later too
    with db.reading(engine) as session:
        history_from = session.exec(select(func.max(col(History.id)))).one() or 0
    statements: list[str] = []
    flushes: list[int] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    def on_flush(*_: Any) -> None:
        flushes.append(1)

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(OrmSession, "after_flush", on_flush)
    try:
        with db.writing(engine) as session:
            out = arrange.change(
                session,
                actor,
                PackageChange(doris, rec.id, (home_care(FOUR, clock.today, line=1),), "Four calls", made.package_id, 1),
            )
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(OrmSession, "after_flush", on_flush)
    assert isinstance(out, Arranged) and out.version.number == 2
    # 31: the caseload row's refresh also asks whether a discharge waits for the zone to pick up (PICKUP)
    assert len(statements) <= 31, "\n".join(s.split("\n")[0][:100] for s in statements)
    assert len(flushes) <= 3
    with db.reading(engine) as session:
        written = [
            (h.entity, h.action, h.why.split(":")[0], h.staff_id, h.desk, h.person_id)
            for h in session.exec(select(History).where(col(History.id) > history_from).order_by(col(History.id)))
        ]
        pkg = session.get(CarePackage, made.package_id)
        assert pkg is not None and pkg.review_due == clock.today + timedelta(days=28)
    who = (actor.staff_id, actor.desk, doris)
    assert written == [
        ("carepackageversion", "create", "Four calls", *who),
        ("carepackage", "update", "Version 2", *who),
        ("carepackageitem", "update", "Home care visits changed", *who),
        ("packagereview", "update", "Review replaced by the package's new review", *who),
        ("packagereview", "create", "Review 28 days after version 2 starts", *who),
        ("carepackage", "update", "Review set", *who),
    ]
