"""A whole trust's synthetic register, at scale, fast: ``desk seed``.

:func:`seed_scale` fills an empty, migrated database with a believable
population the size of the wider trust (380,000 registered, 40,000 of them on
the zones' caseloads, a year of calls, referrals, assessments, visits, care
packages and admissions), reproducibly from a seed and a base time. It exists
to measure the desk at the scale it must survive; the demo (desk.demo) is the
small, hand-tuned zone for trying the desk out.

Everything is synthetic. NHS numbers come from the 999 test range, each with a
valid Modulus 11 check digit, all different. Phone numbers come only from
Ofcom's drama ranges, never from the numbers the shipped reference data uses.

Phone numbers, decided: the drama ranges hold only about 14,500 numbers, far
fewer than 380,000 people, so numbers are scarce and are never handed out at
random to several strangers (a number shared by twenty unrelated people is not
believable, and would make "who is ringing?" useless). Instead:

* every number belongs to at most one household (a person, or a couple
  sharing a landline and an address) or to one carer or relative;
* 500 numbers (fewer on a tiny pool) are kept off the register altogether:
  the calls from unknown numbers ring from these, so a benchmark can look up
  numbers that are known to be unknown;
* the rest are handed out in priority order until they run out: the people on
  the caseload in a random order, each household's line first and then each
  of that person's carers and relatives with a number of their own; then the
  other adult households in a random order;
* everyone after that has no number on record (``phone_e164`` empty), as
  happens when a GP registration carries no usable phone. Children never get
  one.

At full size (seed 380) that gives 8,500 households with someone on the
caseload a line (9,700 of the 40,000 on the caseload), 5,500 carers and
relatives a number of their own and 2,300 spouses their couple's line; the
other 30,000 on the caseload and the rest of the register have none. On a
small register (a few thousand people) every adult household has a number.
A spouse who cares for their partner is both a registered person and the
partner's contact on the same line, so a couple's landline is recognised as
both.

Shape: the seed runs :data:`STAGES` in order, each a small function in
``desk/synthetic/scale_*.py`` that reads the typed records earlier stages made
and returns its own (see :mod:`desk.synthetic.scale_context`); the words come
from ``data/synthetic_vocabulary.json``, shared with the demo.

Speed: rows are built as plain tuples in one pass per table and written with
the driver's own bulk path (``executemany`` on SQLite, ``COPY`` on
PostgreSQL), with the tables' secondary indexes, search triggers and (on
PostgreSQL) foreign keys set aside during the load and rebuilt once at the
end, all in one transaction: a failed seed leaves no people behind (only the
shipped reference data, which it loads first). The caseload read model is
then built in bulk by :func:`desk.services.caseload.rebuild`.
"""

from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session

from desk import clock, db
from desk.crisis.scale_stage import add_crisis_line_at_scale
from desk.discharge import scale_stage as discharge_scale
from desk.errors import DeskError
from desk.packages import scale_stage as package_scale
from desk.synthetic import scale_calls, scale_care, scale_people, scale_phones, scale_register
from desk.synthetic.bulk import Progress, put_back, reset_sequences, set_aside
from desk.synthetic.drama import DramaNumber, drama_blocks, drama_numbers, is_drama
from desk.synthetic.rules import TABLES, nhs_numbers
from desk.synthetic.scale_context import ScaleContext, Sizes, Stage, open_context, run_stages

NO_ID = ("caseloadentry", "assessmentfinding", "delayday")  # keyed by what they belong to, no sequence to move

__all__ = ["STAGES", "DramaNumber", "drama_blocks", "drama_numbers", "is_drama", "nhs_numbers", "seed_scale"]

# The seed's stages, in order. Each reads what earlier stages made; a new part of the
# trust (a crisis line, care packages, ward discharges) is a new function added here.
STAGES: tuple[Stage, ...] = (
    scale_register.register_people,
    scale_register.choose_caseload,
    scale_register.number_people,
    scale_phones.draw_phone_pool,
    scale_phones.make_contacts,
    scale_phones.assign_phones,
    scale_register.choose_key_workers,
    scale_people.write_people,
    scale_people.write_contacts,
    scale_people.choose_busiest,
    scale_care.involvements,
    scale_care.admissions,
    scale_care.alerts,
    scale_calls.referrals,
    scale_calls.calls,
    scale_calls.write_referrals,
    package_scale.packages,
    scale_care.visits,
    discharge_scale.discharges,
)


def seed_scale(
    engine: Engine,
    *,
    people: int = 380_000,
    caseload: int = 40_000,
    calls: int = 100_000,
    seed: int = 380,
    now: datetime | None = None,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Fill an empty, migrated database with a synthetic trust; returns how many of each were made.

    The same ``seed`` and ``now`` give the same people, numbers and history on
    either backend. ``progress(stage, done, total)`` is called as the stages
    move on (people, calls, referrals, visits, care, indexes, caseload).
    Refuses a database that already has people on it.
    """
    if caseload > people:
        raise DeskError(f"The caseload ({caseload:,}) cannot be bigger than the register ({people:,}).")
    if people < 1:
        raise DeskError("Say how many people to make: at least one.")
    report: Progress = progress or (lambda _s, _d, _t: None)
    now = now or clock.now()
    if now.tzinfo is None:
        raise DeskError("seed_scale needs a timezone-aware base time.")
    from desk.services import reference

    with db.writing(engine) as session:
        reference.load(session)
    with engine.connect().execution_options(**{db.WRITE_OPTION: True}) as conn:
        with conn.begin():
            if conn.exec_driver_sql("SELECT 1 FROM person LIMIT 1").first() is not None:
                raise DeskError("This database already has people on it: seed an empty one (a new file or schema).")
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA cache_size = -262144")
            else:
                conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
            aside = set_aside(conn, TABLES)
            ctx = open_context(conn, random.Random(seed), now, Sizes(people, caseload, calls), report)
            run_stages(ctx, STAGES)
            ctx.counts.update(add_crisis_line_at_scale(conn, now=now, seed=seed))
            put_back(conn, aside, report)
            reset_sequences(conn, [t for t in TABLES if t not in NO_ID])
            _rebuild_caseload(ctx)
        _analyse(ctx)
    ctx.counts["busiest_person_id"] = ctx.records.get(scale_people.Busiest).person_id
    return ctx.counts


def _rebuild_caseload(ctx: ScaleContext) -> None:
    """The caseload read model, built in bulk from what the stages wrote."""
    from desk.services import caseload as caseload_service

    ctx.progress("caseload", 0, 1)
    with Session(bind=ctx.conn, join_transaction_mode="create_savepoint") as session:
        ctx.counts["caseload"] = caseload_service.rebuild(session)
        session.commit()
    ctx.progress("caseload", 1, 1)


def _analyse(ctx: ScaleContext) -> None:
    """Statistics for the planner (and on PostgreSQL the visibility map index-only scans need)."""
    conn = ctx.conn
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in TABLES:
            conn.exec_driver_sql(f'VACUUM (ANALYZE) "{table}"')
        return
    with conn.begin():
        conn.exec_driver_sql("ANALYZE")
    conn.exec_driver_sql("PRAGMA cache_size = -2000")
    conn.commit()
    ctx.sink.raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
