"""Two desks, one package, two processes: the second is told, sees what the first changed, applies its own on top.

Each desk runs in a process of its own on the same database (one SQLite
file, or one PostgreSQL schema). Both read the package at the same version
and save a change; exactly one lands, the other gets PackageChanged naming
the other desk's version and what it changed, and one key (``on_top`` then
``change``) lands a version with both changes. Nothing is overwritten: every
version stays as it was saved. A review falling due is raised by one desk of
two polling at once, and by no desk after a restart.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine, func
from sqlmodel import col, select

from desk import db
from desk.history import Actor
from desk.models import CarePackage, History
from desk.package_models import CarePackageVersion, PackageReview
from desk.packages import arrange
from desk.packages.arrange import ServiceLine
from desk.services.reference import StaffRow
from tests.core.test_packages_arrange import TWO, assess, doris, first_package, home_care  # noqa: F401
from tests.helpers import package_workers, workers
from tests.helpers.dbspec import DbSpec
from tests.helpers.fixtures import FrozenClock

LUNCH = ("08:00", "12:00", "17:00")


def test_two_desks_change_one_package_at_once_and_the_second_applies_its_change_on_top(
    engine: Engine,
    engine_spec: DbSpec,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock, areas=("personal_care", "home_environment"))
    first = first_package(engine, actor, doris, rec.id, clock.today)
    with db.reading(engine) as session:
        v1 = arrange.version(session, first.package_id, 1)
    one, two = Actor(actor.staff_id, "desk-1"), Actor(actor.staff_id, "desk-2")
    lunch = (home_care(LUNCH, clock.today, line=1),)  # desk 1 adds a lunch visit
    key_safe = (home_care(TWO, clock.today, line=1), ServiceLine("key_safe", "community_equipment", clock.today))
    both_read, in_flight = workers.barriers(2)
    results = workers.run_together(
        (
            package_workers.change_package,
            (engine_spec, one, clock.now, doris, first.package_id, rec.id, lunch, "Lunch", both_read, in_flight),
        ),
        (
            package_workers.change_package,
            (engine_spec, two, clock.now, doris, first.package_id, rec.id, key_safe, "Key safe", both_read, in_flight),
        ),
    )
    assert [r["read"] for r in results] == [1, 1]
    assert sorted(r["outcome"] for r in results) == ["saved", "told"], results
    saved = next(r for r in results if r["outcome"] == "saved")
    told = next(r for r in results if r["outcome"] == "told")
    assert saved["version"] == 2
    assert told["theirs"] == [2] and told["their_desks"] == [saved["desk"]]
    assert "Nothing of yours was saved" in told["message"] and "apply yours on top" in told["message"]
    their_words = (
        "Home care visits: visit added (12:00), 2 visits a day to 3 visits a day"
        if saved["desk"] == "desk-1"
        else "Key safe, fitted added: 1 item, Community Equipment Store"
    )
    assert any(their_words in d for d in told["differences"]), told["differences"]
    assert told["on_top"] == 3
    with db.reading(engine) as session:
        pkg = session.get(CarePackage, first.package_id)
        assert pkg is not None and pkg.current_version == 3
        both = arrange.current(session, first.package_id)
        assert both is not None
        assert [(ln.service, ln.times) for ln in both.lines] == [("home_care", LUNCH), ("key_safe", ())]
        assert [v.number for v in arrange.versions(session, first.package_id)] == [1, 2, 3]
        assert arrange.version(session, first.package_id, 1) == v1  # nothing overwritten
        second = arrange.version(session, first.package_id, 2)
        assert second.desk == saved["desk"]
        assert [ln.service for ln in second.lines] == (
            ["home_care"] if saved["desk"] == "desk-1" else ["home_care", "key_safe"]
        )
        assert session.exec(select(func.count()).select_from(CarePackageVersion)).one() == 3
        updates = session.exec(
            select(History.why).where(History.entity == "carepackage", col(History.why).startswith("Version"))
        ).all()
        assert sorted(w.split(":")[0] for w in updates) == ["Version 1", "Version 2", "Version 3"]


def test_a_review_falling_due_is_raised_once_by_two_desks_polling_at_once_and_not_again_after_a_restart(
    engine: Engine,
    engine_spec: DbSpec,
    actor: Actor,
    clock: FrozenClock,
    bxm_staff: dict[str, StaffRow],
    doris: int,  # noqa: F811
) -> None:
    rec = assess(engine, actor, doris, bxm_staff["nurse"], clock=clock)
    made = first_package(engine, actor, doris, rec.id, clock.today)
    due = made.review_due_at
    [ready] = workers.barriers(1)
    one, two = Actor(actor.staff_id, "desk-1"), Actor(actor.staff_id, "desk-2")
    early = workers.run_together((package_workers.poll_reviews, (engine_spec, one, due - timedelta(minutes=1), None)))
    assert early[0]["raised"] == []
    results = workers.run_together(
        (package_workers.poll_reviews, (engine_spec, one, due, ready)),
        (package_workers.poll_reviews, (engine_spec, two, due, ready)),
    )
    raised = [row for r in results for row in r["raised"]]
    assert len(raised) == 1, results
    review_id, package_id, kind, by = raised[0]
    assert (package_id, kind) == (made.package_id, "first")
    assert by in {"desk-1", "desk-2"}
    assert all(r["shown"] == [review_id] for r in results)  # shown on both desks
    restarted = workers.run_together(
        (package_workers.poll_reviews, (engine_spec, one, due + timedelta(hours=1), None)),
        (package_workers.poll_reviews, (engine_spec, two, due + timedelta(hours=1), None)),
    )
    assert [r["raised"] for r in restarted] == [[], []]  # never again, on any desk
    assert [r["shown"] for r in restarted] == [[review_id], [review_id]]
    with db.reading(engine) as session:
        review = session.get(PackageReview, review_id)
        assert review is not None and (review.state, review.raised_by_desk) == ("raised", by)
        entries = session.exec(
            select(History.desk).where(
                History.entity == "packagereview", History.entity_id == str(review_id), History.why == "Review fell due"
            )
        ).all()
        assert entries == [by]  # one entry, by the desk that raised it
