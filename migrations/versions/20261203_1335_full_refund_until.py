"""booking full_refund_until: a reschedule keeps a refund deadline that had passed (issue 16, 8)

Revision ID: 20261203_1335_full_refund_until
Revises: 20261203_0930_currency_index
Create Date: 2026-12-03 13:35:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1335_full_refund_until"
down_revision = "20261203_0930_currency_index"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("full_refund_until", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("full_refund_until")
