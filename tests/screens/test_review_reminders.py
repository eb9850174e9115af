"""The reminder watch raises package reviews as they fall due: once, whichever desks run, shown on every desk.

The desk's clock is frozen and moved by hand (desk.clock); a second engine on
the same database stands for another desk of the zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from desk import db
from desk.crisis import reminders
from desk.history import Actor
from desk.models import History
from desk.package_models import PackageReview
from desk.packages import reviews
from screens.app import DeskApp
from screens.reminder_watch import ReminderWatch
from tests.helpers.fixtures import FROZEN_AT, FrozenClock, frozen
from tests.helpers.packages import arrange_package, had_support_before
from tests.screens.screen_zone import Zone, desk_open, engine_for, until


@pytest.fixture
def clock() -> Iterator[FrozenClock]:
    """The desk's clock stopped at Monday 23 November 2026, 10:30 (GMT)."""
    with frozen(FROZEN_AT) as stopped:
        yield stopped


@pytest.fixture
def other_desk(zone: Zone) -> Iterator[Engine]:
    """A second desk's own engine on the same database."""
    eng = engine_for(zone.url, zone.search_path)
    yield eng
    eng.dispose()


def watch_of(app: DeskApp) -> ReminderWatch:
    return app.screen_stack[0].query_one(ReminderWatch)


def review_toasts(app: DeskApp) -> list[str]:
    return sorted(n.message.splitlines()[0] for n in app._notifications if n.title == "Package review")


async def test_a_review_falling_due_is_raised_once_shown_on_every_desk_and_taken_down_when_recorded(
    zone: Zone, clock: FrozenClock, other_desk: Engine
) -> None:
    at_other = Actor(zone.staff_id, "desk-2")
    had_support_before(zone.engine, zone.doris_id)
    made = arrange_package(zone.engine, at_other, zone.doris_id)
    assert made.review_due_at == FROZEN_AT + timedelta(days=28)
    async with desk_open(zone) as (app, pilot):
        watch = watch_of(app)
        await until(pilot, lambda: watch.looks >= 1)
        assert review_toasts(app) == []
        deadline = watch.scheduler.get_job("reminder-deadline") if watch.scheduler else None
        assert deadline is not None  # the desk sleeps until the review falls due, as well as its short poll
        assert watch._next_due_at == made.review_due_at

        clock.set(made.review_due_at)  # four weeks on, 10:30: the first review falls due
        watch.look()
        await until(pilot, lambda: review_toasts(app) != [])
        assert review_toasts(app) == [
            "Review due: First review of a new or changed package for PASCOE, Doris, due 21-Dec-2026 10:30"
        ]
        with db.writing(other_desk) as session:  # the other desk polls a moment later: nothing left to raise
            assert reminders.poll_reviews(session, at_other, zone_id="BXM") == []
            raised = reminders.outstanding_reviews(session, zone_id="BXM")
        assert [(r.state, r.raised_by_desk) for r in raised] == [("raised", app.desk_name)]

        looks = watch.looks
        watch.look()  # the next short poll: shown once, not again
        await until(pilot, lambda: watch.looks > looks)
        assert len(review_toasts(app)) == 1

        with db.writing(other_desk) as session:  # recorded at the other desk
            reviews.record(session, at_other, reviews.ReviewInput(raised[0].id, raised[0].version, "no_change"))
        watch.look()
        await until(pilot, lambda: review_toasts(app) == [])
        assert watch.reviews == []
        assert watch._next_due_at is not None and watch._next_due_at > made.review_due_at  # the yearly one next

    with db.reading(zone.engine) as session:
        states = session.exec(select(PackageReview.kind, PackageReview.state).order_by(PackageReview.id)).all()
        assert states == [("first", "done"), ("yearly", "pending")]
        fell_due = session.exec(select(History.desk).where(History.why == "Review fell due")).all()
        assert fell_due == [app.desk_name]


async def test_a_review_due_while_every_desk_was_closed_is_raised_as_the_desk_opens(
    zone: Zone, clock: FrozenClock
) -> None:
    had_support_before(zone.engine, zone.doris_id)
    made = arrange_package(zone.engine, Actor(zone.staff_id, "desk-2"), zone.doris_id)
    clock.set(made.review_due_at + timedelta(days=3))  # fell due over the weekend, nobody at a desk
    async with desk_open(zone) as (app, pilot):
        await until(pilot, lambda: len(review_toasts(app)) == 1)  # the look at start-up catches up
    async with desk_open(zone) as (app, pilot):  # opened again: still outstanding, shown, not raised again
        await until(pilot, lambda: len(review_toasts(app)) == 1)
    with db.reading(zone.engine) as session:
        assert len(session.exec(select(History.id).where(History.why == "Review fell due")).all()) == 1
