"""The crisis line at trust scale, for ``desk seed``: rosters, a year of crises, open clocks, reminders.

Run inside :func:`desk.scale.seed_scale`'s load transaction, after the
referrals and visits are written and while the secondary indexes are set
aside. The rows are those the demo makes (desk.crisis.demo_stage), many more
of them: three weeks of rosters in every zone, 40 open crises at different
points of their clocks, the last day's crises for handover, two crises a day
for a year in each zone (closed, with their bookings and liaison), and the
reminders of every open Crisis and Rapid clock. The scale's own Rapid and Fast
referrals are given the response their urgency stands for, so the board and
the 2-hour figure see them. Rows get explicit ids and are written with one
executemany per table; PostgreSQL's sequences are moved past them.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy import inspect as sa_inspect
from sqlmodel import SQLModel

from desk import clock, triage
from desk.crisis import reminders
from desk.crisis.demo_stage import (
    RaisedCrisis,
    ZoneTeam,
    closed_crises,
    handover_crises,
    open_crises,
    rapid_referrals,
    roster_rows,
)
from desk.crisis_models import Absence, Booking, Crisis, LiaisonEntry, Reminder, Shift
from desk.models import Involvement, Person, Referral, Staff

OPEN_ROUNDS = 2
"""Rounds of the demo's four open crises per zone: 5 zones x 4 x 2 = 40 open crises."""
CLOSED_PER_ZONE = 730
"""Two closed crises a day for a year, per zone."""
PEOPLE_PER_ZONE = 1_500


def _table(model: type[SQLModel]) -> Table:
    """The table a SQLModel table class is mapped to (SQLModel makes ``__table__``; the type checker cannot see it)."""
    table = sa_inspect(model).local_table
    assert isinstance(table, Table), model
    return table


def _teams(conn: Connection, rng: random.Random) -> list[ZoneTeam]:
    """Every zone's active staff by role, and people on its caseload without an open referral."""
    staff: dict[str, dict[str, list[int]]] = {}
    for sid, zone_id, role in conn.execute(
        select(_table(Staff).c.id, _table(Staff).c.zone_id, _table(Staff).c.role)
        .where(_table(Staff).c.active.is_(True))
        .order_by(_table(Staff).c.id)
    ):
        staff.setdefault(zone_id, {}).setdefault(role, []).append(sid)
    busy = {pid for (pid,) in conn.execute(text("SELECT person_id FROM referral WHERE status = 'open'"))}
    # people already on the caseload (an open involvement), so the crises leave its size as asked
    inv = _table(Involvement)
    on_caseload = select(inv.c.person_id).where(inv.c.ended_on.is_(None))
    teams = []
    for zone_id in sorted(staff):
        people = [
            pid
            for (pid,) in conn.execute(
                select(_table(Person).c.id)
                .where(_table(Person).c.zone_id == zone_id, _table(Person).c.id.in_(on_caseload))
                .order_by(_table(Person).c.id)
                .limit(PEOPLE_PER_ZONE + len(busy))
            )
            if pid not in busy
        ][:PEOPLE_PER_ZONE]
        rng.shuffle(people)
        if people:
            teams.append(ZoneTeam(zone_id, staff[zone_id], people))
    return teams


class _Ids:
    """The next free id of each table, so rows can refer to one another before they are written."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.next: dict[str, int] = {}

    def take(self, model: type[SQLModel]) -> int:
        name = _table(model).name
        if name not in self.next:
            top = self.conn.execute(select(func.max(_table(model).c.id))).scalar()
            self.next[name] = int(top or 0) + 1
        value = self.next[name]
        self.next[name] += 1
        return value


def _rows(objs: Iterable[SQLModel]) -> list[dict[str, Any]]:
    return [o.model_dump() for o in objs]


def _put(conn: Connection, model: type[SQLModel], objs: Sequence[SQLModel]) -> int:
    """One executemany for a table's rows."""
    if objs:
        conn.execute(insert(_table(model)), _rows(objs))
    return len(objs)


