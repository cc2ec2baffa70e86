"""session_outcomes: one decided outcome per booking's video session, its measures, refund and staff decision (issue 14)

Revision ID: 20261204_1940_session_outcomes
Revises: 20261204_1910_msg_attachments
Create Date: 2026-12-04 18:34:07.288699

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_1940_session_outcomes"
down_revision = "20261204_1910_msg_attachments"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "session_outcomes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "completed",
                "client_no_show",
                "coach_no_show",
                "both_no_show",
                "technical_failure",
                name="outcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum("final", "awaiting_staff", "resolved", name="outcomestatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("client_seconds", sa.Integer(), nullable=False),
        sa.Column("coach_seconds", sa.Integer(), nullable=False),
        sa.Column("media_seconds", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column(
            "resolution",
            sa.Enum("refund_client", "no_refund", name="resolution", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_session_outcomes_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["refund_id"], ["refunds.id"], name=op.f("fk_session_outcomes_refund_id_refunds")),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"], ["users.id"], name=op.f("fk_session_outcomes_resolved_by_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_outcomes")),
        sa.UniqueConstraint("booking_id", name=op.f("uq_session_outcomes_booking_id")),
    )
    with op.batch_alter_table("session_outcomes", schema=None) as batch_op:
        batch_op.create_index("ix_session_outcomes_status_decided", ["status", "decided_at"], unique=False)


def downgrade():
    with op.batch_alter_table("session_outcomes", schema=None) as batch_op:
        batch_op.drop_index("ix_session_outcomes_status_decided")

    op.drop_table("session_outcomes")
