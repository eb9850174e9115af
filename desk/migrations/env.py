"""Alembic environment: run against the connection desk.db.migrate hands us."""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy.exc import SAWarning
from sqlmodel import SQLModel

import desk.models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        from desk.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url"))
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


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    if type_ == "table" and name and name.startswith(UNMANAGED_TABLE_PREFIX):
        return False
    if type_ == "index" and name in UNMANAGED_INDEXES:
        return False
    return True


def _run(connection) -> None:  # type: ignore[no-untyped-def]
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
