"""open referrals by response: the crisis board finds its open Rapid and Crisis referrals from an index

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 21:15:00

The crisis board lists every open Rapid referral and every Crisis referral
not yet escalated. With no index on the referral's status, both databases
read every Rapid and Crisis referral ever made to find the few hundred open
ones (on a trust-scale database, 6,800 read for 460 kept, most of the
board's read). ``(status, response)`` reads only the open ones.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


# IF [NOT] EXISTS, as in 0002 and 0005: a database whose version was set back re-runs this safely.


def upgrade() -> None:
    op.execute("CREATE INDEX IF NOT EXISTS ix_referral_status_response ON referral (status, response)")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_referral_status_response")
