"""names folded for search

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 07:30:00

A co-ordinator types what they hear, so ``person.family_key`` and
``given_key`` now hold the name folded by ``desk.names.key`` (accents,
apostrophes, hyphens, spaces and case taken away: "de la Cruz" is
"delacruz", "O'Brien" "obrien", "Zoë" "zoe") instead of the lower-cased name.
The columns, their B-tree indexes (prefix search, name order), their "C"
collation and trigram indexes on PostgreSQL, and SQLite's ``person_fts``
over them all stay as migration 0002 made them: only the values change.

Existing rows are rewritten in batches by id. On SQLite the FTS triggers are
set aside while that happens and ``person_fts`` rebuilt once at the end
(0.1 to 0.4 ms per row through the trigger would be minutes on a large
register). The caseload's ``sort_name`` (family key, space, given key) is
recomputed from the new keys in one statement.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from desk import names

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BATCH = 5_000
_FTS_TRIGGERS = ("person_fts_ai", "person_fts_ad", "person_fts_au")


def _rewrite_keys(bind: sa.Connection, make_key: Callable[[str], str]) -> int:
    """Set every person's keys to ``make_key`` of their names, ``BATCH`` rows at a time; returns rows changed."""
    select = sa.text(
        "SELECT id, family_name, given_name, family_key, given_key FROM person WHERE id > :after ORDER BY id LIMIT :n"
    )
    update = sa.text("UPDATE person SET family_key = :family_key, given_key = :given_key WHERE id = :id")
    after, changed = 0, 0
    while True:
        rows = bind.execute(select, {"after": after, "n": BATCH}).all()
        if not rows:
            return changed
        updates = []
        for pid, family, given, old_family_key, old_given_key in rows:
            family_key, given_key = make_key(family), make_key(given)
            if (family_key, given_key) != (old_family_key, old_given_key):
                updates.append({"id": pid, "family_key": family_key, "given_key": given_key})
        if updates:
            bind.execute(update, updates)
            changed += len(updates)
        after = rows[-1][0]


def _rewrite(make_key: Callable[[str], str]) -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    has_fts = sqlite and bool(
        bind.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'person_fts'").first()
    )
    if has_fts:
        for trigger in _FTS_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    _rewrite_keys(bind, make_key)
    if has_fts:
        search_at_scale = importlib.import_module("desk.migrations.versions.0002_search_at_scale")
        for sql in search_at_scale.fts_sql():  # the triggers again, and the index rebuilt from the new keys
            op.execute(sql)
    op.execute(
        "UPDATE caseloadentry SET sort_name = (SELECT person.family_key || ' ' || person.given_key FROM person "
        "WHERE person.id = caseloadentry.person_id) WHERE EXISTS "
        "(SELECT 1 FROM person WHERE person.id = caseloadentry.person_id)"
    )


def _lowered(name: str) -> str:
    return name.lower()


def upgrade() -> None:
    _rewrite(names.key)


def downgrade() -> None:
    _rewrite(_lowered)
