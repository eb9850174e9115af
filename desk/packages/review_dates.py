"""When a package's review falls: ONE rule, in UK local dates, and the deadline row that holds it.

A review falls a number of days after a package starts (28 for the first,
by default; 365 after), at the same UK local (Europe/London) wall-clock time
the package was arranged, whatever clock change lies between: a review due
four weeks after 10:30 BST in October is at 10:30 GMT in November. A wall time
in the spring gap is read on the clock before the change, and a repeated
autumn hour as its first reading, as :mod:`desk.triage` does. The due moment
is stored in UTC once, with the review, and never recomputed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, select

from desk import clock, history
from desk.history import Actor
from desk.models import CarePackage, Person
from desk.package_models import PackageReview

OPEN_STATES = ("pending", "raised")
"""A review not yet recorded."""


def due_at(start: date, wall: time, days: int) -> datetime:
    """The review of a package starting on ``start``, ``days`` later at the local time ``wall`` (UTC)."""
    local = datetime.combine(start + timedelta(days=days), wall.replace(tzinfo=None))
    return local.replace(tzinfo=clock.LONDON, fold=0).astimezone(UTC)


def wall_time(at: datetime) -> time:
    """The office clock's reading of a moment, to the minute: the time of day reviews keep."""
    return clock.local(at).time().replace(second=0, microsecond=0)


def open_review(session: Session, package_id: int) -> PackageReview | None:
    """The package's review still to be recorded, if any."""
    return session.exec(
        select(PackageReview).where(PackageReview.package_id == package_id, col(PackageReview.state).in_(OPEN_STATES))
    ).first()


def schedule(
    session: Session,
    actor: Actor,
    package: CarePackage,
    *,
    kind: str,
    due: datetime,
    why: str,
    recording: int | None = None,
    admission_id: int | None = None,
) -> PackageReview:
    """Give a package its next review, closing any still open (a change sets a new first review).

    ``recording`` is the review being recorded as the cause of this change: it
    is closed by :func:`desk.packages.reviews.record` with its own outcome,
    not as replaced. The old reviews' closing is flushed with the new review,
    in one go: a caller that may meet a row saved at another desk wraps this in
    :func:`desk.history.stale_as_record`. ``admission_id`` names the hospital
    stay a review four weeks after discharge follows (kind ``discharge``).
    """
    assert package.id is not None
    person = session.get(Person, package.person_id)
    assert person is not None
    for old in session.exec(
        select(PackageReview).where(PackageReview.package_id == package.id, col(PackageReview.state).in_(OPEN_STATES))
    ):
        if old.id == recording:
            continue
        history.change(
            session,
            actor,
            old,
            dict(state="done", outcome="replaced", done_at=clock.now(), done_by_id=actor.staff_id),
            expected_version=None,
            why="Review replaced by the package's new review",
            person_id=package.person_id,
            label="review",
            flush=False,  # goes with the new review's flush below
        )
    review = PackageReview(
        package_id=package.id,
        person_id=package.person_id,
        zone_id=person.zone_id,
        kind=kind,
        due_at=due,
        admission_id=admission_id,
    )
    history.create(session, actor, review, why, person_id=package.person_id, flush=False)  # in a batch, with it
    return review
