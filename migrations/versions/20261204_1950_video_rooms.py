"""video_rooms and video_provider_events: hosted providers' rooms per booking and webhook events applied (issue 14)

Revision ID: 20261204_1950_video_rooms
Revises: 20261204_1940_session_outcomes
Create Date: 2026-12-04 19:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_1950_video_rooms"
down_revision = "20261204_1940_session_outcomes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "video_rooms",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"], ["bookings.id"], name=op.f("fk_video_rooms_booking_id_bookings"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_rooms")),
        sa.UniqueConstraint("booking_id", "provider", name="uq_video_rooms_booking_provider"),
        sa.UniqueConstraint("name", name=op.f("uq_video_rooms_name")),
    )
    op.create_table(
        "video_provider_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=16), nullable=False),
        sa.Column("event_key", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_video_provider_events")),
        sa.UniqueConstraint("provider", "event_key", name="uq_video_provider_events_key"),
    )


def downgrade():
    op.drop_table("video_provider_events")
    op.drop_table("video_rooms")
