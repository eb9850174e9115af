"""The scale database the benchmarks run on: seeded here, or reused."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, func, select, text
from sqlmodel import col

from desk import db
from desk.models import Call, CaseloadEntry, Person

SeedProgress = Callable[[str, int, int], None]
"""What the seed calls as it goes: stage, done, total."""

DATA_DIR = Path(__file__).resolve().parent / ".data"
DEFAULT_SCHEMA = "desk_bench"


def default_url(people: int, caseload: int, calls: int, seed: int) -> str:
    """The SQLite file for a trust of this size and seed, under bench/.data/ (kept for ``--reuse``)."""
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DATA_DIR / f'scale-{people}-{caseload}-{calls}-s{seed}.db'}"


def engine_for(url: str, schema: str) -> Engine:
    """An engine; on PostgreSQL every table lives in ``schema``, never in public."""
    if url.startswith("postgresql"):
        base = db.make_engine(url)
        with base.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        base.dispose()
        return db.make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    return db.make_engine(url)


def wipe(url: str, schema: str) -> None:
    """Remove the scale database: the SQLite file and its journal, or the PostgreSQL schema (made anew)."""
    if url.startswith("postgresql"):
        base = db.make_engine(url)
        with base.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        base.dispose()
        return
    path = url.split("sqlite:///", 1)[-1]
    for suffix in ("", "-wal", "-shm"):
        p = Path(path + suffix)
        if p.exists():
            p.unlink()


def counts(engine: Engine) -> dict[str, int]:
    """How many people, caseload rows and calls there are, and who was called about most."""
    with engine.connect() as conn:
        people = conn.execute(select(func.count()).select_from(Person)).scalar_one()
        caseload = conn.execute(select(func.count()).select_from(CaseloadEntry)).scalar_one()
        calls = conn.execute(select(func.count()).select_from(Call)).scalar_one()
        busiest = conn.execute(
            select(col(Call.person_id))
            .where(col(Call.person_id).is_not(None))
            .group_by(col(Call.person_id))
            .order_by(func.count().desc(), col(Call.person_id))
            .limit(1)
        ).scalar()
    return {"people": people, "caseload": caseload, "calls": calls, "busiest_person_id": busiest or 0}


def _progress() -> tuple[Progress, SeedProgress]:
    """A progress bar for the seed, and the callback the seed reports each stage's progress to."""
    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        transient=False,
    )
    tasks: dict[str, TaskID] = {}

    def report(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bar.add_task(stage, total=max(total, 1))
        bar.update(tasks[stage], completed=done, total=max(total, 1))

    return bar, report


def prepare(
    url: str,
    *,
    schema: str,
    people: int,
    caseload: int,
    calls: int,
    seed: int,
    reuse: bool,
) -> tuple[Engine, dict[str, int], float | None]:
    """The engine, what is in the database, and the seconds seeding took (None when reused)."""
    engine = engine_for(url, schema)
    db.migrate(engine)
    if reuse:
        found = counts(engine)
        if found["people"] == people and found["caseload"] > 0:
            return engine, found, None
        if found["people"]:
            print(
                f"bench: the database holds {found['people']:,} people, not {people:,}: seeding afresh.",
                file=sys.stderr,
            )
    engine.dispose()
    wipe(url, schema)
    engine = engine_for(url, schema)
    db.migrate(engine)
    from desk.scale import seed_scale

    bar, report = _progress()
    print(f"bench: seeding {people:,} people, {caseload:,} on the caseload, {calls:,} calls ...", file=sys.stderr)
    t0 = time.perf_counter()
    with bar:
        seed_scale(engine, people=people, caseload=caseload, calls=calls, seed=seed, progress=report)
    seconds = time.perf_counter() - t0
    return engine, counts(engine), seconds
