"""search and caseload paging at scale

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 10:00:00

Substring search over the register, on each backend its own way:

* SQLite: an FTS5 table with the trigram tokenizer (``person_fts``) over the
  person's search keys, its content read from ``person`` and kept in step by
  three triggers. A batch migration that rebuilds ``person`` drops those
  triggers: recreate them (``create_person_fts``) after any such migration.
* PostgreSQL: ``pg_trgm`` GIN indexes on the same keys, when the extension is
  there or can be created by the connecting user. When it cannot, nothing
  fails: the desk searches by prefix only (desk.services.search says which).
  The key columns use the "C" collation, so prefix ranges and LIKE 'x%'
  use their B-tree indexes whatever the database's own collation.

Both: B-tree indexes the search and the caseload screen order by, so a page of
results never sorts the whole register or the whole caseload.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# The person's search keys, in the order person_fts holds them.
FTS_COLUMNS = ("family_key", "given_key", "nhs_number", "phone_rev", "postcode_key")
TRGM_INDEXES = {f"ix_person_{c}_trgm": c for c in FTS_COLUMNS}
C_COLLATED = {
    "family_key": "VARCHAR",
    "given_key": "VARCHAR",
    "nhs_number": "VARCHAR(10)",
    "phone_rev": "VARCHAR",
    "postcode_key": "VARCHAR",
}

# The order search results come in (ties by id: SQLite keeps the rowid in every index,
# PostgreSQL adds an incremental sort of the few equal names).
PERSON_ORDER_INDEXES = (
    ("ix_person_zone_family_given", "zone_id, family_key, given_key"),
    ("ix_person_postcode_family", "postcode_key, family_key, given_key"),
)
# PostgreSQL's planner needs to know how common each name is (a few hundred surnames
# cover most of a register) to choose the index over a sort.
STATISTICS_TARGETS = {"family_key": 1000, "given_key": 1000, "postcode_key": 1000}

# Carried at the end of every caseload sort index, so each filter is answered from the
# index entry itself, never from the row.
_CL_FILTERS = "next_due_on, in_hospital, crisis, key_worker_id, nhs_number"

# (name, table, SQL column list): plain B-tree indexes, the same on both backends.
INDEXES = (
    ("ix_involvement_staff_open", "involvement", "staff_id, ended_on, person_id"),
    # The caseload screen (desk.services.caseload.page): one index per sort order, per
    # zone and trust-wide, each holding everything the order, the zone and the filters
    # need, so a page at any offset walks one index and reads only the rows it shows.
    # Reversed orders walk the same index backwards, except "due", whose nothing-due
    # rows stay last.
    ("ix_cl_name", "caseloadentry", f"sort_name, person_id, {_CL_FILTERS}"),
    ("ix_cl_zone_name", "caseloadentry", f"zone_id, sort_name, person_id, {_CL_FILTERS}"),
    ("ix_cl_dob", "caseloadentry", f"date_of_birth, sort_name, person_id, {_CL_FILTERS}"),
    ("ix_cl_zone_dob", "caseloadentry", f"zone_id, date_of_birth, sort_name, person_id, {_CL_FILTERS}"),
    ("ix_cl_due", "caseloadentry", f"(next_due_on IS NULL), next_due_on, sort_name, person_id, {_CL_FILTERS}"),
    (
        "ix_cl_zone_due",
        "caseloadentry",
        f"zone_id, (next_due_on IS NULL), next_due_on, sort_name, person_id, {_CL_FILTERS}",
    ),
    (
        "ix_cl_due_desc",
        "caseloadentry",
        f"(next_due_on IS NULL), next_due_on DESC, sort_name DESC, person_id DESC, {_CL_FILTERS}",
    ),
    (
        "ix_cl_zone_due_desc",
        "caseloadentry",
        f"zone_id, (next_due_on IS NULL), next_due_on DESC, sort_name DESC, person_id DESC, {_CL_FILTERS}",
    ),
    ("ix_cl_practice", "caseloadentry", f"practice_name, sort_name, person_id, {_CL_FILTERS}"),
    ("ix_cl_zone_practice", "caseloadentry", f"zone_id, practice_name, sort_name, person_id, {_CL_FILTERS}"),
    ("ix_cl_kw", "caseloadentry", f"key_worker_name, sort_name, person_id, {_CL_FILTERS}"),
    ("ix_cl_zone_kw", "caseloadentry", f"zone_id, key_worker_name, sort_name, person_id, {_CL_FILTERS}"),
    # The filters' small sets.
    ("ix_cl_key_worker_id", "caseloadentry", "key_worker_id"),
)
# Partial indexes: (name, column list, condition) - the people in hospital, in crisis.
PARTIAL_INDEXES = (
    ("ix_cl_in_hospital", "zone_id", "in_hospital"),
    ("ix_cl_crisis", "zone_id", "crisis"),
)
# Replaced by the fuller indexes above (ix_caseload_zone_due stays: the "due" filter uses it).
OLD_CASELOAD_INDEXES = (
    ("ix_caseload_zone_name", "zone_id, sort_name"),
    ("ix_caseload_zone_dob", "zone_id, date_of_birth"),
)


def fts_sql() -> list[str]:
    """The SQLite statements that create person_fts, its triggers, and fill it."""
    cols = ", ".join(FTS_COLUMNS)
    new = ", ".join(f"new.{c}" for c in FTS_COLUMNS)
    old = ", ".join(f"old.{c}" for c in FTS_COLUMNS)
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS person_fts USING fts5({cols}, content='person', content_rowid='id', "
        "tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS person_fts_ai AFTER INSERT ON person BEGIN "
        f"INSERT INTO person_fts(rowid, {cols}) VALUES (new.id, {new}); END",
        f"CREATE TRIGGER IF NOT EXISTS person_fts_ad AFTER DELETE ON person BEGIN "
        f"INSERT INTO person_fts(person_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); END",
        f"CREATE TRIGGER IF NOT EXISTS person_fts_au AFTER UPDATE OF {cols} ON person BEGIN "
        f"INSERT INTO person_fts(person_fts, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO person_fts(rowid, {cols}) VALUES (new.id, {new}); END",
        "INSERT INTO person_fts(person_fts) VALUES ('rebuild')",
    ]


_TRGM_SCHEMA_SQL = (
    "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'"
)


def _trgm_schema(bind: sa.Connection) -> str | None:
    """The schema pg_trgm lives in, creating it if we may; None when it cannot be had."""
    found = bind.execute(sa.text(_TRGM_SCHEMA_SQL)).scalar()
    if found:
        return str(found)
    if not bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first():
        return None
    # Into public when there is one, so dropping a per-test schema never takes it away.
    target = "public" if bind.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).first() else None
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm" + (" SCHEMA public" if target else ""))
    except sa.exc.DBAPIError:
        return None
    return str(bind.execute(sa.text(_TRGM_SCHEMA_SQL)).scalar())


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "postgresql":
        for column, type_ in C_COLLATED.items():
            op.execute(f'ALTER TABLE person ALTER COLUMN {column} TYPE {type_} COLLATE "C"')
    for name, cols in PERSON_ORDER_INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON person ({cols})")
    if dialect == "postgresql":
        for column, target in STATISTICS_TARGETS.items():
            op.execute(f"ALTER TABLE person ALTER COLUMN {column} SET STATISTICS {target}")
    for name, _cols in OLD_CASELOAD_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, table, cols in INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({cols})")
    for name, cols, flag in PARTIAL_INDEXES:
        # As SQLAlchemy writes "flag == True" on each backend, so the planner sees they match.
        condition = f"{flag} = 1" if dialect == "sqlite" else flag
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON caseloadentry ({cols}) WHERE {condition}")
    if dialect == "sqlite":
        for sql in fts_sql():
            op.execute(sql)
    elif dialect == "postgresql":
        schema = _trgm_schema(bind)
        if schema is not None:
            for name, column in TRGM_INDEXES.items():
                op.execute(f'CREATE INDEX IF NOT EXISTS {name} ON person USING gin ({column} "{schema}".gin_trgm_ops)')


def downgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    if dialect == "sqlite":
        for trigger in ("person_fts_ai", "person_fts_ad", "person_fts_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS person_fts")
    elif dialect == "postgresql":
        for name in TRGM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        # pg_trgm itself stays: other schemas or databases' objects may use it.
        for column in STATISTICS_TARGETS:
            op.execute(f"ALTER TABLE person ALTER COLUMN {column} SET STATISTICS -1")
        for column, type_ in C_COLLATED.items():
            op.execute(f'ALTER TABLE person ALTER COLUMN {column} TYPE {type_} COLLATE "default"')
    for name, _table, _cols in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, _cols, _flag in PARTIAL_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, _cols in PERSON_ORDER_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
    for name, cols in OLD_CASELOAD_INDEXES:
        op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON caseloadentry ({cols})")
