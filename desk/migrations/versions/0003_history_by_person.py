"""history by person, newest last: a record's change mark from one index entry

Revision ID: 0003
Revises: 0002
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

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_history_person_id_id", "history", ["person_id", "id"], unique=False)
    op.drop_index("ix_history_person_id", table_name="history")


def downgrade() -> None:
    op.create_index("ix_history_person_id", "history", ["person_id"], unique=False)
    op.drop_index("ix_history_person_id_id", table_name="history")
