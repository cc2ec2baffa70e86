"""Refunds: how many times each was sent to the provider

Revision ID: 2026120_1830_refund_attempts
Revises: 2026120_1815_checks_state
Create Date: 2026-12-02 18:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "2026120_1830_refund_attempts"
down_revision = "2026120_1815_checks_state"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
    # Refunds that reached the provider were sent at least once.
    op.execute("UPDATE refunds SET attempts = 1 WHERE status IN ('pending', 'succeeded', 'failed')")


def downgrade():
    with op.batch_alter_table("refunds") as batch:
        batch.drop_column("attempts")
