"""the caseload's WAIT flag: the day a waiting package or equipment comes within its target's at-risk days

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 20:30:00

Each caseload row gains ``wait_flag_from``: the day its person's soonest
package (28 days) or equipment (7 days) still waiting comes within three
days of its target, from which the row is flagged WAIT. Existing rows are
filled here from the stored target dates with the default three days; the
services keep it current from then on (with each zone's own at-risk days).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

AT_RISK_DAYS = 3
"""desk.packages.config.PackageSettings.at_risk_days as it was when this migration was written."""

_SOONEST = {
    "carepackage": (
        "SELECT min(carepackage.target_on) FROM carepackage"
        " WHERE carepackage.person_id = caseloadentry.person_id AND carepackage.available_on IS NULL"
        " AND carepackage.target_on IS NOT NULL AND carepackage.status != 'ended'"
    ),
    "carepackageitem": (
        "SELECT min(carepackageitem.target_on) FROM carepackageitem"
        " JOIN carepackage ON carepackage.id = carepackageitem.package_id"
        " WHERE carepackage.person_id = caseloadentry.person_id AND carepackageitem.available_on IS NULL"
        " AND carepackageitem.target_on IS NOT NULL AND carepackageitem.state != 'ended'"
        " AND carepackage.status != 'ended'"
    ),
}


def upgrade() -> None:
    op.add_column("caseloadentry", sa.Column("wait_flag_from", sa.Date(), nullable=True))
    connection = op.get_bind()
    for soonest in _SOONEST.values():  # the soonest target of the two tables, then less the at-risk days
        connection.execute(
            sa.text(
                f"UPDATE caseloadentry SET wait_flag_from = ({soonest})"
                f" WHERE ({soonest}) IS NOT NULL AND (wait_flag_from IS NULL OR ({soonest}) < wait_flag_from)"
            )
        )
    if connection.dialect.name == "postgresql":
        connection.execute(sa.text(f"UPDATE caseloadentry SET wait_flag_from = wait_flag_from - {AT_RISK_DAYS}"))
    else:
        connection.execute(
            sa.text(f"UPDATE caseloadentry SET wait_flag_from = date(wait_flag_from, '-{AT_RISK_DAYS} days')")
        )


def downgrade() -> None:
    op.execute("ALTER TABLE caseloadentry DROP COLUMN wait_flag_from")  # SQLite 3.35 and later, and PostgreSQL
