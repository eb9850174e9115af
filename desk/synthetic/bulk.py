"""Writing the synthetic trust fast: bulk inserts, and the indexes set aside while they run.

Rows are plain tuples written with the driver's own bulk path (``executemany``
on SQLite, ``COPY`` on PostgreSQL). The tables' secondary indexes, search
triggers and (on PostgreSQL) foreign keys are set aside for the load and put
back once at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, text

Progress = Callable[[str, int, int], None]
CHUNK = 10_000


class Sink:
    """Bulk writes on one connection: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self.raw: Any = conn.connection.driver_connection  # sqlite3 or psycopg: each has its own bulk path

    def ts(self, dt: datetime | None) -> Any:
        """A naive UTC datetime as this driver takes it."""
        if dt is None:
            return None
        if self.pg:
            return dt.replace(tzinfo=UTC)
        return dt.isoformat(" ", "microseconds")

    def day(self, d: date | None) -> Any:
        """A date as this driver takes it."""
        if d is None:
            return None
        return d if self.pg else d.isoformat()

    def flag(self, b: bool) -> Any:
        """A boolean as this driver takes it."""
        return bool(b) if self.pg else int(bool(b))

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert ``rows`` (tuples in ``columns`` order) into ``table``; returns how many."""
        cols = ", ".join(f'"{c}"' for c in columns)
        n = 0
        if self.pg:
            with self.raw.cursor() as cur:
                with cur.copy(f'COPY "{table}" ({cols}) FROM STDIN') as cp:
                    for row in rows:
                        cp.write_row(row)
                        n += 1
            return n
        marks = ", ".join("?" for _ in columns)
        cur = self.raw.cursor()
        try:
            batch: list[Sequence[Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= CHUNK:
                    cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', batch)
                    n += len(batch)
                    batch = []
            if batch:
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', batch)
                n += len(batch)
        finally:
            cur.close()
        return n


@dataclass
class SetAside:
    """Indexes, triggers and foreign keys dropped for the load, to put back after."""

    indexes: list[str]
    triggers: list[str]
    foreign_keys: list[tuple[str, str, str]]  # table, constraint, definition


def set_aside(conn: Connection, tables: Sequence[str]) -> SetAside:
    """Drop the tables' secondary indexes, triggers and foreign keys, remembering how to make them again."""
    if conn.dialect.name == "sqlite":
        names = ", ".join(f"'{t}'" for t in tables)
        rows = conn.exec_driver_sql(
            f"SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') "
            f"AND sql IS NOT NULL AND tbl_name IN ({names}) ORDER BY type, name"
        ).all()
        aside = SetAside([r[2] for r in rows if r[0] == "index"], [r[2] for r in rows if r[0] == "trigger"], [])
        for kind, name, _ in rows:
            conn.exec_driver_sql(f'DROP {kind.upper()} "{name}"')
        return aside
    rows = conn.execute(
        text(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
            "WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid) ORDER BY i.relname"
        ),
        {"tables": list(tables)},
    ).all()
    fks = conn.execute(
        text(
            "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid WHERE c.contype = 'f' "
            "AND t.relnamespace = current_schema()::regnamespace AND t.relname = ANY(:tables) "
            "ORDER BY t.relname, c.conname"
        ),
        {"tables": list(tables)},
    ).all()
    for table, name, _ in fks:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    for name, _ in rows:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    return SetAside([r[1] for r in rows], [], [(t, n, d) for t, n, d in fks])


def put_back(conn: Connection, aside: SetAside, progress: Progress) -> None:
    """Make again what :func:`set_aside` dropped, and rebuild the search index over the new rows."""
    total = len(aside.indexes) + len(aside.foreign_keys) + 1
    done = 0
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL maintenance_work_mem = '256MB'")
    for sql in aside.indexes:
        conn.exec_driver_sql(sql)
        done += 1
        progress("indexes", done, total)
    for table, name, definition in aside.foreign_keys:
        conn.exec_driver_sql(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
        done += 1
        progress("indexes", done, total)
    for sql in aside.triggers:
        conn.exec_driver_sql(sql)
    if conn.dialect.name == "sqlite":
        has_fts = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'person_fts'"
        ).first()
        if has_fts:
            conn.exec_driver_sql("INSERT INTO person_fts(person_fts) VALUES ('rebuild')")
    progress("indexes", total, total)


def reset_sequences(conn: Connection, tables: Sequence[str]) -> None:
    """On PostgreSQL, move each table's id sequence past the ids written in bulk."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables:
        seq = conn.execute(text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}).scalar()
        if seq:
            conn.execute(
                text(f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{table}"), 0) + 1, false)'), {"s": seq}
            )
