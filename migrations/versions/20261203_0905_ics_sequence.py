"""booking ics sequence

Revision ID: 20261203_0905_ics_sequence
Revises: 20261203_0900_one_head
Create Date: 2026-12-03 09:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_0905_ics_sequence"
down_revision = "20261203_0900_one_head"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ics_sequence", sa.Integer(), server_default="0", nullable=False))


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("ics_sequence")
