"""The crisis line's service work: the board's query, the 2-hour figure, and the reminder check.

The board and the figure are read from the seeded trust (``desk seed`` puts in
40 open crises and the open Rapid referrals). The reminder check needs 200,000
deadlines, far more than the seed holds, so they are written inside one
transaction on one connection (a year of acknowledged reminders and a few
hundred pending), measured there, and rolled back: the database stays as
seeded.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, insert, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from bench.core import Context, Result, Target, measure, timed
from bench.service_measures import PK
from desk import clock, db, triage
from desk.crisis import board, figures, reminders
from desk.crisis_models import Crisis, Reminder
from desk.history import Actor
from desk.models import Person, Referral

DEADLINES = 200_000
PENDING = 600
"""Of the deadlines, how many are still pending (the open Crisis and Rapid clocks of a busy trust)."""
BOARD_TARGET = Target("p95", 50.0)
"""Half the 100 ms the board's first frame may take: the rest is drawing."""


def _open_items(ctx: Context) -> tuple[int, str | None]:
    """How many open items the board has trust-wide, and the zone with most crises open."""
    with db.reading(ctx.engine) as s:
        total = len(board.board(s))
        zone = s.execute(
            sa_select(col(Crisis.zone_id))
            .where(col(Crisis.status) == "open")
            .group_by(col(Crisis.zone_id))
            .order_by(func.count().desc())
            .limit(1)
        ).scalar()
    return total, zone


@measure("crisis board query")
def crisis_board(ctx: Context) -> Iterable[Result]:
    """The board's rows as a desk reads them on opening and on every refresh, and its header figure."""
    total, zone = _open_items(ctx)
    if total < 300:
        note = f"only {total} open items: seed with desk seed (40 crises, Rapid referrals)"
    else:
        note = f"{total} open items"
    reps = ctx.reps(60)

    def everywhere() -> None:
        with db.reading(ctx.engine) as s:
            board.board(s)

    def one_zone() -> None:
        with db.reading(ctx.engine) as s:
            board.board(s, zone)

    def figure() -> None:
        with db.reading(ctx.engine) as s:
            figures.two_hour_figure(s, zone or "BXM")

    yield Result("crisis board: all zones", timed(everywhere, repeat=reps), BOARD_TARGET, reference=PK, note=note)
    yield Result("crisis board: one zone", timed(one_zone, repeat=reps), BOARD_TARGET, reference=PK, note=f"{zone}")
    yield Result(
        "crisis board: 2-hour figure",
        timed(figure, repeat=reps),
        Target("p95", 25.0),
        reference=PK,
        note="today and 28 days, from a year of crises",
    )


def _deadline_rows(
    conn: Connection, rng: random.Random, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Referrals and their two reminders each: a year of settled clocks and a few hundred open ones."""
    zones: dict[int, str] = {}
    for pid, zone in conn.execute(sa_select(col(Person.id), col(Person.zone_id)).limit(20_000)):
        if pid is not None:
            zones[pid] = zone
    people = sorted(zones)
    top_ref = int(conn.execute(sa_select(func.max(col(Referral.id)))).scalar() or 0)
    top_rem = int(conn.execute(sa_select(func.max(col(Reminder.id)))).scalar() or 0)
    referrals: list[dict[str, Any]] = []
    rems: list[dict[str, Any]] = []
    for n in range(DEADLINES // 2):
        pending = n >= DEADLINES // 2 - PENDING // 2
        received = now - (timedelta(minutes=rng.uniform(-60, 150)) if pending else timedelta(days=rng.uniform(1, 365)))
        response = triage.CRISIS if rng.random() < 0.3 else triage.RAPID
        due = triage.due_at(received, response)
        pid = rng.choice(people)
        rid = top_ref + 1 + n
        referrals.append(
            dict(
                id=rid,
                person_id=pid,
                received_at=received,
                discipline="nursing",
                reason="bench deadline",
                urgency=triage.RAPID,
                crisis=response == triage.CRISIS,
                due_at=due,
                status="open" if pending else "closed",
                first_contact_at=None if pending else received + timedelta(minutes=50),
                assessed_at=None if pending else received + timedelta(minutes=90),
                closed_at=None if pending else received + timedelta(days=1),
                response=response,
                version=1,
            )
        )
        for k, want in enumerate(reminders.reminder_times(response, due)):
            rems.append(
                dict(
                    id=top_rem + 1 + 2 * n + k,
                    zone_id=zones[pid],
                    referral_id=rid,
                    kind=want.kind,
                    due_at=want.due_at,
                    state="pending" if pending else "acknowledged",
                    raised_at=None if pending else want.due_at,
                    raised_by_desk="" if pending else "bench",
                    acknowledged_at=None if pending else want.due_at + timedelta(minutes=3),
                    version=1,
                )
            )
    return referrals, rems


@contextmanager
def _with_deadlines(ctx: Context, now: datetime) -> Iterator[Session]:
    """A session that sees 200,000 more deadlines, all gone again when it closes."""
    with ctx.engine.connect().execution_options(**{db.WRITE_OPTION: True}) as conn:
        tx = conn.begin()
        try:
            referrals, rems = _deadline_rows(conn, ctx.rng("deadlines"), now)
            conn.execute(insert(Referral.__table__), referrals)
            conn.execute(insert(Reminder.__table__), rems)
            conn.execute(text("ANALYZE"))
            with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
                yield session
        finally:
            tx.rollback()
    if ctx.engine.dialect.name == "postgresql":
        # The rolled-back rows stay behind as dead tuples until vacuumed, and
        # would slow every later measure that reads referrals or reminders.
        with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT", **{db.WRITE_OPTION: True}) as conn:
            conn.execute(text("VACUUM ANALYZE referral, reminder"))


@measure("reminder check")
def reminder_check(ctx: Context) -> Iterable[Result]:
    """What each desk does on every wake: which reminders are due, raise them, when to wake next.

    Each call runs on the one session that sees the extra deadlines (they are never committed).
    """
    now = clock.now()
    reps = ctx.reps(300)
    actor = Actor(None, "bench")
    with _with_deadlines(ctx, now) as session:
        count = session.execute(sa_select(func.count()).select_from(Reminder)).scalar_one()
        note = f"{count:,} deadlines, {PENDING} pending"
        raised = reminders.poll(session, actor)  # the first wake raises what is due; later ones find nothing new

        def due() -> None:
            reminders.due(session)

        def wake() -> None:
            reminders.next_wake_at(session)

        def poll() -> None:
            reminders.poll(session, actor)

        def shown() -> None:
            reminders.outstanding(session, zone_id="BXM")

        yield Result("reminder check: due (p95)", timed(due, repeat=reps), Target("p95", 5.0), reference=PK, note=note)
        yield Result("reminder check: next wake", timed(wake, repeat=reps), Target("p95", 5.0), reference=PK)
        yield Result(
            "reminder check: poll",
            timed(poll, repeat=reps),
            Target("p95", 5.0),
            reference=PK,
            note=f"first poll raised {len(raised)}; later polls find none new",
        )
        yield Result("reminder check: outstanding (one zone)", timed(shown, repeat=reps), reference=PK)