def _number(ids: _Ids, raised: list[RaisedCrisis]) -> None:
    """Give every row its id and link each to its parent."""
    for r in raised:
        r.referral.id = ids.take(Referral)
        r.crisis.id = ids.take(Crisis)
        r.crisis.referral_id = r.referral.id
        for b in r.bookings:
            b.id, b.crisis_id = ids.take(Booking), r.crisis.id
        for e in r.liaison:
            e.id, e.crisis_id = ids.take(LiaisonEntry), r.crisis.id


def _reminder_rows(conn: Connection, ids: _Ids) -> list[Reminder]:
    """The reminders each open Crisis and Rapid referral without them needs, with its person's zone."""
    ref, person, have = _table(Referral), _table(Person), _table(Reminder)
    out = []
    for rid, response, due, zone_id in conn.execute(
        select(ref.c.id, ref.c.response, ref.c.due_at, person.c.zone_id)
        .join(person, person.c.id == ref.c.person_id)
        .where(ref.c.status == "open", ref.c.response.in_(tuple(reminders.REMINDED_RESPONSES)))
        .where(~select(have.c.id).where(have.c.referral_id == ref.c.id).exists())
        .order_by(ref.c.id)
    ):
        if due is None:
            continue
        for want in reminders.reminder_times(response, due):
            out.append(
                Reminder(id=ids.take(Reminder), zone_id=zone_id, referral_id=rid, kind=want.kind, due_at=want.due_at)
            )
    return out


def _move_sequences(conn: Connection, models: Sequence[type[SQLModel]]) -> None:
    if conn.dialect.name != "postgresql":
        return
    for model in models:
        name = _table(model).name
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}).scalar()
        if seq:
            conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{name}"), 0) + 1, false)'), {"s": seq})


def add_crisis_line_at_scale(conn: Connection, *, now: datetime, seed: int) -> dict[str, int]:
    """Write the trust's crisis line into a seeding database; returns rows written per table."""
    rng = random.Random(f"{seed}/crisis-scale")
    set_responses_on(conn)
    today = clock.local(now).date()
    ids = _Ids(conn)
    shifts: list[Shift] = []
    absences: list[Absence] = []
    raised: list[RaisedCrisis] = []
    rapid: list[Referral] = []
    for team in _teams(conn, rng):
        for row in roster_rows(team, today):
            if isinstance(row, Shift):
                row.id = ids.take(Shift)
                shifts.append(row)
            else:
                row.id = ids.take(Absence)
                absences.append(row)
        for _ in range(OPEN_ROUNDS):
            raised += open_crises(team, rng, now)
        raised += handover_crises(team, rng, now)
        raised += closed_crises(team, rng, now, CLOSED_PER_ZONE, timedelta(hours=12))
        for referral in rapid_referrals(team, rng, now):
            referral.id = ids.take(Referral)
            rapid.append(referral)
    _number(ids, raised)
    counts = {
        "shift": _put(conn, Shift, shifts),
        "absence": _put(conn, Absence, absences),
        "crisis_referral": _put(conn, Referral, [r.referral for r in raised] + rapid),
        "crisis": _put(conn, Crisis, [r.crisis for r in raised]),
        "booking": _put(conn, Booking, [b for r in raised for b in r.bookings]),
        "liaisonentry": _put(conn, LiaisonEntry, [e for r in raised for e in r.liaison]),
    }
    counts["reminder"] = _put(conn, Reminder, _reminder_rows(conn, ids))
    counts["open_crises"] = sum(1 for r in raised if r.crisis.status == "open")
    _move_sequences(conn, (Shift, Absence, Referral, Crisis, Booking, LiaisonEntry, Reminder))
    return counts


def set_responses_on(conn: Connection) -> None:
    """The scale's Rapid and Fast referrals get the response their urgency stands for (see demo_stage)."""
    ref = _table(Referral)
    conn.execute(
        ref.update()
        .where(ref.c.response == triage.NORMAL, ref.c.urgency.in_((triage.RAPID, triage.FAST)))
        .values(response=ref.c.urgency)
    )
