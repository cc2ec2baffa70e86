"""bookings.buffer_minutes; bookings_no_overlap covers the buffer after each session (issue 16, 9)

Hand-written constraint (listed in HAND_WRITTEN in migrations/env.py). timestamptz + interval is
only STABLE, so the range is a tsrange over the UTC wall clock, whose arithmetic is IMMUTABLE.

Revision ID: 20261203_1400_buffer_in_overlap
Revises: 20261203_1335_full_refund_until
Create Date: 2026-12-03 14:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1400_buffer_in_overlap"
down_revision = "20261203_1335_full_refund_until"
branch_labels = None
depends_on = None

WITH_BUFFER = (
    "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
    "(coach_id WITH =, tsrange(starts_at AT TIME ZONE 'UTC', "
    "(ends_at AT TIME ZONE 'UTC') + buffer_minutes * interval '1 minute') WITH &&) "
    "WHERE (status IN ('held', 'confirmed'))"
)
WITHOUT_BUFFER = (
    "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap EXCLUDE USING gist "
    "(coach_id WITH =, tstzrange(starts_at, ends_at) WITH &&) WHERE (status IN ('held', 'confirmed'))"
)


def upgrade():
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.add_column(sa.Column("buffer_minutes", sa.Integer(), server_default="0", nullable=False))
    if op.get_bind().dialect.name != "postgresql":
        return
    # Bookings made before keep no buffer (0): the constraint holds for every existing row.
    op.execute("ALTER TABLE bookings DROP CONSTRAINT IF EXISTS bookings_no_overlap")
    op.execute(WITH_BUFFER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE bookings DROP CONSTRAINT IF EXISTS bookings_no_overlap")
        op.execute(WITHOUT_BUFFER)
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_column("buffer_minutes")
