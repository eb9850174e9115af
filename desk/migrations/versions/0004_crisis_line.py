"""the crisis line: triaged referrals, duty roster, crises, bookings, liaison, crisis plans, reminders

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 08:00:00

The referral gains its confirmed response and lead, what the desk proposed,
why they differ, and who recorded each of the three intervals. SQLite cannot
add a foreign key to a table in place, so there the referral table is copied
(batch mode); it carries no triggers. New tables hold the duty roster, the
crises with their bookings, gaps and liaison log, each person's crisis plan,
and the reminders the desks raise.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel.sql.sqltypes import AutoString

import desk.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_TEXT = AutoString
_UTC = desk.types.UTCDateTime

REFERRAL_TEXT = ("lead", "ucr_need", "proposed_response", "proposed_lead", "change_why")
REFERRAL_STAFF = ("triaged_by_id", "first_contact_by_id", "assessed_by_id", "services_by_id")
REFERRAL_TIMES = ("first_contact_recorded_at", "assessed_recorded_at", "services_recorded_at")


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("response", _TEXT(), nullable=False, server_default="normal"))
        for name in REFERRAL_TEXT:
            batch.add_column(sa.Column(name, _TEXT(), nullable=False, server_default=""))
        for name in REFERRAL_STAFF:
            batch.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch.create_foreign_key(f"fk_referral_{name}", "staff", [name], ["id"])
        for name in REFERRAL_TIMES:
            batch.add_column(sa.Column(name, _UTC(timezone=True), nullable=True))
    # Referrals made before the crisis line: their urgency was their response.
    op.execute("UPDATE referral SET response = CASE WHEN crisis THEN 'crisis' ELSE urgency END")
    op.create_index("ix_referral_response_received", "referral", ["response", "received_at"])

    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", _TEXT(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("discipline", _TEXT(), nullable=False),
        sa.Column("starts_at", _UTC(timezone=True), nullable=False),
        sa.Column("ends_at", _UTC(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_shift_staff_id", "shift", ["staff_id"])
    op.create_index("ix_shift_zone_discipline_end", "shift", ["zone_id", "discipline", "ends_at"])
    op.create_table(
        "absence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("starts_at", _UTC(timezone=True), nullable=False),
        sa.Column("ends_at", _UTC(timezone=True), nullable=False),
        sa.Column("note", _TEXT(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_absence_staff_end", "absence", ["staff_id", "ends_at"])
    op.create_table(
        "crisis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", _TEXT(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=True),
        sa.Column("caller", _TEXT(), nullable=False),
        sa.Column("what_happened", _TEXT(), nullable=False),
        sa.Column("need", _TEXT(), nullable=False),
        sa.Column("whereabouts", _TEXT(), nullable=False),
        sa.Column("status", _TEXT(), nullable=False),
        sa.Column("raised_at", _UTC(timezone=True), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=True),
        sa.Column("decision", _TEXT(), nullable=False),
        sa.Column("decision_note", _TEXT(), nullable=False),
        sa.Column("decided_at", _UTC(timezone=True), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", _UTC(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["call.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["raised_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_crisis_person_id", "crisis", ["person_id"])
    op.create_index("ix_crisis_referral_id", "crisis", ["referral_id"])
    op.create_index("ix_crisis_zone_status", "crisis", ["zone_id", "status"])
    op.create_table(
        "crisisgap",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crisis_id", sa.Integer(), nullable=False),
        sa.Column("discipline", _TEXT(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("decision", _TEXT(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("at", _UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["crisis_id"], ["crisis.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_crisisgap_crisis_id", "crisisgap", ["crisis_id"])
    op.create_table(
        "booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crisis_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("discipline", _TEXT(), nullable=False),
        sa.Column("purpose", _TEXT(), nullable=False),
        sa.Column("visit_at", _UTC(timezone=True), nullable=False),
        sa.Column("state", _TEXT(), nullable=False),
        sa.Column("cancel_reason", _TEXT(), nullable=False),
        sa.Column("booked_at", _UTC(timezone=True), nullable=False),
        sa.Column("booked_by_id", sa.Integer(), nullable=True),
        sa.Column("arrived_at", _UTC(timezone=True), nullable=True),
        sa.Column("assessed_at", _UTC(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["booked_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["crisis_id"], ["crisis.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_booking_crisis_id", "booking", ["crisis_id"])
    op.create_index("ix_booking_staff_visit", "booking", ["staff_id", "visit_at"])
    op.create_table(
        "liaisonentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("crisis_id", sa.Integer(), nullable=False),
        sa.Column("party", _TEXT(), nullable=False),
        sa.Column("contact", _TEXT(), nullable=False),
        sa.Column("agreed", _TEXT(), nullable=False),
        sa.Column("at", _UTC(timezone=True), nullable=False),
        sa.Column("by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["crisis_id"], ["crisis.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_liaisonentry_crisis_id", "liaisonentry", ["crisis_id"])
    op.create_table(
        "crisisplan",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("who_to_ring", _TEXT(), nullable=False),
        sa.Column("what_has_worked", _TEXT(), nullable=False),
        sa.Column("what_they_want", _TEXT(), nullable=False),
        sa.Column("updated_at", _UTC(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("zone_id", _TEXT(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("kind", _TEXT(), nullable=False),
        sa.Column("due_at", _UTC(timezone=True), nullable=False),
        sa.Column("state", _TEXT(), nullable=False),
        sa.Column("raised_at", _UTC(timezone=True), nullable=True),
        sa.Column("raised_by_desk", _TEXT(), nullable=False),
        sa.Column("acknowledged_at", _UTC(timezone=True), nullable=True),
        sa.Column("acknowledged_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["acknowledged_by_id"], ["staff.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"]),
        sa.ForeignKeyConstraint(["zone_id"], ["zone.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("referral_id", "kind", name="uq_reminder_referral_kind"),
    )
    op.create_index("ix_reminder_state_due", "reminder", ["state", "due_at"])
    op.create_index("ix_reminder_zone_state", "reminder", ["zone_id", "state"])


def downgrade() -> None:
    for table in ("reminder", "crisisplan", "liaisonentry", "booking", "crisisgap", "crisis", "absence", "shift"):
        op.drop_table(table)
    op.drop_index("ix_referral_response_received", table_name="referral")
    with op.batch_alter_table("referral") as batch:
        for name in REFERRAL_STAFF:
            batch.drop_constraint(f"fk_referral_{name}", type_="foreignkey")
        for name in ("response", *REFERRAL_TEXT, *REFERRAL_STAFF, *REFERRAL_TIMES):
            batch.drop_column(name)
