"""messaging: threads per booking, participants' watermarks, client_msg_id; the per-user event log

Revision ID: 20261203_0820_messaging_threads
Revises: 2026120_1910_coach_photo_payout
Create Date: 2026-12-03 08:20:00

Existing threads become enquiry threads; each gets its two participants, whose read watermark is
the message just before their first unread one (delivered: the same), so unread counts stay.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_0820_messaging_threads"
down_revision = "2026120_1910_coach_photo_payout"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("booking_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_message_threads_booking_id_bookings"), "bookings", ["booking_id"], ["id"]
        )
        batch_op.create_unique_constraint(batch_op.f("uq_message_threads_booking_id"), ["booking_id"])
        batch_op.drop_constraint("uq_message_threads_pair", type_="unique")
        batch_op.create_index(
            "uq_message_threads_enquiry_pair",
            ["client_id", "coach_user_id"],
            unique=True,
            sqlite_where=sa.text("booking_id IS NULL"),
            postgresql_where=sa.text("booking_id IS NULL"),
        )
    op.create_table(
        "message_participants",
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("last_read_message_id", sa.BigInteger(), nullable=False),
        sa.Column("last_delivered_message_id", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["message_threads.id"], name=op.f("fk_message_participants_thread_id_message_threads")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_message_participants_user_id_users")),
        sa.PrimaryKeyConstraint("thread_id", "user_id", name=op.f("pk_message_participants")),
    )
    with op.batch_alter_table("message_participants", schema=None) as batch_op:
        batch_op.create_index("ix_message_participants_user", ["user_id"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_msg_id", sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint("uq_messages_sender_client_msg_id", ["sender_id", "client_msg_id"])
        batch_op.create_index("ix_messages_thread_id", ["thread_id", "id"], unique=False)
        batch_op.create_index("ix_messages_recipient_id", ["recipient_id", "id"], unique=False)
    _backfill_participants()
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_unread")
        batch_op.drop_index("ix_messages_thread_created")
        batch_op.drop_column("read_at")
    op.create_table(
        "user_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_user_events_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_events")),
    )
    with op.batch_alter_table("user_events", schema=None) as batch_op:
        batch_op.create_index("ix_user_events_user_id", ["user_id", "id"], unique=False)


def _backfill_participants():
    for column in ("client_id", "coach_user_id"):
        op.execute(
            sa.text(
                f"""
                INSERT INTO message_participants
                    (thread_id, user_id, last_read_message_id, last_delivered_message_id, updated_at)
                SELECT t.id, t.{column}, w.mark, w.mark, CURRENT_TIMESTAMP
                FROM message_threads t
                JOIN (
                    SELECT t2.id AS thread_id, COALESCE(
                        (SELECT MIN(m.id) - 1 FROM messages m
                         WHERE m.thread_id = t2.id AND m.recipient_id = t2.{column} AND m.read_at IS NULL),
                        (SELECT MAX(m.id) FROM messages m WHERE m.thread_id = t2.id),
                        0) AS mark
                    FROM message_threads t2
                ) w ON w.thread_id = t.id
                """
            )
        )


def downgrade():
    with op.batch_alter_table("user_events", schema=None) as batch_op:
        batch_op.drop_index("ix_user_events_user_id")
    op.drop_table("user_events")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("read_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        sa.text(
            "UPDATE messages SET read_at = CURRENT_TIMESTAMP WHERE id <= (SELECT p.last_read_message_id "
            "FROM message_participants p WHERE p.thread_id = messages.thread_id AND p.user_id = messages.recipient_id)"
        )
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_recipient_id")
        batch_op.drop_index("ix_messages_thread_id")
        batch_op.drop_constraint("uq_messages_sender_client_msg_id", type_="unique")
        batch_op.drop_column("client_msg_id")
        batch_op.create_index("ix_messages_thread_created", ["thread_id", "created_at"], unique=False)
        batch_op.create_index("ix_messages_unread", ["recipient_id", "read_at"], unique=False)
    with op.batch_alter_table("message_participants", schema=None) as batch_op:
        batch_op.drop_index("ix_message_participants_user")
    op.drop_table("message_participants")
    op.execute(
        sa.text("DELETE FROM messages WHERE thread_id IN (SELECT id FROM message_threads WHERE booking_id IS NOT NULL)")
    )
    op.execute(sa.text("DELETE FROM message_threads WHERE booking_id IS NOT NULL"))
    with op.batch_alter_table("message_threads", schema=None) as batch_op:
        batch_op.drop_index("uq_message_threads_enquiry_pair")
        batch_op.create_unique_constraint("uq_message_threads_pair", ["client_id", "coach_user_id"])
        batch_op.drop_constraint(batch_op.f("uq_message_threads_booking_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_message_threads_booking_id_bookings"), type_="foreignkey")
        batch_op.drop_column("booking_id")
