"""review links its version: a review that changed the package names the version it made

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 23:30:00

A review recorded as "changed on a new assessment" makes a new version of
the package; ``packagereview.package_version`` holds that version's number
(of the review's package), so the review list and the timeline can say which
version the review made. Reviews recorded before this have none.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _has_column() -> bool:
    return "package_version" in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("packagereview")}


def upgrade() -> None:
    if not _has_column():  # a database whose version was set back re-runs this safely
        op.add_column("packagereview", sa.Column("package_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    if _has_column():
        op.execute("ALTER TABLE packagereview DROP COLUMN package_version")
