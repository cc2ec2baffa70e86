"""message_attachments: files uploaded to a thread, carried by a message

Revision ID: 20261204_1910_msg_attachments
Revises: 20261204_1900_attendance
Create Date: 2026-12-04 19:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261204_1910_msg_attachments"
down_revision = "20261204_1900_attendance"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "message_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.String(length=255), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"], name=op.f("fk_message_attachments_message_id_messages")
        ),
        sa.ForeignKeyConstraint(
            ["thread_id"], ["message_threads.id"], name=op.f("fk_message_attachments_thread_id_message_threads")
        ),
        sa.ForeignKeyConstraint(["uploader_id"], ["users.id"], name=op.f("fk_message_attachments_uploader_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_attachments")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_message_attachments_storage_key")),
    )
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.create_index("ix_message_attachments_message_id", ["message_id"], unique=False)
        batch_op.create_index("ix_message_attachments_thread_id", ["thread_id"], unique=False)


def downgrade():
    with op.batch_alter_table("message_attachments", schema=None) as batch_op:
        batch_op.drop_index("ix_message_attachments_thread_id")
        batch_op.drop_index("ix_message_attachments_message_id")
    op.drop_table("message_attachments")
