"""Reviews four weeks after a package starts, across a clock change, raised once; targets and the waiting list."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from desk import clock as desk_clock
from desk import db
from desk.crisis import reminders
from desk.crisis.reminders import ReviewRow
from desk.history import Actor
from desk.models import CarePackage
from desk.package_models import PackageReview
from desk.packages import arrange, review_dates, reviews, targets
from desk.packages.arrange import Arranged, PackageChange, ServiceLine
from desk.services.reference import StaffRow
from tests.core.test_packages_arrange import FOUR, TWO, assess, doris, first_package, home_care  # noqa: F401
from tests.helpers.fixtures import FrozenClock

BST_MORNING = datetime(2026, 10, 10, 9, 30, tzinfo=UTC)  # 10:30 BST, a fortnight before the clocks go back


def poll(engine: Engine, actor: Actor, desk: str) -> list[ReviewRow]:
    with db.writing(engine) as session:
        return reminders.poll_reviews(session, Actor(actor.staff_id, desk), zone_id="BXM")


def test_one_rule_keeps_the_local_time_across_the_clock_change() -> None:
    due = review_dates.due_at(BST_MORNING.date(), review_dates.wall_time(BST_MORNING), 28)
    assert due == datetime(2026, 11, 7, 10, 30, tzinfo=UTC)  # 10:30 GMT: the same wall time, an hour later in UTC
    assert desk_clock.local(due).strftime("%d-%b-%Y %H:%M") == "07-Nov-2026 10:30"
    spring = review_dates.due_at(datetime(2026, 3, 1).date(), datetime(2026, 3, 1, 10, 30).time(), 28)
    assert desk_clock.local(spring).strftime("%d-%b-%Y %H:%M %Z") == "29-Mar-2026 10:30 BST"


def test_the_review_falls_due_four_weeks_later_across_a_clock_change_and_is_raised_once(
    engine: Engine,
    reopen: Callable[[], Engine],
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    clock.set(BST_MORNING)
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    made = first_package(engine, actor, doris, rec.id, clock.today)
    assert made.review_due_at == datetime(2026, 11, 7, 10, 30, tzinfo=UTC)
    with db.reading(engine) as session:
        assert reminders.next_review_wake_at(session, zone_id="BXM") == made.review_due_at
    clock.set(datetime(2026, 11, 7, 10, 29, tzinfo=UTC))
    assert poll(engine, actor, "desk-1") == []
    clock.set(datetime(2026, 11, 7, 10, 30, tzinfo=UTC))
    desks = [reopen() for _ in range(3)]
    start = threading.Barrier(len(desks))

    def desk(n: int) -> list[ReviewRow]:
        start.wait()
        return poll(desks[n], actor, f"desk-{n}")

    with ThreadPoolExecutor(len(desks)) as pool:
        raised = [r for rows in pool.map(desk, range(len(desks))) for r in rows]
    assert [(r.package_id, r.kind) for r in raised] == [(made.package_id, "first")]
    assert (
        raised[0].message
        == "Review due: First review of a new or changed package for PASCOE, Doris, due 07-Nov-2026 10:30"
    )
    assert poll(engine, actor, "desk-1") == []  # never again, on any desk
    for other in desks:  # but shown on every desk of the zone
        with db.reading(other) as session:
            assert [r.id for r in reminders.outstanding_reviews(session, zone_id="BXM")] == [raised[0].id]
    with db.reading(engine) as session:
        listed = reviews.review_list(session, "BXM")
        assert [r.id for r in listed.due] == [raised[0].id] and listed.overdue == ()
    with db.writing(engine) as session:
        done = reviews.record(
            session, actor, reviews.ReviewInput(raised[0].id, raised[0].version, "no_change", note="Settled")
        )
    assert done.next_due_at == datetime(2027, 11, 7, 10, 30, tzinfo=UTC)
    with db.reading(engine) as session:
        states = sorted((r.kind, r.state, r.outcome) for r in session.exec(select(PackageReview)))
        assert states == [("first", "done", "no_change"), ("yearly", "pending", "")]
        assert reminders.outstanding_reviews(session, zone_id="BXM") == []


def test_a_review_read_before_a_desk_raised_it_is_still_recorded(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    """The list was read while the review was pending; another desk's watch raises it; recording it still saves."""
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    made = first_package(engine, actor, doris, rec.id, clock.today)
    assert made.review_due_at is not None
    clock.set(made.review_due_at)
    with db.reading(engine) as session:
        [read] = [r for r in reviews.review_list(session, "BXM").due if r.package_id == made.package_id]
    assert [r.id for r in poll(engine, actor, "desk-2")] == [read.id]  # raised after the list was read
    with db.writing(engine) as session:
        reviews.record(session, actor, reviews.ReviewInput(read.id, read.version, "no_change", note="Settled"))
    with db.reading(engine) as session:
        review = session.get(PackageReview, read.id)
        assert review is not None and (review.state, review.outcome, review.raised_by_desk) == (
            "done",
            "no_change",
            "desk-2",
        )


