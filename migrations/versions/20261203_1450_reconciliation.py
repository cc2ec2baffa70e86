"""reconciliation_items: differences between our books and Stripe's (issue 16)

Revision ID: 20261203_1450_reconciliation
Revises: 20261203_1450_notifications
Create Date: 2026-12-03 14:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1450_reconciliation"
down_revision = "20261203_1450_notifications"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reconciliation_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("payment_id", sa.Integer(), nullable=False),
        sa.Column("refund_id", sa.Integer(), nullable=True),
        sa.Column("provider_refund_id", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("ours", sa.JSON(), nullable=False),
        sa.Column("theirs", sa.JSON(), nullable=False),
        sa.Column("found_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["payment_id"], ["payments.id"]),
        sa.ForeignKeyConstraint(["refund_id"], ["refunds.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reconciliation_items", schema=None) as batch_op:
        batch_op.create_index("ix_reconciliation_items_open", ["resolved_at", "found_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_reconciliation_items_payment_id"), ["payment_id"], unique=False)


def downgrade():
    op.drop_table("reconciliation_items")
