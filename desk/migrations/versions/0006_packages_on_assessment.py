"""packages on an assessment: findings, package versions, steps, providers told, reviews

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 09:00:00

An assessment gains the role it was made in, where, what it recommends, who
recorded it on the assessor's behalf and what it corrects; its findings by
area of need are a table of their own. SQLite cannot add a foreign key to a
table in place, so there the assessment table is copied (batch mode); it
carries no triggers. The package and its items keep their columns (the
caseload, record and timeline read them) and gain a state, the newest
version's number, and the dates the 28- and 7-day targets are measured by,
each with an index for the trust-wide waiting list. New tables hold every
version of a package and its services, the dated steps of its states, the
providers to tell, the reviews, and the referrals made from an assessment.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import desk.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_TEXT = AutoString
_UTC = desk.types.UTCDateTime

ASSESSMENT_TEXT = ("assessor_role", "place", "recommendations", "correction_why")
ASSESSMENT_LINKS = (("recorded_by_id", "staff"), ("corrects_id", "assessment"))
TARGET_DATES = ("requested_on", "available_on", "target_on")


def upgrade() -> None:
    with op.batch_alter_table("assessment") as batch:
        for name in ASSESSMENT_TEXT:
            batch.add_column(sa.Column(name, _TEXT(), nullable=False, server_default=""))
        for name, table in ASSESSMENT_LINKS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch.create_foreign_key(f"fk_assessment_{name}", table, [name], ["id"])
        batch.add_column(sa.Column("recorded_at", _UTC(timezone=True), nullable=True))
    op.create_index("ix_assessment_person_at", "assessment", ["person_id", "at"])

    op.add_column("carepackage", sa.Column("state", _TEXT(), nullable=False, server_default="active"))
    op.add_column("carepackage", sa.Column("current_version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("carepackageitem", sa.Column("line", sa.Integer(), nullable=False, server_default="0"))
    for name in ("service_id", "provider_id"):
        op.add_column("carepackageitem", sa.Column(name, _TEXT(), nullable=False, server_default=""))
    op.add_column("carepackageitem", sa.Column("state", _TEXT(), nullable=False, server_default="active"))
    for table in ("carepackage", "carepackageitem"):
        for name in TARGET_DATES:
            op.add_column(table, sa.Column(name, sa.Date(), nullable=True))
        op.create_index(f"ix_{table}_waiting", table, ["available_on", "target_on"])
    # Packages made before versions: an ended one says so; the rest stay active.
    op.execute("UPDATE carepackage SET state = 'ended' WHERE status = 'ended'")

    op.create_table(
        "assessmentfinding",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("area", _TEXT(), nullable=False),
        sa.Column("level", _TEXT(), nullable=False),
        sa.Column("note", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.PrimaryKeyConstraint("assessment_id", "area"),
    )
    op.create_table(
        "carepackageversion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("arranged_by_id", sa.Integer(), nullable=True),
        sa.Column("arranged_at", _UTC(timezone=True), nullable=False),
        sa.Column("desk", _TEXT(), nullable=False),
        sa.Column("why", _TEXT(), nullable=False),
        sa.Column("care_minutes_per_week", sa.Integer(), nullable=False),
        sa.Column("cost_per_week_pence", sa.Integer(), nullable=False),
        sa.Column("one_off_pence", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["arranged_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["package_id"], ["carepackage.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("package_id", "number", name="uq_carepackageversion_number"),
    )
    op.create_index("ix_carepackageversion_assessment_id", "carepackageversion", ["assessment_id"])
    op.create_table(
        "carepackageline",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("service", _TEXT(), nullable=False),
        sa.Column("provider", _TEXT(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("unit_cost_pence", sa.Integer(), nullable=False),
        sa.Column("times", _TEXT(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("carers", sa.Integer(), nullable=False),
        sa.Column("days", _TEXT(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["version_id"], ["carepackageversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_carepackageline_version_id", "carepackageline", ["version_id"])
    op.create_table(
        "carestep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=True),
        sa.Column("state", _TEXT(), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("at", _UTC(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.Column("confirmed_by", _TEXT(), nullable=False),
        sa.Column("note", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["package_id"], ["carepackage.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_carestep_package_id", "carestep", ["package_id", "id"])
    op.create_table(
        "providernotice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("provider", _TEXT(), nullable=False),
        sa.Column("what", _TEXT(), nullable=False),
        sa.Column("told_at", _UTC(timezone=True), nullable=True),
        sa.Column("told_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["package_id"], ["carepackage.id"]),
        sa.ForeignKeyConstraint(["told_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["carepackageversion.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_providernotice_package_told", "providernotice", ["package_id", "told_at"])
    op.create_index("ix_providernotice_version_id", "providernotice", ["version_id"])
    op.create_table(
        "packagereview",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", _TEXT(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("due_at", _UTC(timezone=True), nullable=False),
        sa.Column("state", _TEXT(), nullable=False),
        sa.Column("raised_at", _UTC(timezone=True), nullable=True),
        sa.Column("raised_by_desk", _TEXT(), nullable=False),
        sa.Column("done_at", _UTC(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", _TEXT(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.Column("note", _TEXT(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["done_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["package_id"], ["carepackage.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_packagereview_package_id", "packagereview", ["package_id"])
    op.create_index("ix_packagereview_state_due", "packagereview", ["state", "due_at"])
    op.create_index("ix_packagereview_zone_state", "packagereview", ["zone_id", "state"])
    op.create_table(
        "assessmentreferral",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("rule", _TEXT(), nullable=False),
        sa.Column("why", _TEXT(), nullable=False),
        sa.Column("package_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"]),
        sa.ForeignKeyConstraint(["package_id"], ["carepackage.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.PrimaryKeyConstraint("referral_id"),
    )
    op.create_index("ix_assessmentreferral_assessment_id", "assessmentreferral", ["assessment_id"])


def downgrade() -> None:
    for table in ("assessmentreferral", "packagereview", "providernotice", "carestep", "carepackageline"):
        op.drop_table(table)
    op.drop_table("carepackageversion")
    op.drop_table("assessmentfinding")
    # Native DROP COLUMN (SQLite 3.35 and later, PostgreSQL): a batch copy of these tables would
    # drop a table the items (and the crisis line's rows) still refer to, which foreign keys forbid.
    for table in ("carepackage", "carepackageitem"):
        op.drop_index(f"ix_{table}_waiting", table_name=table)
        for name in TARGET_DATES:
            op.execute(f"ALTER TABLE {table} DROP COLUMN {name}")
    for name in ("line", "service_id", "provider_id", "state"):
        op.execute(f"ALTER TABLE carepackageitem DROP COLUMN {name}")
    for name in ("state", "current_version"):
        op.execute(f"ALTER TABLE carepackage DROP COLUMN {name}")
    op.drop_index("ix_assessment_person_at", table_name="assessment")
    with op.batch_alter_table("assessment") as batch:
        for name, _table in ASSESSMENT_LINKS:
            batch.drop_constraint(f"fk_assessment_{name}", type_="foreignkey")
            batch.drop_column(name)
        for name in (*ASSESSMENT_TEXT, "recorded_at"):
            batch.drop_column(name)
