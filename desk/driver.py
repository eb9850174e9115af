"""A bare database connection, for the moments before SQLAlchemy has loaded.

The desk draws its first screen, and answers the caseload's keys, while the
ORM is still loading behind it (desk.first_look). For that it needs only
``sqlite3`` or ``psycopg``, and SQL written once with ``:name`` parameters
that runs the same here and through SQLAlchemy's ``text()``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_PG_PARAM = re.compile(r"(?<!:):(\w+)")


class Reader:
    """One short-lived DB-API connection that reads with the desk's ``:name`` parameters on either database."""

    def __init__(self, connection: Any, dialect: str) -> None:
        self.connection = connection
        self.dialect = dialect

    def rows(self, sql: str, params: dict[str, Any] | None = None) -> list[Sequence[Any]]:
        if self.dialect == "postgresql":  # psycopg's placeholders are %(name)s, so a literal % doubles
            sql = _PG_PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params or {})
            return list(cursor.fetchall())
        finally:
            cursor.close()

    def close(self) -> None:
        self.connection.close()


def connect(url: str) -> Reader | None:
    """A reading connection for a desk database URL, or None where only the ORM knows what to do with it.

    An SQLite file that is not there yet is the ORM's to create and migrate,
    so it is never created here. Driver errors (a server down) propagate.
    """
    scheme, _, rest = url.partition("://")
    if scheme in ("sqlite", "sqlite+pysqlite"):
        path = rest[1:] if rest.startswith("/") else ""
        if not path or path == ":memory:" or "?" in path or not Path(path).is_file():
            return None
        import sqlite3

        return Reader(sqlite3.connect(path, timeout=5, check_same_thread=False), "sqlite")
    if scheme in ("postgresql", "postgresql+psycopg"):
        import psycopg

        return Reader(psycopg.connect(f"postgresql://{rest}", autocommit=True, connect_timeout=5), "postgresql")
    return None
