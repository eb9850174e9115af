"""ward discharge: the plan on the admission, wards covered, tasks before the door, delayed days, pick-ups

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 23:00:00

An admission gains why and who recorded it, when a co-ordinator checked it,
the package suspended for the stay, the plan from the ward's meeting (the
discharge ready date, the pathway, the involvement of patient and family,
the day the package must be ready, a care home placement), today's delay
reason and owner, and how the stay ended; with indexes for a ward's open
stays and for a year of discharges. New tables: the wards each discharge
co-ordinator covers, what stands between a patient and the door, each
delayed day with the reason it had, and the discharges a zone must pick
up. A package's review may now be the review four weeks after a discharge,
naming the stay (SQLite copies the table to add its foreign key: batch
mode, as for the admission; neither carries triggers).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import desk.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_TEXT = AutoString
_UTC = desk.types.UTCDateTime

ADMISSION_TEXT = ("reason", "pathway", "involved_note", "placement_note", "delay_reason", "delay_owner")
ADMISSION_TEXT_LATE = ("discharge_note", "unconfirmed_why")
ADMISSION_TIMES = ("recorded_at", "checked_at", "ready_recorded_at")
ADMISSION_DAYS = ("ready_on", "package_ready_by")
ADMISSION_LINKS = (
    ("recorded_by_id", "staff"),
    ("checked_by_id", "staff"),
    ("package_id", "carepackage"),
    ("ready_recorded_by_id", "staff"),
    ("placement_id", "organisation"),
    ("discharged_by_id", "staff"),
)


def upgrade() -> None:
    with op.batch_alter_table("admission") as batch:
        for name in ADMISSION_TEXT + ADMISSION_TEXT_LATE:
            batch.add_column(sa.Column(name, _TEXT(), nullable=False, server_default=""))
        for name in ADMISSION_TIMES:
            batch.add_column(sa.Column(name, _UTC(timezone=True), nullable=True))
        for name, table in ADMISSION_LINKS:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch.create_foreign_key(f"fk_admission_{name}", table, [name], ["id"])
        for name in ADMISSION_DAYS:
            batch.add_column(sa.Column(name, sa.Date(), nullable=True))
        batch.add_column(sa.Column("involved", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_admission_ward_open", "admission", ["ward_id", "discharged_at"])
    op.create_index("ix_admission_discharged", "admission", ["discharged_at"])

    with op.batch_alter_table("packagereview") as batch:
        batch.add_column(sa.Column("admission_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_packagereview_admission_id", "admission", ["admission_id"], ["id"])

    op.create_table(
        "wardcover",
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("ward_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["ward_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("staff_id", "ward_id"),
    )
    op.create_table(
        "dischargetask",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("owner", _TEXT(), nullable=False),
        sa.Column("state", _TEXT(), nullable=False),
        sa.Column("note", _TEXT(), nullable=False),
        sa.Column("updated_at", _UTC(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["admission_id"], ["admission.id"]),
        sa.ForeignKeyConstraint(["updated_by_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("admission_id", "kind", name="uq_dischargetask_kind"),
    )
    op.create_index("ix_dischargetask_admission_id", "dischargetask", ["admission_id"])
    op.create_table(
        "delayday",
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("zone_id", _TEXT(), nullable=False),
        sa.Column("reason", _TEXT(), nullable=False),
        sa.Column("owner", _TEXT(), nullable=False),
        sa.Column("carried", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", _UTC(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("note", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["admission_id"], ["admission.id"]),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"]),
        sa.PrimaryKeyConstraint("admission_id", "day"),
    )
    # the delays view counts by zone, reason and day from the index alone (no table lookups over a year)
    op.create_index("ix_delayday_day", "delayday", ["day", "zone_id", "reason"])
    op.create_index("ix_delayday_zone_day", "delayday", ["zone_id", "day", "reason"])
    op.create_table(
        "zonepickup",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("admission_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("zone_id", _TEXT(), nullable=False),
        sa.Column("discharged_at", _UTC(timezone=True), nullable=False),
        sa.Column("put_in_place", _TEXT(), nullable=False),
        sa.Column("who_to_ring", _TEXT(), nullable=False),
        sa.Column("made_at", _UTC(timezone=True), nullable=False),
        sa.Column("made_by_id", sa.Integer(), nullable=True),
        sa.Column("next_raise_at", _UTC(timezone=True), nullable=True),
        sa.Column("raised_count", sa.Integer(), nullable=False),
        sa.Column("raised_at", _UTC(timezone=True), nullable=True),
        sa.Column("raised_by_desk", _TEXT(), nullable=False),
        sa.Column("acknowledged_at", _UTC(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("acknowledged_note", _TEXT(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["admission_id"], ["admission.id"]),
        sa.ForeignKeyConstraint(["made_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("admission_id"),
    )
    op.create_index("ix_zonepickup_person_id", "zonepickup", ["person_id"])
    op.create_index("ix_zonepickup_zone_ack", "zonepickup", ["zone_id", "acknowledged_at"])
    op.create_index("ix_zonepickup_raise", "zonepickup", ["acknowledged_at", "next_raise_at"])


def downgrade() -> None:
    for name in ("ix_zonepickup_raise", "ix_zonepickup_zone_ack", "ix_zonepickup_person_id"):
        op.drop_index(name, table_name="zonepickup")
    op.drop_table("zonepickup")
    op.drop_index("ix_delayday_zone_day", table_name="delayday")
    op.drop_index("ix_delayday_day", table_name="delayday")
    op.drop_table("delayday")
    op.drop_index("ix_dischargetask_admission_id", table_name="dischargetask")
    op.drop_table("dischargetask")
    op.drop_table("wardcover")
    with op.batch_alter_table("packagereview") as batch:
        batch.drop_constraint("fk_packagereview_admission_id", type_="foreignkey")
        batch.drop_column("admission_id")
    op.drop_index("ix_admission_discharged", table_name="admission")
    op.drop_index("ix_admission_ward_open", table_name="admission")
    with op.batch_alter_table("admission") as batch:
        for name, _table in ADMISSION_LINKS:
            batch.drop_constraint(f"fk_admission_{name}", type_="foreignkey")
            batch.drop_column(name)
        for name in ADMISSION_TEXT + ADMISSION_TEXT_LATE + ADMISSION_TIMES + ADMISSION_DAYS + ("involved",):
            batch.drop_column(name)
