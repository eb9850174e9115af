"""Package reviews: due, overdue and done, and recording one (no change, a change, or the end).

Every new or changed package gets a review (:mod:`desk.packages.review_dates`,
set by :func:`desk.packages.arrange.change`): four weeks after it starts by
default, then at least yearly. The desks raise reviews falling due through
the crisis line's reminder machinery (:func:`desk.crisis.reminders.poll_reviews`).
Recording a review closes it and sets the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from desk import clock, history
from desk.crisis.reminders import ReviewRow, review_rows
from desk.errors import InvalidForm, NotFound, StaleRecord
from desk.history import Actor
from desk.models import CarePackage
from desk.package_models import PackageReview
from desk.packages import arrange, config, review_dates

OUTCOMES: dict[str, str] = {
    "no_change": "No change: the package carries on",
    "changed": "Changed on a new assessment",
    "ended": "Package ended",
}
"""What a review can decide."""
ROUTED = "A change referred to a social worker"
"""A review decided on a change that one of the local authority's rules sends to a social worker."""


@dataclass(frozen=True)
class ReviewList:
    """A zone's reviews as the review list shows them."""

    overdue: tuple[ReviewRow, ...]
    due: tuple[ReviewRow, ...]
    """Due today, or raised and not yet done."""
    upcoming: tuple[ReviewRow, ...]
    done: tuple[ReviewRow, ...]


def review_list(session: Session, zone_id: str, *, today: date | None = None, done_limit: int = 50) -> ReviewList:
    """Overdue, due, upcoming and recently done reviews of a zone."""
    today = today or clock.today()
    open_rows = review_rows(
        session, [col(PackageReview.zone_id) == zone_id, col(PackageReview.state).in_(review_dates.OPEN_STATES)]
    )
    done = review_rows(session, [col(PackageReview.zone_id) == zone_id, col(PackageReview.state) == "done"])
    overdue = tuple(r for r in open_rows if clock.local(r.due_at).date() < today)
    due = tuple(
        r for r in open_rows if r not in overdue and (clock.local(r.due_at).date() == today or r.state == "raised")
    )
    upcoming = tuple(r for r in open_rows if r not in overdue and r not in due)
    return ReviewList(overdue, due, upcoming, tuple(sorted(done, key=lambda r: r.due_at, reverse=True)[:done_limit]))


@dataclass(frozen=True)
class ReviewInput:
    """A review recorded: its outcome, and for a change, the change (made on a new assessment)."""

    review_id: int
    expected_version: int
    outcome: str
    """A key of :data:`OUTCOMES`."""
    note: str = ""
    change: arrange.PackageChange | None = None
    """For ``changed``: the package as it should be, on the new assessment."""


@dataclass(frozen=True)
class ReviewDone:
    """A review recorded: what it decided, the change (if any) and when the next review falls (None if ended)."""

    review_id: int
    outcome: str
    result: arrange.Outcome | None
    next_due_at: datetime | None


def record(session: Session, actor: Actor, data: ReviewInput) -> ReviewDone:
    """Record a review: close it and set the next one (yearly, or four weeks after a change)."""
    review = session.get(PackageReview, data.review_id)
    if review is None:
        raise NotFound("That review is not on record.")
    if review.state == "done":
        raise InvalidForm({"review": "This review has already been recorded."})
    if data.outcome not in OUTCOMES:
        raise InvalidForm({"outcome": "Choose: no change, changed on a new assessment, or end the package."})
    pkg = session.get(CarePackage, review.package_id)
    assert pkg is not None
    if data.outcome == "changed" and (data.change is None or data.change.package_id != pkg.id):
        raise InvalidForm({"change": "Make the change to this package on the new assessment."})
    if data.outcome == "ended" and not data.note.strip():
        raise InvalidForm({"note": "Say why the package is ending."})
    if review.version != data.expected_version:
        raise StaleRecord(
            "This review was recorded or changed at another desk while you had it open. Nothing of yours "
            "was saved: reopen the review list to see what they did."
        )
    settings = config.for_zone(review.zone_id)
    wall = review_dates.wall_time(review.due_at)
    done: dict[str, object] = dict(
        state="done", outcome=data.outcome, done_at=clock.now(), done_by_id=actor.staff_id, note=data.note.strip()
    )
    result: arrange.Outcome | None = None
    next_due: datetime | None = None
    why = f"Review recorded: {OUTCOMES[data.outcome]}"
    if data.outcome == "changed":
        assert data.change is not None
        # The change first: its new first review replaces every other open review, not this one,
        # which closes below naming the version it made.
        result = arrange.change(session, actor, data.change, recording_review=review.id)
        done["assessment_id"] = data.change.assessment_id
        if isinstance(result, arrange.Arranged):
            next_due = result.review_due_at
            done["package_version"] = result.version.number
            why += f" (version {result.version.number})"
        else:
            done["outcome"] = "routed"
            why = f"Review recorded: {ROUTED} (referral {result.referral_id})"
    history.change(
        session,
        actor,
        review,
        done,
        expected_version=data.expected_version,
        why=why,
        person_id=review.person_id,
        label="review",
    )
    if data.outcome == "ended":
        arrange.end_package(
            session, actor, review.package_id, why=f"Ended at review: {data.note.strip()}", based_on=pkg.current_version
        )
    if next_due is None and data.outcome != "ended":
        next_due = review_dates.due_at(clock.today(), wall, settings.review_every_days)
        with history.stale_as_record("review"):
            review_dates.schedule(session, actor, pkg, kind="yearly", due=next_due, why="Yearly review set at review")
        history.change(
            session,
            actor,
            pkg,
            dict(review_due=clock.local(next_due).date()),
            expected_version=None,
            why="Review set",
            person_id=pkg.person_id,
            label="package",
        )
    return ReviewDone(data.review_id, data.outcome, result, next_due)


@dataclass(frozen=True)
class ReviewDecision:
    """What a recorded review decided, as the review list's done rows say it."""

    outcome: str
    done_at: datetime | None
    note: str
    package_version: int | None = None
    """Changed: the version of the package the review made."""

    @property
    def words(self) -> str:
        """The decision in words, naming the version a change made."""
        return outcome_words(self.outcome, self.package_version)


def decisions(session: Session, review_ids: list[int]) -> dict[int, ReviewDecision]:
    """The outcome, time and note of each recorded review in ``review_ids`` (read by primary key)."""
    if not review_ids:
        return {}
    rows = session.execute(
        sa_select(
            col(PackageReview.id),
            col(PackageReview.outcome),
            col(PackageReview.done_at),
            col(PackageReview.note),
            col(PackageReview.package_version),
        ).where(col(PackageReview.id).in_(review_ids))
    ).all()
    return {rid: ReviewDecision(outcome, done_at, note, made) for rid, outcome, done_at, note, made in rows}


def outcome_words(outcome: str, package_version: int | None = None) -> str:
    """The outcome in words: a change names the version it made; a review a change replaced says so."""
    if outcome == "replaced":
        return "Replaced by a change to the package"
    if outcome == "routed":
        return ROUTED
    words = OUTCOMES.get(outcome, outcome)
    if outcome == "changed" and package_version is not None:
        words += f" (version {package_version})"
    return words
