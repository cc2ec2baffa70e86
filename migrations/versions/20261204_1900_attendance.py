"""attendance_intervals: merged join/leave/heartbeat intervals per video session participant (issue 14)

Revision ID: 20261204_1900_attendance
Revises: 20261203_1900_payment_day_totals
Create Date: 2026-12-04 18:25:08.115225

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_1900_attendance"
down_revision = "20261203_1900_payment_day_totals"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "attendance_intervals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column(
            "kind", sa.Enum("present", "media", name="intervalkind", native_enum=False, length=32), nullable=False
        ),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("is_start_known", sa.Boolean(), nullable=False),
        sa.CheckConstraint("ended_at >= started_at", name=op.f("ck_attendance_intervals_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_attendance_intervals_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_attendance_intervals_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_intervals")),
    )
    with op.batch_alter_table("attendance_intervals", schema=None) as batch_op:
        batch_op.create_index("ix_attendance_intervals_booking_user", ["booking_id", "user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("attendance_intervals", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_intervals_booking_user")

    op.drop_table("attendance_intervals")