def test_ending_the_package_at_review_sets_no_next_review(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    made = first_package(engine, actor, doris, rec.id, clock.today)
    clock.advance(timedelta(days=28))
    [row] = poll(engine, actor, "desk-1")
    with db.writing(engine) as session:
        done = reviews.record(session, actor, reviews.ReviewInput(row.id, row.version, "ended", note="Independent"))
    assert done.next_due_at is None
    with db.reading(engine) as session:
        view = arrange.current(session, made.package_id)
        assert view is not None and view.number == 2 and view.lines == ()
        assert arrange.compare(session, made.package_id, 1, 2)[0] == "Home care visits ended"


def test_packages_and_equipment_wait_against_their_28_and_7_day_targets(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock, areas=("personal_care", "home_environment"))
    with db.writing(engine) as session:
        made = arrange.change(
            session,
            actor,
            PackageChange(
                doris,
                rec.id,
                (home_care(TWO, clock.today), ServiceLine("key_safe", "community_equipment", clock.today)),
                "Help at home and a key safe",
            ),
        )
    assert isinstance(made, Arranged)
    assert made.version.one_off_pence == 8500
    clock.advance(timedelta(days=5))
    with db.reading(engine) as session:
        waiting = targets.waiting_list(session)
    assert [(w.kind, w.days_left, w.flag) for w in waiting] == [("equipment", 2, "at risk"), ("package", 23, "")]
    assert waiting[0].words == "Equipment: 2 days left of 7"
    with db.writing(engine) as session:
        pkg = session.get(CarePackage, made.package_id)
        assert pkg is not None
        arrange.move(
            session, actor, arrange.StepInput(made.package_id, pkg.version, "arranged", confirmed_by="Sue at Bay Care")
        )
        pkg = session.get(CarePackage, made.package_id)
        assert pkg is not None
        steps = arrange.move(session, actor, arrange.StepInput(made.package_id, pkg.version, "active"))
    assert [s.state for s in steps if s.line is None] == ["requested", "arranged", "active"]
    with db.reading(engine) as session:
        assert targets.for_person(session, doris) == []  # the package and its key safe are in place
        pkg = session.get(CarePackage, made.package_id)
        assert pkg is not None and pkg.available_on == clock.today and pkg.state == "active"


def test_a_review_that_changes_the_package_is_recorded_as_changed_naming_the_version(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    """Changed at review on a new assessment: the review reads "changed", linked to the version it made."""
    from desk.models import History
    from desk.services import timeline

    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    made = first_package(engine, actor, doris, rec.id, clock.today)
    clock.advance(timedelta(days=28))
    [row] = poll(engine, actor, "desk-1")
    fresh = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    change = PackageChange(
        doris, fresh.id, (home_care(FOUR, clock.today, line=1),), "Four calls now", made.package_id, based_on=1
    )
    with db.writing(engine) as session:
        done = reviews.record(
            session, actor, reviews.ReviewInput(row.id, row.version, "changed", note="Worse at night", change=change)
        )
    assert isinstance(done.result, Arranged) and done.result.version.number == 2
    assert done.next_due_at == done.result.review_due_at  # the change's own first review
    with db.reading(engine) as session:
        got = [
            (r.kind, r.state, r.outcome, r.package_version, r.assessment_id)
            for r in session.exec(select(PackageReview).order_by(col(PackageReview.id)))
        ]
        assert got == [("first", "done", "changed", 2, fresh.id), ("first", "pending", "", None, None)]
        assert reviews.decisions(session, [row.id])[row.id].words == "Changed on a new assessment (version 2)"
        why = [
            h.why
            for h in session.exec(
                select(History)
                .where(History.entity == "packagereview", History.entity_id == str(row.id))
                .order_by(col(History.id))
            )
        ]
        assert why[-1] == "Review recorded: Changed on a new assessment (version 2)"
        titles = [e.title for e in timeline.timeline(session, doris)]
        assert "Package review recorded: Changed on a new assessment (version 2)" in titles
        assert not any("Replaced" in t for t in titles)


def test_a_review_recorded_at_another_desk_first_changes_nothing(
    engine: Engine,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    """The review's version is checked before the change is made: a stale review writes no version."""
    from desk.errors import StaleRecord

    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    made = first_package(engine, actor, doris, rec.id, clock.today)
    clock.advance(timedelta(days=28))
    [row] = poll(engine, actor, "desk-1")
    fresh = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    change = PackageChange(
        doris, fresh.id, (home_care(FOUR, clock.today, line=1),), "Four calls now", made.package_id, based_on=1
    )
    with pytest.raises(StaleRecord), db.writing(engine) as session:
        reviews.record(session, actor, reviews.ReviewInput(row.id, row.version - 1, "changed", change=change))
    with db.reading(engine) as session:
        pkg = session.get(CarePackage, made.package_id)
        assert pkg is not None and pkg.current_version == 1
        assert [r.state for r in session.exec(select(PackageReview))] == ["raised"]
