"""notifications: one unread row per subject, and what became of the mail that may follow

Revision ID: 20261203_1450_notifications
Revises: 20261203_1440_token_scopes
Create Date: 2026-12-03 14:50:00
"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1450_notifications"
down_revision = "20261203_1440_token_scopes"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject_key", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "mail_state",
            sa.Enum("pending", "sent", "suppressed", name="mailstate", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("mail_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mail_note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_notifications_mail_due",
            ["mail_due_at"],
            unique=False,
            postgresql_where=sa.text("mail_state = 'pending'"),
        )
        batch_op.create_index("ix_notifications_user_updated", ["user_id", "updated_at"], unique=False)
        batch_op.create_index(
            "uq_notifications_unread_subject",
            ["user_id", "subject_key"],
            unique=True,
            postgresql_where=sa.text("read_at IS NULL"),
            sqlite_where=sa.text("read_at IS NULL"),
        )


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_index("uq_notifications_unread_subject")
        batch_op.drop_index("ix_notifications_user_updated")
        batch_op.drop_index("ix_notifications_mail_due")
    op.drop_table("notifications")
