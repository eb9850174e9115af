"""Alembic environment: run against the connection desk.db.migrate hands us."""

from __future__ import annotations

import warnings

from alembic import context
from alembic.runtime.environment import NameFilterType
from sqlalchemy import Connection
from sqlalchemy.exc import SAWarning
from sqlalchemy.sql.schema import SchemaItem

import desk.models

config = context.config
target_metadata = desk.models.Person.metadata  # the metadata every table of desk.models is registered in


def run_migrations_online() -> None:
    """Migrate on the connection we were handed, or on a new engine for the configured URL."""
    connection = config.attributes.get("connection")
    if connection is None:
        from desk.db import make_engine

        url = config.get_main_option("sqlalchemy.url")
        if not url:
            raise RuntimeError("no database to migrate: pass a connection or set sqlalchemy.url")
        engine = make_engine(url)
        with engine.begin() as connection:
            _run(connection)
    else:
        _run(connection)


# Made by migration 0002 in SQL the models cannot describe: SQLite's FTS5 search table
# (and its shadow tables), PostgreSQL's trigram indexes, and the caseload's expression
# and partial indexes. Autogenerate leaves them alone.
UNMANAGED_TABLE_PREFIX = "person_fts"
UNMANAGED_INDEXES = frozenset(
    {
        "ix_cl_due",
        "ix_cl_zone_due",
        "ix_cl_due_desc",
        "ix_cl_zone_due_desc",
        "ix_cl_in_hospital",
        "ix_cl_crisis",
        "ix_person_family_key_trgm",
        "ix_person_given_key_trgm",
        "ix_person_nhs_number_trgm",
        "ix_person_phone_rev_trgm",
        "ix_person_postcode_key_trgm",
    }
)
# SQLite cannot reflect expression indexes; they are the migration's alone (above).
warnings.filterwarnings(
    "ignore", message="Skipped unsupported reflection of expression-based index", category=SAWarning
)


def include_object(
    obj: SchemaItem, name: str | None, type_: NameFilterType, reflected: bool, compare_to: SchemaItem | None
) -> bool:
    """Whether autogenerate compares this table or index (not those migration 0002 makes in SQL)."""
    if type_ == "table" and name and name.startswith(UNMANAGED_TABLE_PREFIX):
        return False
    if type_ == "index" and name in UNMANAGED_INDEXES:
        return False
    return True


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_object=include_object,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
