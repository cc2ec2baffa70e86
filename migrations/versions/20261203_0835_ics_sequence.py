"""booking ics sequence

Revision ID: 20261203_0835_ics_sequence
Revises: 2026120_1910_coach_photo_payout
Create Date: 2026-12-03 08:35:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_0835_ics_sequence"
down_revision = "2026120_1910_coach_photo_payout"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ics_sequence", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("ics_sequence")
