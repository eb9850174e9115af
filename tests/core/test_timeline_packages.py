"""The timeline shows each version of a package (its authority, who, why, the difference), its steps and reviews."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from desk import db
from desk.crisis import reminders
from desk.history import Actor
from desk.models import CarePackage
from desk.packages import arrange, reviews
from desk.packages.arrange import Arranged, PackageChange
from desk.services import timeline
from tests.helpers.fixtures import FrozenClock, Registrar
from tests.helpers.packages import arrange_package, had_support_before, home_care, nurse_assessment

FOUR = ("08:00", "12:00", "17:00", "21:00")


def test_versions_steps_and_reviews_are_on_the_timeline_in_order_and_old_packages_as_before(
    engine: Engine, actor: Actor, clock: FrozenClock, register: Registrar
) -> None:
    person = register(family_name="Pascoe", given_name="Doris")
    assert person.id is not None
    had_support_before(engine, person.id)  # a package from before versions: its item started, as before
    made = arrange_package(engine, actor, person.id, why="Help getting up and to bed")
    clock.advance(timedelta(hours=1))
    with db.writing(engine) as session:
        for state in ("arranged", "active"):
            pkg = session.get(CarePackage, made.package_id)
            assert pkg is not None
            arrange.move(session, actor, arrange.StepInput(made.package_id, pkg.version, state, confirmed_by="Sue"))
    clock.advance(timedelta(days=2))
    later = nurse_assessment(engine, actor, person.id)
    with db.writing(engine) as session:
        changed = arrange.change(
            session,
            actor,
            PackageChange(
                person.id,
                later,
                (home_care(clock.today - timedelta(days=2), FOUR, line=1),),
                "Falls at lunchtime",
                package_id=made.package_id,
                based_on=1,
            ),
        )
    assert isinstance(changed, Arranged)
    clock.set(changed.review_due_at)
    with db.writing(engine) as session:
        [raised] = reminders.poll_reviews(session, Actor(actor.staff_id, "desk-3"), zone_id="BXM")
    clock.advance(timedelta(hours=2))
    with db.writing(engine) as session:
        reviews.record(session, actor, reviews.ReviewInput(raised.id, raised.version, "no_change", note="Settled"))

    with db.reading(engine) as session:
        entries = [e for e in timeline.timeline(session, person.id) if e.side == "social"]
    titles = [e.title for e in entries]
    assert titles[:-1] == [  # newest first; the old package's item last
        "Package review recorded: No change: the package carries on",
        "Package review due: First review of a new or changed package",
        "Package changed (version 2)",
        "Package active on 23-Nov-2026",
        "Package: Home care visits active on 23-Nov-2026",
        "Package arranged (provider confirmed) on 23-Nov-2026",
        "Package: Home care visits arranged (provider confirmed) on 23-Nov-2026",
        "Package: Home care visits requested on 23-Nov-2026",
        "Package requested on 23-Nov-2026",
        "Package set up (version 1)",
    ]
    assert titles[-1] == "Package: Home care started"  # a package from before versions, shown as before
    v2 = entries[2]
    assert v2.detail.startswith("On the assessment of ") and ", District nurse;" in v2.detail
    assert "Why: Falls at lunchtime" in v2.detail
    assert "Home care visits: visits added (12:00, 21:00), 2 visits a day to 4 visits a day" in v2.detail
    assert v2.detail.endswith("14 hours of care a week, £343.00 a week")
    assert v2.by == entries[0].by == entries[3].by != ""  # the co-ordinator who arranged, moved and reviewed it
    assert entries[0].detail == "Settled" and entries[1].by == "desk-3"  # raised by the desk that claimed it
    assert entries[5].detail == "confirmed by Sue"
