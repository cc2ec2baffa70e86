"""bookings: an index on ends_at for the every-minute jobs that read sessions by their end (issue 14)

Revision ID: 20261204_2040_bookings_ends_at
Revises: 20261204_2030_payments_partial
Create Date: 2026-12-04 19:45:00

"""

from alembic import op

revision = "20261204_2040_bookings_ends_at"
down_revision = "20261204_2030_payments_partial"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index("ix_bookings_ends_at", ["ends_at"], unique=False)


def downgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index("ix_bookings_ends_at")
