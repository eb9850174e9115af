"""history by person, newest last: a record's change mark from one index entry

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 07:30:00

An open person record asks every second for the newest history entry about
its person (desk.services.changes.mark). With an index on ``person_id``
alone PostgreSQL answers ``max(id) ... WHERE person_id = ?`` by walking the
primary key backwards until it meets that person: 70 ms for someone whose
entries are 200,000 entries old. With ``(person_id, id)`` both databases
read one index entry. It replaces the single-column index, which it covers.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


# IF [NOT] EXISTS, as in 0002: a database whose version was set back re-runs this safely.


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_history_person_id_id ON history (person_id, id)")
    op.execute("DROP INDEX IF EXISTS ix_history_person_id")


def downgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_history_person_id ON history (person_id)")
    op.execute("DROP INDEX IF EXISTS ix_history_person_id_id")
