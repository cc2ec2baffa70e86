"""video_rollouts: when video outcomes started on this database, so sessions before it are never decided (issue 14)

Revision ID: 20261206_2300_video_rollouts
Revises: 20261206_2240_inbox_queues
Create Date: 2026-12-06 23:00:00

The row `outcomes` is the first attendance this database recorded, or the time of this migration
when there is none: `flask video decide-due` decides only sessions that start at or after it (unless
VIDEO_DECIDE_SINCE is set), so a deploy without that setting no longer decides the last 48 hours of
sessions, held before attendance existed, as double no-shows and mails them.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261206_2300_video_rollouts"
down_revision = "20261206_2240_inbox_queues"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "video_rollouts",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_video_rollouts")),
    )
    op.execute(
        "INSERT INTO video_rollouts (name, started_at) "
        "SELECT 'outcomes', COALESCE((SELECT MIN(started_at) FROM attendance_intervals), CURRENT_TIMESTAMP)"
    )


def downgrade():
    op.drop_table("video_rollouts")
