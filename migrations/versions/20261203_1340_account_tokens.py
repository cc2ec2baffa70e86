"""Accounts: mailed single-use tokens (password reset, e-mail change), reset requests, mail opt-outs

Revision ID: 20261203_1340_account_tokens
Revises: 20261203_1400_buffer_in_overlap
Create Date: 2026-12-03 13:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_1340_account_tokens"
down_revision = "20261203_1400_buffer_in_overlap"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "password_reset",
                "email_change",
                name="accounttokenpurpose",
                native_enum=False,
                create_constraint=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_account_tokens_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    with op.batch_alter_table("account_tokens", schema=None) as batch_op:
        batch_op.create_index("ix_account_tokens_user_purpose", ["user_id", "purpose"], unique=False)
    op.create_table(
        "reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip_address", sa.String(length=45), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reset_requests")),
    )
    with op.batch_alter_table("reset_requests", schema=None) as batch_op:
        batch_op.create_index("ix_reset_requests_email_created", ["email", "created_at"], unique=False)
        batch_op.create_index("ix_reset_requests_ip_created", ["ip_address", "created_at"], unique=False)
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("mail_opt_outs", sa.String(length=255), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("mail_opt_outs")
    op.drop_table("reset_requests")
    op.drop_table("account_tokens")
